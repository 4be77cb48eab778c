// Disputes through the engine: opening (by a robot, at expiry with RoboSats' automatic
// resolution), statements, each of the four resolutions and what each robot is credited,
// custody released exactly once; then the winner withdraws its rewards into its wallet. The
// conservation audit (rewards credited and withdrawn included) closes every test.
#include "coordinator/money.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;
using coordinator::AdminActor;
using coordinator::AdminResolveCmd;
using coordinator::AdminRole;
using coordinator::ChatPostCmd;
using coordinator::ConfirmCmd;
using coordinator::DisputeCmd;
using coordinator::DisputeOutcome;
using coordinator::RewardCmd;
using coordinator::StatementCmd;
using coordinator::UndoConfirmCmd;

const std::string kStatement(150, 's');

class Disputes : public EngineHarness {
 protected:
  // A sell order of `seller` (alice, the maker) taken by `buyer` (bob), in the chat (9); with
  // `fiat_sent`, the buyer confirmed (10).
  int64_t TradeInChat(TestRobot& seller, TestRobot& buyer, bool fiat_sent) {
    int64_t id = MakePublic(seller, SellOrder("100"));
    TakeAndLock(buyer, id);
    LockEscrow(seller, id);
    SubmitInvoice(buyer, id);
    WaitStatus(buyer, id, 9);
    if (fiat_sent) Ok(buyer, ConfirmCmd{id});
    return id;
  }

  base::Result<json> Admin(AdminRole role, coordinator::AdminCommand cmd) {
    auto promise = std::make_shared<std::promise<base::Result<json>>>();
    auto fut = promise->get_future();
    m_engine->SubmitAdmin(AdminActor{role == AdminRole::kResolver ? "alice-resolver" : "bob-solver", role},
                          std::move(cmd), [promise](base::Result<json> r) { promise->set_value(std::move(r)); });
    if (fut.wait_for(20s) != std::future_status::ready) return base::Err(base::Status::Error(1, "timeout"));
    return fut.get();
  }

  // Waits until every custodial hold of the order is settled at the node (the settles are
  // intents carried out after the dispute opened).
  void WaitCustodySettled(int64_t id) {
    for (int i = 0; i < 1000; ++i) {
      m_engine->Drain();
      auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
      bool pending = false;
      for (const auto& h : audit.value()->HoldsOfOrder(id)) {
        pending |= h.custody && h.state == coordinator::HoldState::kAccepted;
      }
      if (!pending) return;
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "custody of order " << id << " never settled";
  }

  // `r` withdraws its whole balance into its wallet (with the client's default: no budget).
  void WithdrawAll(TestRobot& r) {
    const int64_t balance = EarnedRewards(r);
    ASSERT_GT(balance, 0);
    const int64_t before = LocalSats(r.wallet);
    auto paid = Ok(r, RewardCmd{SignedInvoice(r, balance), std::nullopt});
    EXPECT_EQ(paid["successful_withdrawal"], true) << paid.dump();
    EXPECT_EQ(SatsWhenSettled(r.wallet, before + balance) - before, balance);
    EXPECT_EQ(EarnedRewards(r), 0);
  }

  std::map<std::string, int64_t> Holds(int64_t id) {
    auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
    auto o = audit.value()->OrderById(id);
    std::map<std::string, int64_t> sats;
    for (const auto& h : audit.value()->HoldsOfOrder(id)) {
      if (h.id == o->maker_bond_id) sats["maker_bond"] = h.amount_sat;
      if (h.id == o->taker_bond_id) sats["taker_bond"] = h.amount_sat;
      if (h.id == o->escrow_id) sats["escrow"] = h.amount_sat;
    }
    return sats;
  }
};

TEST_F(Disputes, ARobotMayOpenOneOnlyFrom18HoursBeforeExpiry) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer, /*fiat_sent=*/true);
  auto early = Call(seller, DisputeCmd{id});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, 1054);
  Advance(std::chrono::seconds(m_params.fiat_exchange_duration_s - 18 * 3600 + 1));
  auto opened = Ok(seller, DisputeCmd{id});
  EXPECT_EQ(opened["status"], 11);
  EXPECT_EQ(opened["is_disputed"], true);
  EXPECT_NE(opened["status_message"].get<std::string>().find("resolves it by"), std::string::npos);
  WaitCustodySettled(id);
  // Everything is in custody: no HTLC is held for the days a dispute lasts.
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  for (const auto& h : audit.value()->HoldsOfOrder(id)) {
    auto inv = m_coord_node->LookupInvoice(*escrow::crypto::Hash32FromHex(h.payment_hash));
    EXPECT_EQ(inv->state, escrow::InvoiceState::kSettled);
  }
  // Not in 6: 1013.
  auto& other = Robot("other", "carol");
  auto& taker2 = Robot("taker2", "dave");
  int64_t id2 = MakePublic(other, SellOrder("50"));
  TakeAndLock(taker2, id2);
  auto not_now = Call(other, DisputeCmd{id2});
  ASSERT_FALSE(not_now.ok());
  EXPECT_EQ(not_now.error().code, 1013);
  CheckConservation();
}

