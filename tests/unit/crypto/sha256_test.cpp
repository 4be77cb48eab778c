// SHA-256 (FIPS 180-4 / NIST CAVS example vectors), the BIP-340 tagged hash, hex helpers, RNG.
#include <gtest/gtest.h>

#include <string>

#include "escrow/crypto/sha256.h"

namespace escrow::crypto {
namespace {

struct NistVector {
  std::string message;
  const char* digest;
};

// NIST "SHA256.pdf" examples and the FIPS 180-2 appendix vectors.
TEST(Sha256, NistVectors) {
  const NistVector vectors[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
      {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const auto& v : vectors) {
    EXPECT_EQ(ToHex(Sha256(v.message)), v.digest) << "message of " << v.message.size() << " bytes";
    const base::Bytes bytes(v.message.begin(), v.message.end());
    EXPECT_EQ(ToHex(Sha256(bytes)), v.digest);
  }
}

TEST(Sha256, TaggedHashIsShaOfDoubledTagHashAndMessage) {
  // BIP-340: hash_tag(x) = SHA256(SHA256(tag) || SHA256(tag) || x).
  const std::string tag = "BIP0340/challenge";
  const std::string msg = "some message bytes";
  const Hash32 tag_hash = Sha256(tag);
  // (Built by indexing: GCC 12 at -O2 reports a false -Warray-bounds on vector::insert here.)
  base::Bytes preimage(64 + msg.size());
  for (size_t i = 0; i < 32; ++i) preimage[i] = preimage[32 + i] = tag_hash[i];
  for (size_t i = 0; i < msg.size(); ++i) preimage[64 + i] = static_cast<uint8_t>(msg[i]);
  EXPECT_EQ(TaggedHash(tag, reinterpret_cast<const uint8_t*>(msg.data()), msg.size()), Sha256(preimage));
  // Empty message, and a different tag gives a different hash.
  EXPECT_EQ(ToHex(TaggedHash("", nullptr, 0)).size(), 64u);
  EXPECT_NE(TaggedHash("BIP0340/aux", nullptr, 0), TaggedHash("BIP0340/nonce", nullptr, 0));
}

TEST(Sha256, HexHelpers) {
  const std::string hex = "0001020304050607080900010203040506070809000102030405060708090102";
  auto h = Hash32FromHex(hex);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ((*h)[31], 0x02);
  EXPECT_EQ(ToHex(*h), hex);
  EXPECT_EQ(ToBytes(*h).size(), 32u);
  EXPECT_EQ(Hash32FromBytes(ToBytes(*h)), h);
  // Upper case accepted, wrong lengths and non-hex rejected.
  EXPECT_TRUE(Hash32FromHex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855").has_value());
  EXPECT_FALSE(Hash32FromHex(hex.substr(1)).has_value());
  EXPECT_FALSE(Hash32FromHex(hex + "00").has_value());
  EXPECT_FALSE(Hash32FromHex("zz" + hex.substr(2)).has_value());
  EXPECT_FALSE(Hash32FromBytes(base::Bytes(31, 0)).has_value());
  EXPECT_FALSE(Hash32FromBytes(base::Bytes(33, 0)).has_value());
}

TEST(Sha256, RandomBytesFillAndDiffer) {
  const Hash32 a = RandomHash32();
  const Hash32 b = RandomHash32();
  EXPECT_NE(a, b);  // 2^-256 chance of a false failure
  uint8_t buf[100] = {};
  RandomBytes(buf, sizeof(buf));
  int zeros = 0;
  for (uint8_t c : buf) zeros += c == 0;
  EXPECT_LT(zeros, 20);
  RandomBytes(buf, 0);  // no-op
}

}  // namespace
}  // namespace escrow::crypto
