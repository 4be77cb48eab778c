#include "coordinator/identity/base91.h"

#include <array>

namespace coordinator::identity {
namespace {

// basE91: "Each pair of output characters encodes 13 or 14 bits: 13 bits when their value
// (taken mod 8192) is above 88, else 14 bits, so that every pair value stays below 91²."
constexpr uint32_t kMask13 = 8191;
constexpr uint32_t kMask14 = 16383;
constexpr uint32_t kSmallLimit = 88;

constexpr std::array<int16_t, 256> MakeDecodeTable() {
  std::array<int16_t, 256> table{};
  for (auto& v : table) v = -1;
  for (size_t i = 0; i < kBase91Alphabet.size(); ++i) {
    table[static_cast<unsigned char>(kBase91Alphabet[i])] = static_cast<int16_t>(i);
  }
  return table;
}
constexpr std::array<int16_t, 256> kDecodeTable = MakeDecodeTable();
static_assert(kBase91Alphabet.size() == 91);

}  // namespace

bool IsBase91Char(char c) { return kDecodeTable[static_cast<unsigned char>(c)] >= 0; }

std::string Base91Encode(const uint8_t* data, size_t len) {
  std::string out;
  out.reserve(len * 16 / 13 + 2);
  uint32_t queue = 0;  // pending bits, least significant first
  uint32_t bits = 0;
  for (size_t i = 0; i < len; ++i) {
    queue |= static_cast<uint32_t>(data[i]) << bits;
    bits += 8;
    if (bits > 13) {
      uint32_t value = queue & kMask13;
      if (value > kSmallLimit) {
        queue >>= 13;
        bits -= 13;
      } else {
        value = queue & kMask14;
        queue >>= 14;
        bits -= 14;
      }
      out += kBase91Alphabet[value % 91];
      out += kBase91Alphabet[value / 91];
    }
  }
  if (bits > 0) {
    // The tail: one character, and a second one while it still carries information.
    out += kBase91Alphabet[queue % 91];
    if (bits > 7 || queue > 90) out += kBase91Alphabet[queue / 91];
  }
  return out;
}

std::string Base91Encode(const base::Bytes& data) { return Base91Encode(data.data(), data.size()); }

std::optional<base::Bytes> Base91Decode(std::string_view text) {
  base::Bytes out;
  out.reserve(text.size() * 14 / 16 + 1);
  uint32_t queue = 0;
  uint32_t bits = 0;
  int32_t first = -1;  // the first character of an incomplete pair
  for (char c : text) {
    const int32_t d = kDecodeTable[static_cast<unsigned char>(c)];
    if (d < 0) return std::nullopt;
    if (first < 0) {
      first = d;
      continue;
    }
    const uint32_t value = static_cast<uint32_t>(first) + static_cast<uint32_t>(d) * 91;
    first = -1;
    queue |= value << bits;
    bits += (value & kMask13) > kSmallLimit ? 13 : 14;
    do {
      out.push_back(static_cast<uint8_t>(queue & 0xff));
      queue >>= 8;
      bits -= 8;
    } while (bits > 7);
  }
  if (first >= 0) out.push_back(static_cast<uint8_t>((queue | static_cast<uint32_t>(first) << bits) & 0xff));
  return out;
}

}  // namespace coordinator::identity
