// A robot's public identity, derived from SHA256(token) alone (the coordinator never sees the
// token): hash_id and nickname.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "escrow/crypto/sha256.h"

namespace coordinator::identity {

// RoboSats robosats/middleware.py:
//   token_sha256 = base91_to_hex(token_sha256_b91)
//   hash = hashlib.sha256(token_sha256.encode("utf-8")).hexdigest()
// i.e. hash_id = hex(SHA256(hex(SHA256(token)))), lowercase hex, 64 characters. The web
// client names its PGP key "RoboSats ID <hash_id>" (frontend/src/pgp/index.ts).
std::string HashId(const escrow::crypto::Hash32& token_sha256);

// Longest nickname NicknameFromHashId returns (RoboSats: short_from_SHA256(hash,
// max_length=18)).
inline constexpr size_t kMaxNicknameLength = 18;

// adjective + noun + number (0–999), e.g. "BraveOtter42": our own word lists, chosen by the
// bytes of hash_id, so one hash_id has one nickname forever. Nicknames are not unique: about
// 8e7 combinations, so two robots share one now and then (RoboSats answers 7004 then); a robot
// is identified by hash_id. Returns nullopt unless `hash_id` is 64 hex characters.
std::optional<std::string> NicknameFromHashId(std::string_view hash_id);

// The frozen word lists (for tests and documentation).
std::span<const std::string_view> NicknameAdjectives();
std::span<const std::string_view> NicknameNouns();

struct RobotIdentity {
  std::string token_sha256_hex;  // secret: the lookup key, never logged
  std::string hash_id;           // public
  std::string nickname;          // public
};
RobotIdentity DeriveRobotIdentity(const escrow::crypto::Hash32& token_sha256);

}  // namespace coordinator::identity
