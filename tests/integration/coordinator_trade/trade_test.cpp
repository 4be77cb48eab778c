// Whole trades over real HTTP between real processes: coordinatord (lightning.backend: lnd)
// against the simln daemon playing LND, two robots with gpg-made keys, and two trader wallets
// that pay every bond, escrow and payout invoice through their own LND REST API. Every
// response is checked against RoboSats' OpenAPI document (tests/support/openapi_check.h).
#include "tests/integration/coordinator_trade/trade_fixture.h"

namespace coordinator_trade_test {
namespace {

TEST_F(CoordinatorTrade, SellOrderTradeCompletesOverHttp) {
  PublicEndpoints(0);
  auto empty = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/book/");
  EXPECT_EQ(empty.status, 404) << empty.Describe();  // RoboSats: 404 when no order is public
  EXPECT_TRUE(empty.json.contains("not_found")) << empty.Describe();
  RegisterRobots();
  auto& seller = T("robot");
  auto& buyer = T("other");
  int64_t seller0 = seller.wallet->LocalSats().value_or(-1);
  int64_t buyer0 = buyer.wallet->LocalSats().value_or(-1);
  ASSERT_EQ(seller0, kChannelSat);
  ASSERT_EQ(buyer0, kChannelSat);

  int64_t id = MakeAndPublish(
      seller,
      {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  PublicEndpoints(1);
  TakeAndLock(buyer, id, "");
  EXPECT_EQ(Order(*seller.robot, id).value("status", -1), 6);
  int64_t escrow = LockEscrow(seller, id);
  EXPECT_GT(escrow, 0);
  WaitStatus(*buyer.robot, id, 8);
  std::string payout_payreq = SubmitInvoice(buyer, id);
  json done = ConfirmBoth(buyer, seller, id);
  int64_t payout = done.value("num_satoshis", int64_t{0});
  EXPECT_GT(payout, 0) << done.dump();
  EXPECT_TRUE(done.contains("taker_summary")) << done.dump();
  EXPECT_TRUE(Order(*seller.robot, id).contains("maker_summary"));
  CheckMoney(buyer, buyer0, payout, payout_payreq, seller, seller0, escrow);
  // The robots are free again.
  for (const char* name : {"robot", "other"}) {
    EXPECT_FALSE(Call(*T(name).robot, "GET", "/api/robot/").contains("active_order_id")) << name;
  }
}

TEST_F(CoordinatorTrade, BuyRangeOrderTradeCompletesOverHttp) {
  PublicEndpoints(0);
  RegisterRobots();
  auto& buyer = T("robot");  // the maker buys
  auto& seller = T("other");
  int64_t buyer0 = buyer.wallet->LocalSats().value_or(-1);
  int64_t seller0 = seller.wallet->LocalSats().value_or(-1);

  int64_t id = MakeAndPublish(buyer, {{"type", 0},
                                      {"currency", 1},
                                      {"has_range", true},
                                      {"min_amount", "50"},
                                      {"max_amount", "200"},
                                      {"payment_method", "Cash F2F"},
                                      {"latitude", "41.385064"},
                                      {"longitude", "2.173403"},
                                      {"premium", "-1.5"}});
  json pub = Order(*seller.robot, id);
  EXPECT_TRUE(pub.value("has_range", false)) << pub.dump();
  // Face to face: the book carries the place as RoboSats' DecimalFields do (strings).
  auto book = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/book/?currency=1&type=0");
  ASSERT_EQ(book.status, 200) << book.Describe();
  ASSERT_TRUE(book.json.is_array() && book.json.size() == 1u) << book.Describe();
  EXPECT_EQ(book.json[0].value("latitude", json()), "41.385064");
  EXPECT_EQ(book.json[0].value("longitude", json()), "2.173403");
  TakeAndLock(seller, id, "120");
  json taken = Order(*buyer.robot, id);
  EXPECT_EQ(taken.value("status", -1), 6) << taken.dump();
  std::string payout_payreq = SubmitInvoice(buyer, id);  // before the escrow: 6 → 7
  WaitStatus(*seller.robot, id, 7);
  int64_t escrow = LockEscrow(seller, id);
  json done = ConfirmBoth(buyer, seller, id);
  int64_t payout = done.value("num_satoshis", int64_t{0});
  EXPECT_GT(payout, 0) << done.dump();
  // 120 of 50–200 USD: the trade is smaller than the order's maximum.
  EXPECT_LT(payout, pub.value("satoshis_now", int64_t{0}));
  CheckMoney(buyer, buyer0, payout, payout_payreq, seller, seller0, escrow);
}

}  // namespace
}  // namespace coordinator_trade_test
