#include "escrow/bolt11.h"

#include <cstdio>
#include <cstdlib>

#include "escrow/bolt11_fields.h"
#include "escrow/crypto/bech32.h"

namespace escrow::bolt11 {
namespace {

using fields::Kind;

// BOLT #11: "`timestamp`: seconds-since-1970 (35 bits, big-endian)" and "`signature`:
// Bitcoin-style signature of above (520 bits)".
constexpr size_t kTimestampGroups = 7;
constexpr size_t kSignatureGroups = 104;
constexpr size_t kMaxFieldGroups = 1023;
constexpr uint64_t kDefaultExpiry = 3600;
constexpr uint64_t kDefaultMinFinalCltv = 18;

// BOLT #11: "`prefix`: `ln` + BIP-0173 currency prefix (e.g. `lnbc` for Bitcoin mainnet,
// `lntb` for Bitcoin testnet, `lntbs` for Bitcoin signet, and `lnbcrt` for Bitcoin regtest)";
// `sb` is simnet (btcd, LND's zpay32).
constexpr const char* kCurrencies[] = {"bc", "tb", "tbs", "bcrt", "sb"};

// 1 BTC = 10^11 millisatoshi.
constexpr uint64_t kMsatPerBtc = 100'000'000'000ull;

// BOLT #9, features with context `9` (presented in invoices): var_onion_optin 8/9 (ASSUMED),
// payment_secret 14/15, basic_mpp 16/17 (depends on payment_secret), option_route_blinding
// 24/25, option_payment_metadata 48/49. The even bit of each pair.
constexpr int kKnownEvenFeatures[] = {8, 14, 16, 24, 48};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fatal: bolt11: %s\n", what.c_str());
  std::abort();
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// BOLT #11: "if `amount` contains a non-digit OR is followed by anything except a
// `multiplier` (see table above): MUST fail the payment."
base::Expected<uint64_t, std::string> ParseAmount(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && IsDigit(text[digits])) ++digits;
  if (digits == 0) return base::Err(std::string("amount: no digits"));
  if (text.size() - digits > 1) {
    return base::Err("amount: invalid multiplier '" + std::string(text.substr(digits)) + "'");
  }
  // BOLT #11: "MUST encode `amount` as a positive decimal integer with no leading 0s."
  if (text[0] == '0') return base::Err(std::string("amount: must be positive, without leading 0s"));
  uint64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (__builtin_mul_overflow(value, 10u, &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(text[i] - '0'), &value)) {
      return base::Err(std::string("amount: too large"));
    }
  }
  // BOLT #11: "`m` (milli): multiply by 0.001", "`u` (micro): multiply by 0.000001",
  // "`n` (nano): multiply by 0.000000001", "`p` (pico): multiply by 0.000000000001".
  uint64_t factor = kMsatPerBtc;
  if (digits < text.size()) {
    switch (text[digits]) {
      case 'm': factor = 100'000'000; break;
      case 'u': factor = 100'000; break;
      case 'n': factor = 100; break;
      case 'p':
        // BOLT #11: "if multiplier is `p` and the last decimal of `amount` is not 0: MUST
        // fail the payment."
        if (value % 10 != 0) {
          return base::Err(std::string("amount: sub-millisatoshi precision (pico amount not a multiple of 10)"));
        }
        return value / 10;
      default:
        return base::Err("amount: invalid multiplier '" + std::string(1, text[digits]) + "'");
    }
  }
  uint64_t msat = 0;
  if (__builtin_mul_overflow(value, factor, &msat)) return base::Err(std::string("amount: too large"));
  return msat;
}

// BOLT #11: "SHOULD use the shortest representation possible, by using the largest multiplier
// or omitting the multiplier."
std::string ShortestAmount(uint64_t msat) {
  if (msat % kMsatPerBtc == 0) return std::to_string(msat / kMsatPerBtc);
  if (msat % 100'000'000 == 0) return std::to_string(msat / 100'000'000) + "m";
  if (msat % 100'000 == 0) return std::to_string(msat / 100'000) + "u";
  if (msat % 100 == 0) return std::to_string(msat / 100) + "n";
  // "If the `p` multiplier is used the last decimal of `amount` MUST be `0`."
  return std::to_string(msat) + "0p";
}

