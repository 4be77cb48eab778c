// Crash tests of coordinatord as a process: a sell trade runs over HTTP against coordinatord
// (lightning.backend: lnd → the simln daemon) started with COORDINATORD_CRASH_AT=<point>
// (coordinator/engine.h), so that it SIGKILLs itself at that money step — after the
// transaction that decided a settle, cancel, payment or hold invoice committed but before the
// node was called ("commit:…"), or after the node answered but before the answer was recorded
// ("node:…"). It is restarted on the same files without the crash point, the trade is driven
// to its end, and the money is checked on the nodes themselves: the buyer's wallet received
// the payout exactly once, the seller's paid the escrow exactly once (both bonds came back),
// the payout invoice is settled for its amount, and no hold invoice of the trade is left OPEN
// or ACCEPTED on the coordinator's node.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <set>

#include "escrow/crypto/sha256.h"
#include "federation/devtax/statement.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/lnurl_server.h"
#include "tests/support/microsocks.h"
#include "tests/support/pgp_keys.h"
#include "tests/support/robot_client.h"
#include "tests/support/test_support.h"

namespace coordinator_crash_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testsupport::ApiReply;
using testsupport::RobotClient;
using testsupport::Wallet;

constexpr auto kWait = 60s;  // bound of every phase (two cores shared by many builds)
constexpr int64_t kChannelSat = 10'000'000;
constexpr int kKilled = 128 + SIGKILL;  // Process::Wait's code for a SIGKILLed child

struct Trader {
  std::unique_ptr<RobotClient> robot;
  std::unique_ptr<testsupport::PgpKey> key;
  std::unique_ptr<Wallet> wallet;
};

class CrashFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("coordinator-crash");
    auto simln = testsupport::SimlnDaemon::Start(m_dir, m_wallet_names, kChannelSat);
    ASSERT_TRUE(simln.ok()) << simln.error();
    m_simln = std::move(simln.value());
    auto coord_node = m_simln->Connect("coordinator");
    ASSERT_TRUE(coord_node.ok()) << coord_node.error();
    m_coord_node = std::move(coord_node.value());
    AddTrader(m_seller, "robot", "alice");
    AddTrader(m_buyer, "other", "bob");
  }

  void TearDown() override {
    if (m_coordinatord) {
      EXPECT_EQ(m_coordinatord->Stop(kWait), std::optional<int>(0)) << "coordinatord did not stop cleanly";
    }
    m_coordinatord.reset();
    m_seller.wallet.reset();  // payment streams before the nodes go
    m_buyer.wallet.reset();
    m_coord_node.reset();
    if (m_simln) {
      EXPECT_EQ(m_simln->Stop(kWait), std::optional<int>(0)) << "simln did not stop cleanly";
    }
    if (HasFailure()) {
      std::cerr << "logs and state kept in " << m_dir << "\n";
    } else {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    }
  }

  void AddTrader(Trader& t, const std::string& robot, const std::string& wallet) {
    auto fixture = testsupport::LoadFixtureRobot(robot);
    t.robot = std::make_unique<RobotClient>(
        "http://127.0.0.1:1",
        testsupport::RobotKeys{fixture.token, fixture.public_armored, fixture.secret_armored});
    t.key = testsupport::PgpKey::Import(fixture.public_armored, fixture.secret_armored, fixture.token);
    auto node = m_simln->Connect(wallet);
    ASSERT_TRUE(node.ok()) << node.error();
    t.wallet = std::make_unique<Wallet>(wallet, std::move(node.value()));
  }

  void StartCoordinator(const std::string& crash_at) {
    m_options.crash_at = crash_at;
    auto started = testsupport::Coordinatord::Start(m_dir, *m_simln->Node("coordinator"), m_options);
    ASSERT_TRUE(started.ok()) << started.error();
    m_coordinatord = std::move(started.value());
    m_seller.robot->set_api_url(m_coordinatord->api_url());
    m_buyer.robot->set_api_url(m_coordinatord->api_url());
  }

  std::string OrderPath() const { return "/api/order/?order_id=" + std::to_string(m_id); }

  // Pays a hold invoice of the coordinator from `t`'s wallet, once per invoice.
  void PayHold(Trader& t, const json& view, const char* field) {
    std::string payreq = view.value(field, "");
    if (payreq.empty()) return;
    m_holds.insert(payreq);
    (std::string(field) == "escrow_invoice" ? m_escrow : m_bonds).insert(payreq);
    t.wallet->Pay(payreq);  // a second call for the same invoice sends nothing
  }

  // The state of an invoice on `node` ("OPEN", …), or the lookup's error.
  static std::string StateOn(escrow::LightningNode& node, const std::string& payreq) {
    auto hash = testsupport::PaymentHashOf(payreq);
    if (!hash) return "undecodable";
    auto inv = node.LookupInvoice(*hash);
    return inv.ok() ? escrow::InvoiceStateName(inv->state) : inv.error().message;
  }
  std::vector<std::string> StatesOn(escrow::LightningNode& node, const std::set<std::string>& payreqs) {
    std::vector<std::string> states;
    for (const auto& p : payreqs) states.push_back(StateOn(node, p));
    return states;
  }

  // What the nodes show while coordinatord lies dead proves where it died: "commit:" points
  // before the node was asked, "node:" points after the node did it.
  void CheckNodesAtCrash(const std::string& point) {
    auto count = [](const std::vector<std::string>& v, const char* state) {
      return std::count(v.begin(), v.end(), std::string(state));
    };
    const auto bonds = StatesOn(*m_coord_node, m_bonds);
    const auto escrow = StatesOn(*m_coord_node, m_escrow);
    const std::string payout =
        m_payout_payreq.empty() ? "none" : StateOn(m_buyer.wallet->node(), m_payout_payreq);
    const std::string seen =
        ::testing::PrintToString(bonds) + " escrow " + ::testing::PrintToString(escrow) + " payout " + payout;
    if (point == "commit:add_hold" || point == "node:add_hold") {
      EXPECT_TRUE(m_holds.empty()) << "the maker saw a bond invoice before the crash: " << seen;
    } else if (point == "commit:settle") {
      EXPECT_EQ(count(escrow, "ACCEPTED"), 1) << "the escrow must still be held: " << seen;
    } else if (point == "node:settle") {
      EXPECT_EQ(count(escrow, "SETTLED"), 1) << "the node must have settled the escrow: " << seen;
    } else if (point == "commit:cancel") {
      EXPECT_EQ(count(bonds, "ACCEPTED"), 2) << "both bonds must still be held: " << seen;
    } else if (point == "node:cancel") {
      EXPECT_GE(count(bonds, "CANCELED"), 1) << "the node must have returned a bond: " << seen;
    } else if (point == "commit:pay") {
      EXPECT_EQ(payout, "OPEN") << "the payout must not have been sent: " << seen;
    } else if (point == "node:pay") {
      EXPECT_EQ(payout, "SETTLED") << "the node must have paid the buyer: " << seen;
    }
  }

  // One step of the sell trade (the seller makes, the buyer takes), from whatever state the
  // coordinator is in, as two patient clients would do it. Returns the status the seller
  // saw, -1 if the coordinator did not answer.
  int Step() {
    RobotClient& s = *m_seller.robot;
    RobotClient& b = *m_buyer.robot;
    if (m_id == 0) {
      // The make may have been cut short by the crash: the robot's profile knows its order.
      ApiReply me = s.Get("/api/robot/");
      if (!me.ok()) return -1;
      if (me.json.contains("active_order_id")) {
        m_id = me.json.value("active_order_id", int64_t{0});
        return 0;
      }
      ApiReply made = s.Post(
          "/api/make/",
          {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
      if (made.ok()) m_id = made.json.value("id", int64_t{0});
      return made.ok() ? 0 : -1;
    }
    ApiReply sv = s.Get(OrderPath());
    if (!sv.ok()) return -1;
    const int status = sv.json.value("status", -1);
    switch (status) {
      case 0: PayHold(m_seller, sv.json, "bond_invoice"); break;
      case 1: {
        ApiReply bv = b.Get(OrderPath());
        if (bv.ok() && bv.json.value("status", -1) == 1) {
          b.Post(OrderPath(), {{"action", "take"}});
        } else if (bv.ok()) {
          PayHold(m_buyer, bv.json, "bond_invoice");
        }
        break;
      }
      case 6:
      case 7:
      case 8:
        PayHold(m_seller, sv.json, "escrow_invoice");
        if (status != 7) SubmitInvoice();
        break;
      case 9: b.Post(OrderPath(), {{"action", "confirm"}}); break;
      case 10: s.Post(OrderPath(), {{"action", "confirm"}}); break;
      default: break;
    }
    return status;
  }

  // The buyer's payout invoice: made once, submitted until the coordinator takes it.
  void SubmitInvoice() {
    RobotClient& b = *m_buyer.robot;
    ApiReply bv = b.Get(OrderPath());
    if (!bv.ok() || !bv.json.contains("invoice_amount")) return;
    if (m_payout_payreq.empty()) {
      m_payout_sats = bv.json.value("invoice_amount", int64_t{0});
      auto invoice = m_buyer.wallet->Invoice(m_payout_sats, "RoboSats payout");
      if (!invoice.ok()) return;
      m_payout_payreq = invoice->payment_request;
    }
    b.Post(OrderPath(), {{"action", "update_invoice"},
                         {"invoice", m_buyer.key->ClearSign(m_payout_payreq)},
                         {"routing_budget_ppm", 0}});
  }

  std::vector<std::string> m_wallet_names{"alice", "bob"};
  testsupport::CoordinatordOptions m_options;  // crash_at is set by StartCoordinator
  std::string m_dir;
  std::unique_ptr<testsupport::SimlnDaemon> m_simln;
  std::unique_ptr<escrow::LightningNode> m_coord_node;
  std::unique_ptr<testsupport::Coordinatord> m_coordinatord;
  Trader m_seller, m_buyer;  // the robot "robot" pays from alice, "other" from bob
  int64_t m_id = 0;
  std::set<std::string> m_holds;  // every hold invoice of the coordinator the traders paid
  std::set<std::string> m_bonds, m_escrow;
  std::string m_payout_payreq;
  int64_t m_payout_sats = 0;
};

class CoordinatorCrash : public CrashFixture, public ::testing::WithParamInterface<const char*> {};

TEST_P(CoordinatorCrash, TradeCompletesAfterRestartAndTheBuyerIsPaidExactlyOnce) {
  const std::string point = GetParam();
  const int64_t seller0 = m_seller.wallet->LocalSats().value_or(-1);
  const int64_t buyer0 = m_buyer.wallet->LocalSats().value_or(-1);
  ASSERT_EQ(seller0, kChannelSat);
  ASSERT_EQ(buyer0, kChannelSat);

  // The doomed run: trade until the crash point kills it.
  StartCoordinator(point);
  std::optional<int> exit_code;
  int last_status = -1;
  testsupport::WaitUntil(
      [&] {
        exit_code = m_coordinatord->Wait(0ms);
        if (exit_code) return true;
        last_status = Step();
        return false;
      },
      kWait, 10ms);
  ASSERT_TRUE(exit_code.has_value()) << "coordinatord never reached " << point << "; last status "
                                     << last_status;
  ASSERT_EQ(*exit_code, kKilled) << "coordinatord ended otherwise than by SIGKILL at " << point << "; see "
                                 << m_coordinatord->log_path();

  CheckNodesAtCrash(point);

  // The restart, on the same files, without the crash point: the trade must complete.
  StartCoordinator("");
  json done;
  bool finished = testsupport::WaitUntil(
      [&] {
        last_status = Step();
        if (last_status != 14) return false;
        ApiReply bv = m_buyer.robot->Get(OrderPath());
        done = bv.json;
        return bv.ok() && done.value("status", -1) == 14;
      },
      kWait, 20ms);
  ASSERT_TRUE(finished) << "the trade did not complete after the restart from " << point << "; last status "
                        << last_status;

  // Paid exactly once: the buyer's wallet holds its start plus the payout (the taker bond came
  // back), the seller's its start minus the escrow (the maker bond came back).
  const int64_t payout = done.value("num_satoshis", int64_t{0});
  EXPECT_EQ(payout, m_payout_sats);
  const int64_t escrow = m_seller.robot->Get(OrderPath())
                             .json.value("maker_summary", json::object())
                             .value("sent_sats", int64_t{0});
  EXPECT_GT(escrow, payout);
  testsupport::WaitUntil(
      [&] {
        return m_buyer.wallet->LocalSats() == buyer0 + payout &&
               m_seller.wallet->LocalSats() == seller0 - escrow;
      },
      kWait);
  EXPECT_EQ(m_buyer.wallet->LocalSats(), buyer0 + payout) << "the buyer was not paid exactly once";
  EXPECT_EQ(m_seller.wallet->LocalSats(), seller0 - escrow) << "the seller did not pay exactly the escrow";
  auto payout_hash = testsupport::PaymentHashOf(m_payout_payreq);
  ASSERT_TRUE(payout_hash.has_value());
  auto paid = m_buyer.wallet->node().LookupInvoice(*payout_hash);
  ASSERT_TRUE(paid.ok()) << paid.error().message;
  EXPECT_EQ(paid->state, escrow::InvoiceState::kSettled);
  EXPECT_EQ(paid->amt_paid_msat, payout * 1000);

  // Every hold invoice ends SETTLED (the escrow) or CANCELED (the bonds, returned).
  EXPECT_EQ(m_holds.size(), 3u) << "two bonds and an escrow";
  int settled = 0;
  for (const auto& payreq : m_holds) {
    auto hash = testsupport::PaymentHashOf(payreq);
    ASSERT_TRUE(hash.has_value()) << payreq;
    std::string state;
    EXPECT_TRUE(testsupport::WaitUntil(
        [&] {
          auto inv = m_coord_node->LookupInvoice(*hash);
          state = inv.ok() ? escrow::InvoiceStateName(inv->state) : inv.error().message;
          return state == "SETTLED" || state == "CANCELED";
        },
        kWait))
        << "a hold invoice was left " << state << " after " << point;
    settled += state == "SETTLED";
  }
  EXPECT_EQ(settled, 1) << "only the escrow is collected";
}

INSTANTIATE_TEST_SUITE_P(EveryMoneyStep, CoordinatorCrash,
                         ::testing::Values("commit:settle", "node:settle", "commit:cancel", "node:cancel",
                                           "commit:pay", "node:pay", "commit:add_hold", "node:add_hold"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == ':' ? '_' : c;
                           return name;
                         });

// The dev tax's streaming payment, SIGKILLed at each of its steps (COORDINATORD_CRASH_AT, kind
// pay_dev_tax: "decide:" inside the transaction that creates the payment and its intent,
// "commit:" after it, "fetched:" / "recorded:" around recording a Lightning address's invoice,
// "sent:" once the node reported the payment sent, "node:" after the node's answer, before it is
// recorded), to the dev node by keysend and to a Lightning address (test LNURL server through
// microsocks). After the restart the dev node's wallet has received exactly
// floor(total accrued msat / 1000) sats, in one payment: never twice, never lost.
struct DevTaxCrashCase {
  const char* point;
  bool lightning_address;
};

class DevTaxCrashOverHttp : public CrashFixture, public ::testing::WithParamInterface<DevTaxCrashCase> {
 protected:
  void SetUp() override {
    m_wallet_names.push_back("dev");
    CrashFixture::SetUp();
    if (HasFatalFailure()) return;
    auto dev = m_simln->Connect("dev");
    ASSERT_TRUE(dev.ok()) << dev.error();
    m_dev = std::make_unique<Wallet>("dev", std::move(dev.value()));
    std::string payee;
    if (GetParam().lightning_address) {
      m_socks = testsupport::Microsocks::Start(m_dir);
      ASSERT_NE(m_socks, nullptr) << "cannot start /usr/bin/microsocks (ops/setup installs it)";
      m_lnurl = std::make_unique<testsupport::LnurlServer>(
          testsupport::LnurlServer::Behaviour::kHonest, [this](int64_t msat, const std::string& description) {
            escrow::InvoiceRequest req;
            req.value_msat = msat;
            req.description_hash =
                escrow::crypto::Sha256(reinterpret_cast<const uint8_t*>(description.data()), description.size());
            auto r = m_dev->node().AddInvoice(req);
            return r.ok() ? r->payment_request : std::string();
          });
      payee = "lightning_address: \"dev@localhost:" + std::to_string(m_lnurl->port()) + "\", socks5h_proxy: \"" +
              m_socks->url() + "\", lightning_address_test_insecure: true";
    } else {
      payee = "node_pubkey: \"" + m_simln->Node("dev")->pubkey + "\"";
    }
    m_options.extra_yaml =
        "dev_tax: {share: 0.2, min_payment_sat: 1, retry_base_s: 1, retry_max_s: 2, " + payee + "}\n";
  }
  void TearDown() override {
    CrashFixture::TearDown();
    m_lnurl.reset();
    m_socks.reset();
    m_dev.reset();
  }

  std::unique_ptr<Wallet> m_dev;
  std::unique_ptr<testsupport::Microsocks> m_socks;
  std::unique_ptr<testsupport::LnurlServer> m_lnurl;
};

TEST_P(DevTaxCrashOverHttp, TheDevNodeReceivesExactlyTheAccruedSatsOnceAfterACrashAtEachStep) {
  const std::string point = GetParam().point;
  const int64_t dev0 = m_dev->LocalSats().value_or(-1);
  ASSERT_EQ(dev0, kChannelSat);

  StartCoordinator(point);
  std::optional<int> exit_code;
  int last_status = -1;
  testsupport::WaitUntil(
      [&] {
        exit_code = m_coordinatord->Wait(0ms);
        if (exit_code) return true;
        last_status = Step();
        return false;
      },
      kWait, 10ms);
  ASSERT_TRUE(exit_code.has_value()) << "coordinatord never reached " << point << "; last status " << last_status;
  ASSERT_EQ(*exit_code, kKilled) << "coordinatord ended otherwise than by SIGKILL at " << point << "; see "
                                 << m_coordinatord->log_path();
  if (point.rfind("node:", 0) == 0) {
    EXPECT_GT(m_dev->LocalSats().value_or(-1), dev0) << "the node had paid the dev fund before the crash";
  } else if (point.rfind("sent:", 0) != 0) {
    EXPECT_EQ(m_dev->LocalSats().value_or(-1), dev0) << "nothing may have left before " << point;
  }

  StartCoordinator("");
  // The trade completes, and the dev tax is paid once it is owed: until nothing is owed.
  json statements;
  int64_t accrued_msat = -1;
  bool settled = testsupport::WaitUntil(
      [&] {
        last_status = Step();
        if (last_status != 14) return false;
        auto r = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/devfund/");
        if (r.status != 200 || !r.json.is_array() || r.json.empty()) return false;
        statements = r.json;
        const json& last = statements.back()["statement"];
        accrued_msat = last.value("cumulative_accrued_msat", int64_t{-1});
        return accrued_msat > 0 && last.value("owed_sat", int64_t{-1}) == 0 &&
               m_dev->LocalSats() == dev0 + accrued_msat / 1000;
      },
      kWait, 50ms);
  ASSERT_TRUE(settled) << "after a crash at " << point << " the dev fund was not paid what accrued: "
                       << statements.dump() << " dev wallet " << m_dev->LocalSats().value_or(-1) - dev0;
  EXPECT_EQ(m_dev->LocalSats(), dev0 + accrued_msat / 1000) << "the dev node was not paid exactly once";
  // One succeeded payment, whose preimage the statement publishes and the dev node settled.
  const std::string pubkey = statements.back()["pubkey"];
  int succeeded = 0;
  for (const auto& st : statements) {
    EXPECT_TRUE(federation::VerifyDevTaxStatement(st, pubkey).empty()) << st.dump();
    for (const auto& p : st["statement"]["payments"]) {
      if (p["state"] != "succeeded") continue;
      ++succeeded;
      auto hash = escrow::crypto::Hash32FromHex(p["payment_hash"].get<std::string>());
      ASSERT_TRUE(hash.has_value());
      auto inv = m_dev->node().LookupInvoice(*hash);
      ASSERT_TRUE(inv.ok()) << inv.error().message;
      EXPECT_EQ(inv->state, escrow::InvoiceState::kSettled);
      EXPECT_EQ(inv->amt_paid_msat, p["amount_sat"].get<int64_t>() * 1000);
    }
  }
  EXPECT_EQ(succeeded, 1);
  if (m_lnurl) {
    // Before the hash was recorded a new invoice may be fetched; after it, never.
    const size_t invoices = m_lnurl->Invoices().size();
    if (point.rfind("fetched:", 0) == 0 || point.rfind("decide:", 0) == 0 || point.rfind("commit:", 0) == 0) {
      EXPECT_LE(invoices, 2u);
    } else {
      EXPECT_EQ(invoices, 1u) << "a recorded invoice must be tracked, not replaced";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryDevTaxStep, DevTaxCrashOverHttp,
    ::testing::Values(DevTaxCrashCase{"decide:pay_dev_tax", false}, DevTaxCrashCase{"commit:pay_dev_tax", false},
                      DevTaxCrashCase{"sent:pay_dev_tax", false}, DevTaxCrashCase{"node:pay_dev_tax", false},
                      DevTaxCrashCase{"decide:pay_dev_tax", true}, DevTaxCrashCase{"commit:pay_dev_tax", true},
                      DevTaxCrashCase{"fetched:pay_dev_tax", true}, DevTaxCrashCase{"recorded:pay_dev_tax", true},
                      DevTaxCrashCase{"sent:pay_dev_tax", true}, DevTaxCrashCase{"node:pay_dev_tax", true}),
    [](const ::testing::TestParamInfo<DevTaxCrashCase>& info) {
      std::string name = std::string(info.param.lightning_address ? "address_" : "keysend_") + info.param.point;
      for (char& c : name) c = c == ':' ? '_' : c;
      return name;
    });

}  // namespace
}  // namespace coordinator_crash_test