TEST_F(Disputes, StatementsOfBothMoveTheOrderTo16) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer, true);
  Advance(std::chrono::seconds(7 * 3600));
  auto early = Call(seller, StatementCmd{id, kStatement});  // before any dispute: 1014
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, 1014);
  Ok(buyer, DisputeCmd{id});
  auto short_one = Call(seller, StatementCmd{id, std::string(99, 'x')});
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().code, 2001);
  auto long_one = Call(seller, StatementCmd{id, std::string(50001, 'x')});
  ASSERT_FALSE(long_one.ok());
  EXPECT_EQ(long_one.error().code, 2000);
  auto first = Ok(seller, StatementCmd{id, kStatement});
  EXPECT_EQ(first["status"], 11);
  EXPECT_EQ(first["statement_submitted"], true);
  EXPECT_EQ(Order(buyer, id)["statement_submitted"], false);
  // The client may attach the decrypted chat log (Dispute.tsx: JSON {statement, messages}).
  json with_log{{"statement", "Contact: x\n\n" + kStatement}, {"messages", json::array({{{"index", 1}}})}};
  auto second = Ok(buyer, StatementCmd{id, with_log.dump(2)});
  EXPECT_EQ(second["status"], 16);
  auto shown = Admin(AdminRole::kSolver, coordinator::AdminDisputeCmd{id});
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown.value()["taker_statement"]["text"], "Contact: x\n\n" + kStatement);
  EXPECT_TRUE(shown.value()["taker_statement"]["attached_chat"].is_array());
  CheckConservation();
}

// maker_wins (the maker sold): the maker gets its bond and the escrow back and half of the
// taker's bond; the rest of that bond is proceeds. Then it withdraws all of it.
TEST_F(Disputes, MakerWinsCreditsTheSellerAndItWithdraws) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer, true);
  Advance(std::chrono::seconds(7 * 3600));
  Ok(buyer, DisputeCmd{id});
  WaitCustodySettled(id);
  auto holds = Holds(id);
  auto solver = Admin(AdminRole::kSolver, AdminResolveCmd{id, DisputeOutcome::kMakerWins, "no"});
  ASSERT_FALSE(solver.ok());  // solvers read, never resolve
  auto resolved = Admin(AdminRole::kResolver, AdminResolveCmd{id, DisputeOutcome::kMakerWins, "paid nothing"});
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(resolved.value()["outcome"], "maker_wins");
  EXPECT_EQ(WaitStatus(seller, id, 18)["status"], 18);
  const int64_t share = static_cast<int64_t>(static_cast<double>(holds["taker_bond"]) * m_params.reward_share);
  EXPECT_EQ(EarnedRewards(seller), holds["maker_bond"] + holds["escrow"] + share);
  EXPECT_EQ(EarnedRewards(buyer), 0);
  auto again = Admin(AdminRole::kResolver, AdminResolveCmd{id, DisputeOutcome::kTakerWins, "changed my mind"});
  ASSERT_FALSE(again.ok());  // once
  EXPECT_EQ(EarnedRewards(buyer), 0);
  CheckConservation();
  WithdrawAll(seller);
  CheckConservation();
}

