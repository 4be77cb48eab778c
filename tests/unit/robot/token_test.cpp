// The robot's token and what the client derives from it (frontend/src/utils/token.ts,
// models/Slot.model.ts).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "coordinator/identity/base91.h"
#include "coordinator/identity/nickname.h"
#include "coordinator/identity/robot_identity.h"
#include "federation/robot/token.h"
#include "tests/unit/robot/robot_fixtures.h"

namespace {

using federation::robot::DeriveFromToken;
using federation::robot::GenerateToken;
using federation::robot::MeasureTokenEntropy;

bool IsBase62(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

TEST(Token, IsThirtySixBase62CharactersLikeTheClients) {
  for (int i = 0; i < 200; ++i) {
    const std::string token = GenerateToken();
    ASSERT_EQ(token.size(), 36u);
    for (char c : token) ASSERT_TRUE(IsBase62(c)) << token;
  }
}

TEST(Token, CarriesMoreThan128BitsAndPassesTheClientsEntropyCheck) {
  // 36 uniform characters of 62: 36 × log2(62) ≈ 214 bits; the client's own check must pass.
  EXPECT_GT(36 * std::log2(62.0), 128.0);
  for (int i = 0; i < 200; ++i) {
    const std::string token = GenerateToken();
    auto e = MeasureTokenEntropy(token);
    EXPECT_TRUE(e.has_enough_entropy) << "bits " << e.bits_entropy << " shannon " << e.shannon_entropy;
  }
}

TEST(Token, NeverRepeatsAndUsesTheWholeAlphabetEvenly) {
  // 3000 tokens = 108 000 characters: each of the 62 is expected ~1742 times (σ ≈ 41); a
  // generator that dropped a character or favoured some (e.g. base64's '+'/'/' mapped onto
  // letters) lands far outside [1400, 2100].
  std::set<std::string> seen;
  std::map<char, int> counts;
  for (int i = 0; i < 3000; ++i) {
    std::string t = GenerateToken();
    EXPECT_TRUE(seen.insert(t).second) << "repeated token";
    for (char c : t) ++counts[c];
  }
  EXPECT_EQ(counts.size(), 62u);
  for (const auto& [c, n] : counts) {
    EXPECT_GT(n, 1400) << c;
    EXPECT_LT(n, 2100) << c;
  }
}

TEST(Token, OtherLengthsAreHonoured) {
  EXPECT_EQ(GenerateToken(10).size(), 10u);
  EXPECT_EQ(GenerateToken(64).size(), 64u);
}

// Vectors of the client's validateTokenEntropy (node, frontend/src/utils/token.ts).
TEST(Token, EntropyMeasureMatchesTheClient) {
  struct Row {
    const char* token;
    double bits, shannon;
    bool enough;
  } rows[] = {
      {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, 0, false},
      {"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", 186.11730005192325, 5.1699250014423095, true},
      {"abababababababababababababababababab", 36, 1, false},
      {"0123456789", 33.219280948873624, 3.321928094887362, false},
      {"abcdefghijklmnopqrstuvwxyzABCD", 147.20671786825557, 4.906890595608519, true},
      {"abcdefghijklmnopqrst0123456789AB", 160, 5, true},
  };
  for (const auto& r : rows) {
    auto e = MeasureTokenEntropy(r.token);
    EXPECT_NEAR(e.bits_entropy, r.bits, 1e-9) << r.token;
    EXPECT_NEAR(e.shannon_entropy, r.shannon, 1e-12) << r.token;
    EXPECT_EQ(e.has_enough_entropy, r.enough) << r.token;
  }
}

// nostr-tools getPublicKey(sha256(sha512(TextEncoder(token)))) and sha256(sha256(token)),
// computed with nostr-tools 2 and @noble/hashes (Slot.model.ts).
TEST(Token, DerivesTheClientsNostrKeyHashIdAndCredential) {
  struct Row {
    std::string token, nostr, hash_id;
  } rows[] = {
      {robot_test::Trim(robot_test::IdentityFixture("robot_token.txt")),
       "e216ed699a6eaed62e24ab039bdf0c4477081d2e042d717bc871db323c585d79",
       "926160909746084a83173c6e2b4878e1958e9c45b7f17ad3502e84fb0c611c1c"},
      {robot_test::Trim(robot_test::IdentityFixture("openpgpjs_token.txt")),
       "f3bc19580a164a7bc5a762e7911f5b02ea49408f7094d65248d84cc8495c5275",
       "15fad86cfca6c0aacadd61a935f378121cb39bdf199dfa7a7f45c1bb860cb4fd"},
      {"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "96b1fdb44f96b8121986f539aa3b3d9701abba28f54b236e8df420243eecf4ed",
       "492ef2f9932c1430dc3f8599ce6e3bf11e3ee626f8373fbcb60ed6f03d098b02"},
      {"Q3n0vZ8kLmP2xYtR9sWcH4jD7fGbN1aE6uKi", "a7a1853a82fa4070c3a289e4f81fd92d9dab418f8e223ae73b12cae9ffa4a565",
       "c7d01397b1e0c680307adc63ad887ac0ddb5a96d11dee2f30433b01dd8ede4b7"},
  };
  for (const auto& r : rows) {
    auto d = DeriveFromToken(r.token);
    EXPECT_EQ(d.nostr_pubkey, r.nostr) << r.token;
    EXPECT_EQ(d.hash_id, r.hash_id) << r.token;
    EXPECT_EQ(d.nickname, coordinator::identity::NicknameFromHashId(r.hash_id).value_or("?"));
    EXPECT_EQ(d.token_sha256, escrow::crypto::Sha256(r.token));
    auto decoded = coordinator::identity::Base91Decode(d.token_sha256_b91);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, escrow::crypto::ToBytes(escrow::crypto::Sha256(r.token)));
  }
}

}  // namespace
