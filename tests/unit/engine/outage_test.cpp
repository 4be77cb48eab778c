// Outage-aware deadlines (issue #12, item 2; coordinator/engine_outage.cpp): time the traders
// could not act in — the coordinator down (a gap between its heartbeats, found at start) or its
// node unreachable — does not count against them. Each penalising deadline kind, with the
// injected clock; the HTLC-margin rule; and the conservation audit after each.
#include "coordinator/store/store.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;
using coordinator::TakeCmd;

class Outage : public EngineHarness {
 protected:
  // The coordinator is down for `s` (stopped, the clock moves, started again on the same files).
  void DownFor(std::chrono::seconds s) {
    StopCoordinator();
    m_clock.Advance(s);
    m_net->Tick();
    StartCoordinator();
    m_engine->Tick();
    m_engine->Drain();
  }
  // The node is unreachable for `s` (as the node monitor reports it), the engine ticking.
  void NodeAwayFor(std::chrono::seconds s) {
    m_node_up = false;
    m_engine->Tick();
    m_engine->Drain();
    Advance(s);
    m_node_up = true;
    m_engine->Tick();
    m_engine->Drain();
  }
  json Info() { return json::parse(*m_engine->snapshot()->info); }
  coordinator::Order StoredOrder(int64_t id) {
    m_engine->Drain();
    auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
    EXPECT_TRUE(audit.ok());
    auto o = audit.ok() ? audit.value()->OrderById(id) : std::nullopt;
    return o.value_or(coordinator::Order{});
  }
};

TEST_F(Outage, CoordinatorDownThroughTheEscrowWindowForfeitsNoBondAndTheTradeContinues) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t alice = LocalSats("alice"), bob = LocalSats("bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  const std::string old_escrow = WaitField(seller, id, "escrow_invoice")["escrow_invoice"];
  const int64_t deadline = StoredOrder(id).expires_at;
  const int64_t window = m_params.escrow_duration_default;
  DownFor(std::chrono::seconds(window + 3600));  // longer than the whole window
  auto v = Order(seller, id);
  EXPECT_EQ(v["status"], 6) << v.dump();
  EXPECT_EQ(v["paused_for_outage_secs"], window + 3600);
  EXPECT_EQ(v["outage_deadline_capped"], false);
  EXPECT_EQ(StoredOrder(id).expires_at, deadline + window + 3600);
  // The old escrow invoice expired with the old deadline: the seller gets a fresh one.
  auto fresh = WaitField(seller, id, "escrow_invoice");
  EXPECT_NE(fresh["escrow_invoice"], old_escrow);
  auto info = Info();
  ASSERT_TRUE(info["last_outage"].is_object()) << info.dump();
  EXPECT_EQ(info["last_outage"]["reason"], "coordinator_down");
  EXPECT_EQ(info["last_outage"]["deadlines_extended"], 1);
  // The trade goes on: escrow, invoice, fiat, success.
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  Ok(buyer, coordinator::ConfirmCmd{id});
  Ok(seller, coordinator::ConfirmCmd{id});
  WaitStatus(buyer, id, 14);
  EXPECT_EQ(RewardsWhenSettled(buyer, 0), 0);
  EXPECT_EQ(RewardsWhenSettled(seller, 0), 0);
  EXPECT_GT(SatsWhenSettled("bob", bob), bob);   // the buyer was paid
  EXPECT_LT(SatsWhenSettled("alice", alice), alice);
  CheckConservation();
}

TEST_F(Outage, CoordinatorDownThroughTheInvoiceWindowForfeitsNoBond) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);  // status 8: the buyer's invoice is due
  DownFor(std::chrono::seconds(m_params.escrow_duration_default + 60));
  EXPECT_EQ(Order(buyer, id)["status"], 8);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  EXPECT_EQ(RewardsWhenSettled(seller, 0), 0);
  CheckConservation();
}

