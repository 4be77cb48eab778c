// hash_id and the identity a robot gets: pinned, because robots keep them forever. The
// nickname itself: nickname_test.cpp.
#include "coordinator/identity/robot_identity.h"

#include <gtest/gtest.h>

#include "identity_fixtures.h"

namespace coordinator::identity {
namespace {

escrow::crypto::Hash32 TokenSha256(std::string_view token) { return escrow::crypto::Sha256(token); }

TEST(RobotIdentity, HashIdIsSha256OfTheHexOfSha256) {
  // Python: hashlib.sha256(hashlib.sha256(b"robosats").hexdigest().encode()).hexdigest()
  EXPECT_EQ(HashId(TokenSha256("robosats")),
            "2912bfbe0c09747406b48b63e57d72638c7b8d2cf60ef90f2aafc9c0819a7079");
  EXPECT_EQ(HashId(TokenSha256(identity_test::Fixture("robot_token.txt"))),
            "926160909746084a83173c6e2b4878e1958e9c45b7f17ad3502e84fb0c611c1c");
}

TEST(RobotIdentity, HashIdMatchesTheWebClient) {
  // The web client names its key "RoboSats ID " + sha256(sha256(token)) with js-sha256 (hex in,
  // hex out): the user ID inside fixtures/openpgpjs_pub.asc is
  // "RoboSats ID 15fad86cfca6c0aacadd61a935f378121cb39bdf199dfa7a7f45c1bb860cb4fd".
  EXPECT_EQ(HashId(TokenSha256(identity_test::Fixture("openpgpjs_token.txt"))),
            "15fad86cfca6c0aacadd61a935f378121cb39bdf199dfa7a7f45c1bb860cb4fd");
}

TEST(RobotIdentity, DeriveRobotIdentity) {
  const RobotIdentity id = DeriveRobotIdentity(TokenSha256("robosats"));
  EXPECT_EQ(id.token_sha256_hex, "5a8881f0783115c2cbc512c95acc489d49cb1e6557f80141e7e55f7284d95609");
  EXPECT_EQ(id.hash_id, "2912bfbe0c09747406b48b63e57d72638c7b8d2cf60ef90f2aafc9c0819a7079");
  // RoboSats' web client names this robot so (nickname_vectors.tsv; nickname_test.cpp).
  EXPECT_EQ(id.nickname, "TwoNimblewit989");
}

}  // namespace
}  // namespace coordinator::identity
