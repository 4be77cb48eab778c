// The payout preflight reads the payment request out of the PGP cleartext-signed invoice
// (RFC 4880 §7) to probe it before the engine verifies the signature: it must read exactly the
// text the signature covers, as the engine's check trims it.
#include <gtest/gtest.h>

#include "api/payout_preflight.h"
#include "tests/support/test_support.h"

namespace {

std::string Fixture(const std::string& name) {
  return testsupport::ReadFile(testsupport::SourceDirOf(__FILE__) + "/../../unit/identity/fixtures/" + name);
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(SignedMessageText, ReadsTheInvoiceOfAGpgSignedMessage) {
  auto text = api::SignedMessageText(Fixture("invoice_signed_robot.asc"));
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, Trimmed(Fixture("invoice.txt")));
}

TEST(SignedMessageText, UndoesDashEscapingAndCrlf) {
  const std::string signed_message =
      "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\n- -dashed\r\nlnbcrt1abc\r\n"
      "-----BEGIN PGP SIGNATURE-----\r\n\r\nxyz\r\n-----END PGP SIGNATURE-----\r\n";
  auto text = api::SignedMessageText(signed_message);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "-dashed\r\nlnbcrt1abc");
}

TEST(SignedMessageText, RefusesWhatIsNotACleartextSignedMessage) {
  EXPECT_FALSE(api::SignedMessageText(""));
  EXPECT_FALSE(api::SignedMessageText("lnbcrt1abc"));
  EXPECT_FALSE(api::SignedMessageText("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nlnbcrt1abc\n"));
  EXPECT_FALSE(api::SignedMessageText("-----BEGIN PGP SIGNED MESSAGE-----"));
}

}  // namespace
