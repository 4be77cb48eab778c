// The robot's PGP keys and messages (librnp), checked by the coordinator's own validators
// (coordinator/identity/pgp.h) and against messages made by openpgp.js as RoboSats' web
// client makes them.
#include <gtest/gtest.h>

#include <ctime>
#include <memory>

#include "coordinator/identity/pgp.h"
#include "federation/robot/pgp_keys.h"
#include "federation/robot/pgp_messages.h"
#include "federation/robot/token.h"
#include "tests/unit/robot/robot_fixtures.h"

namespace {

using namespace federation::robot;
using robot_test::kDay;

struct TestRobot {
  std::string token;
  TokenDerived derived;
  RobotKeyPair keys;
};

// Key generation costs a few S2K rounds: three robots for the whole suite.
class Pgp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_now = static_cast<int64_t>(std::time(nullptr));
    for (auto* r : {&s_alice, &s_bob, &s_carol}) {
      *r = std::make_unique<TestRobot>();
      (*r)->token = GenerateToken();
      (*r)->derived = DeriveFromToken((*r)->token);
      auto keys = GenerateRobotKeys((*r)->token, (*r)->derived.hash_id, s_now);
      ASSERT_TRUE(keys.ok()) << keys.error();
      (*r)->keys = keys.value();
    }
  }
  static void TearDownTestSuite() {
    s_alice.reset();
    s_bob.reset();
    s_carol.reset();
  }
  static int64_t s_now;
  static std::unique_ptr<TestRobot> s_alice, s_bob, s_carol;
};
int64_t Pgp::s_now = 0;
std::unique_ptr<TestRobot> Pgp::s_alice, Pgp::s_bob, Pgp::s_carol;

TEST_F(Pgp, GeneratedKeysPassTheCoordinatorsChecks) {
  const auto& k = s_alice->keys;
  auto info = coordinator::identity::ValidatePublicKey(k.public_armored, s_now);
  ASSERT_TRUE(info.ok()) << info.error().code << " " << info.error().message;
  EXPECT_EQ(info->fingerprint, k.fingerprint);
  EXPECT_EQ(info->algorithm, "EDDSA");  // openpgp.js curve25519Legacy: EdDSA Ed25519 …
  EXPECT_EQ(info->curve, "Ed25519");
  auto priv = coordinator::identity::ValidateEncryptedPrivateKey(k.encrypted_private_armored, k.fingerprint);
  EXPECT_TRUE(priv.ok()) << priv.message;
  EXPECT_TRUE(k.public_armored.rfind("-----BEGIN PGP PUBLIC KEY BLOCK-----", 0) == 0);
  EXPECT_TRUE(k.encrypted_private_armored.rfind("-----BEGIN PGP PRIVATE KEY BLOCK-----", 0) == 0);
  EXPECT_EQ(k.public_armored.find('\r'), std::string::npos) << "openpgp.js armors with \\n";
}

TEST_F(Pgp, KeysAreBackdatedOneDaySoTheCoordinatorAcceptsThemAtOnce) {
  const auto& k = s_alice->keys;
  EXPECT_EQ(k.created_at, s_now - kDay);
  auto facts = InspectPublicKey(k.public_armored);
  ASSERT_TRUE(facts.ok()) << facts.error();
  EXPECT_EQ(facts->created_at, s_now - kDay);
  EXPECT_EQ(facts->fingerprint, k.fingerprint);
  // The coordinator refuses keys younger than 12 h (1056): at creation + 11 h it would.
  auto young = coordinator::identity::ValidatePublicKey(k.public_armored, k.created_at + 11 * 3600);
  ASSERT_FALSE(young.ok());
  EXPECT_EQ(young.error().code, 1056);
}

TEST_F(Pgp, TheTokenAndOnlyTheTokenUnlocksThePrivateKey) {
  EXPECT_TRUE(UnlocksPrivateKey(s_alice->keys.encrypted_private_armored, s_alice->token));
  EXPECT_FALSE(UnlocksPrivateKey(s_alice->keys.encrypted_private_armored, s_bob->token));
  EXPECT_FALSE(UnlocksPrivateKey(s_alice->keys.encrypted_private_armored, ""));
}

TEST_F(Pgp, UserIdIsRoboSatsIdAndHashId) {
  // genKey: userIDs: [{ name: 'RoboSats ID ' + sha256(sha256(token)) }].
  auto facts = InspectPublicKey(s_alice->keys.public_armored);
  ASSERT_TRUE(facts.ok()) << facts.error();
  EXPECT_EQ(facts->user_id, "RoboSats ID " + s_alice->derived.hash_id);
}

