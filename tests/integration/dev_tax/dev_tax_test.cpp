// The dev tax across processes: coordinatord on the lnd backend against the simln daemon pays
// the dev fund's node ("dev", a wallet of the daemon) by keysend over LND's REST API
// (POST /v2/router/send with dest and dest_custom_records); the statements served at
// /api/devfund/ verify against the coordinator's key and match what the dev node received.
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "federation/devtax/devfund_audit.h"
#include "federation/devtax/statement.h"
#include "tests/integration/coordinator_trade/trade_fixture.h"

namespace coordinator_trade_test {
namespace {

class DevTaxOverHttp : public CoordinatorTrade {
 protected:
  DevTaxOverHttp() { m_wallet_names.push_back("dev"); }
  void BeforeCoordinatord() override {
    m_options.extra_yaml = "dev_tax: {share: 0.25, min_payment_sat: 1, node_pubkey: \"" +
                           m_simln->Node("dev")->pubkey + "\"}\n";
  }
};

TEST_F(DevTaxOverHttp, TradeProceedsReachTheDevNodeByKeysendAndTheSignedStatementsAgree) {
  RegisterRobots();
  auto& seller = T("robot");
  auto& buyer = T("other");
  int64_t id = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  TakeAndLock(buyer, id, "");
  LockEscrow(seller, id);
  WaitStatus(*buyer.robot, id, 8);
  SubmitInvoice(buyer, id);
  ConfirmBoth(buyer, seller, id);

  auto info = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/info/");
  EXPECT_EQ(info.json.value("dev_tax_share", -1.0), 0.25) << info.Describe();

  // The statements, until the payment is in them as succeeded (bounded).
  auto dev = m_simln->Connect("dev");
  ASSERT_TRUE(dev.ok()) << dev.error();
  json statements;
  json paid;
  for (auto deadline = std::chrono::steady_clock::now() + kWait; std::chrono::steady_clock::now() < deadline;) {
    auto r = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/devfund/");
    ASSERT_EQ(r.status, 200) << r.Describe();
    statements = r.json;
    paid = json();
    for (const auto& s : statements) {
      for (const auto& p : s["statement"]["payments"]) {
        if (p["state"] == "succeeded") paid = p;
      }
    }
    if (!paid.is_null()) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(paid.is_null()) << statements.dump();
  ASSERT_FALSE(statements.empty());
  const std::string pubkey = statements.back()["pubkey"];
  for (const auto& s : statements) {
    auto problems = federation::VerifyDevTaxStatement(s, pubkey);
    EXPECT_TRUE(problems.empty()) << json(problems).dump();
  }
  const json& st = statements.back()["statement"];
  EXPECT_EQ(st["share_ppm"], 250000);
  EXPECT_GT(st["proceeds_sat"].get<int64_t>(), 0);
  EXPECT_EQ(st["accrued_msat"], st["proceeds_sat"].get<int64_t>() * 250);
  EXPECT_EQ(paid["amount_sat"], st["accrued_msat"].get<int64_t>() / 1000);

  // devfund's verdict with read access to the dev node: everything claimed arrived.
  json entry = {{"nostrHexPubkey", pubkey}, {"badges", {{"donatesToDevFund", 25}}}};
  auto audit = federation::AuditCoordinator("test", entry, statements, [&](const std::string& hash_hex) -> std::optional<int64_t> {
    auto hash = escrow::crypto::Hash32FromHex(hash_hex);
    if (!hash) return std::nullopt;
    auto inv = dev.value()->LookupInvoice(*hash);
    if (!inv.ok() || inv->state != escrow::InvoiceState::kSettled) return std::nullopt;
    EXPECT_TRUE(inv->is_keysend);
    return inv->amt_paid_msat / 1000;
  });
  EXPECT_TRUE(audit.ok()) << federation::AuditTable({audit});
  EXPECT_EQ(audit.received_sat, paid["amount_sat"].get<int64_t>());

  // The operator's /metrics says the same (issue #11): accrued, paid, nothing failed, and what
  // is still accruing (the sub-sat remainder); valid for promtool.
  auto scrape = RobotClient::Anonymous(m_coordinatord->operator_url() + "/metrics");
  ASSERT_EQ(scrape.status, 200) << scrape.Describe();
  const std::string& text = scrape.body;
  const int64_t accrued = st["accrued_msat"].get<int64_t>();
  const int64_t amount = paid["amount_sat"].get<int64_t>();
  auto has = [&](const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; };
  EXPECT_TRUE(has("coordinator_dev_tax_accrued_msat_total " + std::to_string(accrued))) << text;
  EXPECT_TRUE(has("coordinator_dev_tax_paid_sat_total " + std::to_string(amount))) << text;
  EXPECT_TRUE(has("coordinator_dev_tax_payments_total{result=\"succeeded\"} 1")) << text;
  EXPECT_TRUE(has("coordinator_dev_tax_payments_total{result=\"failed\"} 0")) << text;
  EXPECT_TRUE(has("coordinator_dev_tax_payments_in_flight 0")) << text;
  EXPECT_TRUE(has("coordinator_dev_tax_pending_msat " + std::to_string(accrued - amount * 1000))) << text;
  EXPECT_TRUE(has("coordinator_open_intents{kind=\"pay_dev_tax\"} 0")) << text;
  EXPECT_EQ(text.find(m_simln->Node("dev")->pubkey), std::string::npos) << "the payee is no label";
  if (::access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  const std::string file = m_dir + "/metrics.txt";
  std::ofstream(file) << text;
  const std::string cmd = "/usr/bin/promtool check metrics < '" + file + "' > '" + m_dir + "/promtool.out' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << testsupport::ReadFile(m_dir + "/promtool.out");
}

}  // namespace
}  // namespace coordinator_trade_test
