// Disputes between real processes: coordinatord (lnd backend → the simln daemon), two robots
// over HTTP, the operator resolving with the `coordctl` binary over the admin API, and the
// winners withdrawing their rewards through /api/reward/ into their wallets. The coordinator's
// clock is moved by its test clock file (COORDINATORD_TEST_CLOCK_FILE) to reach the dispute
// window and the fiat exchange's expiry. The auditor reads the store after each test.
#include <sys/stat.h>

#include <fstream>

#include "tests/integration/coordinator_trade/trade_fixture.h"
#include "tests/support/auditor.h"

namespace coordinator_trade_test {
namespace {

const std::string kStatement(120, 'x');

class Dispute : public CoordinatorTrade {
 protected:
  void BeforeCoordinatord() override {
    m_resolver_file = m_dir + "/alice-resolver.token";
    m_solver_file = m_dir + "/bob-solver.token";
    for (const auto& [file, token] : {std::pair{m_resolver_file, std::string(40, 'r')},
                                      std::pair{m_solver_file, std::string(40, 's')}}) {
      std::ofstream(file) << token << "\n";
      ::chmod(file.c_str(), 0600);
    }
    m_options.resolver_token_files = {m_resolver_file};
    m_options.solver_token_files = {m_solver_file};
    m_clock_file = m_dir + "/clock";
    std::ofstream(m_clock_file) << 0;
    m_options.clock_file = m_clock_file;
  }

  void MoveClock(int64_t seconds) {
    m_clock_ahead_s += seconds;
    std::ofstream(m_clock_file) << m_clock_ahead_s;
    std::this_thread::sleep_for(150ms);  // the coordinator re-reads the file every 50 ms
  }

  // `coordctl` as an operator runs it; returns its exit code and stdout.
  std::pair<int, std::string> Coordctl(const std::vector<std::string>& args, const std::string& token_file) {
    std::vector<std::string> argv = {testsupport::BinaryPath("coordctl"), "--endpoint", m_coordinatord->operator_url(),
                                     "--token-file", token_file};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = testsupport::Process::Start(argv, m_dir + "/coordctl.log");
    std::string out;
    while (auto line = p->ReadLine(kWait)) out += *line + "\n";
    auto code = p->Wait(kWait);
    return {code.value_or(-1), out};
  }

