// The fixture of the multi-process trade tests: the simln daemon playing LND, coordinatord
// with lightning.backend: lnd pointed at it, robots with gpg-made keys (tests/unit/identity/
// fixtures) and their wallets, and the trade steps as a RoboSats client takes them over HTTP.
// Every response is checked against RoboSats' OpenAPI document (contract.h).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "tests/integration/coordinator_trade/contract.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/pgp_keys.h"
#include "tests/support/robot_client.h"
#include "tests/support/test_support.h"

namespace coordinator_trade_test {

using namespace std::chrono_literals;
using nlohmann::json;
using testsupport::RobotClient;
using testsupport::Wallet;

// The RoboSats web client's default routing budget and its arithmetic for the invoice amount
// (frontend/src/components/TradeBox/Forms/LightningPayout.tsx: routingBudgetPPM: 1000;
// Math.floor(tradeAmount - tradeAmount * (routingBudgetPPM / 1000000))).
constexpr int64_t kClientRoutingBudgetPpm = 1000;
inline int64_t ClientInvoiceSats(int64_t invoice_amount, int64_t ppm) {
  const double n = static_cast<double>(invoice_amount);
  return static_cast<int64_t>(std::floor(n - n * (static_cast<double>(ppm) / 1000000.0)));
}

constexpr auto kWait = 60s;                  // bound of every wait for the coordinator or a node
constexpr int64_t kChannelSat = 10'000'000;  // each side of each wallet's channel

struct Trader {
  std::unique_ptr<RobotClient> robot;
  std::unique_ptr<testsupport::PgpKey> key;  // signs payout invoices, as clients do
  std::unique_ptr<Wallet> wallet;
};

class CoordinatorTrade : public ::testing::Test {
 protected:
  // How coordinatord is started; a test adjusts it in BeforeCoordinatord (m_dir exists then).
  testsupport::CoordinatordOptions m_options;
  // The simln daemon's wallets besides the coordinator (a test may add some in its constructor).
  std::vector<std::string> m_wallet_names{"alice", "bob"};
  // simln's --log-level ("" = its default, info).
  std::string m_simln_log_level;
  // More nodes and channels of the simulated network (a test may set them in its constructor).
  testsupport::NetworkExtras m_network_extras;
  virtual void BeforeCoordinatord() {}

  void SetUp() override {
    m_dir = testsupport::MakeTempDir("coordinator-trade");
    auto simln = testsupport::SimlnDaemon::StartWithCoordinators(m_dir, {"coordinator"}, m_wallet_names, kChannelSat,
                                                                 m_simln_log_level, m_network_extras);
    ASSERT_TRUE(simln.ok()) << simln.error();
    m_simln = std::move(simln.value());
    auto coord_node = m_simln->Connect("coordinator");
    ASSERT_TRUE(coord_node.ok()) << coord_node.error();
    m_coord_node = std::move(coord_node.value());
    BeforeCoordinatord();
    auto coordinatord = testsupport::Coordinatord::Start(m_dir, *m_simln->Node("coordinator"), m_options);
    ASSERT_TRUE(coordinatord.ok()) << coordinatord.error();
    m_coordinatord = std::move(coordinatord.value());
    // "robot" trades from alice's node, "other" from bob's.
    AddTrader("robot", "alice");
    AddTrader("other", "bob");
  }

  void TearDown() override {
    if (m_coordinatord) {
      EXPECT_EQ(m_coordinatord->Stop(kWait), std::optional<int>(0)) << "coordinatord did not stop cleanly";
    }
    m_traders.clear();  // wallets' streams before the node goes
    m_coord_node.reset();
    if (m_simln) {
      EXPECT_EQ(m_simln->Stop(kWait), std::optional<int>(0)) << "simln did not stop cleanly";
    }
    m_contract.Report();
    if (HasFailure()) {
      std::cerr << "logs and state kept in " << m_dir << "\n";
    } else {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    }
  }

  void AddTrader(const std::string& name, const std::string& wallet) {
    auto fixture = testsupport::LoadFixtureRobot(name);
    Trader t;
    t.robot = std::make_unique<RobotClient>(
        m_coordinatord->api_url(),
        testsupport::RobotKeys{fixture.token, fixture.public_armored, fixture.secret_armored});
    t.key = testsupport::PgpKey::Import(fixture.public_armored, fixture.secret_armored, fixture.token);
    auto node = m_simln->Connect(wallet);
    ASSERT_TRUE(node.ok()) << node.error();
    t.wallet = std::make_unique<Wallet>(wallet, std::move(node.value()));
    m_traders.emplace(name, std::move(t));
  }
  Trader& T(const std::string& name) { return m_traders.at(name); }

  // How far a test moved the coordinator's clock ahead of the nodes' (real) one.
  int64_t m_clock_ahead_s = 0;

