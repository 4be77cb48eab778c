#include "escrow/bolt11_fields.h"

#include <algorithm>

#include "escrow/crypto/bech32.h"

namespace escrow::bolt11::fields {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr size_t kHopBytes = 33 + 8 + 4 + 4 + 2;  // 264 + 64 + 32 + 32 + 16 bits

std::string FieldName(char tag) { return std::string("field '") + tag + "'"; }

// 5-bit groups → bytes. BOLT #11: "MUST pad field data to a multiple of 5 bits, using 0s":
// leftover bits must be zeros, and fewer than a whole group.
base::Expected<std::vector<uint8_t>, std::string> ToBytes(char tag, const std::vector<uint8_t>& d5) {
  auto bytes = crypto::ConvertBits(d5, 5, 8, false);
  if (!bytes) return base::Err(FieldName(tag) + ": " + bytes.error());
  return bytes;
}

std::vector<uint8_t> FromBytes(const uint8_t* data, size_t len) {
  auto d5 = crypto::ConvertBits(std::vector<uint8_t>(data, data + len), 8, 5, true);
  // 8 → 5 with padding cannot fail: every input byte fits in 8 bits.
  return d5 ? std::move(d5.value()) : std::vector<uint8_t>{};
}

uint64_t ReadBigEndian(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

void WriteBigEndian(std::vector<uint8_t>& out, uint64_t v, size_t n) {
  for (size_t i = n; i > 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * (i - 1))));
}

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(const std::vector<uint8_t>& s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = s[i];
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

base::Expected<Parsed, std::string> ParseHash(char tag, Kind kind, const std::vector<uint8_t>& d5) {
  Parsed out;
  // BOLT #11: "A reader: MUST skip over ... `p`, `h`, `s` or `n` fields that do NOT have
  // `data_length`s of 52, 52, 52 or 53, respectively."
  // (Later revisions say a reader "MUST fail the payment if any field with fixed `data_length`
  // ... does not have the correct length", yet keep "Same, but including fields which must be
  // ignored" among the valid examples; we follow the example and skip, keeping the field raw.)
  if (d5.size() != 52) return out;
  auto bytes = ToBytes(tag, d5);
  if (!bytes) return base::Err(bytes.error());
  out.kind = kind;
  std::copy(bytes->begin(), bytes->end(), out.hash.begin());
  return out;
}

// BOLT #11: "if a `c`, `x`, or `9` field is provided which has a non-minimal `data_length`
// (i.e. begins with 0 field elements): SHOULD treat the invoice as invalid." We accept such
// fields (older writers produced them) and keep their bytes for re-encoding.
base::Expected<Parsed, std::string> ParseInt(char tag, Kind kind, const std::vector<uint8_t>& d5) {
  // 12 groups = 60 bits; anything longer could overflow 64 bits.
  if (d5.size() > 12) return base::Err(FieldName(tag) + ": integer longer than 60 bits");
  Parsed out;
  out.kind = kind;
  for (uint8_t g : d5) out.number = (out.number << 5) | g;
  return out;
}

base::Expected<Parsed, std::string> ParseFallback(const std::vector<uint8_t>& d5) {
  Parsed out;
  if (d5.empty()) return base::Err(std::string("field 'f': empty fallback address"));
  const uint8_t version = d5[0];
  // BOLT #11: "`f` fields with versions 19-31 will be ignored by readers."
  if (version > 18) return out;
  auto program = ToBytes('f', std::vector<uint8_t>(d5.begin() + 1, d5.end()));
  if (!program) return base::Err(program.error());
  const size_t n = program->size();
  // BOLT #11: "MUST set an `f` field to a valid witness version and program, OR to `17`
  // followed by a public key hash, OR to `18` followed by a script hash."
  // BIP-141: a witness program is 2 to 40 bytes; version 0 programs are 20 or 32 bytes.
  bool ok = false;
  if (version == 17 || version == 18) {
    ok = n == 20;
  } else if (version == 0) {
    ok = n == 20 || n == 32;
  } else {
    ok = n >= 2 && n <= 40;
  }
  if (!ok) {
    return base::Err("field 'f': invalid fallback address (version " + std::to_string(version) +
                     ", " + std::to_string(n) + "-byte program)");
  }
  out.kind = Kind::kFallback;
  out.fallback.version = version;
  out.fallback.program = std::move(program.value());
  return out;
}

base::Expected<Parsed, std::string> ParseRoute(const std::vector<uint8_t>& d5) {
  auto bytes = ToBytes('r', d5);
  if (!bytes) return base::Err(bytes.error());
  if (bytes->empty() || bytes->size() % kHopBytes != 0) {
    return base::Err("field 'r': " + std::to_string(bytes->size()) +
                     " bytes is not a whole number of 51-byte hops");
  }
  Parsed out;
  out.kind = Kind::kRouteHint;
  for (size_t off = 0; off < bytes->size(); off += kHopBytes) {
    const uint8_t* p = bytes->data() + off;
    auto key = crypto::ParsePubKey(p, 33);
    if (!key) return base::Err(std::string("field 'r': hop pubkey is not a valid point"));
    RouteHop hop;
    hop.pubkey = *key;
    hop.short_channel_id = ReadBigEndian(p + 33, 8);
    hop.fee_base_msat = static_cast<uint32_t>(ReadBigEndian(p + 41, 4));
    hop.fee_proportional_millionths = static_cast<uint32_t>(ReadBigEndian(p + 45, 4));
    hop.cltv_expiry_delta = static_cast<uint16_t>(ReadBigEndian(p + 49, 2));
    out.route.push_back(hop);
  }
  return out;
}

}  // namespace