TEST_F(Pgp, SignedInvoicesVerifyAtTheCoordinator) {
  const std::string invoice = robot_test::Trim(robot_test::IdentityFixture("invoice.txt"));
  auto signed_invoice = ClearSign(invoice, s_alice->keys.encrypted_private_armored, s_alice->token);
  ASSERT_TRUE(signed_invoice.ok()) << signed_invoice.error();
  EXPECT_TRUE(signed_invoice->rfind("-----BEGIN PGP SIGNED MESSAGE-----", 0) == 0);
  // signCleartextMessage signs "now" (no offset, unlike chat messages): verify at the signing time.
  const int64_t signed_at = static_cast<int64_t>(std::time(nullptr));
  auto text = coordinator::identity::VerifyCleartextSigned(*signed_invoice, s_alice->keys.public_armored, signed_at);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, invoice);
  // Signed by another robot's key: refused (1048).
  auto wrong = coordinator::identity::VerifyCleartextSigned(*signed_invoice, s_bob->keys.public_armored, signed_at);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, 1048);
}

TEST_F(Pgp, SigningWithTheWrongPassphraseFails) {
  auto r = ClearSign("lnbc1…", s_alice->keys.encrypted_private_armored, s_bob->token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().find(s_bob->token), std::string::npos);
}

TEST_F(Pgp, ChatMessagesAreReadableByBothPeersAndSigned) {
  const std::string text = "Sent 100 USD by Strike, reference 42. ¿Todo bien? ✓";
  auto encrypted = EncryptToPeers(text, s_alice->keys.public_armored, s_bob->keys.public_armored,
                                  s_alice->keys.encrypted_private_armored, s_alice->token, s_now);
  ASSERT_TRUE(encrypted.ok()) << encrypted.error();
  EXPECT_TRUE(encrypted->rfind("-----BEGIN PGP MESSAGE-----", 0) == 0);
  EXPECT_EQ(encrypted->find(text), std::string::npos);
  EXPECT_EQ(encrypted->find('\r'), std::string::npos);

  // The peer reads it and checks the sender's signature.
  auto by_bob = DecryptFromPeer(*encrypted, s_alice->keys.public_armored, s_bob->keys.encrypted_private_armored,
                                s_bob->token);
  ASSERT_TRUE(by_bob.ok()) << by_bob.error();
  EXPECT_EQ(by_bob->text, text);
  EXPECT_TRUE(by_bob->valid_signature);
  // The sender reads its own message back (encryptionKeys: [ownPublicKey, peerPublicKey]).
  auto by_alice = DecryptFromPeer(*encrypted, s_alice->keys.public_armored, s_alice->keys.encrypted_private_armored,
                                  s_alice->token);
  ASSERT_TRUE(by_alice.ok()) << by_alice.error();
  EXPECT_EQ(by_alice->text, text);
  EXPECT_TRUE(by_alice->valid_signature);
  // A third robot (or the coordinator) cannot.
  auto by_carol = DecryptFromPeer(*encrypted, s_alice->keys.public_armored, s_carol->keys.encrypted_private_armored,
                                  s_carol->token);
  EXPECT_FALSE(by_carol.ok());
  // Checked against the wrong sender key, the signature is not valid.
  auto misattributed = DecryptFromPeer(*encrypted, s_carol->keys.public_armored,
                                       s_bob->keys.encrypted_private_armored, s_bob->token);
  ASSERT_TRUE(misattributed.ok()) << misattributed.error();
  EXPECT_FALSE(misattributed->valid_signature);
}

TEST_F(Pgp, ChatMessageOfTheRoboSatsWebClientDecrypts) {
  // fixtures/openpgpjs_chat.asc: openpgp.js 5's encryptMessage from the openpgp.js fixture
  // robot to itself and to the gpg fixture robot ("robot").
  auto plain = DecryptFromPeer(robot_test::Fixture("openpgpjs_chat.asc"), robot_test::IdentityFixture("openpgpjs_pub.asc"),
                               robot_test::IdentityFixture("robot_sec.asc"),
                               robot_test::Trim(robot_test::IdentityFixture("robot_token.txt")));
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(plain->text, "Hola! I sent the 100 USD by Strike, ref 42. ¿Todo bien? ✓");
  EXPECT_TRUE(plain->valid_signature);
}

TEST_F(Pgp, MessagesToKeysMadeByOtherClientsDecryptThere) {
  // Our robot writes to a peer whose key gpg made (the fixture "other"): the peer decrypts.
  const std::string other_token = robot_test::Trim(robot_test::IdentityFixture("robot_token.txt"));
  auto encrypted = EncryptToPeers("hello gpg peer", s_alice->keys.public_armored,
                                  robot_test::IdentityFixture("robot_pub.asc"),
                                  s_alice->keys.encrypted_private_armored, s_alice->token, s_now);
  ASSERT_TRUE(encrypted.ok()) << encrypted.error();
  auto plain = DecryptFromPeer(*encrypted, s_alice->keys.public_armored, robot_test::IdentityFixture("robot_sec.asc"),
                               other_token);
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(plain->text, "hello gpg peer");
  EXPECT_TRUE(plain->valid_signature);
}

TEST_F(Pgp, GarbageIsNotAMessage) {
  auto r = DecryptFromPeer("-----BEGIN PGP MESSAGE-----\n\nnope\n-----END PGP MESSAGE-----\n", "",
                           s_alice->keys.encrypted_private_armored, s_alice->token);
  EXPECT_FALSE(r.ok());
}

}  // namespace
