// PGP: the cleartext-signed messages robots send as payout and reward invoices
// (coordinator/identity/pgp.h VerifyCleartextSigned, and api/payout_preflight.h's
// SignedMessageText that reads the invoice out before the preflight), and the armored keys of a
// robot's first request (ValidatePublicKey, ValidateEncryptedPrivateKey). The first input byte
// picks what the rest is: 0-1 a signed message checked against a fixture robot's key, 2 a
// public key, 3 a private key. Never a crash; a verified text is the signed text.
#include <cstdint>
#include <string>

#include "api/payout_preflight.h"
#include "coordinator/identity/pgp.h"
#include "tests/fuzz/fuzz_support.h"

using namespace coordinator::identity;

namespace {
// tests/unit/identity/fixtures: the keys were made 2024-01-01; the messages signed after.
constexpr int64_t kNow = 1704067200 + 3 * 86400;
const std::string& RobotPub() {
  static const std::string key = fuzzsupport::SourceFile("tests/unit/identity/fixtures/robot_pub.asc");
  return key;
}
const std::string& RobotFingerprint() {
  static const std::string fp = [] {
    auto info = ValidatePublicKey(RobotPub(), kNow);
    if (!info.ok()) fuzzsupport::Fail("the fixture key does not validate");
    return info->fingerprint;
  }();
  return fp;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = fuzzsupport::AsText(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
    case 1: {
      auto text = api::SignedMessageText(rest);
      auto verified = VerifyCleartextSigned(rest, RobotPub(), kNow);
      if (verified.ok()) {
        FUZZ_CHECK(text.has_value());
        FUZZ_CHECK(verified.value().size() <= rest.size());
      } else {
        FUZZ_CHECK(verified.error().code == 1048);
      }
      break;
    }
    case 2: {
      auto info = ValidatePublicKey(rest, kNow);
      if (!info.ok()) FUZZ_CHECK(info.error().code == 7002 || info.error().code == 1056);
      break;
    }
    default: {
      auto st = ValidateEncryptedPrivateKey(rest, RobotFingerprint());
      if (!st.ok()) FUZZ_CHECK(st.code == 7002);
      break;
    }
  }
  return 0;
}
