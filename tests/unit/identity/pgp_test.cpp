// PGP checks with real keys: gpg-made fixtures (backdated with --faked-system-time), a key
// made by openpgp.js as the RoboSats web client makes it, and a key librnp creates now.
#include "coordinator/identity/pgp.h"

#include <gtest/gtest.h>
#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <atomic>
#include <ctime>
#include <thread>

#include "coordinator/identity/errors.h"
#include "identity_fixtures.h"

namespace coordinator::identity {
namespace {

using identity_test::Fixture;
using identity_test::kDay;
using identity_test::kFixtureKeysCreated;
using identity_test::kHour;

// fixtures/fingerprints.txt (gpg) and the openpgp.js key.
constexpr std::string_view kRobotFpr = "220F9A22286A936B133CDB296C107F55B26531A9";
constexpr std::string_view kOtherFpr = "37AFAE3E4A0E314E6DE52D6FD9D85DFA9705ADE6";
constexpr std::string_view kRsaFpr = "1F71AD6574801A698C49D5B261C396E19DA1F3A9";
constexpr std::string_view kUnprotectedFpr = "D313141A33B77D4A5109CD6416B922C8C97E496A";
constexpr std::string_view kOpenPgpJsFpr = "6F1CE9412195271FE6C251750D5F57FA1A225460";

constexpr int64_t kDayAfter = kFixtureKeysCreated + kDay;          // keys are a day old
constexpr int64_t kAfterSigning = kFixtureKeysCreated + 2 * kDay;  // signatures: 2024-01-02

void ExpectCleanMessage(const base::Status& status) {
  // No key material or armor ever travels back in an error.
  EXPECT_EQ(status.message.find("-----"), std::string::npos) << status.message;
  EXPECT_LT(status.message.size(), 220u) << status.message;
}

int PublicKeyCode(std::string_view armored, int64_t now) {
  auto r = ValidatePublicKey(armored, now);
  if (r.ok()) return 0;
  ExpectCleanMessage(r.error());
  return r.error().code;
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// Flips one character of the base64 body (the line after the blank line of the armor).
std::string CorruptBody(std::string armored) {
  const size_t body = armored.find("\n\n") + 2;
  const size_t at = body + 20;
  armored[at] = armored[at] == 'A' ? 'B' : 'A';
  return armored;
}

// ---------------------------------------------------------------------------------------------
// ValidatePublicKey

TEST(PgpPublicKey, AcceptsTheGpgRobotKey) {
  auto info = ValidatePublicKey(Fixture("robot_pub.asc"), kDayAfter);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->fingerprint, kRobotFpr);
  EXPECT_EQ(info->created_at, kFixtureKeysCreated);
  EXPECT_EQ(info->algorithm, "EDDSA");
  EXPECT_EQ(info->curve, "Ed25519");
}

TEST(PgpPublicKey, AcceptsTheWebClientKey) {
  // openpgp.js dated it 2024-01-01T00:00:00Z, one day before its "now".
  auto info = ValidatePublicKey(Fixture("openpgpjs_pub.asc"), kDayAfter);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->fingerprint, kOpenPgpJsFpr);
  EXPECT_EQ(info->created_at, kFixtureKeysCreated);
  EXPECT_EQ(info->algorithm, "EDDSA");
}

TEST(PgpPublicKey, AcceptsRsaAsRoboSatsDoes) {
  // RoboSats imports whatever gpg imports; its own 1056 tests use RSA keys.
  auto info = ValidatePublicKey(Fixture("rsa_pub.asc"), kDayAfter);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->fingerprint, kRsaFpr);
  EXPECT_EQ(info->algorithm, "RSA");
  EXPECT_EQ(info->bits, 3072u);
}

TEST(PgpPublicKey, TooRecentKeysAre1056) {
  const std::string pub = Fixture("robot_pub.asc");
  EXPECT_EQ(PublicKeyCode(pub, kFixtureKeysCreated + 12 * kHour), 0);
  EXPECT_EQ(PublicKeyCode(pub, kFixtureKeysCreated + 12 * kHour - 1), kErrKeyTooRecent);
  EXPECT_EQ(PublicKeyCode(pub, kFixtureKeysCreated + kHour), kErrKeyTooRecent);
  EXPECT_EQ(PublicKeyCode(pub, kFixtureKeysCreated), kErrKeyTooRecent);
  // A key "from the future" (the client's clock runs ahead).
  EXPECT_EQ(PublicKeyCode(pub, kFixtureKeysCreated - kDay), kErrKeyTooRecent);
  auto r = ValidatePublicKey(pub, kFixtureKeysCreated + kHour);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.error().message,
      "Your PGP public key was created too recently (2024-01-01 00:00:00+00:00). Keys must be at least 12 "
      "hours old. Please check your system clock and generate a new key.");
}

