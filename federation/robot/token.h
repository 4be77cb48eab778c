// The robot's secret token and what is derived from it, as RoboSats' clients derive it
// (frontend/src/utils/token.ts, models/Slot.model.ts, v0.8.6). The token is the robot: whoever
// holds it can trade as the robot and unlock its PGP key. Nothing here logs it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "escrow/crypto/sha256.h"

namespace federation::robot {

// Every client call site: `genBase62Token(36)`.
inline constexpr size_t kTokenLength = 36;

// RoboSats genBase62Token(length): base64 of 2 × length random bytes with '+' and '/' removed,
// cut to `length` characters. Each character is uniform over [A-Za-z0-9], so 36 of them carry
// 36 × log2(62) ≈ 214 bits. Randomness from OpenSSL's RAND_bytes.
std::string GenerateToken(size_t length = kTokenLength);

// RoboSats validateTokenEntropy(token): bitsEntropy = log2(uniqueChars ^ length), Shannon
// entropy of the character frequencies; enough when bitsEntropy > 128 and shannon > 4.
struct TokenEntropy {
  bool has_enough_entropy = false;
  double bits_entropy = 0;
  double shannon_entropy = 0;
};
TokenEntropy MeasureTokenEntropy(std::string_view token);

// What the robot shows and sends, derived from the token.
struct TokenDerived {
  escrow::crypto::Hash32 token_sha256{};  // secret: the robot's credential at every coordinator
  std::string token_sha256_b91;           // secret: hexToBase91(sha256(token)), in `Authorization: Token …`
  std::string hash_id;                    // public: hex sha256(hex sha256(token))
  std::string nickname;                   // public: RoboSats' name generator over hash_id
  std::string nostr_pubkey;               // public: x-only secp256k1 key, 64 hex characters
};

// Slot.model.ts:
//   tokenSHA256 = hexToBase91(sha256(token))
//   hashId      = sha256(sha256(token))
//   nostrSecKey = sha256(sha512(new TextEncoder().encode(token)));  nostrPubKey = getPublicKey(nostrSecKey)
TokenDerived DeriveFromToken(std::string_view token);

// The nostr secret key of the robot (SHA256(SHA512(token))). Secret.
escrow::crypto::Hash32 NostrSecretKey(std::string_view token);

}  // namespace federation::robot
