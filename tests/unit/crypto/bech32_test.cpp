// Bech32 / Bech32m: the test vectors of BIP-173 and BIP-350, and ConvertBits.
#include <gtest/gtest.h>

#include <string>

#include "config/base/encoding.h"
#include "escrow/crypto/bech32.h"

namespace escrow::crypto {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

void ExpectValid(const std::string& text, Bech32Variant variant) {
  auto d = Bech32Decode(text);
  ASSERT_TRUE(d.ok()) << text << ": " << d.error();
  EXPECT_EQ(d->variant, variant) << text;
  // Re-encoding gives the lower-case form back.
  EXPECT_EQ(Bech32Encode(d->hrp, d->data, variant), Lower(text));
}

// BIP-173 "The following strings are valid Bech32".
TEST(Bech32, Bip173Valid) {
  for (const char* s : {"A12UEL5L", "a12uel5l",
                        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
                        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
                        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"}) {
    ExpectValid(s, Bech32Variant::kBech32);
  }
}

// BIP-350 "The following strings are valid Bech32m".
TEST(Bech32, Bip350Valid) {
  for (const char* s : {"A1LQFN3A", "a1lqfn3a",
                        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
                        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
                        "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
                        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v", "?1v759aa"}) {
    ExpectValid(s, Bech32Variant::kBech32m);
  }
}

struct Invalid {
  std::string text;
  const char* keyword;  // expected in the reason
};

void ExpectInvalid(const Invalid& v, size_t max_length = 0) {
  auto d = Bech32Decode(v.text, max_length);
  ASSERT_FALSE(d.ok()) << v.text;
  EXPECT_NE(d.error().find(v.keyword), std::string::npos) << v.text << ": " << d.error();
}

// BIP-173 "The following string are not valid Bech32 (with reason for invalidity)".
TEST(Bech32, Bip173Invalid) {
  const Invalid vectors[] = {
      {std::string("\x20") + "1nwldj5", "out of range"},
      {std::string("\x7f") + "1axkwrx", "out of range"},
      {std::string("\x80") + "1eym55h", "out of range"},
      {"pzry9x0s0muk", "no separator"},
      {"1pzry9x0s0muk", "empty human-readable part"},
      {"x1b4n0q5v", "invalid data character"},
      {"li1dgmt3", "shorter than checksum"},
      {std::string("de1lg7wt") + "\xff", "out of range"},
      {"A1G7SGD8", "checksum"},  // checksum calculated with the upper-case hrp
      {"10a06t8", "empty human-readable part"},
      {"1qzzfhee", "empty human-readable part"},
  };
  for (const auto& v : vectors) ExpectInvalid(v);
  // "overall max length exceeded": only with BIP-173's 90-character limit; BOLT 11 lifts it.
  const std::string an84 =
      "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx";
  ExpectInvalid({an84, "longer than 90"}, 90);
  EXPECT_TRUE(Bech32Decode(an84).ok());
}

// BIP-350 "The following string are not valid Bech32m".
TEST(Bech32, Bip350Invalid) {
  const Invalid vectors[] = {
      {std::string("\x20") + "1xj0phk", "out of range"},
      {std::string("\x7f") + "1g6xzxy", "out of range"},
      {std::string("\x80") + "1vctc34", "out of range"},
      {"qyrz8wqd2c9m", "no separator"},
      {"1qyrz8wqd2c9m", "empty human-readable part"},
      {"y1b0jsk6g", "invalid data character"},
      {"lt1igcx5c0", "invalid data character"},
      {"in1muywd", "shorter than checksum"},
      {"mm1crxm3i", "invalid data character"},
      {"au1s5cgom", "invalid data character"},
      {"M1VUXWEZ", "checksum"},
      {"16plkw9", "empty human-readable part"},
      {"1p2gdwpf", "empty human-readable part"},
  };
  for (const auto& v : vectors) ExpectInvalid(v);
  ExpectInvalid({"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
                 "longer than 90"},
                90);
}

TEST(Bech32, MixedCaseIsRejected) {
  ExpectInvalid({"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "mixed case"});
  ExpectInvalid({"A12uEL5L", "mixed case"});
}

// BIP-350 segwit vectors: the checksum variant tells v0 (bech32) from v1+ (bech32m).
TEST(Bech32, SegwitAddressesDecodeToTheirPrograms) {
  struct Address {
    const char* text;
    Bech32Variant variant;
    int version;
    const char* program;
  };
  const Address addresses[] = {
      {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", Bech32Variant::kBech32, 0,
       "751e76e8199196d454941c45d1b3a323f1433bd6"},
      {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", Bech32Variant::kBech32, 0,
       "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", Bech32Variant::kBech32m, 1,
       "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
      {"BC1SW50QGDZ25J", Bech32Variant::kBech32m, 16, "751e"},
  };
  for (const auto& a : addresses) {
    auto d = Bech32Decode(a.text);
    ASSERT_TRUE(d.ok()) << a.text;
    EXPECT_EQ(d->variant, a.variant) << a.text;
    ASSERT_FALSE(d->data.empty());
    EXPECT_EQ(d->data[0], a.version);
    auto program = ConvertBits(std::vector<uint8_t>(d->data.begin() + 1, d->data.end()), 5, 8, false);
    ASSERT_TRUE(program.ok()) << a.text;
    EXPECT_EQ(base::HexEncode(*program), a.program) << a.text;
  }
  // "Invalid checksum (Bech32m instead of Bech32)": decodes, but as the other variant.
  auto wrong = Bech32Decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->variant, Bech32Variant::kBech32m);
}

TEST(Bech32, ConvertBits) {
  const std::vector<uint8_t> bytes = {0xff, 0x00, 0xab};
  auto five = ConvertBits(bytes, 8, 5, true);
  ASSERT_TRUE(five.ok());
  EXPECT_EQ(five->size(), 5u);  // 24 bits → 5 groups (1 padding bit)
  auto back = ConvertBits(*five, 5, 8, false);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, bytes);
  // Non-zero padding bits.
  std::vector<uint8_t> bad = *five;
  bad.back() |= 1;
  auto r = ConvertBits(bad, 5, 8, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("padding"), std::string::npos) << r.error();
  // A whole leftover group (≥ 5 bits) is not padding: BIP-173 "zero padding of more than 4 bits".
  auto extra = ConvertBits({0, 0, 0}, 5, 8, false);
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error().find("leftover"), std::string::npos) << extra.error();
  // Input values must fit their width.
  EXPECT_FALSE(ConvertBits({32}, 5, 8, true).ok());
  EXPECT_TRUE(ConvertBits({}, 5, 8, false).ok());
}

TEST(Bech32, EncodeLowercasesAndHasNoLengthLimit) {
  std::vector<uint8_t> data(1000, 7);
  const std::string s = Bech32Encode("LNBC", data);
  EXPECT_EQ(s.rfind("lnbc1", 0), 0u);
  auto d = Bech32Decode(s);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->data, data);
  EXPECT_EQ(d->hrp, "lnbc");
}

}  // namespace
}  // namespace escrow::crypto