  // One call as `robot`, its answer checked against the document.
  json Call(RobotClient& robot, const std::string& method, const std::string& path,
            const json& body = nullptr) {
    auto reply = method == "GET" ? robot.Get(path) : robot.Post(path, body);
    EXPECT_TRUE(reply.ok()) << method << " " << path << " → " << reply.Describe()
                            << " (the call before: " << m_last << ")";
    m_last = method + " " + path + " → " + std::to_string(reply.status);
    m_contract.Check(method, path, reply);
    return reply.json.is_discarded() ? json::object() : reply.json;
  }
  json Order(RobotClient& robot, int64_t id) {
    return Call(robot, "GET", "/api/order/?order_id=" + std::to_string(id));
  }
  json Act(RobotClient& robot, int64_t id, json body) {
    return Call(robot, "POST", "/api/order/?order_id=" + std::to_string(id), body);
  }

  // Polls the order as `robot` sees it until `done(view)`; every view is checked.
  template <class Done>
  json WaitOrder(RobotClient& robot, int64_t id, Done done, const std::string& what) {
    json view;
    bool reached = testsupport::WaitUntil(
        [&] {
          view = Order(robot, id);
          return done(view);
        },
        kWait);
    EXPECT_TRUE(reached) << "order " << id << " never reached " << what << "; last view: " << view.dump();
    return view;
  }
  json WaitStatus(RobotClient& robot, int64_t id, int status) {
    return WaitOrder(
        robot, id, [status](const json& v) { return v.value("status", -1) == status; },
        "status " + std::to_string(status));
  }
  json WaitField(RobotClient& robot, int64_t id, const std::string& field) {
    return WaitOrder(
        robot, id, [&field](const json& v) { return v.contains(field); }, "a view with " + field);
  }

  void PublicEndpoints(int expected_public_orders) {
    const std::string url = m_coordinatord->api_url();
    auto info = RobotClient::Anonymous(url + "/api/info/");
    ASSERT_EQ(info.status, 200) << info.Describe();
    m_contract.Check("GET", "/api/info/", info);
    EXPECT_EQ(info.json.value("num_public_buy_orders", -1) + info.json.value("num_public_sell_orders", -1),
              expected_public_orders);
    EXPECT_EQ(info.json.value("node_id", ""), m_simln->Node("coordinator")->pubkey);
    EXPECT_EQ(info.json.value("network", ""), "regtest");
    for (const char* path : {"/api/limits/", "/api/price/"}) {
      auto reply = RobotClient::Anonymous(url + path);
      ASSERT_EQ(reply.status, 200) << path << " " << reply.Describe();
      m_contract.Check("GET", path, reply);
    }
  }

  // Both robots register (their first request carries the keys) and see their profile.
  void RegisterRobots() {
    for (const char* name : {"robot", "other"}) {
      auto& r = *T(name).robot;
      json me = Call(r, "GET", "/api/robot/");
      EXPECT_EQ(me.value("hash_id", ""), r.hash_id());
      EXPECT_EQ(me.value("nostr_pubkey", ""), r.nostr_pubkey());
      EXPECT_FALSE(me.contains("active_order_id")) << me.dump();
      EXPECT_EQ(me.value("earned_rewards", -1), 0);
      // Without the keys now: the token alone finds the robot.
      EXPECT_EQ(r.AuthorizationHeader().find(" | Public "), std::string::npos);
      EXPECT_EQ(Call(r, "GET", "/api/robot/").value("hash_id", ""), r.hash_id());
    }
  }

  // The maker makes, pays the bond from their wallet, and the order is in the book.
  int64_t MakeAndPublish(Trader& maker, const json& order) {
    json made = Call(*maker.robot, "POST", "/api/make/", order);
    int64_t id = made.value("id", int64_t{0});
    EXPECT_GT(id, 0) << made.dump();
    EXPECT_EQ(made.value("status", -1), 0);
    json view = WaitField(*maker.robot, id, "bond_invoice");
    EXPECT_TRUE(view.value("is_maker", false));
    std::string bond = view.value("bond_invoice", "");
    m_invoices.insert(bond);
    EXPECT_TRUE(maker.wallet->Pay(bond));
    WaitStatus(*maker.robot, id, 1);
    auto book = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/book/?currency=1&type=2");
    EXPECT_EQ(book.status, 200) << book.Describe();
    m_contract.Check("GET", "/api/book/", book);
    bool listed = false;
    for (const auto& e : book.json.is_array() ? book.json : json::array())
      listed |= e.value("id", int64_t{0}) == id;
    EXPECT_TRUE(listed) << book.Describe();
    return id;
  }

  // The taker sees the public order, takes it (with `amount` for a range) and pays the bond.
  void TakeAndLock(Trader& taker, int64_t id, const std::string& amount) {
    json seen = Order(*taker.robot, id);
    EXPECT_FALSE(seen.value("is_participant", true)) << seen.dump();
    json body = {{"action", "take"}};
    if (!amount.empty()) body["amount"] = amount;
    json taken = Act(*taker.robot, id, body);
    EXPECT_EQ(taken.value("status", -1), 3) << taken.dump();
    json view = taken.contains("bond_invoice") ? taken : WaitField(*taker.robot, id, "bond_invoice");
    std::string bond = view.value("bond_invoice", "");
    m_invoices.insert(bond);
    EXPECT_TRUE(taker.wallet->Pay(bond));
    WaitStatus(*taker.robot, id, 6);
  }