TEST_F(Outage, TheExtendedDeadlineStillPenalisesWhoDoesNotActAfterIt) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t alice = LocalSats("alice");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 7);
  int64_t bond = Order(seller, id)["bond_satoshis"];
  DownFor(1h);
  const int64_t remaining = StoredOrder(id).expires_at - m_clock.NowSeconds();
  EXPECT_EQ(remaining, m_params.escrow_duration_default);  // the whole window again
  Advance(std::chrono::seconds(remaining - 1));
  EXPECT_EQ(Order(seller, id)["status"], 7);
  Advance(2s);
  auto v = WaitStatus(seller, id, 5);
  EXPECT_EQ(v["expiry_reason"], 2);
  EXPECT_EQ(SatsWhenSettled("alice", alice - bond), alice - bond);  // now it is the seller's doing
  CheckConservation();
}

TEST_F(Outage, NodeUnreachableThroughTheEscrowWindowForfeitsNoBond) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t alice = LocalSats("alice");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 7);
  m_node_up = false;
  m_engine->Tick();
  m_engine->Drain();
  ASSERT_TRUE(Info()["last_outage"].is_object());
  EXPECT_TRUE(Info()["last_outage"]["ended_at"].is_null());  // going on
  Advance(std::chrono::seconds(m_params.escrow_duration_default + 600));
  EXPECT_EQ(Order(seller, id)["status"], 7);  // paused while the node is away
  m_node_up = true;
  m_engine->Tick();
  m_engine->Drain();
  auto v = Order(seller, id);
  EXPECT_EQ(v["status"], 7);
  EXPECT_EQ(v["paused_for_outage_secs"], m_params.escrow_duration_default + 600);
  auto info = Info();
  EXPECT_EQ(info["last_outage"]["reason"], "node_unreachable");
  EXPECT_FALSE(info["last_outage"]["ended_at"].is_null());
  LockEscrow(seller, id);
  EXPECT_EQ(WaitStatus(seller, id, 9)["status"], 9);
  EXPECT_LT(LocalSats("alice"), alice);  // escrow and bond held, nothing forfeited
  EXPECT_EQ(RewardsWhenSettled(buyer, 0), 0);
  CheckConservation();
}

TEST_F(Outage, NodeUnreachableThroughTheFiatWindowKeepsTheTradeOpen) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  // An invoice that outlives the fiat window and the outage (the payout comes a day later).
  int64_t n = Order(buyer, id)["invoice_amount"];
  Ok(buyer, coordinator::UpdateInvoiceCmd{
                id, SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), nullptr, 3 * 86400),
                kClientRoutingBudgetPpm});
  WaitStatus(buyer, id, 9);
  const int64_t deadline = StoredOrder(id).expires_at;
  Advance(12h);
  NodeAwayFor(2h);
  EXPECT_EQ(StoredOrder(id).expires_at, deadline + 7200);
  Advance(std::chrono::seconds(deadline - m_clock.NowSeconds() + 1));  // past the old deadline
  EXPECT_EQ(Order(buyer, id)["status"], 9);
  Ok(buyer, coordinator::ConfirmCmd{id});
  Ok(seller, coordinator::ConfirmCmd{id});
  WaitStatus(buyer, id, 14);
  CheckConservation();
}

TEST_F(Outage, APendingTakeAcrossAnOutageEndsWithoutPenalty) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  int64_t id = MakePublic(maker, SellOrder("100"));
  EXPECT_EQ(Ok(taker, TakeCmd{id, "", std::nullopt})["status"], 3);
  DownFor(std::chrono::seconds(m_params.taker_bond_expiry_s + 120));
  EXPECT_EQ(Order(maker, id)["status"], 1);
  auto v = Order(taker, id);
  EXPECT_EQ(v["is_taker"], false);
  EXPECT_FALSE(v.contains("penalty")) << v.dump();
  // Free to take again at once (an expired take would answer 1012 for the penalty time).
  TakeAndLock(taker, id);
  CheckConservation();
}