base::Expected<void, std::string> ParseHrp(const std::string& hrp, Invoice& inv) {
  if (hrp.size() < 2 || hrp.compare(0, 2, "ln") != 0) {
    return base::Err(std::string("prefix: human-readable part must start with 'ln'"));
  }
  size_t first_digit = 2;
  while (first_digit < hrp.size() && !IsDigit(hrp[first_digit])) ++first_digit;
  const std::string currency = hrp.substr(2, first_digit - 2);
  bool known = false;
  for (const char* c : kCurrencies) known = known || currency == c;
  // BOLT #11: "if it does NOT understand the `prefix`: MUST fail the payment."
  if (!known) return base::Err("prefix: unknown currency '" + currency + "'");
  inv.network_prefix = currency;
  if (first_digit < hrp.size()) {
    auto amount = ParseAmount(std::string_view(hrp).substr(first_digit));
    if (!amount) return base::Err(amount.error());
    inv.amount_msat = *amount;
    inv.amount_hrp = hrp.substr(first_digit);
  }
  return {};
}

std::string HrpOf(const Invoice& inv) {
  std::string hrp = "ln" + inv.network_prefix;
  if (!inv.amount_msat || *inv.amount_msat == 0) return hrp;
  if (!inv.amount_hrp.empty()) {
    auto kept = ParseAmount(inv.amount_hrp);
    if (kept && *kept == *inv.amount_msat) return hrp + inv.amount_hrp;
  }
  return hrp + ShortestAmount(*inv.amount_msat);
}

uint64_t ReadGroups(const std::vector<uint8_t>& d5, size_t from, size_t count) {
  uint64_t v = 0;
  for (size_t i = 0; i < count; ++i) v = (v << 5) | d5[from + i];
  return v;
}

// Each Tagged Field is "`type` (5 bits)", "`data_length` (10 bits, big-endian)", "`data`
// (`data_length` x 5 bits)".
void AppendField(std::vector<uint8_t>& out, char tag, const std::vector<uint8_t>& data5) {
  if (data5.size() > kMaxFieldGroups) {
    Die(std::string("field '") + tag + "' is longer than 639 bytes (REQUIRES in bolt11.h)");
  }
  out.push_back(static_cast<uint8_t>(fields::TagValue(tag)));
  out.push_back(static_cast<uint8_t>(data5.size() >> 5));
  out.push_back(static_cast<uint8_t>(data5.size() & 31));
  out.insert(out.end(), data5.begin(), data5.end());
}

bool HasAnyBit(const std::vector<uint8_t>& words) {
  for (uint8_t w : words) {
    if ((w & 31) != 0) return true;
  }
  return false;
}

// Which typed values have been written, while walking `field_order`.
struct Written {
  bool p = false, s = false, d = false, h = false, n = false, x = false, c = false;
  bool features = false, m = false;
  size_t f = 0, r = 0;
};

// Writes the typed values not yet written, in the canonical order p, s, d|h, n, x, c, f*, r*,
// 9, m. `always_c`: BOLT #11 says a writer "SHOULD include one `c` field".
void AppendRemaining(const Invoice& inv, const Written& w, bool always_c, std::vector<uint8_t>& out) {
  if (!w.p && inv.payment_hash) AppendField(out, 'p', fields::HashData(*inv.payment_hash));
  if (!w.s && inv.payment_secret) AppendField(out, 's', fields::HashData(*inv.payment_secret));
  if (!w.d && inv.description) AppendField(out, 'd', fields::TextData(*inv.description));
  if (!w.h && inv.description_hash) AppendField(out, 'h', fields::HashData(*inv.description_hash));
  if (!w.n && inv.payee) AppendField(out, 'n', fields::PubKeyData(*inv.payee));
  if (!w.x && inv.expiry_seconds != kDefaultExpiry) {
    AppendField(out, 'x', fields::IntData(inv.expiry_seconds));
  }
  if (!w.c && (always_c || inv.min_final_cltv_expiry != kDefaultMinFinalCltv)) {
    AppendField(out, 'c', fields::IntData(inv.min_final_cltv_expiry));
  }
  for (size_t i = w.f; i < inv.fallbacks.size(); ++i) {
    AppendField(out, 'f', fields::FallbackData(inv.fallbacks[i]));
  }
  for (size_t i = w.r; i < inv.route_hints.size(); ++i) {
    AppendField(out, 'r', fields::RouteData(inv.route_hints[i]));
  }
  if (!w.features && HasAnyBit(inv.features)) AppendField(out, '9', fields::FeatureData(inv.features));
  if (!w.m && inv.metadata) AppendField(out, 'm', fields::BytesData(*inv.metadata));
}

