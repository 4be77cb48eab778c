// SHA-256 (FIPS 180-4) over OpenSSL's EVP interface.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "config/base/encoding.h"

namespace escrow::crypto {

using Hash32 = std::array<uint8_t, 32>;

Hash32 Sha256(const uint8_t* data, size_t len);
Hash32 Sha256(const base::Bytes& data);
Hash32 Sha256(std::string_view data);

// BIP-340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || msg).
Hash32 TaggedHash(std::string_view tag, const uint8_t* msg, size_t len);

std::string ToHex(const Hash32& h);
// Returns nullopt unless `hex` is exactly 64 hex characters.
std::optional<Hash32> Hash32FromHex(std::string_view hex);
// Returns nullopt unless `bytes` has exactly 32 bytes.
std::optional<Hash32> Hash32FromBytes(const base::Bytes& bytes);
base::Bytes ToBytes(const Hash32& h);

// Cryptographically secure random bytes (OpenSSL RAND_bytes). Aborts if the RNG fails.
void RandomBytes(uint8_t* out, size_t len);
Hash32 RandomHash32();

}  // namespace escrow::crypto
