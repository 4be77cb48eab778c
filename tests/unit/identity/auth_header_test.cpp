// The Authorization header: the token part, the first-request keys, and RoboSats' codes.
#include "coordinator/identity/auth_header.h"

#include <gtest/gtest.h>

#include <random>

#include "coordinator/identity/base91.h"
#include "coordinator/identity/errors.h"
#include "identity_fixtures.h"

namespace coordinator::identity {
namespace {

using escrow::crypto::Hash32;

std::string Escape(std::string key) {  // as the web client does: split('\n').join('\\')
  for (char& c : key) {
    if (c == '\n') c = '\\';
  }
  return key;
}

Hash32 RandomDigest(std::mt19937_64& rng) {
  Hash32 h{};
  for (uint8_t& b : h) b = static_cast<uint8_t>(rng());
  return h;
}

// A digest whose canonical base91 has `length` characters.
std::pair<Hash32, std::string> DigestWithEncodedLength(size_t length) {
  std::mt19937_64 rng(length);
  for (int i = 0; i < 100000; ++i) {
    const Hash32 h = RandomDigest(rng);
    std::string text = Base91Encode(h.data(), h.size());
    if (text.size() == length) return {h, text};
  }
  throw std::runtime_error("no digest found");
}

const std::string kNostr = "a9dff914a5931f4c55134e7297141e0f22d678ffeed9bc681f0223037e26cfeb";

std::string FirstRequest(const std::string& token_b91, const std::string& pub, const std::string& priv,
                         const std::string& nostr = kNostr) {
  return "Token " + token_b91 + " | Public " + Escape(pub) + " | Private " + Escape(priv) + " | Nostr " +
         nostr;
}

int CodeOf(std::string_view header) {
  auto parsed = ParseAuthorizationHeader(header);
  return parsed.ok() ? 0 : parsed.error().code;
}

TEST(AuthHeader, TokenOnly) {
  for (size_t length : {39u, 40u}) {
    const auto [digest, text] = DigestWithEncodedLength(length);
    auto parsed = ParseAuthorizationHeader("Token " + text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->token_sha256, digest);
    EXPECT_EQ(parsed->token_sha256_b91, text);
    EXPECT_FALSE(parsed->keys.has_value());
  }
}

TEST(AuthHeader, TokenOfARealClient) {
  // fixtures/openpgpjs_auth_header.txt was composed as the RoboSats web client composes it.
  const std::string token = identity_test::Fixture("openpgpjs_token.txt");
  const Hash32 digest = escrow::crypto::Sha256(std::string_view(token));
  auto parsed = ParseAuthorizationHeader(identity_test::Fixture("openpgpjs_auth_header.txt"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->token_sha256, digest);
  ASSERT_TRUE(parsed->keys.has_value());
  // Newlines restored exactly.
  EXPECT_EQ(parsed->keys->public_key, identity_test::Fixture("openpgpjs_pub.asc"));
  EXPECT_EQ(parsed->keys->encrypted_private_key, identity_test::Fixture("openpgpjs_sec.asc"));
  EXPECT_EQ(parsed->keys->nostr_pubkey, kNostr);
}

TEST(AuthHeader, FirstRequestWithGpgKeys) {
  const auto [digest, text] = DigestWithEncodedLength(40);
  const std::string pub = identity_test::Fixture("robot_pub.asc");
  const std::string priv = identity_test::Fixture("robot_sec.asc");
  const std::string header = FirstRequest(text, pub, priv);
  ASSERT_EQ(header.find('\n'), std::string::npos);
  auto parsed = ParseAuthorizationHeader(header);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->token_sha256, digest);
  ASSERT_TRUE(parsed->keys.has_value());
  EXPECT_EQ(parsed->keys->public_key, pub);
  EXPECT_EQ(parsed->keys->encrypted_private_key, priv);
}

TEST(AuthHeader, NostrPubkeyIsLowercased) {
  const auto [digest, text] = DigestWithEncodedLength(40);
  std::string upper = kNostr;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto parsed = ParseAuthorizationHeader(FirstRequest(text, "PUB", "PRIV", upper));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->keys->nostr_pubkey, kNostr);
}

TEST(AuthHeader, SurroundingWhitespaceIsIgnored) {
  const auto [digest, text] = DigestWithEncodedLength(40);
  auto parsed = ParseAuthorizationHeader("  Token " + text + " \r\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->token_sha256, digest);
}

TEST(AuthHeader, BadTokens) {
  const auto [digest40, text40] = DigestWithEncodedLength(40);
  const auto [digest39, text39] = DigestWithEncodedLength(39);
  const Hash32 zeros{};
  const std::string zeros_b91 = Base91Encode(zeros.data(), zeros.size());
  ASSERT_EQ(zeros_b91.size(), 37u);  // a valid digest RoboSats would refuse: too short

  struct Case {
    std::string header;
    int code;
    const char* why;
  };
  const std::vector<Case> cases = {
      {"", kErrNoCredentials, "empty"},
      {"   ", kErrNoCredentials, "blank"},
      {"Token", kErrBadToken, "no token"},
      {"Token ", kErrBadToken, "empty token"},
      {"Bearer " + text40, kErrBadToken, "other scheme"},
      {"token " + text40, kErrBadToken, "scheme is case-sensitive, as in RoboSats"},
      {text40, kErrBadToken, "no scheme"},
      {"Token " + text40.substr(0, 38), kErrBadToken, "38 characters"},
      {"Token " + text40 + "A", kErrBadToken, "41 characters"},
      {"Token " + zeros_b91, kErrBadToken, "37 characters"},
      {"Token " + text39.substr(0, 38) + "-", kErrBadToken, "'-' is not base91"},
      {"Token " + text40.substr(0, 20) + " " + text40.substr(21), kErrBadToken, "space inside"},
      {"Token " + text40.substr(0, 39) + "'", kErrBadToken, "quote is not base91"},
      {"Token " + std::string(40, '"'), kErrBadToken, "decodes to more than 32 bytes"},
      {"Token " + std::string(1 << 20, 'A'), kErrBadToken, "huge token"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseAuthorizationHeader(c.header);
    ASSERT_FALSE(parsed.ok()) << c.why;
    EXPECT_EQ(parsed.error().code, c.code) << c.why;
    // The token never travels back in the message.
    EXPECT_EQ(parsed.error().message.find(text40), std::string::npos) << c.why;
  }
  EXPECT_EQ(CodeOf("Token " + text40), 0);
  EXPECT_EQ(CodeOf("Token " + text39), 0);
}

// Found by tests/fuzz (auth_header): " | " right after "Token" took the prefix's space, and
// reading the token past the end threw std::out_of_range (a 500 instead of RoboSats' 7000).
TEST(AuthHeader, SeparatorRightAfterTokenIsABadTokenNotACrash) {
  EXPECT_EQ(CodeOf("Token | Public x | Private y | Nostr " + kNostr), kErrBadToken);
  EXPECT_EQ(CodeOf("Token | BS(8MvS*iX~ArFMWV/[0!fjt*:i}g>#KE_SahB"), kErrBadToken);
  EXPECT_EQ(CodeOf("Token |"), kErrBadToken);
}

TEST(AuthHeader, NonCanonicalSpellingsAreRefused) {
  // Strings that decode to 32 bytes but that no encoder writes: the robot would have two names.
  std::mt19937_64 rng(7);
  size_t found = 0;
  for (int i = 0; i < 2000 && found < 20; ++i) {
    const Hash32 h = RandomDigest(rng);
    const std::string text = Base91Encode(h.data(), h.size());
    for (char c : kBase91Alphabet) {
      std::string variant = text;
      variant.back() = c;
      if (variant == text) continue;
      const auto bytes = Base91Decode(variant);
      if (!bytes || bytes->size() != 32 || Base91Encode(*bytes) == variant) continue;
      ++found;
      EXPECT_EQ(CodeOf("Token " + variant), kErrBadToken) << variant;
    }
  }
  EXPECT_GT(found, 0u);
}

TEST(AuthHeader, MissingOrMisplacedParts) {
  const auto [digest, t] = DigestWithEncodedLength(40);
  const std::string pub = Escape(identity_test::Fixture("robot_pub.asc"));
  const std::string priv = Escape(identity_test::Fixture("robot_sec.asc"));
  const std::string tok = "Token " + t;
  struct Case {
    std::string header;
    int code;
    const char* why;
  };
  const std::vector<Case> cases = {
      {tok + " | Public " + pub, kErrMissingKeys, "public only"},
      {tok + " | Public " + pub + " | Private " + priv, kErrMissingKeys, "no nostr (pre-0.8 clients)"},
      {tok + " | Private " + priv + " | Public " + pub + " | Nostr " + kNostr, kErrMissingKeys, "order"},
      {tok + " | Public  | Private " + priv + " | Nostr " + kNostr, kErrMissingKeys, "empty public"},
      {tok + " | Public " + pub + " | Private  | Nostr " + kNostr, kErrMissingKeys, "empty private"},
      {tok + " | Public " + pub + " | Private " + priv + " | Nostr ", kErrMissingKeys, "empty nostr"},
      {tok + " | Publik " + pub + " | Private " + priv + " | Nostr " + kNostr, kErrMissingKeys, "label"},
      {tok + " | Public " + pub + " | Private " + priv + " | Nostr " + kNostr + " | Extra x", kErrBadKeys,
       "five parts"},
      {tok + " | Public " + pub + " | Private " + priv + " | Nostr " + kNostr.substr(1), kErrBadKeys,
       "63 hex"},
      {tok + " | Public " + pub + " | Private " + priv + " | Nostr " + kNostr + "00", kErrBadKeys, "66 hex"},
      {tok + " | Public " + pub + " | Private " + priv + " | Nostr npub1" + kNostr.substr(5), kErrBadKeys,
       "bech32 npub"},
      {"Token bad | Public " + pub + " | Private " + priv + " | Nostr " + kNostr, kErrBadToken,
       "token checked first"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseAuthorizationHeader(c.header);
    ASSERT_FALSE(parsed.ok()) << c.why;
    EXPECT_EQ(parsed.error().code, c.code) << c.why << ": " << parsed.error().message;
    // No key material in messages.
    EXPECT_EQ(parsed.error().message.find("BEGIN PGP"), std::string::npos) << c.why;
  }
}

TEST(AuthHeader, HugeKeysAreRefused) {
  const auto [digest, t] = DigestWithEncodedLength(40);
  const std::string huge(kMaxArmoredKeyBytes + 1, 'x');
  EXPECT_EQ(CodeOf("Token " + t + " | Public " + huge + " | Private p | Nostr " + kNostr), kErrBadKeys);
  EXPECT_EQ(CodeOf("Token " + t + " | Public p | Private " + huge + " | Nostr " + kNostr), kErrBadKeys);
  const std::string big(kMaxArmoredKeyBytes, 'x');
  EXPECT_EQ(CodeOf("Token " + t + " | Public " + big + " | Private " + big + " | Nostr " + kNostr), 0);
}

}  // namespace
}  // namespace coordinator::identity
