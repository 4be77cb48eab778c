// secp256k1: keys, RFC 6979 ECDSA (known vectors), recovery (incl. high-S), BIP-340 vectors.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "escrow/crypto/secp256k1.h"

namespace escrow::crypto {
namespace {

Hash32 H(const std::string& hex) {
  auto h = Hash32FromHex(hex);
  EXPECT_TRUE(h.has_value()) << hex;
  return h.value_or(Hash32{});
}

Signer SignerFromHex(const std::string& hex) {
  auto s = Signer::FromSecret(H(hex));
  EXPECT_TRUE(s.has_value()) << hex;
  return std::move(s).value();
}

template <size_t N>
std::string Hex(const std::array<uint8_t, N>& a) {
  return base::HexEncode(a.data(), a.size());
}

template <size_t N>
std::array<uint8_t, N> FromHex(const std::string& hex) {
  std::array<uint8_t, N> out{};
  auto bytes = base::HexDecode(hex);
  EXPECT_TRUE(bytes.has_value() && bytes->size() == N) << hex;
  if (bytes && bytes->size() == N) std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// s := n - s, big-endian.
CompactSig NegateS(const CompactSig& sig) {
  static const uint8_t kOrder[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                     0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  CompactSig out = sig;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kOrder[i] - sig[32 + i] - borrow;
    borrow = d < 0;
    out[32 + i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}

TEST(Secp256k1, PublicKeysOfKnownSecrets) {
  // Secret 1 is the generator G.
  EXPECT_EQ(ToHex(SignerFromHex("0000000000000000000000000000000000000000000000000000000000000001").PublicKey()),
            "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  // BOLT 11's example key and node id.
  EXPECT_EQ(ToHex(SignerFromHex("e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734").PublicKey()),
            "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad");
}

TEST(Secp256k1, RejectsInvalidSecrets) {
  EXPECT_FALSE(Signer::FromSecret(Hash32{}).has_value());
  // The group order n and above.
  EXPECT_FALSE(Signer::FromSecret(H("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")).has_value());
  EXPECT_FALSE(Signer::FromSecret(H("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")).has_value());
  EXPECT_TRUE(Signer::FromSecret(H("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")).has_value());
}

TEST(Secp256k1, SeedsAreDeterministicAndMovesWipe) {
  Signer a = Signer::FromSeed("alice");
  EXPECT_EQ(a.PublicKey(), Signer::FromSeed("alice").PublicKey());
  EXPECT_NE(a.PublicKey(), Signer::FromSeed("bob").PublicKey());
  EXPECT_EQ(a.SecretForStorage(), Sha256(std::string_view("alice")));  // valid on the first hash

  const PubKey33 key = a.PublicKey();
  Signer b(std::move(a));
  EXPECT_EQ(b.PublicKey(), key);
  EXPECT_EQ(a.SecretForStorage(), Hash32{});  // NOLINT(bugprone-use-after-move): checking the wipe
  Signer c = Signer::Generate();
  c = std::move(b);
  EXPECT_EQ(c.PublicKey(), key);
  EXPECT_EQ(b.SecretForStorage(), Hash32{});  // NOLINT(bugprone-use-after-move)
  EXPECT_NE(Signer::Generate().PublicKey(), Signer::Generate().PublicKey());
}

// RFC 6979 deterministic nonces, HMAC-SHA256, secp256k1: the widely shared vectors (bitcointalk
// topic 285142; trezor-crypto, CoreBitcoin), message = SHA256(text), signatures in low-S form.
TEST(Secp256k1, Rfc6979KnownVectors) {
  struct Vector {
    const char* secret;
    const char* text;
    const char* sig;  // r || s
  };
  const Vector vectors[] = {
      {"0000000000000000000000000000000000000000000000000000000000000001", "Satoshi Nakamoto",
       "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
       "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"},
      {"0000000000000000000000000000000000000000000000000000000000000001",
       "All those moments will be lost in time, like tears in rain. Time to die...",
       "8600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b"
       "547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21"},
      {"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "Satoshi Nakamoto",
       "fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0"
       "6b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5"},
      {"f8b8af8ce3c7cca5e300d33939540c10d45ce001b8f252bfbc57ba0342904181", "Alan Turing",
       "7063ae83e7f62bbb171798131b4a0564b956930092b33b07b395615d9ec7e15c"
       "58dfcc1e00a35e1572f366ffe34ba0fc47db1e7189759b9fb233c5b05ab388ea"},
      {"cca9fbcc1b41e5a95d369eaa6ddcff73b61a4efaa279cfc6567e8daa39cbaf50", "sample",
       "af340daf02cc15c8d5d08d7735dfe6b98a474ed373bdb5fbecf7571be52b3842"
       "5009fb27f37034a9b24b707b7c6b79ca23ddef9e25f7282e8a797efe53a8f124"},
  };
  for (const auto& v : vectors) {
    const Signer signer = SignerFromHex(v.secret);
    const Hash32 digest = Sha256(std::string_view(v.text));
    const CompactSig sig = signer.SignEcdsa(digest);
    EXPECT_EQ(Hex(sig), v.sig) << v.text;
    EXPECT_FALSE(IsHighS(sig));
    EXPECT_TRUE(VerifyEcdsa(signer.PublicKey(), digest, sig));
    // The recoverable form uses the same nonce.
    const RecoverableSig rsig = signer.SignRecoverable(digest);
    EXPECT_EQ(Hex(rsig.sig), v.sig);
    EXPECT_EQ(RecoverPubKey(digest, rsig), signer.PublicKey());
  }
}

TEST(Secp256k1, SignVerifyRecoverRoundTrips) {
  for (int i = 0; i < 20; ++i) {
    const Signer signer = Signer::FromSeed("round-trip-" + std::to_string(i));
    const Hash32 digest = Sha256("message " + std::to_string(i));
    const RecoverableSig rsig = signer.SignRecoverable(digest);
    ASSERT_GE(rsig.recovery_id, 0);
    ASSERT_LE(rsig.recovery_id, 3);
    EXPECT_TRUE(VerifyEcdsa(signer.PublicKey(), digest, rsig.sig));
    EXPECT_EQ(RecoverPubKey(digest, rsig), signer.PublicKey());

    // Other digest or other key: no.
    const Hash32 other = Sha256("other " + std::to_string(i));
    EXPECT_FALSE(VerifyEcdsa(signer.PublicKey(), other, rsig.sig));
    EXPECT_FALSE(VerifyEcdsa(Signer::FromSeed("someone else").PublicKey(), digest, rsig.sig));
    auto wrong = RecoverPubKey(other, rsig);
    EXPECT_TRUE(!wrong.has_value() || *wrong != signer.PublicKey());
    // Wrong recovery id: a different key (or none).
    RecoverableSig flipped = rsig;
    flipped.recovery_id ^= 1;
    auto flipped_key = RecoverPubKey(digest, flipped);
    EXPECT_TRUE(!flipped_key.has_value() || *flipped_key != signer.PublicKey());
  }
}

TEST(Secp256k1, SharedContextIsUsableFromManyThreads) {
  std::vector<int> ok(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &ok] {
      const Signer signer = Signer::FromSeed("thread-" + std::to_string(t));
      for (int i = 0; i < 25; ++i) {
        const Hash32 digest = Sha256(std::to_string(t) + "/" + std::to_string(i));
        const RecoverableSig sig = signer.SignRecoverable(digest);
        const bool good = VerifyEcdsa(signer.PublicKey(), digest, sig.sig) &&
                          RecoverPubKey(digest, sig) == signer.PublicKey() &&
                          VerifySchnorr(signer.XOnlyPublicKey(), digest, signer.SignSchnorr(digest));
        ok[t] += good;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(ok[t], 25) << "thread " << t;
}

TEST(Secp256k1, HighSIsRejectedByVerifyButRecoverableAfterNormalising) {
  const Signer signer = Signer::FromSeed("high-s");
  const Hash32 digest = Sha256(std::string_view("payment request"));
  const RecoverableSig low = signer.SignRecoverable(digest);
  ASSERT_FALSE(IsHighS(low.sig));
  RecoverableSig high = low;
  high.sig = NegateS(low.sig);
  EXPECT_TRUE(IsHighS(high.sig));
  EXPECT_FALSE(VerifyEcdsa(signer.PublicKey(), digest, high.sig));
  // Same recovery id: normalised back to `low`, so the same key (BOLT 11's high-S example).
  EXPECT_EQ(RecoverPubKey(digest, high), signer.PublicKey());
  EXPECT_EQ(NegateS(high.sig), low.sig);
}

TEST(Secp256k1, MalformedInputsAreFalseOrNullopt) {
  const Signer signer = Signer::FromSeed("malformed");
  const Hash32 digest = Sha256(std::string_view("x"));
  RecoverableSig rsig = signer.SignRecoverable(digest);
  rsig.recovery_id = 4;
  EXPECT_FALSE(RecoverPubKey(digest, rsig).has_value());
  rsig.recovery_id = -1;
  EXPECT_FALSE(RecoverPubKey(digest, rsig).has_value());
  CompactSig zero{};
  EXPECT_FALSE(VerifyEcdsa(signer.PublicKey(), digest, zero));
  EXPECT_FALSE(RecoverPubKey(digest, RecoverableSig{zero, 0}).has_value());
  CompactSig overflow;
  overflow.fill(0xff);  // r, s ≥ n
  EXPECT_FALSE(VerifyEcdsa(signer.PublicKey(), digest, overflow));
  EXPECT_FALSE(RecoverPubKey(digest, RecoverableSig{overflow, 0}).has_value());

  PubKey33 bad_key{};
  bad_key[0] = 0x02;  // x = 0 is not on the curve
  EXPECT_FALSE(VerifyEcdsa(bad_key, digest, signer.SignEcdsa(digest)));
}

TEST(Secp256k1, ParsePubKey) {
  const std::string g = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
  auto key = PubKeyFromHex(g);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(ToHex(*key), g);
  EXPECT_TRUE(PubKeyFromHex("03" + g.substr(2)).has_value());
  EXPECT_FALSE(PubKeyFromHex("04" + g.substr(2)).has_value());     // not a compressed prefix
  EXPECT_FALSE(PubKeyFromHex(g.substr(0, 64)).has_value());       // too short
  EXPECT_FALSE(PubKeyFromHex("02" + std::string(64, '0')).has_value());  // x = 0: no such point
  EXPECT_FALSE(PubKeyFromHex("02" + std::string(64, 'f')).has_value());  // x ≥ p
  // The uncompressed form is refused: only 33-byte compressed points.
  auto uncompressed = base::HexDecode(
      "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
      "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
  ASSERT_TRUE(uncompressed.has_value());
  EXPECT_FALSE(ParsePubKey(uncompressed->data(), uncompressed->size()).has_value());
  EXPECT_FALSE(ParsePubKey(nullptr, 33).has_value());
}

// BIP-340 test-vectors.csv (bitcoin/bips, bip-0340/test-vectors.csv): signing rows 0-3 with
// their aux_rand, a verify-only row, and every failing row 5-14.
TEST(Secp256k1, Bip340SigningVectors) {
  struct Row {
    int index;
    const char* secret;
    const char* pubkey;
    const char* aux;
    const char* msg;
    const char* sig;
  };
  const Row rows[] = {
      {0, "0000000000000000000000000000000000000000000000000000000000000003",
       "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9",
       "0000000000000000000000000000000000000000000000000000000000000000",
       "0000000000000000000000000000000000000000000000000000000000000000",
       "E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA8215"
       "25F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0"},
      {1, "B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF",
       "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
       "0000000000000000000000000000000000000000000000000000000000000001",
       "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
       "6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE3341"
       "8906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A"},
      {2, "C90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B14E5C9",
       "DD308AFEC5777E13121FA72B9CC1B7CC0139715309B086C960E18FD969774EB8",
       "C87AA53824B4D7AE2EB035A2B5BBBCCC080E76CDC6D1692C4B0B62D798E6D906",
       "7E2D58D8B3BCDF1ABADEC7829054F90DDA9805AAB56C77333024B9D0A508B75C",
       "5831AAEED7B44BB74E5EAB94BA9D4294C49BCF2A60728D8B4C200F50DD313C1B"
       "AB745879A5AD954A72C45A91C3A51D3C7ADEA98D82F8481E0E1E03674A6F3FB7"},
      {3, "0B432B2677937381AEF05BB02A66ECD012773062CF3FA2549E44F58ED2401710",
       "25D1DFF95105F5253C4022F628A996AD3A0D95FBF21D468A1B33F8C160D8F517",
       "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
       "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
       "7EB0509757E246F19449885651611CB965ECC1A187DD51B64FDA1EDC9637D5EC"
       "97582B9CB13DB3933705B32BA982AF5AF25FD78881EBB32771FC5922EFC66EA3"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.index);
    const Signer signer = SignerFromHex(r.secret);
    const auto pubkey = FromHex<32>(r.pubkey);
    EXPECT_EQ(signer.XOnlyPublicKey(), pubkey);
    const Hash32 msg = H(r.msg);
    const SchnorrSig sig = signer.SignSchnorrWithAux(msg, H(r.aux));
    EXPECT_EQ(sig, FromHex<64>(r.sig));
    EXPECT_TRUE(VerifySchnorr(pubkey, msg, sig));
    // Fresh aux randomness: a different but valid signature.
    const SchnorrSig fresh = signer.SignSchnorr(msg);
    EXPECT_TRUE(VerifySchnorr(pubkey, msg, fresh));
    EXPECT_NE(fresh, sig);
  }
}

TEST(Secp256k1, Bip340VerificationVectors) {
  struct Row {
    int index;
    const char* pubkey;
    const char* msg;
    const char* sig;
    bool valid;
    const char* comment;
  };
  const char* kKey = "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659";
  const char* kMsg = "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89";
  const Row rows[] = {
      {4, "D69C3509BB99E412E68B0FE8544E72837DFA30746D8BE2AA65975F29D22DC7B9",
       "4DF3C3F68FCC83B27E9D42C90431A72499F17875C81A599B566C9889B9696703",
       "00000000000000000000003B78CE563F89A0ED9414F5AA28AD0D96D6795F9C63"
       "76AFB1548AF603B3EB45C9F8207DEE1060CB71C04E80F593060B07D28308D7F4",
       true, ""},
      {5, "EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", kMsg,
       "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769"
       "69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
       false, "public key not on the curve"},
      {6, kKey, kMsg,
       "FFF97BD5755EEEA420453A14355235D382F6472F8568A18B2F057A1460297556"
       "3CC27944640AC607CD107AE10923D9EF7A73C643E166BE5EBEAFA34B1AC553E2",
       false, "has_even_y(R) is false"},
      {7, kKey, kMsg,
       "1FA62E331EDBC21C394792D2AB1100A7B432B013DF3F6FF4F99FCB33E0E1515F"
       "28890B3EDB6E7189B630448B515CE4F8622A954CFE545735AAEA5134FCCDB2BD",
       false, "negated message"},
      {8, kKey, kMsg,
       "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769"
       "961764B3AA9B2FFCB6EF947B6887A226E8D7C93E00C5ED0C1834FF0D0C2E6DA6",
       false, "negated s value"},
      {9, kKey, kMsg,
       "0000000000000000000000000000000000000000000000000000000000000000"
       "123DDA8328AF9C23A94C1FEECFD123BA4FB73476F0D594DCB65C6425BD186051",
       false, "sG - eP is infinite (x(inf) as 0)"},
      {10, kKey, kMsg,
       "0000000000000000000000000000000000000000000000000000000000000001"
       "7615FBAF5AE28864013C099742DEADB4DBA87F11AC6754F93780D5A1837CF197",
       false, "sG - eP is infinite (x(inf) as 1)"},
      {11, kKey, kMsg,
       "4A298DACAE57395A15D0795DDBFD1DCB564DA82B0F269BC70A74F8220429BA1D"
       "69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
       false, "sig[0:32] is not an X coordinate on the curve"},
      {12, kKey, kMsg,
       "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F"
       "69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
       false, "sig[0:32] is equal to field size"},
      {13, kKey, kMsg,
       "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769"
       "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
       false, "sig[32:64] is equal to curve order"},
      {14, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30", kMsg,
       "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769"
       "69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
       false, "public key exceeds the field size"},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(VerifySchnorr(FromHex<32>(r.pubkey), H(r.msg), FromHex<64>(r.sig)), r.valid)
        << "row " << r.index << ": " << r.comment;
  }
}

}  // namespace
}  // namespace escrow::crypto