// Walks `field_order`: the first well-formed field of each single-valued kind (the k-th of f
// and r) stands for the typed value; it is written as it came while it still parses to that
// value, re-serialised if the value changed, dropped if the value was cleared. Everything else
// (unknown, skipped, later duplicates) is written raw.
void AppendInOrder(const Invoice& inv, std::vector<uint8_t>& out) {
  Written w;
  for (const RawField& raw : inv.field_order) {
    auto parsed = fields::Parse(raw.tag, raw.data5);
    if (!parsed) {
      AppendField(out, raw.tag, raw.data5);
      continue;
    }
    // Emits `raw` if `same`, else `fresh`; nothing if the typed value is absent.
    auto emit = [&](bool present, bool same, const auto& make_fresh) {
      if (!present) return;
      AppendField(out, raw.tag, same ? raw.data5 : make_fresh());
    };
    auto once = [&](bool& written) {
      if (written) {
        AppendField(out, raw.tag, raw.data5);
        return false;
      }
      written = true;
      return true;
    };
    const fields::Parsed& v = *parsed;
    switch (v.kind) {
      case Kind::kPaymentHash:
        if (once(w.p)) {
          emit(inv.payment_hash.has_value(), inv.payment_hash == v.hash,
               [&] { return fields::HashData(*inv.payment_hash); });
        }
        break;
      case Kind::kPaymentSecret:
        if (once(w.s)) {
          emit(inv.payment_secret.has_value(), inv.payment_secret == v.hash,
               [&] { return fields::HashData(*inv.payment_secret); });
        }
        break;
      case Kind::kDescription:
        if (once(w.d)) {
          emit(inv.description.has_value(), inv.description == v.text,
               [&] { return fields::TextData(*inv.description); });
        }
        break;
      case Kind::kDescriptionHash:
        if (once(w.h)) {
          emit(inv.description_hash.has_value(), inv.description_hash == v.hash,
               [&] { return fields::HashData(*inv.description_hash); });
        }
        break;
      case Kind::kPayee:
        if (once(w.n)) {
          emit(inv.payee.has_value(), inv.payee == v.key, [&] { return fields::PubKeyData(*inv.payee); });
        }
        break;
      case Kind::kExpiry:
        if (once(w.x)) {
          emit(true, inv.expiry_seconds == v.number, [&] { return fields::IntData(inv.expiry_seconds); });
        }
        break;
      case Kind::kMinFinalCltv:
        if (once(w.c)) {
          emit(true, inv.min_final_cltv_expiry == v.number,
               [&] { return fields::IntData(inv.min_final_cltv_expiry); });
        }
        break;
      case Kind::kFeatures:
        if (once(w.features)) {
          emit(true, inv.features == v.bytes, [&] { return fields::FeatureData(inv.features); });
        }
        break;
      case Kind::kMetadata:
        if (once(w.m)) {
          emit(inv.metadata.has_value(), inv.metadata == v.bytes,
               [&] { return fields::BytesData(*inv.metadata); });
        }
        break;
      case Kind::kFallback: {
        const size_t i = w.f++;
        emit(i < inv.fallbacks.size(),
             i < inv.fallbacks.size() && fields::SameFallback(inv.fallbacks[i], v.fallback),
             [&] { return fields::FallbackData(inv.fallbacks[i]); });
        break;
      }
      case Kind::kRouteHint: {
        const size_t i = w.r++;
        emit(i < inv.route_hints.size(),
             i < inv.route_hints.size() && fields::SameRoute(inv.route_hints[i], v.route),
             [&] { return fields::RouteData(inv.route_hints[i]); });
        break;
      }
      case Kind::kSkipped:
        AppendField(out, raw.tag, raw.data5);
        break;
    }
  }
  AppendRemaining(inv, w, /*always_c=*/false, out);
}

// Timestamp and tagged fields, as 5-bit groups (no signature).
std::vector<uint8_t> DataPart(const Invoice& inv) {
  if (inv.timestamp >= (1ull << 35)) Die("timestamp does not fit in 35 bits");
  std::vector<uint8_t> out;
  for (int i = 6; i >= 0; --i) out.push_back(static_cast<uint8_t>((inv.timestamp >> (5 * i)) & 31));
  if (inv.field_order.empty()) {
    AppendRemaining(inv, Written{}, /*always_c=*/true, out);
  } else {
    AppendInOrder(inv, out);
  }
  return out;
}

crypto::Hash32 Digest(const std::string& hrp, const std::vector<uint8_t>& data5) {
  // "with 0 bits appended to pad the data to the next byte boundary"
  auto bytes = crypto::ConvertBits(data5, 5, 8, true);
  base::Bytes preimage(hrp.begin(), hrp.end());
  preimage.insert(preimage.end(), bytes->begin(), bytes->end());
  return crypto::Sha256(preimage);
}

