// What the RoboSats web client v0.8.6 reads from the coordinator, field by field: the pending
// taker's view, trade summaries, cancel answers, the robot view, /api/info/'s figures and the
// countdown. Each test names the RoboSats source its expectation comes from.
#include <cmath>

#include "coordinator/money.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using coordinator::CancelCmd;
using coordinator::ConfirmCmd;
using coordinator::GetOrderCmd;
using coordinator::GetRobotCmd;
using coordinator::TakeCmd;

class ClientView : public EngineHarness {};

// RoboSats api/views.py OrderView.get: `is_taker = order.taker == user or take_order.exists()`;
// the client (TradeBox/index.tsx) shows the taker bond only when is_taker && status == 3.
TEST_F(ClientView, PendingTakerIsTheTakerAndSeesItsBondInvoice) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  int64_t id = MakePublic(maker, SellOrder("100"));
  auto taken = Ok(taker, TakeCmd{id, "", std::nullopt});
  for (const json& view : {taken, Order(taker, id)}) {
    EXPECT_EQ(view["status"], 3) << view.dump();
    EXPECT_EQ(view["is_taker"], true);
    EXPECT_EQ(view["is_participant"], true);
    EXPECT_EQ(view["is_maker"], false);
    EXPECT_TRUE(view.contains("bond_invoice"));
    EXPECT_EQ(view["total_secs_exp"], m_params.taker_bond_expiry_s);
    EXPECT_EQ(view["status_message"], "Waiting for taker bond");
  }
  // Everyone else still sees a public order.
  auto& other = Robot("other", "carol");
  auto outsider = Order(other, id);
  EXPECT_EQ(outsider["status"], 1);
  EXPECT_EQ(outsider["is_participant"], false);
  EXPECT_FALSE(outsider.contains("bond_invoice"));
}

// RoboSats api/models/order.py t_to_expire(status): the status' whole duration, not what is
// left of it (the client draws (expires_at − now) / total_secs_exp).
TEST_F(ClientView, TotalSecsExpIsTheDurationOfTheStatus) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  auto made = Ok(maker, SellOrder("100"));
  EXPECT_EQ(made["total_secs_exp"], m_params.maker_bond_expiry_s);
  int64_t id = made["id"];
  Pay("alice", made["bond_invoice"]);
  WaitStatus(maker, id, 1);
  Advance(std::chrono::seconds(600));  // part of the public time is gone: the total stays
  auto pub = Order(maker, id);
  EXPECT_EQ(pub["total_secs_exp"], pub["public_duration"]);
  TakeAndLock(taker, id);
  auto v6 = Order(taker, id);
  EXPECT_EQ(v6["total_secs_exp"], v6["escrow_duration"]);
  LockEscrow(maker, id);
  SubmitInvoice(taker, id);
  auto v9 = WaitStatus(taker, id, 9);
  EXPECT_EQ(v9["total_secs_exp"], m_params.fiat_exchange_duration_s);
}

// RoboSats api/views.py, action "cancel": a cancel that ends the order answers
// {id, status, type, expires_at, bad_request}; every later GET answers 400/1043.
TEST_F(ClientView, CancelAnswersRoboSatsShapeAndTheCancelledOrderAnswers1043) {
  auto& maker = Robot("maker", "alice");
  int64_t id = MakePublic(maker, SellOrder("100"));
  auto answer = Ok(maker, CancelCmd{id, 1});
  EXPECT_EQ(answer["id"], id);
  EXPECT_EQ(answer["status"], 4);
  EXPECT_EQ(answer["type"], 1);
  EXPECT_TRUE(answer["expires_at"].is_string());
  EXPECT_EQ(answer["bad_request"], "This order has been cancelled");
  EXPECT_EQ(answer.size(), 5u) << answer.dump();
  for (auto* robot : {&maker, &Robot("stranger", "carol")}) {
    auto get = Call(*robot, GetOrderCmd{id});
    ASSERT_FALSE(get.ok());
    EXPECT_EQ(get.error().code, 1043);
    EXPECT_EQ(get.error().message, "This order has been cancelled");
  }
  CheckConservation();
}

TEST_F(ClientView, CollaborativeCancelAnswersTheCancelShapeToTheSecondRobot) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  auto first = Ok(seller, CancelCmd{id, 9});
  EXPECT_EQ(first["status"], 9);  // a request: the view
  EXPECT_EQ(first["asked_for_cancel"], true);
  auto second = Ok(buyer, CancelCmd{id, 9});
  EXPECT_EQ(second["status"], 12);
  EXPECT_EQ(second["bad_request"], "This order has been cancelled");
  auto get = Call(seller, GetOrderCmd{id});
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().code, 1043);
  CheckConservation();
}

// RoboSats api/views.py OrderView.get: "If not a participant and order is not public, forbid"
// (1044, 403).
TEST_F(ClientView, OutsiderOfANonPublicOrderIsRefused1044) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  auto& other = Robot("other", "carol");
  int64_t id = MakePublic(maker, SellOrder("100"));
  TakeAndLock(taker, id);
  auto get = Call(other, GetOrderCmd{id});
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().code, 1044);
}

