// basE91 (Joachim Henke, http://base91.sourceforge.net/): binary ⇄ text with the 91-character
// alphabet below, bit-exact with the npm `base-ex` package's Base91, which RoboSats clients
// use to send SHA256(token) in the Authorization header (RoboSats api/utils.py uses the
// Python `base91` package, the same algorithm).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/base/encoding.h"

namespace coordinator::identity {

// The alphabet, in value order: value v is kBase91Alphabet[v].
inline constexpr std::string_view kBase91Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,./:;<=>?@[]^_`{|}~\"";

// True iff `c` is one of the 91 characters.
bool IsBase91Char(char c);

// Encodes any bytes (empty → ""). Never fails.
std::string Base91Encode(const uint8_t* data, size_t len);
std::string Base91Encode(const base::Bytes& data);

// Decodes `text`. Returns nullopt if a character is outside the alphabet (whitespace
// included: unlike base-ex we skip nothing). Every string over the alphabet decodes, also
// one that no encoder would produce; callers that need a canonical form compare
// Base91Encode(decoded) with the input.
std::optional<base::Bytes> Base91Decode(std::string_view text);

}  // namespace coordinator::identity
