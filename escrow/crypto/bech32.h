// Bech32 (BIP-173) and Bech32m (BIP-350) without BIP-173's 90-character limit, which
// BOLT 11 lifts ("the human-readable part ... may be longer").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/expected.h"

namespace escrow::crypto {

enum class Bech32Variant { kBech32, kBech32m };

struct Bech32Data {
  std::string hrp;              // lower case
  std::vector<uint8_t> data;    // 5-bit groups, checksum removed
  Bech32Variant variant = Bech32Variant::kBech32;
};

// Rejects mixed case, characters outside 33–126, a missing separator, an empty hrp and a bad
// checksum, each with a reason. `max_length` 0 means no limit.
base::Expected<Bech32Data, std::string> Bech32Decode(std::string_view text, size_t max_length = 0);
std::string Bech32Encode(std::string_view hrp, const std::vector<uint8_t>& data5,
                         Bech32Variant variant = Bech32Variant::kBech32);

// Regroups bits (8→5 with padding, 5→8 without). Returns an error on non-zero padding when
// `pad` is false and the leftover bits are not all zero or are 5 or more.
base::Expected<std::vector<uint8_t>, std::string> ConvertBits(const std::vector<uint8_t>& in,
                                                              int from_bits, int to_bits, bool pad);

}  // namespace escrow::crypto