// RoboSats api/logics.py summarize_trade: trade_fee_percent is FEE × split (a fraction); both
// summaries go to each participant; the client shows fee × 100 as a percentage.
TEST_F(ClientView, TradeSummariesCarryFeeFractionsAndBothSides) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  Ok(buyer, ConfirmCmd{id});
  Ok(seller, ConfirmCmd{id});
  auto done = WaitStatus(buyer, id, 14);
  ASSERT_TRUE(done.contains("maker_summary")) << done.dump();
  ASSERT_TRUE(done.contains("taker_summary"));
  ASSERT_TRUE(done.contains("platform_summary"));
  const auto& maker_summary = done["maker_summary"];  // the seller made this SELL order
  const auto& taker_summary = done["taker_summary"];
  EXPECT_DOUBLE_EQ(maker_summary["trade_fee_percent"].get<double>(), 0.002 * 0.125);
  EXPECT_DOUBLE_EQ(taker_summary["trade_fee_percent"].get<double>(), 0.002 * (1 - 0.125));
  EXPECT_EQ(maker_summary["is_buyer"], false);
  EXPECT_EQ(taker_summary["is_buyer"], true);
  // Buyer: fee = last_satoshis − received − routing budget; seller: sent − last_satoshis.
  const int64_t received = taker_summary["received_sats"];
  const int64_t budget = done["platform_summary"]["routing_budget_sats"];
  EXPECT_GT(budget, 0);  // the client's default 1000 ppm
  EXPECT_EQ(received, ClientInvoiceSats(done["invoice_amount"], kClientRoutingBudgetPpm));
  EXPECT_EQ(taker_summary["trade_fee_sats"].get<int64_t>() + received + budget,
            maker_summary["sent_sats"].get<int64_t>() - maker_summary["trade_fee_sats"].get<int64_t>());
  EXPECT_EQ(taker_summary["preimage"].get<std::string>().size(), 64u);
  // The seller sees the same summaries.
  auto seller_view = Order(seller, id);
  EXPECT_EQ(seller_view["taker_summary"], taker_summary);
  EXPECT_TRUE(seller_view["platform_summary"].contains("contract_total_time"));
  CheckConservation();
}

// RoboSats api/views.py RobotView.get: `found` only for robots older than 5 minutes;
// `last_order_id` once the robot has no active order.
TEST_F(ClientView, RobotViewSaysFoundAfterFiveMinutesAndNamesTheLastOrder) {
  auto& maker = Robot("maker", "alice");
  auto first = Ok(maker, GetRobotCmd{});
  EXPECT_FALSE(first.contains("found")) << first.dump();
  EXPECT_FALSE(first.contains("last_order_id"));
  int64_t id = MakePublic(maker, SellOrder("100"));
  auto active = Ok(maker, GetRobotCmd{});
  EXPECT_EQ(active["active_order_id"], id);
  Ok(maker, CancelCmd{id, 1});
  WaitStatus(maker, id, 4);
  Advance(std::chrono::seconds(301));
  auto later = Ok(maker, GetRobotCmd{});
  EXPECT_EQ(later["found"], true);
  EXPECT_FALSE(later.contains("active_order_id"));
  EXPECT_EQ(later["last_order_id"], id);
}

// RoboSats api/views.py InfoView.get: contracted volumes from the ticks, robots active today,
// the volume-weighted median premium (api/utils.py weighted_median), the price sources.
TEST_F(ClientView, InfoCarriesVolumesPremiumAndActiveRobots) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  m_engine->Drain();
  auto info = json::parse(*m_engine->snapshot()->info);
  EXPECT_EQ(info["active_robots_today"], 2);
  const int64_t sats = Order(buyer, id)["satoshis_now"];
  EXPECT_NEAR(info["last_day_volume"].get<double>(), static_cast<double>(sats) / 1e8, 1e-8);
  EXPECT_NEAR(info["lifetime_volume"].get<double>(), static_cast<double>(sats) / 1e8, 1e-8);
  EXPECT_NEAR(info["last_day_nonkyc_btc_premium"].get<double>(), 1.0, 0.01);  // SellOrder's premium
  // A day later the last day is empty; the lifetime stays; the premium falls back to all time.
  Advance(std::chrono::seconds(86400 + 120));
  m_engine->Drain();
  info = json::parse(*m_engine->snapshot()->info);
  EXPECT_EQ(info["last_day_volume"], 0.0);
  EXPECT_NEAR(info["lifetime_volume"].get<double>(), static_cast<double>(sats) / 1e8, 1e-8);
  EXPECT_NEAR(info["last_day_nonkyc_btc_premium"].get<double>(), 1.0, 0.01);
}

// numpy-style weighted median, as RoboSats computes it (api/utils.py weighted_median); the
// expectations were computed by RoboSats' own function under numpy 1.24.2 (Debian 12).
TEST(WeightedMedian, MatchesRoboSatsFunction) {
  EXPECT_DOUBLE_EQ(coordinator::WeightedMedian({}), 0);
  EXPECT_DOUBLE_EQ(coordinator::WeightedMedian({{2.5, 0.01}}), 2.5);
  EXPECT_DOUBLE_EQ(coordinator::WeightedMedian({{1, 1}, {3, 1}}), 2);
  EXPECT_DOUBLE_EQ(coordinator::WeightedMedian({{1, 1}, {2, 1}, {10, 1}}), 2);
  EXPECT_NEAR(coordinator::WeightedMedian({{5, 0.002}, {-1, 0.01}, {2, 0.003}}), 1.0769230769230766, 1e-12);
  EXPECT_DOUBLE_EQ(coordinator::WeightedMedian({{0, 3}, {1, 1}}), 0.5);
  EXPECT_DOUBLE_EQ(coordinator::WeightedMedian({{1.5, 0.1}, {1.5, 0.2}, {-3, 0.3}}), 0.9375);
}

}  // namespace
}  // namespace enginetest