// A key made by librnp at `created` (0: now), exported armored; without its user ID (and so
// without any self-signature) if `strip_uid`.
std::string RnpKey(int64_t created, bool strip_uid) {
  rnp_ffi_t ffi = nullptr;
  if (rnp_ffi_create(&ffi, "GPG", "GPG") != RNP_SUCCESS) return {};
  if (created > 0) rnp_set_timestamp(ffi, static_cast<uint64_t>(created));
  std::string armored;
  rnp_op_generate_t op = nullptr;
  rnp_key_handle_t key = nullptr;
  rnp_uid_handle_t uid = nullptr;
  rnp_output_t out = nullptr;
  bool ok = rnp_op_generate_create(&op, ffi, "EDDSA") == RNP_SUCCESS &&
            rnp_op_generate_set_userid(op, "robot") == RNP_SUCCESS &&
            rnp_op_generate_execute(op) == RNP_SUCCESS && rnp_op_generate_get_key(op, &key) == RNP_SUCCESS;
  if (ok && strip_uid) {
    ok = rnp_key_get_uid_handle_at(key, 0, &uid) == RNP_SUCCESS && rnp_uid_remove(key, uid) == RNP_SUCCESS;
  }
  if (ok && rnp_output_to_memory(&out, 0) == RNP_SUCCESS &&
      rnp_key_export(key, out, RNP_KEY_EXPORT_ARMORED | RNP_KEY_EXPORT_PUBLIC) == RNP_SUCCESS) {
    uint8_t* buf = nullptr;
    size_t len = 0;
    if (rnp_output_memory_get_buf(out, &buf, &len, false) == RNP_SUCCESS) {
      armored.assign(reinterpret_cast<char*>(buf), len);
    }
  }
  rnp_output_destroy(out);
  rnp_uid_handle_destroy(uid);
  rnp_key_handle_destroy(key);
  rnp_op_generate_destroy(op);
  rnp_ffi_destroy(ffi);
  return armored;
}

TEST(PgpPublicKey, AKeyWithoutSelfSignatureIs7002) {
  const std::string with_uid = RnpKey(kFixtureKeysCreated, false);
  ASSERT_FALSE(with_uid.empty());
  EXPECT_EQ(PublicKeyCode(with_uid, kDayAfter), 0);
  const std::string without_uid = RnpKey(kFixtureKeysCreated, true);
  ASSERT_FALSE(without_uid.empty());
  auto r = ValidatePublicKey(without_uid, kDayAfter);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, kErrBadKeys);
  EXPECT_EQ(r.error().message, "Invalid keys: the public key has no valid self-signature");
}

TEST(PgpPublicKey, AKeyCreatedNowIs1056) {
  const std::string armored = RnpKey(0, false);  // created now
  ASSERT_FALSE(armored.empty());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  EXPECT_EQ(PublicKeyCode(armored, now), kErrKeyTooRecent);
  // The same key is fine once it is old enough.
  EXPECT_EQ(PublicKeyCode(armored, now + 13 * kHour), 0);
}

TEST(PgpPublicKey, RevokedAndExpiredKeysAre7002) {
  auto revoked = ValidatePublicKey(Fixture("revoked_pub.asc"), kAfterSigning);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code, kErrBadKeys);
  EXPECT_EQ(revoked.error().message, "Invalid keys: the public key is revoked");

  // Expires two days after creation.
  const std::string expired = Fixture("expired_pub.asc");
  EXPECT_EQ(PublicKeyCode(expired, kDayAfter), 0);
  auto r = ValidatePublicKey(expired, kFixtureKeysCreated + 3 * kDay);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, kErrBadKeys);
  EXPECT_EQ(r.error().message, "Invalid keys: the public key is expired");
}

TEST(PgpPublicKey, MalformedInputIs7002) {
  const std::string pub = Fixture("robot_pub.asc");
  const std::string sec = Fixture("robot_sec.asc");
  struct Case {
    std::string armored;
    const char* why;
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {"hello", "garbage"},
      {std::string("\x99\x01\x0d\x04\x00\x00", 6), "binary"},
      {"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n", "empty body"},
      {pub.substr(0, pub.size() / 2), "truncated"},
      {CorruptBody(pub), "corrupted body"},
      {sec, "a private key block"},
      {Replace(sec, "PRIVATE KEY BLOCK", "PUBLIC KEY BLOCK"), "secret key in a public armor"},
      {Fixture("two_keys_pub.asc"), "two primary keys in one block"},
      {pub + Fixture("other_pub.asc"), "two blocks"},
      {pub + "trailing", "text after the block"},
      {"leading\n" + pub, "text before the block"},
      {Fixture("invoice_signed_robot.asc"), "a signed message"},
      {std::string(kMaxArmoredBytes + 1, 'A'), "huge"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PublicKeyCode(c.armored, kDayAfter), kErrBadKeys) << c.why;
  }
}

