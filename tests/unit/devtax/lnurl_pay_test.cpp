// The LNURL-pay client of the dev fund's Lightning address (federation/devtax/lnurl_pay.h)
// against the test LNURL server on loopback (tests/support/lnurl_server.h), whose invoices are
// real BOLT11 invoices signed here: each rule is shown holding, and the test opt-in is the only
// way to reach a loopback server.
#include <gtest/gtest.h>

#include <ctime>

#include "escrow/bolt11.h"
#include "escrow/crypto/sha256.h"
#include "federation/devtax/lnurl_pay.h"
#include "tests/support/lnurl_server.h"

namespace {

using Behaviour = testsupport::LnurlServer::Behaviour;

std::string SignedInvoice(int64_t msat, const std::string& description) {
  static const auto key = escrow::crypto::Signer::FromSeed("dev fund");
  escrow::bolt11::Invoice inv;
  inv.network_prefix = "bcrt";
  inv.amount_msat = static_cast<uint64_t>(msat);
  inv.timestamp = static_cast<uint64_t>(std::time(nullptr));
  inv.payment_hash = escrow::crypto::RandomHash32();
  inv.payment_secret = escrow::crypto::RandomHash32();
  inv.description_hash =
      escrow::crypto::Sha256(reinterpret_cast<const uint8_t*>(description.data()), description.size());
  return escrow::bolt11::Encode(inv, key);
}

federation::LnurlPayOptions TestOptions() {
  federation::LnurlPayOptions o;
  o.test_insecure = true;
  o.timeout = std::chrono::seconds(10);
  return o;
}

std::string Address(const testsupport::LnurlServer& s) { return "dev@localhost:" + std::to_string(s.port()); }

TEST(LnurlPay, AnHonestPayeesInvoiceIsReturnedWithItsAmountAndDescriptionHash) {
  testsupport::LnurlServer server(Behaviour::kHonest, SignedInvoice);
  auto pr = federation::FetchLnurlInvoice(Address(server), 21'000, TestOptions());
  ASSERT_TRUE(pr.ok()) << pr.error();
  auto inv = escrow::bolt11::Decode(*pr);
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->amount_msat, 21'000u);
  ASSERT_EQ(server.Requests().size(), 2u);
  EXPECT_EQ(server.Requests()[0], "/.well-known/lnurlp/dev");
  EXPECT_EQ(server.Requests()[1], "/lnurlp/callback?amount=21000");
}

TEST(LnurlPay, EachMisbehaviourIsRefusedWithAClearReason) {
  struct Case {
    Behaviour behaviour;
    const char* reason;
  };
  for (const Case& c : {Case{Behaviour::kRedirect, "answered with a redirect (HTTP 302)"},
                        Case{Behaviour::kWrongDescription, "description hash is not sha256(metadata)"},
                        Case{Behaviour::kTinyMaxSendable, "outside the payee's bounds [1000, 1000] msat"},
                        Case{Behaviour::kWrongTag, "not payRequest"}}) {
    testsupport::LnurlServer server(c.behaviour, SignedInvoice);
    auto pr = federation::FetchLnurlInvoice(Address(server), 21'000, TestOptions());
    ASSERT_FALSE(pr.ok()) << c.reason;
    EXPECT_NE(pr.error().find(c.reason), std::string::npos) << pr.error();
  }
}

TEST(LnurlPay, AnInvoiceOfAnotherAmountIsRefused) {
  testsupport::LnurlServer server(Behaviour::kHonest,
                                  [](int64_t msat, const std::string& d) { return SignedInvoice(msat + 1000, d); });
  auto pr = federation::FetchLnurlInvoice(Address(server), 21'000, TestOptions());
  ASSERT_FALSE(pr.ok());
  EXPECT_NE(pr.error().find("not the 21000 msat asked"), std::string::npos) << pr.error();
}

TEST(LnurlPay, WithoutTheTestOptInLoopbackAndPlainHttpAreRefusedBeforeAnyRequest) {
  testsupport::LnurlServer server(Behaviour::kHonest, SignedInvoice);
  federation::LnurlPayOptions o;  // the production default
  auto pr = federation::FetchLnurlInvoice(Address(server), 21'000, o);
  ASSERT_FALSE(pr.ok());
  EXPECT_NE(pr.error().find("localhost resolves to the non-public address"), std::string::npos) << pr.error();
  auto ip = federation::FetchLnurlInvoice("dev@10.1.2.3", 21'000, o);
  ASSERT_FALSE(ip.ok());
  EXPECT_NE(ip.error().find("non-public address 10.1.2.3"), std::string::npos) << ip.error();
  EXPECT_TRUE(server.Requests().empty());
  EXPECT_EQ(federation::LightningAddressUrl("dev@example.com", false).value(),
            "https://example.com/.well-known/lnurlp/dev");
  EXPECT_EQ(federation::LightningAddressUrl("dev@abc.onion", false).value(), "http://abc.onion/.well-known/lnurlp/dev");
  EXPECT_FALSE(federation::LightningAddressUrl("Dev@example.com", false).ok());
  EXPECT_FALSE(federation::LightningAddressUrl("example.com", false).ok());
  EXPECT_FALSE(federation::LightningAddressUrl("a@b@c", false).ok());
}

TEST(LnurlPay, OnlyPublicAddressesArePublic) {
  for (const char* ip : {"127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                         "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1",
                         "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2001:db8::1", "not an ip"}) {
    EXPECT_FALSE(federation::IsPublicAddress(ip)) << ip;
  }
  for (const char* ip : {"1.1.1.1", "8.8.8.8", "172.32.0.1", "2a01:4f8::1", "::ffff:1.1.1.1"}) {
    EXPECT_TRUE(federation::IsPublicAddress(ip)) << ip;
  }
}

}  // namespace