std::string Finish(const std::string& hrp, std::vector<uint8_t> data5, const crypto::RecoverableSig& sig) {
  // "a valid 512-bit secp256k1 signature ... with a trailing byte containing the recovery ID
  // (0, 1, 2, or 3)".
  std::vector<uint8_t> sig_bytes(sig.sig.begin(), sig.sig.end());
  sig_bytes.push_back(static_cast<uint8_t>(sig.recovery_id));
  auto sig5 = crypto::ConvertBits(sig_bytes, 8, 5, true);
  data5.insert(data5.end(), sig5->begin(), sig5->end());
  return crypto::Bech32Encode(hrp, data5, crypto::Bech32Variant::kBech32);
}

// BOLT #11 Feature Bits: "The field is big-endian. The least-significant bit is numbered 0".
bool WordsHaveBit(const std::vector<uint8_t>& words, int bit) {
  if (bit < 0) return false;
  const size_t word = static_cast<size_t>(bit) / 5;
  if (word >= words.size()) return false;
  return (words[words.size() - 1 - word] >> (bit % 5)) & 1;
}

base::Expected<void, std::string> CheckFeatures(const std::vector<uint8_t>& words) {
  const int bits = static_cast<int>(words.size()) * 5;
  for (int bit = 0; bit < bits; bit += 2) {
    if (!WordsHaveBit(words, bit)) continue;
    bool known = false;
    for (int k : kKnownEvenFeatures) known = known || k == bit;
    // BOLT #11: "if the `9` field contains unknown _even_ bits that are non-zero: MUST fail
    // the payment. SHOULD indicate the unknown bit to the user."
    if (!known) return base::Err("field '9': unknown mandatory (even) feature bit " + std::to_string(bit));
  }
  // BOLT #11: "if the feature vector does not set all known, transitive feature dependencies:
  // MUST NOT attempt the payment." BOLT #9: basic_mpp depends on payment_secret.
  const bool mpp = WordsHaveBit(words, 16) || WordsHaveBit(words, 17);
  const bool secret = WordsHaveBit(words, 14) || WordsHaveBit(words, 15);
  if (mpp && !secret) return base::Err(std::string("field '9': basic_mpp without its dependency payment_secret"));
  return {};
}

}  // namespace

bool Invoice::HasFeature(int bit) const { return WordsHaveBit(features, bit); }

void Invoice::SetFeature(int bit) {
  if (bit < 0) return;
  const size_t word = static_cast<size_t>(bit) / 5;
  if (word >= features.size()) features.insert(features.begin(), word + 1 - features.size(), 0);
  features[features.size() - 1 - word] |= static_cast<uint8_t>(1u << (bit % 5));
}

