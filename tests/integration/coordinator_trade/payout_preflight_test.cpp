// Payout preflight and payouts in flight, between real processes: coordinatord (lnd backend)
// probes every payout and reward invoice on the simln daemon (POST /v2/router/route/estimatefee)
// before accepting it, and a payout the node holds in flight is shown to the buyer, the
// operator (admin API via coordctl, metrics) and the log.
//
// The network, besides the coordinator's channels to alice and bob:
//   carol                                  no channel at all: no route to her
//   coordinator ── alice ── dave           alice forwards to dave at 1 sat + 5000 ppm
//   coordinator ── alice ── erin           alice's channel to erin has a 1000-block cltv_delta
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "tests/integration/coordinator_trade/trade_fixture.h"

namespace coordinator_trade_test {
namespace {

constexpr int64_t kThreeDays = 3 * 86400;  // covers the fiat window (24 h) and the retries

class PayoutPreflight : public CoordinatorTrade {
 protected:
  PayoutPreflight() {
    m_network_extras.nodes = {"carol", "dave", "erin"};
    m_network_extras.channels = {
        "{node_a: alice, node_b: dave, a_balance_sat: 1000000, b_balance_sat: 1000000, base_fee_msat: 1000, "
        "fee_rate_ppm: 5000}",
        "{node_a: alice, node_b: erin, a_balance_sat: 1000000, b_balance_sat: 1000000, cltv_delta: 1000}",
    };
  }

  void BeforeCoordinatord() override {
    m_options.payout_yaml = "invoice_expiry: cover_fiat_window, in_flight_alert_s: 600";
    m_solver_file = m_dir + "/solver.token";
    std::ofstream(m_solver_file) << std::string(40, 's') << "\n";
    ::chmod(m_solver_file.c_str(), 0600);
    m_options.solver_token_files = {m_solver_file};
    m_clock_file = m_dir + "/clock";
    std::ofstream(m_clock_file) << 0;
    m_options.clock_file = m_clock_file;
  }

  std::unique_ptr<escrow::LightningNode> Node(const std::string& name) {
    auto node = m_simln->Connect(name);
    EXPECT_TRUE(node.ok()) << node.error();
    return node.ok() ? std::move(node.value()) : nullptr;
  }

  // A regular invoice of `node` for `sats`, alive `expiry_s`.
  std::string InvoiceOf(escrow::LightningNode& node, int64_t sats, int64_t expiry_s) {
    escrow::InvoiceRequest req;
    req.value_msat = sats * 1000;
    req.memo = "payout";
    req.expiry_seconds = expiry_s;
    auto added = node.AddInvoice(req);
    EXPECT_TRUE(added.ok()) << (added ? "" : added.error().message);
    return added ? added->payment_request : std::string();
  }

  // update_invoice as the RoboSats client sends it; the raw answer (a refusal is not a failure).
  testsupport::ApiReply Submit(Trader& buyer, int64_t id, const std::string& payreq, int64_t ppm) {
    const std::string path = "/api/order/?order_id=" + std::to_string(id);
    auto reply = buyer.robot->Post(
        path, {{"action", "update_invoice"}, {"invoice", buyer.key->ClearSign(payreq)}, {"routing_budget_ppm", ppm}});
    m_contract.Check("POST", path, reply);
    return reply;
  }

  // A sell order of "robot" (alice's wallet) taken by "other" (bob's), escrow locked: the buyer
  // owes the invoice (8). Returns the order id and the invoice amount for `ppm`.
  std::pair<int64_t, int64_t> TradeWaitingForInvoice() {
    RegisterRobots();
    auto& seller = T("robot");
    auto& buyer = T("other");
    int64_t id = MakeAndPublish(
        seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
    TakeAndLock(buyer, id, "");
    LockEscrow(seller, id);
    json view = WaitStatus(*buyer.robot, id, 8);
    return {id, view.value("invoice_amount", int64_t{0})};
  }

  std::pair<int, std::string> Coordctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {testsupport::BinaryPath("coordctl"), "--endpoint", m_coordinatord->operator_url(),
                                     "--token-file", m_solver_file};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = testsupport::Process::Start(argv, m_dir + "/coordctl.log");
    std::string out;
    while (auto line = p->ReadLine(kWait)) out += *line + "\n";
    auto code = p->Wait(kWait);
    return {code.value_or(-1), out};
  }

  void MoveClock(int64_t seconds) {
    m_clock_ahead_s += seconds;
    std::ofstream(m_clock_file) << m_clock_ahead_s;
    std::this_thread::sleep_for(150ms);  // the coordinator re-reads the file every 50 ms
  }