TEST_F(Outage, AStretchPastTheHtlcMarginReturnsEveryBondInsteadOfForfeiting) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t alice = LocalSats("alice"), bob = LocalSats("bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);  // status 8: the buyer's invoice is due in 3 h
  auto taker_bond = StoredHold(StoredOrder(id).taker_bond_id);
  ASSERT_GT(taker_bond.htlc_expiry_height, 0u);
  // Down until 12 blocks before the taker bond's HTLC would reach its margin.
  const int64_t blocks_left = int64_t{taker_bond.htlc_expiry_height} - m_params.htlc_expiry_margin_blocks -
                              int64_t{m_net->BlockHeight()};
  DownFor(std::chrono::seconds((blocks_left - 12) * m_params.block_time_s));
  auto o = StoredOrder(id);
  EXPECT_TRUE(o.outage_capped);
  EXPECT_EQ(o.status, coordinator::OrderStatus::kWaitingInvoice);
  EXPECT_LE(o.expires_at, m_clock.NowSeconds() + 12 * m_params.block_time_s);
  EXPECT_EQ(Order(buyer, id)["outage_deadline_capped"], true);
  // The buyer still does not submit: at the margin nobody is penalised, everything goes back.
  Advance(std::chrono::seconds(o.expires_at - m_clock.NowSeconds() + 1));
  auto v = WaitStatus(buyer, id, 5);
  EXPECT_EQ(v["expiry_reason"], 3);
  EXPECT_EQ(SatsWhenSettled("alice", alice), alice);
  EXPECT_EQ(SatsWhenSettled("bob", bob), bob);
  EXPECT_EQ(RewardsWhenSettled(seller, 0), 0);
  EXPECT_EQ(RewardsWhenSettled(buyer, 0), 0);
  CheckConservation();
}

TEST_F(Outage, AStretchPastTheMarginInTheFiatExchangeOpensADisputeWithoutAutomaticForfeit) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  // Nobody wrote in the chat: at an ordinary expiry RoboSats' automatic resolution would take
  // decisions on that silence. The node was away almost until the HTLC margin.
  auto bond = StoredHold(StoredOrder(id).taker_bond_id);
  const int64_t blocks_left =
      int64_t{bond.htlc_expiry_height} - m_params.htlc_expiry_margin_blocks - int64_t{m_net->BlockHeight()};
  NodeAwayFor(std::chrono::seconds((blocks_left - 6) * m_params.block_time_s));
  EXPECT_TRUE(StoredOrder(id).outage_capped);
  Advance(std::chrono::seconds(StoredOrder(id).expires_at - m_clock.NowSeconds() + 1));
  auto v = WaitStatus(buyer, id, 11);
  EXPECT_EQ(v["status"], 11);
  EXPECT_EQ(RewardsWhenSettled(seller, 0), 0);
  EXPECT_EQ(RewardsWhenSettled(buyer, 0), 0);
  CheckConservation();
}

TEST_F(Outage, ARestartQuickerThanTheMinimumGapIsNoOutage) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  const int64_t deadline = StoredOrder(id).expires_at;
  DownFor(std::chrono::seconds(m_outage.min_gap_s - 1));
  EXPECT_EQ(StoredOrder(id).expires_at, deadline);
  EXPECT_TRUE(Info()["last_outage"].is_null());
  CheckConservation();
}

TEST_F(Outage, WithExtensionsOffAnOutageIsRecordedButDeadlinesRun) {
  m_outage.extend_deadlines = false;
  StopCoordinator();
  StartCoordinator();
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 7);
  DownFor(std::chrono::seconds(m_params.escrow_duration_default + 60));
  auto v = WaitStatus(seller, id, 5);
  EXPECT_EQ(v["expiry_reason"], 2);
  EXPECT_EQ(Info()["last_outage"]["reason"], "coordinator_down");
  EXPECT_EQ(Info()["last_outage"]["deadlines_extended"], 0);
  CheckConservation();
}

}  // namespace
}  // namespace enginetest
