// EngineHarness: the real engine over a real SQLite store and an in-process simln network
// (a coordinator node and funded wallets), with a ManualClock. Robots have real PGP keys, and
// wallets pay the engine's hold invoices through their own simulated nodes.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>

#include "coordinator/engine.h"
#include "coordinator/store/store.h"
#include "escrow/hold_desk.h"
#include "escrow/payout_desk.h"
#include "escrow/simln/network.h"
#include "escrow/stream_queue.h"
#include "tests/support/pgp_keys.h"
#include "tests/unit/engine/faults.h"

namespace enginetest {

using nlohmann::json;

// The RoboSats web client's default routing budget (LightningPayout.tsx: routingBudgetPPM: 1000).
inline constexpr int64_t kClientRoutingBudgetPpm = 1000;

class FixedRates : public coordinator::RateSource {
 public:
  std::optional<double> Rate(int currency) const override {
    std::lock_guard lock(mu);
    auto it = rates.find(currency);
    if (it == rates.end()) return std::nullopt;
    return it->second;
  }
  void Set(int currency, double rate) {
    std::lock_guard lock(mu);
    rates[currency] = rate;  // NOLINT: test setter
  }
  mutable std::mutex mu;
  std::map<int, double> rates{{1, 100000.0}, {2, 90000.0}};
};

struct TestRobot {
  std::string name;
  coordinator::Auth auth;
  std::unique_ptr<testsupport::PgpKey> key;
  std::string wallet;  // simln node paying for this robot
};

class EngineHarness : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Opens the simulated network (creating it on first use) on the test's files.
  void OpenNetwork();
  void CloseNetwork();
  // Starts (or restarts, on the same files) the coordinator side.
  void StartCoordinator();
  void StopCoordinator();

  TestRobot& Robot(const std::string& name, const std::string& wallet);
  base::Result<json> Call(const TestRobot& r, coordinator::Command cmd);
  json Ok(const TestRobot& r, coordinator::Command cmd);  // ASSERTs success
  json Order(const TestRobot& r, int64_t id) { return Ok(r, coordinator::GetOrderCmd{id}); }

  // The wallet pays `payreq` (a hold invoice stays in flight until the engine decides).
  void Pay(const std::string& wallet, const std::string& payreq);
  // Waits (bounded) until the order seen by `r` has `status`; returns the view.
  json WaitStatus(const TestRobot& r, int64_t id, int status);
  // Waits (bounded) until the view of the order seen by `r` has `field` (e.g. the escrow
  // invoice, which the node creates just after the status changed).
  json WaitField(const TestRobot& r, int64_t id, const std::string& field);
  // A regular invoice of `sats` from the robot's wallet, signed by the robot's key.
  std::string SignedInvoice(const TestRobot& r, int64_t sats, std::string* payreq_out = nullptr,
                            int64_t expiry_seconds = 3600, uint64_t cltv_expiry = 0);
  // The hold invoice row of the order's escrow (through a read connection).
  coordinator::HoldInvoice StoredHold(int64_t hold_id);
  void Advance(std::chrono::seconds s);
  int64_t LocalSats(const std::string& node);
  // The node's local balance once it equals `expected` (bounded wait: the engine's node calls
  // run on the desks' threads), or the last value seen.
  int64_t SatsWhenSettled(const std::string& node, int64_t expected);

  // Makes an order by `maker`, locks its bond (status 1); returns its id.
  int64_t MakePublic(TestRobot& maker, coordinator::MakeCmd cmd);
  // `taker` takes and locks its bond: the order reaches 6.
  void TakeAndLock(TestRobot& taker, int64_t id, const std::string& amount = "");
  // The seller locks the escrow (status 6 → 8 or 7 → 9).
  void LockEscrow(TestRobot& seller, int64_t id);
  // The buyer submits a correct signed invoice for the routing budget `ppm` (the RoboSats
  // client's default is 1000), for the amount the client computes.
  void SubmitInvoice(TestRobot& buyer, int64_t id, int64_t ppm = kClientRoutingBudgetPpm);
  // The order's view as `r` sees it, or — when RoboSats' rules answer an error (1043 cancelled,
  // 1044 not available) — {"id", "status" (from the store), "error_code"}.
  json ViewOrStatus(const TestRobot& r, int64_t id);
  int StoredStatus(int64_t id);
  int64_t EarnedRewards(const TestRobot& r) { return Ok(r, coordinator::GetRobotCmd{})["earned_rewards"]; }
  // The robot's rewards once they equal `expected` (bounded wait), or the last value seen.
  int64_t RewardsWhenSettled(const TestRobot& r, int64_t expected);

  // Money rules: per order, in = out + proceeds (+ custody); no hold invoice left ACCEPTED
  // on the node for a finished order; the network conserves its total.
  void CheckConservation();

  std::string m_dir;
  base::ManualClock m_clock;
  FixedRates m_rates;
  coordinator::TradeParams m_params;
  coordinator::DevTaxParams m_dev_tax;  // passed to the engine by StartCoordinator
  // Makes the engine's Lightning-address invoice source at each StartCoordinator (destroyed by
  // StopCoordinator after the engine stopped). Empty: none.
  std::function<std::unique_ptr<coordinator::DevTaxInvoiceSource>()> m_make_dev_tax_invoices;
  std::unique_ptr<coordinator::DevTaxInvoiceSource> m_dev_tax_invoices;
  std::unique_ptr<escrow::simln::Network> m_net;
  std::unique_ptr<escrow::LightningNode> m_coord_node;
  std::map<std::string, std::unique_ptr<escrow::LightningNode>> m_wallets;
  std::vector<std::unique_ptr<escrow::Subscription>> m_payments;
  std::unique_ptr<coordinator::Store> m_store;  // a FaultyStore over the real one
  FaultyStore* m_faulty_store = nullptr;
  FaultyNode* m_faulty_node = nullptr;          // m_coord_node
  std::unique_ptr<escrow::HoldDesk> m_holds;
  std::unique_ptr<escrow::PayoutDesk> m_payouts;
  std::unique_ptr<coordinator::Engine> m_engine;
  std::map<std::string, TestRobot> m_robots;
  int64_t m_total_msat = 0;
  std::string m_crash_point;  // passed to the engine by StartCoordinator
  // What the engine is told of the node's reachability (a NodeMonitor in coordinatord), and its
  // outage options; both passed by StartCoordinator.
  std::atomic<bool> m_node_up{true};
  coordinator::OutageParams m_outage;
  const escrow::crypto::Signer* m_nostr_key = nullptr;  // passed to the engine likewise
};

// The payout invoice amount the client asks its wallet for.
int64_t ClientInvoiceSats(int64_t invoice_amount, int64_t ppm);

coordinator::MakeCmd SellOrder(const std::string& amount_usd);
coordinator::MakeCmd BuyOrder(const std::string& amount_usd);

}  // namespace enginetest