char TagChar(uint8_t value) { return kCharset[value & 31]; }

int TagValue(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kCharset[i] == c) return i;
  }
  return -1;
}

base::Expected<Parsed, std::string> Parse(char tag, const std::vector<uint8_t>& d5) {
  switch (tag) {
    // BOLT #11: "`p` (1): `data_length` 52. 256-bit SHA256 payment_hash."
    case 'p': return ParseHash(tag, Kind::kPaymentHash, d5);
    // BOLT #11: "`s` (16): `data_length` 52. This 256-bit secret prevents forwarding nodes
    // from probing the payment recipient."
    case 's': return ParseHash(tag, Kind::kPaymentSecret, d5);
    // BOLT #11: "`h` (23): `data_length` 52. 256-bit description of purpose of payment
    // (SHA256)."
    case 'h': return ParseHash(tag, Kind::kDescriptionHash, d5);
    // BOLT #11: "`d` (13): `data_length` variable. Short description of purpose of payment
    // (UTF-8)". A writer "MUST set `d` to a valid UTF-8 string".
    case 'd': {
      auto bytes = ToBytes(tag, d5);
      if (!bytes) return base::Err(bytes.error());
      if (!IsValidUtf8(*bytes)) return base::Err(std::string("field 'd': description is not valid UTF-8"));
      Parsed out;
      out.kind = Kind::kDescription;
      out.text.assign(bytes->begin(), bytes->end());
      return out;
    }
    // BOLT #11: "`n` (19): `data_length` 53. 33-byte public key of the payee node".
    case 'n': {
      Parsed out;
      if (d5.size() != 53) return out;  // skipped, see ParseHash
      auto bytes = ToBytes(tag, d5);
      if (!bytes) return base::Err(bytes.error());
      auto key = crypto::ParsePubKey(bytes->data(), bytes->size());
      if (!key) return base::Err(std::string("field 'n': payee is not a valid public key"));
      out.kind = Kind::kPayee;
      out.key = *key;
      return out;
    }
    // BOLT #11: "`x` (6): `data_length` variable. `expiry` time in seconds (big-endian)."
    case 'x': return ParseInt(tag, Kind::kExpiry, d5);
    // BOLT #11: "`c` (24): `data_length` variable. `min_final_cltv_expiry_delta` to use for
    // the last HTLC in the route."
    case 'c': return ParseInt(tag, Kind::kMinFinalCltv, d5);
    // BOLT #11: "`f` (9): `data_length` variable, depending on version. Fallback on-chain
    // address: for Bitcoin, this starts with a 5-bit `version` and contains a witness program
    // or P2PKH or P2SH address."
    case 'f': return ParseFallback(d5);
    // BOLT #11: "`r` (3): `data_length` variable. One or more entries containing extra
    // routing information for a private route; there may be more than one `r` field".
    case 'r': return ParseRoute(d5);
    // BOLT #11: "`9` (5): `data_length` variable. One or more 5-bit values containing
    // features supported or required for receiving this payment."
    case '9': {
      Parsed out;
      out.kind = Kind::kFeatures;
      out.bytes = d5;
      return out;
    }
    // BOLT #11: "`m` (27): `data_length` variable. Additional metadata to attach to the
    // payment."
    case 'm': {
      auto bytes = ToBytes(tag, d5);
      if (!bytes) return base::Err(bytes.error());
      Parsed out;
      out.kind = Kind::kMetadata;
      out.bytes = std::move(bytes.value());
      return out;
    }
    // BOLT #11: "A reader: MUST skip over unknown fields".
    default: return Parsed{};
  }
}