  // The seller locks the escrow from their wallet; returns the escrow's sats.
  int64_t LockEscrow(Trader& seller, int64_t id) {
    json view = WaitField(*seller.robot, id, "escrow_invoice");
    EXPECT_TRUE(view.value("is_seller", false));
    std::string escrow = view.value("escrow_invoice", "");
    m_invoices.insert(escrow);
    EXPECT_TRUE(seller.wallet->Pay(escrow));
    json locked = WaitOrder(
        *seller.robot, id, [](const json& v) { return v.value("escrow_locked", false); }, "escrow_locked");
    return locked.value("escrow_satoshis", int64_t{0});
  }

  // The buyer submits a payout invoice from their wallet, PGP-signed, for a routing budget of
  // `ppm` (the RoboSats client's default: 1000) and of the amount the client asks its wallet
  // for; returns its payment request.
  std::string SubmitInvoice(Trader& buyer, int64_t id, int64_t ppm = kClientRoutingBudgetPpm) {
    json view = WaitField(*buyer.robot, id, "invoice_amount");
    EXPECT_TRUE(view.value("is_buyer", false));
    int64_t amount = view.value("invoice_amount", int64_t{0});
    EXPECT_GT(amount, 0);
    // Alive for an hour on the coordinator's clock, which a test may have moved ahead.
    auto invoice = buyer.wallet->Invoice(ClientInvoiceSats(amount, ppm), "RoboSats payout", m_clock_ahead_s + 3600);
    EXPECT_TRUE(invoice.ok()) << (invoice.ok() ? "" : invoice.error().message);
    if (!invoice.ok()) return "";
    Act(*buyer.robot, id,
        {{"action", "update_invoice"},
         {"invoice", buyer.key->ClearSign(invoice->payment_request)},
         {"routing_budget_ppm", ppm}});
    return invoice->payment_request;
  }

  // Fiat sent, fiat received: the buyer confirms, then the seller, and the buyer is paid.
  json ConfirmBoth(Trader& buyer, Trader& seller, int64_t id) {
    WaitStatus(*buyer.robot, id, 9);
    EXPECT_EQ(Act(*buyer.robot, id, {{"action", "confirm"}}).value("status", -1), 10);
    int after = Act(*seller.robot, id, {{"action", "confirm"}}).value("status", -1);
    EXPECT_TRUE(after == 13 || after == 14) << after;
    WaitStatus(*seller.robot, id, 14);
    return WaitStatus(*buyer.robot, id, 14);
  }

  // The end of a trade: balances moved by exactly the payout and the escrow, the payout
  // invoice settled once, no hold invoice of the trade left OPEN or ACCEPTED on the node.
  void CheckMoney(Trader& buyer, int64_t buyer0, int64_t payout, const std::string& payout_payreq,
                  Trader& seller, int64_t seller0, int64_t escrow) {
    EXPECT_TRUE(testsupport::WaitUntil(
        [&] {
          return buyer.wallet->LocalSats() == buyer0 + payout &&
                 seller.wallet->LocalSats() == seller0 - escrow;
        },
        kWait));
    EXPECT_EQ(buyer.wallet->LocalSats(), buyer0 + payout) << "the buyer's bond back and the payout, once";
    EXPECT_EQ(seller.wallet->LocalSats(), seller0 - escrow) << "the seller's bond back, the escrow gone";
    auto hash = testsupport::PaymentHashOf(payout_payreq);
    ASSERT_TRUE(hash.has_value());
    auto paid = buyer.wallet->node().LookupInvoice(*hash);
    ASSERT_TRUE(paid.ok()) << paid.error().message;
    EXPECT_EQ(paid->state, escrow::InvoiceState::kSettled);
    EXPECT_EQ(paid->amt_paid_msat, payout * 1000);
    for (const auto& payreq : m_invoices) {
      auto h = testsupport::PaymentHashOf(payreq);
      ASSERT_TRUE(h.has_value()) << payreq;
      std::string state;
      EXPECT_TRUE(testsupport::WaitUntil(
          [&] {
            auto inv = m_coord_node->LookupInvoice(*h);
            state = inv.ok() ? escrow::InvoiceStateName(inv->state) : inv.error().message;
            return state == "SETTLED" || state == "CANCELED";
          },
          kWait))
          << "hold invoice " << payreq.substr(0, 24) << "… left " << state;
    }
  }

  std::string m_dir;
  std::unique_ptr<testsupport::SimlnDaemon> m_simln;
  std::unique_ptr<escrow::LightningNode> m_coord_node;
  std::unique_ptr<testsupport::Coordinatord> m_coordinatord;
  std::map<std::string, Trader> m_traders;
  std::set<std::string> m_invoices;  // every hold invoice of the coordinator we saw
  Contract m_contract;
  std::string m_last;  // the previous call, for failure messages
};

}  // namespace coordinator_trade_test