// ---------------------------------------------------------------------------------------------
// ValidateEncryptedPrivateKey

TEST(PgpPrivateKey, AcceptsProtectedKeysMatchingThePublicKey) {
  EXPECT_TRUE(ValidateEncryptedPrivateKey(Fixture("robot_sec.asc"), kRobotFpr).ok());
  std::string lower(kRobotFpr);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(ValidateEncryptedPrivateKey(Fixture("robot_sec.asc"), lower).ok());
  const base::Status js = ValidateEncryptedPrivateKey(Fixture("openpgpjs_sec.asc"), kOpenPgpJsFpr);
  EXPECT_TRUE(js.ok()) << js.message;
  EXPECT_TRUE(ValidateEncryptedPrivateKey(Fixture("rsa_sec.asc"), kRsaFpr).ok());
}

TEST(PgpPrivateKey, RefusesWithTheReason) {
  struct Case {
    std::string armored;
    std::string_view fingerprint;
    std::string message;
  };
  const std::string pub = Fixture("robot_pub.asc");
  const std::vector<Case> cases = {
      {Fixture("other_sec.asc"), kRobotFpr,
       "Invalid keys: the encrypted private key does not belong to the public key"},
      {Fixture("robot_sec.asc"), kOtherFpr,
       "Invalid keys: the encrypted private key does not belong to the public key"},
      {Fixture("unprotected_sec.asc"), kUnprotectedFpr,
       "Invalid keys: the private key is not encrypted with a passphrase"},
      {pub, kRobotFpr,
       "Invalid keys: the encrypted private key is not one ASCII-armored PGP private key block"},
      {Replace(pub, "PUBLIC KEY BLOCK", "PRIVATE KEY BLOCK"), kRobotFpr,
       "Invalid keys: the private key block holds no secret key"},
      {CorruptBody(Fixture("robot_sec.asc")), kRobotFpr,
       "Invalid keys: the encrypted private key could not be parsed"},
      {"garbage", kRobotFpr,
       "Invalid keys: the encrypted private key is not one ASCII-armored PGP private key block"},
      {"", kRobotFpr,
       "Invalid keys: the encrypted private key is not one ASCII-armored PGP private key block"},
  };
  for (const Case& c : cases) {
    const base::Status s = ValidateEncryptedPrivateKey(c.armored, c.fingerprint);
    EXPECT_EQ(s.code, kErrBadKeys) << c.message;
    EXPECT_EQ(s.message, c.message);
    ExpectCleanMessage(s);
  }
}

// ---------------------------------------------------------------------------------------------
// VerifyCleartextSigned

TEST(PgpSignedMessage, ReturnsTheSignedInvoice) {
  const std::string invoice = Fixture("invoice.txt");
  ASSERT_TRUE(invoice.starts_with("lnbc"));
  auto gpg =
      VerifyCleartextSigned(Fixture("invoice_signed_robot.asc"), Fixture("robot_pub.asc"), kAfterSigning);
  ASSERT_TRUE(gpg.ok()) << gpg.error().message;
  EXPECT_EQ(*gpg, invoice);
  auto js = VerifyCleartextSigned(Fixture("openpgpjs_invoice_signed.asc"), Fixture("openpgpjs_pub.asc"),
                                  kAfterSigning);
  ASSERT_TRUE(js.ok()) << js.error().message;
  EXPECT_EQ(*js, invoice);
  auto rsa = VerifyCleartextSigned(Fixture("invoice_signed_rsa.asc"), Fixture("rsa_pub.asc"), kAfterSigning);
  ASSERT_TRUE(rsa.ok()) << rsa.error().message;
  EXPECT_EQ(*rsa, invoice);
}

TEST(PgpSignedMessage, ToleratesCrlfAndSurroundingWhitespace) {
  const std::string signed_msg = Fixture("invoice_signed_robot.asc");
  auto crlf =
      VerifyCleartextSigned(Replace(signed_msg, "\n", "\r\n"), Fixture("robot_pub.asc"), kAfterSigning);
  ASSERT_TRUE(crlf.ok()) << crlf.error().message;
  EXPECT_EQ(*crlf, Fixture("invoice.txt"));
  auto padded = VerifyCleartextSigned("\n  " + signed_msg + "\n\n", Fixture("robot_pub.asc"), kAfterSigning);
  ASSERT_TRUE(padded.ok()) << padded.error().message;
}

std::string Reason(std::string_view signed_message, std::string_view pub, int64_t now = kAfterSigning) {
  auto r = VerifyCleartextSigned(signed_message, pub, now);
  if (r.ok()) return "OK: " + *r;
  EXPECT_EQ(r.error().code, kErrBadSignature);
  ExpectCleanMessage(r.error());
  return r.error().message;
}