  // A sell order of "robot" (alice's wallet) taken by "other" (bob's), in the chat; with
  // `fiat_sent` the buyer confirmed.
  int64_t TradeInChat(bool fiat_sent) {
    RegisterRobots();
    auto& seller = T("robot");
    auto& buyer = T("other");
    int64_t id = MakeAndPublish(
        seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
    TakeAndLock(buyer, id, "");
    LockEscrow(seller, id);
    WaitStatus(*buyer.robot, id, 8);
    SubmitInvoice(buyer, id);
    WaitStatus(*buyer.robot, id, 9);
    if (fiat_sent) {
      EXPECT_EQ(Act(*buyer.robot, id, {{"action", "confirm"}}).value("status", -1), 10);
    }
    return id;
  }

  // Withdraws `r`'s whole balance into its wallet (the RoboSats client sends no budget).
  void Withdraw(Trader& r) {
    json me = Call(*r.robot, "GET", "/api/robot/");
    const int64_t balance = me.value("earned_rewards", int64_t{0});
    ASSERT_GT(balance, 0) << me.dump();
    const int64_t before = r.wallet->LocalSats().value_or(-1);
    auto invoice = r.wallet->Invoice(balance, "rewards", m_clock_ahead_s + 3600);  // alive on the moved clock
    ASSERT_TRUE(invoice.ok());
    auto reply = r.robot->Post("/api/reward/", {{"invoice", r.key->ClearSign(invoice->payment_request)}});
    EXPECT_EQ(reply.status, 200) << reply.Describe();
    EXPECT_EQ(reply.json.value("successful_withdrawal", false), true) << reply.Describe();
    EXPECT_TRUE(testsupport::WaitUntil([&] { return r.wallet->LocalSats() == before + balance; }, kWait));
    EXPECT_EQ(Call(*r.robot, "GET", "/api/robot/").value("earned_rewards", -1), 0);
  }

  void Audit() {
    auto report = testsupport::AuditStoreAgainstNode(m_dir + "/data/coordinator.db", *m_coord_node, kWait);
    EXPECT_TRUE(report.ok()) << report.Describe();
  }

  std::string m_resolver_file, m_solver_file, m_clock_file;
};

struct Case {
  const char* outcome;
  bool fiat_sent;     // opened from 10 (else from 9)
  bool buyer_opens;
  int final_status;
};

class DisputeOutcome : public Dispute, public ::testing::WithParamInterface<Case> {};

TEST_P(DisputeOutcome, ResolvedWithCoordctlAndTheRewardsWithdrawn) {
  const Case c = GetParam();
  int64_t id = TradeInChat(c.fiat_sent);
  auto& seller = T("robot");
  auto& buyer = T("other");
  auto& opener = c.buyer_opens ? buyer : seller;
  // RoboSats: from 18 h before the fiat exchange's expiry.
  auto early = opener.robot->Post("/api/order/?order_id=" + std::to_string(id), {{"action", "dispute"}});
  EXPECT_EQ(early.status, 400) << early.Describe();
  EXPECT_EQ(early.json.value("error_code", 0), 1054);
  MoveClock(7 * 3600);
  EXPECT_EQ(Act(*opener.robot, id, {{"action", "dispute"}}).value("status", -1), 11);
  Act(*seller.robot, id, {{"action", "submit_statement"}, {"statement", kStatement}});
  EXPECT_EQ(Act(*buyer.robot, id, {{"action", "submit_statement"}, {"statement", kStatement}}).value("status", -1), 16);

  // The operator reads, then resolves, with coordctl.
  auto [listed, table] = Coordctl({"disputes"}, m_solver_file);
  EXPECT_EQ(listed, 0) << table;
  EXPECT_NE(table.find(std::to_string(id)), std::string::npos) << table;
  auto [shown, detail] = Coordctl({"dispute", "show", std::to_string(id)}, m_solver_file);
  EXPECT_EQ(shown, 0) << detail;
  EXPECT_NE(detail.find("statement"), std::string::npos) << detail;
  auto [refused, why] = Coordctl({"dispute", "resolve", std::to_string(id), "--outcome", c.outcome}, m_solver_file);
  EXPECT_NE(refused, 0) << "a solver resolved: " << why;
  // Custody is settled at the node right after the opening; a resolution waits for it.
  int code = -1;
  std::string out;
  testsupport::WaitUntil(
      [&] {
        std::tie(code, out) = Coordctl({"dispute", "resolve", std::to_string(id), "--outcome", c.outcome, "--note",
                                        "test"},
                                       m_resolver_file);
        return code == 0 || out.find("being settled") == std::string::npos;
      },
      kWait);
  EXPECT_EQ(code, 0) << out;
  auto [again, twice] = Coordctl({"dispute", "resolve", std::to_string(id), "--outcome", "return_everything"},
                                 m_resolver_file);
  EXPECT_NE(again, 0) << "a second resolution was accepted: " << twice;

  if (std::string(c.outcome) == "successful_trade") {
    // The buyer is paid from custody; its payout invoice may have expired meanwhile (7 h).
    json v = WaitOrder(
        *buyer.robot, id, [](const json& v) { return v.value("status", -1) == 14 || v.value("status", -1) == 15; },
        "13→14 or 15");
    if (v.value("status", -1) == 15) {
      SubmitInvoice(buyer, id);
      WaitStatus(*buyer.robot, id, 14);
    }
    Withdraw(seller);  // the bonds came back as rewards
    Withdraw(buyer);
  } else {
    EXPECT_EQ(Call(*seller.robot, "GET", "/api/robot/").value("last_order_id", int64_t{0}), id);
    auto view = seller.robot->Get("/api/order/?order_id=" + std::to_string(id));
    if (c.final_status == 12) {
      EXPECT_EQ(view.status, 400);  // collaboratively cancelled: 1043
    } else {
      EXPECT_EQ(view.json.value("status", -1), c.final_status) << view.Describe();
    }
    for (auto* t : {&seller, &buyer}) {
      if (Call(*t->robot, "GET", "/api/robot/").value("earned_rewards", int64_t{0}) > 0) Withdraw(*t);
    }
  }
  Audit();
}

// Named in ctest's listing by its outcome (not by its bytes).
void PrintTo(const Case& c, std::ostream* os) { *os << c.outcome << (c.fiat_sent ? " from 10" : " from 9"); }

INSTANTIATE_TEST_SUITE_P(
    EveryOutcome, DisputeOutcome,
    // Each outcome from 9 and from 10, opened by the seller (maker) or the buyer (taker).
    ::testing::Values(Case{"maker_wins", false, false, 18}, Case{"maker_wins", true, true, 18},
                      Case{"taker_wins", true, true, 17}, Case{"taker_wins", false, false, 17},
                      Case{"return_everything", false, true, 12}, Case{"return_everything", true, false, 12},
                      Case{"successful_trade", true, false, 14}, Case{"successful_trade", false, true, 14}),
    [](const auto& info) { return std::string(info.param.outcome) + (info.param.fiat_sent ? "_from_10" : "_from_9"); });

// RoboSats api/logics.py automatic_dispute_resolution, at the fiat exchange's expiry.
TEST_F(Dispute, AtExpiryTheSilentSideLosesAndNobodyChattingGoesToTheOperator) {
  int64_t id = TradeInChat(/*fiat_sent=*/false);
  auto& seller = T("robot");
  auto& buyer = T("other");
  // The buyer writes; the seller (maker) never does.
  Call(*buyer.robot, "POST", "/api/chat/", {{"PGP_message", "-----BEGIN PGP MESSAGE-----\\x"}, {"order_id", id}});
  MoveClock(24 * 3600 + 60);
  json lost = WaitStatus(*buyer.robot, id, 17);  // "Maker lost dispute"
  // The reward is credited once custody has settled at the node, which may follow status 17.
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] { return Call(*buyer.robot, "GET", "/api/robot/").value("earned_rewards", int64_t{0}) > 0; }, kWait));
  Withdraw(buyer);
  (void)seller;
  Audit();
}

