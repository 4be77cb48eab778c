// The Authorization header the robot sends, read back by the coordinator's own parser
// (coordinator/identity/auth_header.h).
#include <gtest/gtest.h>

#include "coordinator/identity/auth_header.h"
#include "federation/robot/auth_header.h"
#include "federation/robot/token.h"
#include "tests/unit/robot/robot_fixtures.h"

namespace {

using namespace federation::robot;

TEST(AuthHeader, FirstRequestRoundTripsThroughTheCoordinatorsParser) {
  const std::string token = robot_test::Trim(robot_test::IdentityFixture("robot_token.txt"));
  const std::string pub = robot_test::IdentityFixture("robot_pub.asc");
  const std::string sec = robot_test::IdentityFixture("robot_sec.asc");
  const TokenDerived d = DeriveFromToken(token);
  const std::string header = FirstRequestAuthorization(d.token_sha256_b91, pub, sec, d.nostr_pubkey);
  EXPECT_EQ(header.find('\n'), std::string::npos) << "the header must be one line";
  EXPECT_EQ(header.find(token), std::string::npos) << "the token itself is never sent";

  auto parsed = coordinator::identity::ParseAuthorizationHeader(header);
  ASSERT_TRUE(parsed.ok()) << parsed.error().code << " " << parsed.error().message;
  EXPECT_EQ(parsed->token_sha256, escrow::crypto::Sha256(token));
  EXPECT_EQ(parsed->token_sha256_b91, d.token_sha256_b91);
  ASSERT_TRUE(parsed->keys.has_value());
  // The parser restores the newlines: the keys come back as armored.
  auto unix = [](std::string s) {
    std::string out;
    for (char c : s)
      if (c != '\r') out += c;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  };
  EXPECT_EQ(unix(parsed->keys->public_key), unix(pub));
  EXPECT_EQ(unix(parsed->keys->encrypted_private_key), unix(sec));
  EXPECT_EQ(parsed->keys->nostr_pubkey, d.nostr_pubkey);
}

TEST(AuthHeader, LaterRequestsCarryOnlyTheToken) {
  const TokenDerived d = DeriveFromToken("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ");
  const std::string header = TokenAuthorization(d.token_sha256_b91);
  EXPECT_EQ(header, "Token " + d.token_sha256_b91);
  auto parsed = coordinator::identity::ParseAuthorizationHeader(header);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->keys.has_value());
  EXPECT_EQ(parsed->token_sha256, d.token_sha256);
}

TEST(AuthHeader, MatchesTheOpenpgpjsClientsHeaderByteForByte) {
  // tests/unit/identity/fixtures/openpgpjs_auth_header.txt was composed by openpgp.js and the
  // client's header code from the fixture robot's token and keys: ours must be identical.
  const std::string token = robot_test::Trim(robot_test::IdentityFixture("openpgpjs_token.txt"));
  const std::string expected = robot_test::Trim(robot_test::IdentityFixture("openpgpjs_auth_header.txt"));
  const std::string pub = robot_test::IdentityFixture("openpgpjs_pub.asc");
  const std::string sec = robot_test::IdentityFixture("openpgpjs_sec.asc");
  const TokenDerived d = DeriveFromToken(token);
  // The fixture's nostr key is whatever that script used; compare everything before it.
  const std::string ours = FirstRequestAuthorization(d.token_sha256_b91, pub, sec, d.nostr_pubkey);
  const size_t nostr_at = expected.rfind(" | Nostr ");
  ASSERT_NE(nostr_at, std::string::npos);
  std::string want = expected.substr(0, nostr_at);
  if (want.rfind("Authorization: ", 0) == 0) want = want.substr(15);
  EXPECT_EQ(ours.substr(0, ours.rfind(" | Nostr ")), want);
}

TEST(AuthHeader, ArmorLinesSwapNewlinesAndBackslashes) {
  EXPECT_EQ(ArmoredToHeaderLine("a\r\nb\nc\n"), "a\\b\\c\\");
  EXPECT_EQ(HeaderLineToArmored("a\\b\\c\\"), "a\nb\nc\n");
}

}  // namespace
