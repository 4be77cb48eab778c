#include "coordinator/identity/robot_identity.h"

#include "config/base/encoding.h"

namespace coordinator::identity {

std::string HashId(const escrow::crypto::Hash32& token_sha256) {
  const std::string token_sha256_hex = base::HexEncode(token_sha256.data(), token_sha256.size());
  const escrow::crypto::Hash32 second = escrow::crypto::Sha256(std::string_view(token_sha256_hex));
  return base::HexEncode(second.data(), second.size());
}

RobotIdentity DeriveRobotIdentity(const escrow::crypto::Hash32& token_sha256) {
  RobotIdentity identity;
  identity.token_sha256_hex = base::HexEncode(token_sha256.data(), token_sha256.size());
  identity.hash_id = HashId(token_sha256);
  identity.nickname = NicknameFromHashId(identity.hash_id).value_or(std::string());
  return identity;
}

}  // namespace coordinator::identity