TEST_F(Dispute, AtExpiryWithNobodyInTheChatTheBondsWaitForTheOperator) {
  int64_t id = TradeInChat(false);
  MoveClock(24 * 3600 + 60);
  WaitStatus(*T("other").robot, id, 11);
  auto [code, out] = Coordctl({"dispute", "show", std::to_string(id)}, m_solver_file);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("the fiat exchange expired"), std::string::npos) << out;
  int rc = -1;
  std::string msg;
  testsupport::WaitUntil(
      [&] {
        std::tie(rc, msg) = Coordctl({"dispute", "resolve", std::to_string(id), "--outcome", "return_everything"},
                                     m_resolver_file);
        return rc == 0 || msg.find("being settled") == std::string::npos;
      },
      kWait);
  EXPECT_EQ(rc, 0) << msg;
  Withdraw(T("robot"));
  Withdraw(T("other"));
  Audit();
}

TEST_F(Dispute, TheAdminApiRefusesWhatItMust) {
  const std::string url = m_coordinatord->operator_url();
  // No token, a wrong one: 401. The admin routes do not exist on the public listener.
  auto none = RobotClient::Anonymous(url + "/admin/disputes/");
  EXPECT_EQ(none.status, 401) << none.Describe();
  const std::string wrong_file = m_dir + "/wrong.token";
  std::ofstream(wrong_file) << std::string(40, 'w') << "\n";
  auto [wrong, why] = Coordctl({"disputes"}, wrong_file);
  EXPECT_NE(wrong, 0) << why;
  auto on_public = RobotClient::Anonymous(m_coordinatord->api_url() + "/admin/disputes/");
  EXPECT_EQ(on_public.status, 404) << on_public.Describe();
  auto [ok, list] = Coordctl({"--json", "orders"}, m_solver_file);
  EXPECT_EQ(ok, 0) << list;
  auto [acc, accounting] = Coordctl({"accounting", "--day", "2026-01-01"}, m_solver_file);
  EXPECT_EQ(acc, 0) << accounting;
  EXPECT_NE(accounting.find("proceeds_sat"), std::string::npos) << accounting;
  // A token file others can read: the coordinator refuses to start, naming the file.
  const std::string loose = m_dir + "/loose.token";
  std::ofstream(loose) << std::string(40, 'l') << "\n";
  ::chmod(loose.c_str(), 0644);
  const std::string other_dir = m_dir + "/other";
  std::filesystem::create_directories(other_dir);
  testsupport::CoordinatordOptions o;
  o.resolver_token_files = {loose};
  auto refused = testsupport::Coordinatord::Start(other_dir, *m_simln->Node("coordinator"), o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("loose.token"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("chmod 600"), std::string::npos) << refused.error();
}

}  // namespace
}  // namespace coordinator_trade_test