// taker_wins (the taker bought): the taker gets its bond, what a successful trade pays the
// buyer, and half of the maker's bond; the trade fees and the rest are proceeds.
TEST_F(Disputes, TakerWinsCreditsTheBuyerWhatTheTradeWouldHavePaid) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer, true);
  Advance(std::chrono::seconds(7 * 3600));
  Ok(seller, DisputeCmd{id});
  WaitCustodySettled(id);
  auto holds = Holds(id);
  const int64_t invoice_amount = Order(buyer, id)["invoice_amount"];
  ASSERT_TRUE(Admin(AdminRole::kResolver, AdminResolveCmd{id, DisputeOutcome::kTakerWins, ""}).ok());
  WaitStatus(buyer, id, 17);
  const int64_t share = static_cast<int64_t>(static_cast<double>(holds["maker_bond"]) * m_params.reward_share);
  EXPECT_EQ(EarnedRewards(buyer), holds["taker_bond"] + invoice_amount + share);
  EXPECT_EQ(EarnedRewards(seller), 0);
  WithdrawAll(buyer);
  CheckConservation();
}

TEST_F(Disputes, ReturnEverythingCreditsEachItsOwnAndCancels) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer, true);
  Advance(std::chrono::seconds(7 * 3600));
  Ok(seller, DisputeCmd{id});
  WaitCustodySettled(id);
  auto holds = Holds(id);
  ASSERT_TRUE(Admin(AdminRole::kResolver, AdminResolveCmd{id, DisputeOutcome::kReturnEverything, ""}).ok());
  EXPECT_EQ(StoredStatus(id), 12);
  EXPECT_EQ(EarnedRewards(seller), holds["maker_bond"] + holds["escrow"]);
  EXPECT_EQ(EarnedRewards(buyer), holds["taker_bond"]);
  WithdrawAll(seller);
  WithdrawAll(buyer);
  CheckConservation();
}

// successful_trade: the bonds come back as rewards and the buyer is paid over Lightning from
// the escrow in custody, exactly once.
TEST_F(Disputes, SuccessfulTradePaysTheBuyerFromCustody) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer, true);
  Advance(std::chrono::seconds(7 * 3600));
  Ok(seller, DisputeCmd{id});
  WaitCustodySettled(id);
  auto holds = Holds(id);
  const int64_t bob = LocalSats("bob");
  ASSERT_TRUE(Admin(AdminRole::kResolver, AdminResolveCmd{id, DisputeOutcome::kSuccessfulTrade, ""}).ok());
  // The payout invoice (an hour, as wallets make them) expired during the dispute: 15, and the
  // buyer gives a new one, as after any expired payout invoice.
  auto expired = WaitStatus(buyer, id, 15);
  EXPECT_EQ(expired["invoice_expired"], true);
  SubmitInvoice(buyer, id);
  auto done = WaitStatus(buyer, id, 14);
  const int64_t paid = done["num_satoshis"];
  EXPECT_EQ(SatsWhenSettled("bob", bob + paid) - bob, paid);
  EXPECT_EQ(EarnedRewards(seller), holds["maker_bond"]);
  EXPECT_EQ(EarnedRewards(buyer), holds["taker_bond"]);
  CheckConservation();
}