  std::string m_solver_file, m_clock_file;
};

std::string BadInvoice(const testsupport::ApiReply& reply) {
  return reply.json.is_object() ? reply.json.value("bad_invoice", "") : "";
}

TEST_F(PayoutPreflight, UnpayablePayoutInvoicesAreRefusedAtSubmissionWithTheirReason) {
  auto [id, amount] = TradeWaitingForInvoice();
  ASSERT_GT(amount, 0);
  auto& buyer = T("other");
  const int64_t sats = ClientInvoiceSats(amount, kClientRoutingBudgetPpm);
  auto carol = Node("carol");
  auto dave = Node("dave");
  auto erin = Node("erin");
  ASSERT_TRUE(carol && dave && erin);

  // No route: carol has no channel.
  auto no_route = Submit(buyer, id, InvoiceOf(*carol, sats, kThreeDays), kClientRoutingBudgetPpm);
  EXPECT_EQ(no_route.status, 400) << no_route.Describe();
  EXPECT_EQ(no_route.json.value("error_code", 0), 3004);
  EXPECT_NE(BadInvoice(no_route).find("no route"), std::string::npos) << no_route.Describe();

  // Beyond the budget: alice charges 0.5 % to reach dave; 1000 ppm is too little, and the
  // answer names the budget that would do.
  auto costly = Submit(buyer, id, InvoiceOf(*dave, sats, kThreeDays), kClientRoutingBudgetPpm);
  EXPECT_EQ(costly.status, 400) << costly.Describe();
  const std::string why = BadInvoice(costly);
  EXPECT_NE(why.find("budget is too small"), std::string::npos) << costly.Describe();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(why, m, std::regex("A routing budget of ([0-9]+) ppm"))) << why;
  const int64_t needed_ppm = std::stoll(m[1]);
  EXPECT_GT(needed_ppm, 4900);  // about 0.5 % of the payout (the fee is taken of the smaller invoice)
  EXPECT_LT(needed_ppm, 5200);

  // A route whose time lock is over the limit (1000 blocks at alice + the final CLTV > 1008).
  auto long_lock = Submit(buyer, id, InvoiceOf(*erin, sats, kThreeDays), kClientRoutingBudgetPpm);
  EXPECT_EQ(long_lock.status, 400) << long_lock.Describe();
  EXPECT_NE(BadInvoice(long_lock).find("blocks"), std::string::npos) << long_lock.Describe();

  // Expires too soon for the fiat window: a wallet's usual one-hour invoice.
  auto short_lived = Submit(buyer, id, InvoiceOf(buyer.wallet->node(), sats, 3600), kClientRoutingBudgetPpm);
  EXPECT_EQ(short_lived.status, 400) << short_lived.Describe();
  EXPECT_NE(BadInvoice(short_lived).find("expires too soon"), std::string::npos) << short_lived.Describe();
  EXPECT_EQ(Order(*buyer.robot, id).value("status", -1), 8) << "nothing was accepted";

  // Dave's invoice with the budget the refusal named: accepted, and the trade pays it.
  const int64_t dave_sats = ClientInvoiceSats(amount, needed_ppm);
  const std::string dave_payreq = InvoiceOf(*dave, dave_sats, kThreeDays);
  auto accepted = Submit(buyer, id, dave_payreq, needed_ppm);
  EXPECT_EQ(accepted.status, 200) << accepted.Describe();
  EXPECT_EQ(accepted.json.value("status", -1), 9) << accepted.Describe();
  ConfirmBoth(buyer, T("robot"), id);
  auto hash = testsupport::PaymentHashOf(dave_payreq);
  ASSERT_TRUE(hash);
  auto paid = dave->LookupInvoice(*hash);
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->state, escrow::InvoiceState::kSettled) << "the suggested budget was enough";
}

TEST_F(PayoutPreflight, AGoodPayoutInvoiceIsAccepted) {
  auto [id, amount] = TradeWaitingForInvoice();
  auto& buyer = T("other");
  auto good = Submit(buyer, id,
                     InvoiceOf(buyer.wallet->node(), ClientInvoiceSats(amount, kClientRoutingBudgetPpm), kThreeDays),
                     kClientRoutingBudgetPpm);
  EXPECT_EQ(good.status, 200) << good.Describe();
  EXPECT_EQ(good.json.value("status", -1), 9);
}

