// A robot's public identity, derived from SHA256(token) alone (the coordinator never sees the
// token): hash_id and nickname (nickname.h).
#pragma once

#include <string>

#include "coordinator/identity/nickname.h"
#include "escrow/crypto/sha256.h"

namespace coordinator::identity {

// RoboSats robosats/middleware.py:
//   token_sha256 = base91_to_hex(token_sha256_b91)
//   hash = hashlib.sha256(token_sha256.encode("utf-8")).hexdigest()
// i.e. hash_id = hex(SHA256(hex(SHA256(token)))), lowercase hex, 64 characters. The web
// client names its PGP key "RoboSats ID <hash_id>" (frontend/src/pgp/index.ts).
std::string HashId(const escrow::crypto::Hash32& token_sha256);

struct RobotIdentity {
  std::string token_sha256_hex;  // secret: the lookup key, never logged
  std::string hash_id;           // public
  std::string nickname;          // public: NicknameFromHashId(hash_id)
};
RobotIdentity DeriveRobotIdentity(const escrow::crypto::Hash32& token_sha256);

}  // namespace coordinator::identity
