// Byte encodings used on the wire: hex, base64 (RFC 4648 §4) and base64url (§5).
// Decoders return nullopt on any malformed input; they never throw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace base {

using Bytes = std::vector<uint8_t>;

std::string HexEncode(const uint8_t* data, size_t len);
std::string HexEncode(const Bytes& data);
// Accepts upper and lower case; rejects odd length and non-hex characters.
std::optional<Bytes> HexDecode(std::string_view hex);

// Padded standard base64.
std::string Base64Encode(const Bytes& data);
// Padded base64url ('-' and '_'), as LND's REST gateway expects in paths and queries.
std::string Base64UrlEncode(const Bytes& data);
// Accepts both alphabets, with or without '=' padding (grpc-gateway accepts all four).
std::optional<Bytes> Base64Decode(std::string_view text);

// Percent-encodes every byte outside RFC 3986's unreserved set.
std::string UrlEncode(std::string_view text);

}  // namespace base
