// The dev fund as a Lightning address (LUD-16 / LNURL-pay): coordinatord (lnd backend → the
// simln daemon) fetches the invoice from a test LNURL server (tests/support/lnurl_server.h)
// through microsocks (socks5h://), checks it (tag, bounds, amount, description hash; no
// redirects, no private addresses) and pays it to the dev node ("dev", a simln wallet). Each way
// a payee can misbehave is refused with a clear error in the log and in the signed statement,
// and trading goes on.
#include <fstream>
#include <sstream>

#include "escrow/crypto/sha256.h"
#include "federation/devtax/statement.h"
#include "tests/integration/coordinator_trade/trade_fixture.h"
#include "tests/support/lnurl_server.h"
#include "tests/support/microsocks.h"

namespace coordinator_trade_test {
namespace {

using Behaviour = testsupport::LnurlServer::Behaviour;

struct PayeeCase {
  const char* name;
  Behaviour behaviour;
  bool test_insecure;     // dev_tax.lightning_address_test_insecure (loopback http allowed)
  const char* refusal;    // "" = paid; else a fragment of the error in the log and the statement
};

class LightningAddressPayee : public CoordinatorTrade, public ::testing::WithParamInterface<PayeeCase> {
 protected:
  LightningAddressPayee() { m_wallet_names.push_back("dev"); }
  void BeforeCoordinatord() override {
    auto dev = m_simln->Connect("dev");
    ASSERT_TRUE(dev.ok()) << dev.error();
    m_dev = std::move(dev.value());
    m_socks = testsupport::Microsocks::Start(m_dir);
    ASSERT_NE(m_socks, nullptr) << "cannot start /usr/bin/microsocks (ops/setup installs it)";
    m_lnurl = std::make_unique<testsupport::LnurlServer>(
        GetParam().behaviour, [this](int64_t amount_msat, const std::string& description) -> std::string {
          escrow::InvoiceRequest req;
          req.value_msat = amount_msat;
          req.description_hash =
              escrow::crypto::Sha256(reinterpret_cast<const uint8_t*>(description.data()), description.size());
          auto r = m_dev->AddInvoice(req);
          return r.ok() ? r->payment_request : std::string();
        });
    // "localhost" (not 127.0.0.1): the name is resolved, and its address checked, by coordinatord.
    m_options.extra_yaml = "dev_tax: {share: 0.2, min_payment_sat: 1, lightning_address: \"dev@localhost:" +
                           std::to_string(m_lnurl->port()) + "\", socks5h_proxy: \"" + m_socks->url() +
                           "\", lightning_address_test_insecure: " + (GetParam().test_insecure ? "true" : "false") +
                           "}\n";
  }
  void TearDown() override {
    CoordinatorTrade::TearDown();
    m_lnurl.reset();
    m_socks.reset();
    m_dev.reset();
  }

  void Trade(const std::string& amount) {
    auto& seller = T("robot");
    auto& buyer = T("other");
    int64_t id = MakeAndPublish(seller, {{"type", 1}, {"currency", 1}, {"amount", amount},
                                         {"payment_method", "Strike"}, {"premium", "1"}});
    TakeAndLock(buyer, id, "");
    LockEscrow(seller, id);
    WaitStatus(*buyer.robot, id, 8);
    SubmitInvoice(buyer, id);
    ConfirmBoth(buyer, seller, id);
    EXPECT_EQ(WaitStatus(*buyer.robot, id, 14).value("status", -1), 14) << "trading must not be affected";
  }

  // Every payment of every statement, until `done` holds for one (bounded).
  json WaitPayment(const std::function<bool(const json&)>& done, json* statements_out) {
    json found;
    for (auto deadline = std::chrono::steady_clock::now() + kWait; std::chrono::steady_clock::now() < deadline;) {
      auto r = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/devfund/");
      EXPECT_EQ(r.status, 200) << r.Describe();
      *statements_out = r.json;
      for (const auto& s : r.json) {
        for (const auto& p : s["statement"]["payments"]) {
          if (done(p)) found = p;
        }
      }
      if (!found.is_null()) return found;
      std::this_thread::sleep_for(100ms);
    }
    return found;
  }