TEST(PgpSignedMessage, TamperedOrForeignSignaturesAre1048) {
  const std::string robot_pub = Fixture("robot_pub.asc");
  const std::string signed_msg = Fixture("invoice_signed_robot.asc");
  const std::string invoice = Fixture("invoice.txt");
  const std::string prefix = "The PGP signed cleartext message is not valid. Reason: ";

  // One character of the invoice changed.
  std::string tampered_invoice = invoice;
  tampered_invoice[10] = tampered_invoice[10] == 'q' ? 'p' : 'q';
  EXPECT_EQ(Reason(Replace(signed_msg, invoice, tampered_invoice), robot_pub),
            prefix + "the signature does not match the message or the key is not valid.");
  // Signed by another robot; or checked against another robot's key.
  EXPECT_EQ(Reason(Fixture("invoice_signed_other.asc"), robot_pub),
            prefix + "it is signed by another key than the robot's.");
  EXPECT_EQ(Reason(signed_msg, Fixture("other_pub.asc")),
            prefix + "it is signed by another key than the robot's.");
  EXPECT_EQ(Reason(Fixture("openpgpjs_invoice_signed.asc"), robot_pub),
            prefix + "it is signed by another key than the robot's.");
}

TEST(PgpSignedMessage, AnythingButOneSignedBlockIs1048) {
  const std::string robot_pub = Fixture("robot_pub.asc");
  const std::string signed_msg = Fixture("invoice_signed_robot.asc");
  const std::string not_signed =
      "The PGP signed cleartext message is not valid. Reason: it is not one PGP cleartext-signed message.";
  EXPECT_EQ(Reason(Fixture("invoice.txt"), robot_pub), not_signed);
  EXPECT_EQ(Reason("", robot_pub), not_signed);
  EXPECT_EQ(Reason("lnbc1 smuggled\n" + signed_msg, robot_pub), not_signed);
  EXPECT_EQ(Reason(signed_msg + "\nlnbc1 smuggled", robot_pub), not_signed);
  EXPECT_EQ(Reason(signed_msg + signed_msg, robot_pub), not_signed);
  EXPECT_EQ(Reason(robot_pub, robot_pub), not_signed);
  // NULs where the blank line after the armor headers belongs: RNP alone would accept it.
  const size_t blank = signed_msg.find("\n\n");
  ASSERT_NE(blank, std::string::npos);
  std::string nul_line = signed_msg;  // a line of NULs for the blank line
  nul_line.insert(blank + 1, std::string(128, '\0'));
  EXPECT_EQ(Reason(nul_line, robot_pub), not_signed);
  std::string no_blank = nul_line;  // and no blank line at all
  no_blank.erase(blank + 1 + 128, 1);
  EXPECT_EQ(Reason(no_blank, robot_pub), not_signed);
  EXPECT_EQ(Reason(signed_msg.substr(0, 60) + '\0' + signed_msg.substr(60), robot_pub), not_signed);
  EXPECT_EQ(Reason(std::string(kMaxArmoredBytes + 1, 'x'), robot_pub),
            "The PGP signed cleartext message is not valid. Reason: the signed message is too large.");
  // The signature block damaged.
  const size_t sig = signed_msg.find("-----BEGIN PGP SIGNATURE-----");
  std::string broken = signed_msg;
  broken[sig + 40] = broken[sig + 40] == 'A' ? 'B' : 'A';
  EXPECT_NE(Reason(broken, robot_pub).rfind("The PGP signed cleartext message is not valid.", 0),
            std::string::npos);
  // An unusable public key.
  EXPECT_EQ(
      Reason(signed_msg, "garbage"),
      "The PGP signed cleartext message is not valid. Reason: the robot's public key could not be read.");
}

// ---------------------------------------------------------------------------------------------
// Each call has its own keyring: calls on several threads at once do not interfere.

TEST(Pgp, ConcurrentCallsAreIndependent) {
  const std::string pub = Fixture("robot_pub.asc");
  const std::string sec = Fixture("robot_sec.asc");
  const std::string signed_msg = Fixture("invoice_signed_robot.asc");
  const std::string other_signed = Fixture("invoice_signed_other.asc");
  const std::string invoice = Fixture("invoice.txt");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto info = ValidatePublicKey(pub, kDayAfter);
        if (!info.ok() || info->fingerprint != kRobotFpr) ++failures;
        if (!ValidateEncryptedPrivateKey(sec, kRobotFpr).ok()) ++failures;
        auto text = VerifyCleartextSigned(signed_msg, pub, kAfterSigning);
        if (!text.ok() || *text != invoice) ++failures;
        if (VerifyCleartextSigned(other_signed, pub, kAfterSigning).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace coordinator::identity