TEST_F(PayoutPreflight, UnpayableRewardInvoicesAreRefusedAndAGoodOneIsPaid) {
  // The taker cancels after the take: its bond is forfeited, half of it credited to the maker.
  RegisterRobots();
  auto& maker = T("robot");
  auto& taker = T("other");
  int64_t id = MakeAndPublish(
      maker, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  TakeAndLock(taker, id, "");
  Act(*taker.robot, id, {{"action", "cancel"}});
  int64_t balance = 0;
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return (balance = Call(*maker.robot, "GET", "/api/robot/").value("earned_rewards", int64_t{0})) > 0; },
      kWait));
  auto carol = Node("carol");
  auto dave = Node("dave");
  ASSERT_TRUE(carol && dave);
  const int64_t sats = ClientInvoiceSats(balance, kClientRoutingBudgetPpm);
  auto withdraw = [&](const std::string& payreq) {
    auto reply = maker.robot->Post("/api/reward/", {{"invoice", maker.key->ClearSign(payreq)},
                                                    {"routing_budget_ppm", kClientRoutingBudgetPpm}});
    m_contract.Check("POST", "/api/reward/", reply);
    return reply;
  };

  auto no_route = withdraw(InvoiceOf(*carol, sats, 3600));
  EXPECT_EQ(no_route.status, 400) << no_route.Describe();
  EXPECT_EQ(no_route.json.value("successful_withdrawal", true), false);
  EXPECT_NE(BadInvoice(no_route).find("no route"), std::string::npos) << no_route.Describe();

  auto costly = withdraw(InvoiceOf(*dave, sats, 3600));
  EXPECT_EQ(costly.status, 400) << costly.Describe();
  EXPECT_NE(BadInvoice(costly).find("budget is too small"), std::string::npos) << costly.Describe();
  EXPECT_NE(BadInvoice(costly).find("ppm"), std::string::npos) << costly.Describe();
  EXPECT_EQ(Call(*maker.robot, "GET", "/api/robot/").value("earned_rewards", int64_t{0}), balance)
      << "a refused invoice reserves nothing";

  const int64_t before = maker.wallet->LocalSats().value_or(-1);
  auto good = withdraw(InvoiceOf(maker.wallet->node(), sats, 3600));
  EXPECT_EQ(good.status, 200) << good.Describe();
  EXPECT_EQ(good.json.value("successful_withdrawal", false), true) << good.Describe();
  EXPECT_TRUE(testsupport::WaitUntil([&] { return maker.wallet->LocalSats() == before + sats; }, kWait));
}

TEST_F(PayoutPreflight, PayoutHeldInFlightShowsInTheOrderViewWithItsAge) {
  auto [id, amount] = TradeWaitingForInvoice();
  auto& buyer = T("other");
  auto& seller = T("robot");
  auto good = Submit(buyer, id,
                     InvoiceOf(buyer.wallet->node(), ClientInvoiceSats(amount, kClientRoutingBudgetPpm), kThreeDays),
                     kClientRoutingBudgetPpm);
  ASSERT_EQ(good.status, 200) << good.Describe();
  // bob's node now swallows HTLCs: the payout stays in flight.
  ASSERT_TRUE(m_simln->SetNodeFailure("bob", "TIMEOUT").ok());
  EXPECT_EQ(Act(*buyer.robot, id, {{"action", "confirm"}}).value("status", -1), 10);
  Act(*seller.robot, id, {{"action", "confirm"}});
  json view = WaitOrder(
      *buyer.robot, id, [](const json& v) { return v.value("payout_in_flight", false); }, "payout_in_flight");
  EXPECT_EQ(view.value("status", -1), 13);
  EXPECT_FALSE(view.value("payout_in_flight_since", "").empty()) << view.dump();
  EXPECT_GE(view.value("payout_in_flight_seconds", int64_t{-1}), 0) << view.dump();

  // Not overdue yet: listed, not flagged.
  auto [code, listed] = Coordctl({"payouts"});
  EXPECT_EQ(code, 0) << listed;
  EXPECT_NE(listed.find(std::to_string(id)), std::string::npos) << listed;
  auto [code2, overdue0] = Coordctl({"payouts", "--overdue"});
  EXPECT_EQ(code2, 0);
  EXPECT_EQ(overdue0.find(std::to_string(id) + " "), std::string::npos) << overdue0;

  // An hour later on the coordinator's clock: the buyer sees its age, the operator is told.
  MoveClock(3600);
  view = WaitOrder(
      *buyer.robot, id, [](const json& v) { return v.value("payout_in_flight_seconds", int64_t{0}) >= 3600; },
      "an hour in flight");
  EXPECT_TRUE(view.value("payout_in_flight", false));
  auto admin = RobotClient::Anonymous(m_coordinatord->operator_url() + "/metrics");
  EXPECT_EQ(admin.status, 200);
  EXPECT_NE(admin.body.find("coordinator_payouts_in_flight 1"), std::string::npos) << admin.body;
  EXPECT_NE(admin.body.find("coordinator_payouts_in_flight_overdue 1"), std::string::npos);
  auto [code3, overdue1] = Coordctl({"payouts", "--overdue"});
  EXPECT_EQ(code3, 0);
  EXPECT_NE(overdue1.find(std::to_string(id)), std::string::npos) << overdue1;
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] { return testsupport::ReadFile(m_coordinatord->log_path()).find("payout in flight past its budget") !=
                   std::string::npos; },
      kWait));
  const std::string log = testsupport::ReadFile(m_coordinatord->log_path());
  size_t first = log.find("payout in flight past its budget");
  EXPECT_EQ(log.find("payout in flight past its budget", first + 1), std::string::npos) << "logged once";
  ASSERT_TRUE(m_simln->SetNodeFailure("bob", "NONE").ok());
}

}  // namespace
}  // namespace coordinator_trade_test