std::vector<uint8_t> HashData(const crypto::Hash32& h) { return FromBytes(h.data(), h.size()); }

std::vector<uint8_t> TextData(const std::string& text) {
  return FromBytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

std::vector<uint8_t> PubKeyData(const crypto::PubKey33& key) {
  return FromBytes(key.data(), key.size());
}

// BOLT #11: "if `x` is included: SHOULD use the minimum `data_length` possible" (also `c`).
std::vector<uint8_t> IntData(uint64_t value) {
  std::vector<uint8_t> out;
  while (value != 0) {
    out.insert(out.begin(), static_cast<uint8_t>(value & 31));
    value >>= 5;
  }
  return out;
}

std::vector<uint8_t> FallbackData(const Fallback& f) {
  std::vector<uint8_t> out{static_cast<uint8_t>(f.version & 31)};
  const auto program = FromBytes(f.program.data(), f.program.size());
  out.insert(out.end(), program.begin(), program.end());
  return out;
}

std::vector<uint8_t> RouteData(const RouteHint& route) {
  std::vector<uint8_t> bytes;
  bytes.reserve(route.size() * kHopBytes);
  for (const RouteHop& hop : route) {
    bytes.insert(bytes.end(), hop.pubkey.begin(), hop.pubkey.end());
    WriteBigEndian(bytes, hop.short_channel_id, 8);
    WriteBigEndian(bytes, hop.fee_base_msat, 4);
    WriteBigEndian(bytes, hop.fee_proportional_millionths, 4);
    WriteBigEndian(bytes, hop.cltv_expiry_delta, 2);
  }
  return FromBytes(bytes.data(), bytes.size());
}

// BOLT #11: "if `9` contains non-zero bits: SHOULD use the minimum `data_length` possible".
std::vector<uint8_t> FeatureData(const std::vector<uint8_t>& words) {
  size_t first = 0;
  while (first < words.size() && (words[first] & 31) == 0) ++first;
  std::vector<uint8_t> out;
  for (size_t i = first; i < words.size(); ++i) out.push_back(words[i] & 31);
  return out;
}

std::vector<uint8_t> BytesData(const std::vector<uint8_t>& bytes) {
  return FromBytes(bytes.data(), bytes.size());
}

bool SameRoute(const RouteHint& a, const RouteHint& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].pubkey != b[i].pubkey || a[i].short_channel_id != b[i].short_channel_id ||
        a[i].fee_base_msat != b[i].fee_base_msat ||
        a[i].fee_proportional_millionths != b[i].fee_proportional_millionths ||
        a[i].cltv_expiry_delta != b[i].cltv_expiry_delta) {
      return false;
    }
  }
  return true;
}

bool SameFallback(const Fallback& a, const Fallback& b) {
  return a.version == b.version && a.program == b.program;
}

}  // namespace escrow::bolt11::fields