// RoboSats api/logics.py automatic_dispute_resolution: at the fiat exchange's expiry, with the
// fiat never marked sent, a robot that never wrote in the chat loses.
TEST_F(Disputes, AtExpiryTheSilentMakerLosesAutomatically) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  const int64_t alice0 = LocalSats("alice");
  int64_t id = TradeInChat(seller, buyer, /*fiat_sent=*/false);
  auto holds = Holds(id);
  Ok(buyer, ChatPostCmd{id, "-----BEGIN PGP MESSAGE-----\\hello\\-----END PGP MESSAGE-----", std::nullopt});
  Advance(std::chrono::seconds(m_params.fiat_exchange_duration_s + 1));
  WaitStatus(buyer, id, 17);  // "Maker lost dispute"
  // The escrow went back to the silent seller, who lost only the bond (half to the buyer).
  const int64_t share = static_cast<int64_t>(static_cast<double>(holds["maker_bond"]) * m_params.reward_share);
  EXPECT_EQ(RewardsWhenSettled(buyer, share), share);
  EXPECT_EQ(SatsWhenSettled("alice", alice0 - holds["maker_bond"]), alice0 - holds["maker_bond"]);
  auto shown = Admin(AdminRole::kSolver, coordinator::AdminDisputeCmd{id});
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown.value()["outcome"], "maker_silent");
  CheckConservation();
}

TEST_F(Disputes, AtExpiryTheSilentTakerLosesAutomatically) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer, false);
  auto holds = Holds(id);
  Ok(seller, ChatPostCmd{id, "-----BEGIN PGP MESSAGE-----\\x\\-----END PGP MESSAGE-----", std::nullopt});
  Advance(std::chrono::seconds(m_params.fiat_exchange_duration_s + 1));
  WaitStatus(seller, id, 18);  // "Taker lost dispute"
  const int64_t share = static_cast<int64_t>(static_cast<double>(holds["taker_bond"]) * m_params.reward_share);
  EXPECT_EQ(RewardsWhenSettled(seller, share), share);
  CheckConservation();
}

TEST_F(Disputes, AtExpiryWithNobodyInTheChatTheOperatorDecidesTheBonds) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  const int64_t alice0 = LocalSats("alice");
  int64_t id = TradeInChat(seller, buyer, false);
  auto holds = Holds(id);
  Advance(std::chrono::seconds(m_params.fiat_exchange_duration_s + 1));
  WaitStatus(buyer, id, 11);
  WaitCustodySettled(id);
  // The escrow went back; both bonds are in custody.
  EXPECT_EQ(SatsWhenSettled("alice", alice0 - holds["maker_bond"]), alice0 - holds["maker_bond"]);
  // successful_trade is impossible without the escrow; return_everything gives the bonds back.
  auto impossible = Admin(AdminRole::kResolver, AdminResolveCmd{id, DisputeOutcome::kSuccessfulTrade, ""});
  ASSERT_FALSE(impossible.ok());
  EXPECT_NE(impossible.error().message.find("not in custody"), std::string::npos);
  ASSERT_TRUE(Admin(AdminRole::kResolver, AdminResolveCmd{id, DisputeOutcome::kReturnEverything, ""}).ok());
  EXPECT_EQ(EarnedRewards(seller), holds["maker_bond"]);
  EXPECT_EQ(EarnedRewards(buyer), holds["taker_bond"]);
  CheckConservation();
}

TEST_F(Disputes, AtExpiryAfterFiatWasMarkedSentThereIsNoAutomaticResolution) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer, true);
  Ok(buyer, UndoConfirmCmd{id});  // marked, then undone: RoboSats' reverted_fiat_sent
  Advance(std::chrono::seconds(m_params.fiat_exchange_duration_s + 1));
  WaitStatus(buyer, id, 11);
  WaitCustodySettled(id);
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  for (const auto& h : audit.value()->HoldsOfOrder(id)) EXPECT_TRUE(h.custody);
  CheckConservation();
}

}  // namespace
}  // namespace enginetest