  std::string Log() {
    std::ifstream in(m_coordinatord->log_path());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::unique_ptr<escrow::LightningNode> m_dev;
  std::unique_ptr<testsupport::Microsocks> m_socks;
  std::unique_ptr<testsupport::LnurlServer> m_lnurl;
};

TEST_P(LightningAddressPayee, IsPaidExactlyTheRoundingRuleOrRefusedWithAClearError) {
  const PayeeCase& c = GetParam();
  RegisterRobots();
  Trade("100");
  json statements;
  if (std::string(c.refusal).empty()) {
    json paid = WaitPayment([](const json& p) { return p["state"] == "succeeded"; }, &statements);
    ASSERT_FALSE(paid.is_null()) << statements.dump() << "\nlog: " << Log();
    // The invoice paid is the one the LNURL server made on the dev node; the statement's preimage
    // (the payee's, returned by the payment) proves it; the dev node got exactly the amount.
    const std::string pubkey = statements.back()["pubkey"];
    for (const auto& s : statements) EXPECT_TRUE(federation::VerifyDevTaxStatement(s, pubkey).empty());
    ASSERT_EQ(m_lnurl->Invoices().size(), 1u);
    EXPECT_EQ(testsupport::PaymentHashOf(m_lnurl->Invoices()[0]).value(),
              escrow::crypto::Hash32FromHex(paid["payment_hash"].get<std::string>()).value());
    auto inv = m_dev->LookupInvoice(*escrow::crypto::Hash32FromHex(paid["payment_hash"].get<std::string>()));
    ASSERT_TRUE(inv.ok()) << inv.error().message;
    EXPECT_EQ(inv->state, escrow::InvoiceState::kSettled);
    EXPECT_EQ(inv->amt_paid_msat, paid["amount_sat"].get<int64_t>() * 1000);
    const json& st = statements.back()["statement"];
    EXPECT_EQ(paid["amount_sat"], st["cumulative_accrued_msat"].get<int64_t>() / 1000);
    EXPECT_EQ(paid["payee"], "dev@localhost:" + std::to_string(m_lnurl->port()));
    return;
  }
  json failed = WaitPayment([](const json& p) { return p["state"] == "failed"; }, &statements);
  ASSERT_FALSE(failed.is_null()) << statements.dump() << "\nlog: " << Log();
  const std::string reason = failed.value("failure_reason", "");
  EXPECT_NE(reason.find(c.refusal), std::string::npos) << reason;
  EXPECT_NE(reason.find("lightning address: "), std::string::npos) << reason;
  EXPECT_NE(Log().find(c.refusal), std::string::npos) << "the refusal is not in the log";
  // Nothing reached the dev node: any invoice the server made is still unpaid.
  for (const auto& pr : m_lnurl->Invoices()) {
    auto inv = m_dev->LookupInvoice(testsupport::PaymentHashOf(pr).value());
    ASSERT_TRUE(inv.ok());
    EXPECT_EQ(inv->state, escrow::InvoiceState::kOpen) << "a refused invoice was paid";
  }
  // Trading goes on while the payee is refused.
  Trade("50");
}

INSTANTIATE_TEST_SUITE_P(
    Payees, LightningAddressPayee,
    ::testing::Values(PayeeCase{"Honest", Behaviour::kHonest, true, ""},
                      PayeeCase{"ResolvesToAPrivateAddress", Behaviour::kHonest, false, "localhost resolves to the non-public address"},
                      PayeeCase{"AnswersWithARedirect", Behaviour::kRedirect, true, "answered with a redirect"},
                      PayeeCase{"GivesAWrongDescriptionHash", Behaviour::kWrongDescription, true,
                                "description hash is not sha256(metadata)"},
                      PayeeCase{"AmountOutOfBounds", Behaviour::kTinyMaxSendable, true, "outside the payee's bounds"},
                      PayeeCase{"NotAPayRequest", Behaviour::kWrongTag, true, "not payRequest"}),
    [](const ::testing::TestParamInfo<PayeeCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace coordinator_trade_test