base::Expected<Invoice, std::string> Decode(std::string_view payreq) {
  // BOLT #11: "A reader: MUST parse the address as Bech32, as specified in BIP-0173 (also
  // without the character limit)" and "if the checksum is incorrect: MUST fail the payment."
  auto bech = crypto::Bech32Decode(payreq, 0);
  if (!bech) return base::Err(bech.error());
  if (bech->variant != crypto::Bech32Variant::kBech32) {
    return base::Err(std::string("bech32: invalid checksum (bech32m, BOLT 11 uses bech32)"));
  }
  Invoice inv;
  auto hrp_ok = ParseHrp(bech->hrp, inv);
  if (!hrp_ok) return base::Err(hrp_ok.error());

  const std::vector<uint8_t>& data = bech->data;
  if (data.size() < kTimestampGroups + kSignatureGroups) {
    return base::Err("invoice too short: " + std::to_string(data.size()) +
                     " data groups cannot hold a timestamp and a signature");
  }
  inv.timestamp = ReadGroups(data, 0, kTimestampGroups);

  const size_t end = data.size() - kSignatureGroups;
  bool have_x = false, have_c = false, have_features = false;
  for (size_t pos = kTimestampGroups; pos < end;) {
    if (end - pos < 3) return base::Err(std::string("tagged field: truncated type/length"));
    RawField raw;
    raw.tag = fields::TagChar(data[pos]);
    const size_t len = ReadGroups(data, pos + 1, 2);
    pos += 3;
    if (len > end - pos) {
      return base::Err(std::string("tagged field '") + raw.tag + "': data_length runs into the signature");
    }
    raw.data5.assign(data.begin() + static_cast<std::ptrdiff_t>(pos),
                     data.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
    auto parsed = fields::Parse(raw.tag, raw.data5);
    if (!parsed) return base::Err(parsed.error());
    fields::Parsed& v = *parsed;
    // Duplicates of single-valued fields: the first well-formed one counts (BOLT #11: a payer
    // "SHOULD use the first `p` field as the payment hash"); later ones stay raw.
    switch (v.kind) {
      case Kind::kPaymentHash: if (!inv.payment_hash) inv.payment_hash = v.hash; break;
      case Kind::kPaymentSecret: if (!inv.payment_secret) inv.payment_secret = v.hash; break;
      case Kind::kDescription: if (!inv.description) inv.description = std::move(v.text); break;
      case Kind::kDescriptionHash: if (!inv.description_hash) inv.description_hash = v.hash; break;
      case Kind::kPayee: if (!inv.payee) inv.payee = v.key; break;
      case Kind::kExpiry:
        if (!have_x) inv.expiry_seconds = v.number;
        have_x = true;
        break;
      case Kind::kMinFinalCltv:
        if (!have_c) inv.min_final_cltv_expiry = v.number;
        have_c = true;
        break;
      case Kind::kFeatures:
        if (!have_features) inv.features = std::move(v.bytes);
        have_features = true;
        break;
      case Kind::kMetadata: if (!inv.metadata) inv.metadata = std::move(v.bytes); break;
      case Kind::kFallback: inv.fallbacks.push_back(std::move(v.fallback)); break;
      case Kind::kRouteHint: inv.route_hints.push_back(std::move(v.route)); break;
      case Kind::kSkipped: break;
    }
    inv.field_order.push_back(std::move(raw));
  }

  // BOLT #11 (reader): "if a valid `s` field is not provided: MUST fail the payment."
  if (!inv.payment_hash) return base::Err(std::string("missing required 'p' field (payment hash)"));
  if (!inv.payment_secret) return base::Err(std::string("missing required 's' field (payment secret)"));
  // "MUST fail the payment if neither a `d` field nor a `h` field is present, or if both are
  // present."
  if (inv.description.has_value() == inv.description_hash.has_value()) {
    return base::Err(std::string(inv.description ? "both 'd' and 'h' fields present"
                                                  : "neither a 'd' nor an 'h' field present"));
  }
  auto features_ok = CheckFeatures(inv.features);
  if (!features_ok) return base::Err(features_ok.error());

  // The signature: 64 bytes r || s and a recovery id byte.
  auto sig_bytes = crypto::ConvertBits(std::vector<uint8_t>(data.begin() + static_cast<std::ptrdiff_t>(end), data.end()), 5, 8, false);
  if (!sig_bytes || sig_bytes->size() != 65) return base::Err(std::string("signature: malformed"));
  std::copy(sig_bytes->begin(), sig_bytes->begin() + 64, inv.signature.sig.begin());
  inv.signature.recovery_id = (*sig_bytes)[64];
  if ((*sig_bytes)[64] > 3) return base::Err(std::string("signature: recovery id is not 0..3"));

  const crypto::Hash32 digest =
      Digest(bech->hrp, std::vector<uint8_t>(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(end)));
  if (inv.payee) {
    // BOLT #11: "if a valid `n` field is provided: MUST use the `n` field to validate the
    // signature instead of performing public-key recovery. If the signature is not compliant
    // with the low-S standard rule: MUST fail the payment".
    if (crypto::IsHighS(inv.signature.sig)) {
      return base::Err(std::string("signature: high-S signature with an 'n' field (non-canonical)"));
    }
    if (!crypto::VerifyEcdsa(*inv.payee, digest, inv.signature.sig)) {
      return base::Err(std::string("signature: does not verify against the 'n' field"));
    }
    inv.payee_pubkey = *inv.payee;
  } else {
    // "otherwise: MUST perform ECDSA public-key recovery and accept both high-S and low-S
    // signatures." (RecoverPubKey normalises a high-S signature first.)
    auto key = crypto::RecoverPubKey(digest, inv.signature);
    if (!key) return base::Err(std::string("signature: public key is not recoverable"));
    inv.payee_pubkey = *key;
  }
  return inv;
}

std::string Encode(const Invoice& inv, const crypto::Signer& signer) {
  const std::string hrp = HrpOf(inv);
  std::vector<uint8_t> data5 = DataPart(inv);
  const crypto::RecoverableSig sig = signer.SignRecoverable(Digest(hrp, data5));
  return Finish(hrp, std::move(data5), sig);
}

std::string EncodeWithSignature(const Invoice& inv) {
  return Finish(HrpOf(inv), DataPart(inv), inv.signature);
}

crypto::Hash32 SigningHash(const Invoice& inv) { return Digest(HrpOf(inv), DataPart(inv)); }

}  // namespace escrow::bolt11
