// The robot's Authorization header (coordinator/identity/auth_header.h), as every authenticated
// endpoint parses it: never a crash; a parsed header has a canonical token and bounded keys.
#include <cstdint>

#include "coordinator/identity/auth_header.h"
#include "coordinator/identity/base91.h"
#include "coordinator/identity/robot_identity.h"
#include "tests/fuzz/fuzz_support.h"

using namespace coordinator::identity;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header = fuzzsupport::AsText(data, size);
  auto parsed = ParseAuthorizationHeader(header);
  if (!parsed.ok()) {
    const int code = parsed.error().code;
    FUZZ_CHECK(code == 7000 || code == 7001 || code == 7002 || code == 7003);
    return 0;
  }
  FUZZ_CHECK(Base91Encode(parsed->token_sha256.data(), parsed->token_sha256.size()) == parsed->token_sha256_b91);
  auto token = ParseTokenSha256(parsed->token_sha256_b91);
  FUZZ_CHECK(token.ok() && *token == parsed->token_sha256);
  if (parsed->keys) {
    FUZZ_CHECK(parsed->keys->public_key.size() <= kMaxArmoredKeyBytes);
    FUZZ_CHECK(parsed->keys->encrypted_private_key.size() <= kMaxArmoredKeyBytes);
    FUZZ_CHECK(parsed->keys->nostr_pubkey.size() == 64);
  }
  // What the API does next with a valid header: the robot's hash id and nickname.
  auto id = DeriveRobotIdentity(parsed->token_sha256);
  FUZZ_CHECK(!id.hash_id.empty() && !id.nickname.empty());
  return 0;
}
