#include "escrow/crypto/bech32.h"

#include <cstdint>

namespace escrow::crypto {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
// BIP-350: "the constant M = 0x2bc830a3" replaces bech32's final xor constant 1.
constexpr uint32_t kBech32Const = 1;
constexpr uint32_t kBech32mConst = 0x2bc830a3;

int CharValue(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kCharset[i] == c) return i;
  }
  return -1;
}

// BIP-173 reference polymod over GF(32) with generator 0x3b6a57b2 … 0x2a1462b3.
uint32_t Polymod(const std::vector<uint8_t>& values) {
  constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    const uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

// BIP-173: "hrp_expand(s) = [ord(x) >> 5 for x in s] + [0] + [ord(x) & 31 for x in s]".
std::vector<uint8_t> HrpExpand(std::string_view hrp) {
  std::vector<uint8_t> out;
  out.reserve(hrp.size() * 2 + 1);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<unsigned char>(c) >> 5));
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<unsigned char>(c) & 31));
  return out;
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

base::Expected<Bech32Data, std::string> Bech32Decode(std::string_view text, size_t max_length) {
  if (max_length != 0 && text.size() > max_length) {
    return base::Err("bech32: string is longer than " + std::to_string(max_length) + " characters");
  }
  // BIP-173: "The human-readable part ... must contain 1 to 83 US-ASCII characters, with each
  // character having a value in the range [33-126]" (the length cap is lifted here: BOLT 11).
  // "Decoders MUST NOT accept strings where some characters are uppercase and some are
  // lowercase (such strings are referred to as mixed case strings)."
  bool has_lower = false;
  bool has_upper = false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return base::Err(std::string("bech32: character out of range 33-126"));
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= 'A' && c <= 'Z') has_upper = true;
  }
  if (has_lower && has_upper) return base::Err(std::string("bech32: mixed case string"));

  // BIP-173: "The separator is always '1'. In case '1' is allowed inside the human-readable
  // part, the last one in the string is the separator."
  const size_t sep = text.rfind('1');
  if (sep == std::string_view::npos) return base::Err(std::string("bech32: no separator '1'"));
  if (sep == 0) return base::Err(std::string("bech32: empty human-readable part"));
  // "The last six characters of the data part form a checksum".
  if (text.size() - sep - 1 < 6) return base::Err(std::string("bech32: data part shorter than checksum"));

  Bech32Data out;
  out.hrp.reserve(sep);
  for (size_t i = 0; i < sep; ++i) out.hrp.push_back(ToLower(text[i]));

  std::vector<uint8_t> values;
  values.reserve(text.size() - sep - 1);
  for (size_t i = sep + 1; i < text.size(); ++i) {
    const int v = CharValue(ToLower(text[i]));
    if (v < 0) return base::Err("bech32: invalid data character '" + std::string(1, text[i]) + "'");
    values.push_back(static_cast<uint8_t>(v));
  }

  std::vector<uint8_t> check = HrpExpand(out.hrp);
  check.insert(check.end(), values.begin(), values.end());
  const uint32_t pm = Polymod(check);
  if (pm == kBech32Const) {
    out.variant = Bech32Variant::kBech32;
  } else if (pm == kBech32mConst) {
    out.variant = Bech32Variant::kBech32m;
  } else {
    return base::Err(std::string("bech32: invalid checksum"));
  }
  values.resize(values.size() - 6);
  out.data = std::move(values);
  return out;
}

std::string Bech32Encode(std::string_view hrp, const std::vector<uint8_t>& data5,
                         Bech32Variant variant) {
  std::string lower_hrp;
  lower_hrp.reserve(hrp.size());
  for (char c : hrp) lower_hrp.push_back(ToLower(c));

  std::vector<uint8_t> values = HrpExpand(lower_hrp);
  values.insert(values.end(), data5.begin(), data5.end());
  values.insert(values.end(), 6, 0);
  uint32_t constant = kBech32Const;
  switch (variant) {
    case Bech32Variant::kBech32: constant = kBech32Const; break;
    case Bech32Variant::kBech32m: constant = kBech32mConst; break;
  }
  const uint32_t pm = Polymod(values) ^ constant;

  std::string out = lower_hrp;
  out.reserve(lower_hrp.size() + 1 + data5.size() + 6);
  out.push_back('1');
  for (uint8_t v : data5) out.push_back(kCharset[v & 31]);
  for (int i = 0; i < 6; ++i) out.push_back(kCharset[(pm >> (5 * (5 - i))) & 31]);
  return out;
}

base::Expected<std::vector<uint8_t>, std::string> ConvertBits(const std::vector<uint8_t>& in,
                                                              int from_bits, int to_bits, bool pad) {
  if (from_bits <= 0 || from_bits > 8 || to_bits <= 0 || to_bits > 8) {
    return base::Err(std::string("convertbits: group sizes must be 1..8 bits"));
  }
  const uint32_t max_v = (1u << to_bits) - 1;
  const uint32_t max_acc = (1u << (from_bits + to_bits - 1)) - 1;
  uint32_t acc = 0;
  int bits = 0;
  std::vector<uint8_t> out;
  out.reserve(in.size() * static_cast<size_t>(from_bits) / static_cast<size_t>(to_bits) + 1);
  for (uint8_t value : in) {
    if ((value >> from_bits) != 0) return base::Err(std::string("convertbits: input value out of range"));
    acc = ((acc << from_bits) | value) & max_acc;
    bits += from_bits;
    while (bits >= to_bits) {
      bits -= to_bits;
      out.push_back(static_cast<uint8_t>((acc >> bits) & max_v));
    }
  }
  if (pad) {
    if (bits > 0) out.push_back(static_cast<uint8_t>((acc << (to_bits - bits)) & max_v));
  } else if (bits >= from_bits) {
    return base::Err(std::string("convertbits: leftover of ") + std::to_string(bits) + " bits");
  } else if (((acc << (to_bits - bits)) & max_v) != 0) {
    return base::Err(std::string("convertbits: non-zero padding bits"));
  }
  return out;
}

}  // namespace escrow::crypto
