// The request sequence of the RoboSats web client v0.8.6, with its default settings and its
// exact request bodies, over real HTTP against coordinatord (lnd backend → simln daemon):
// garage → make → maker bond → book → take → the taker's bond (shown to the pending taker) →
// escrow → payout invoice with the default 1000 ppm routing budget → confirm → summary →
// rating; then make → cancel and the cancelled order's answer. Sources, in RoboSats v0.8.6:
// frontend/src/models/Order.model.ts (make, take, submitAction bodies),
// frontend/src/components/MakerForm/MakerForm.tsx (the make body's defaults),
// frontend/src/components/TradeBox/index.tsx (actions), TradeBox/Forms/LightningPayout.tsx
// (the invoice amount), api/views.py (answers).
#include "tests/integration/coordinator_trade/trade_fixture.h"

namespace coordinator_trade_test {
namespace {

class RoboSatsClient : public CoordinatorTrade {
 protected:
  // MakerForm.tsx handleCreateOrder → Order.model.ts make: every field, nulls included.
  static json ClientMakeBody(int type, const std::string& amount) {
    return {{"type", type},           {"currency", 1},        {"amount", amount},       {"has_range", false},
            {"min_amount", nullptr},  {"max_amount", nullptr}, {"payment_method", "Strike Revolut"},
            {"is_explicit", false},   {"premium", 1.5},       {"satoshis", nullptr},    {"public_duration", 86340},
            {"escrow_duration", 10800}, {"bond_size", 3},     {"latitude", nullptr},    {"longitude", nullptr},
            {"password", nullptr},    {"description", nullptr}};
  }
};

TEST_F(RoboSatsClient, DefaultSettingsTradeFromMakeToRatingThenACancel) {
  auto& seller = T("robot");  // the maker sells
  auto& buyer = T("other");   // the taker buys
  const int64_t seller0 = seller.wallet->LocalSats().value_or(-1);
  const int64_t buyer0 = buyer.wallet->LocalSats().value_or(-1);

  // Garage: the first request carries the keys; a brand-new robot is not "found".
  json me = Call(*seller.robot, "GET", "/api/robot/");
  EXPECT_FALSE(me.contains("found")) << me.dump();
  EXPECT_FALSE(me.contains("last_order_id"));
  json buyer_me = Call(*buyer.robot, "GET", "/api/robot/");

  // Make.
  auto made_reply = seller.robot->Post("/api/make/", ClientMakeBody(1, "100"));
  ASSERT_EQ(made_reply.status, 201) << made_reply.Describe();
  m_contract.Check("POST", "/api/make/", made_reply);
  const int64_t id = made_reply.json.value("id", int64_t{0});
  ASSERT_GT(id, 0);
  json maker_view = WaitField(*seller.robot, id, "bond_invoice");
  EXPECT_EQ(maker_view["status"], 0);
  EXPECT_EQ(maker_view["total_secs_exp"], 300);  // EXP_MAKER_BOND_INVOICE
  EXPECT_EQ(maker_view["maker_nick"], me["nickname"]);
  m_invoices.insert(maker_view["bond_invoice"].get<std::string>());
  ASSERT_TRUE(seller.wallet->Pay(maker_view["bond_invoice"]));
  json pub = WaitStatus(*seller.robot, id, 1);
  EXPECT_EQ(pub["total_secs_exp"], 86340);  // the order's public_duration

  // The taker finds it in the book (API mode) and opens it.
  auto book = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/book/?currency=0&type=2");
  ASSERT_EQ(book.status, 200) << book.Describe();
  m_contract.Check("GET", "/api/book/", book);
  json outsider = Order(*buyer.robot, id);
  EXPECT_EQ(outsider["is_participant"], false);
  EXPECT_EQ(outsider["is_taker"], false);

  // Take: Order.model.ts take sends amount: Number(takeAmount) — 0 for a fixed amount — and no
  // password. The answer and every later GET show the pending taker its bond invoice.
  json taken = Act(*buyer.robot, id, {{"action", "take"}, {"amount", 0}});
  for (const json& v : {taken, Order(*buyer.robot, id)}) {
    EXPECT_EQ(v["status"], 3) << v.dump();
    EXPECT_EQ(v["is_taker"], true);
    EXPECT_EQ(v["is_participant"], true);
    EXPECT_EQ(v["total_secs_exp"], 200);  // EXP_TAKER_BOND_INVOICE
    ASSERT_TRUE(v.contains("bond_invoice")) << v.dump();
  }
  m_invoices.insert(taken["bond_invoice"].get<std::string>());
  ASSERT_TRUE(buyer.wallet->Pay(taken["bond_invoice"]));
  json contract = WaitStatus(*buyer.robot, id, 6);
  EXPECT_EQ(contract["taker_nick"], buyer_me["nickname"]);
  EXPECT_EQ(contract["ur_nick"], buyer_me["nickname"]);

  // The seller locks the escrow; the buyer sees what to invoice.
  const int64_t escrow = LockEscrow(seller, id);
  json to_invoice = WaitStatus(*buyer.robot, id, 8);
  const int64_t invoice_amount = to_invoice["invoice_amount"];
  EXPECT_EQ(to_invoice["trade_satoshis"], invoice_amount);

  // LightningPayout.tsx: the default 1000 ppm budget and Math.floor(n − n × ppm / 10⁶).
  const int64_t asked = ClientInvoiceSats(invoice_amount, kClientRoutingBudgetPpm);
  ASSERT_NE(asked, invoice_amount - invoice_amount * kClientRoutingBudgetPpm / 1000000)
      << "pick an amount where the two roundings differ, or this test proves nothing";
  auto invoice = buyer.wallet->Invoice(asked, "RoboSats payout");
  ASSERT_TRUE(invoice.ok()) << invoice.error().message;
  json invoiced = Act(*buyer.robot, id,
                      {{"action", "update_invoice"},
                       {"invoice", buyer.key->ClearSign(invoice->payment_request)},
                       {"routing_budget_ppm", kClientRoutingBudgetPpm}});
  EXPECT_EQ(invoiced["status"], 9) << invoiced.dump();
  EXPECT_EQ(invoiced["total_secs_exp"], 86400);  // FIAT_EXCHANGE_DURATION

  // Fiat sent, fiat received.
  EXPECT_EQ(Act(*buyer.robot, id, {{"action", "confirm"}})["status"], 10);
  Act(*seller.robot, id, {{"action", "confirm"}});
  json done = WaitStatus(*buyer.robot, id, 14);
  EXPECT_EQ(done["num_satoshis"], asked);
  // RoboSats api/logics.py summarize_trade: fractions (the client shows × 100).
  EXPECT_DOUBLE_EQ(done["taker_summary"]["trade_fee_percent"].get<double>(), 0.002 * (1 - 0.125));
  EXPECT_DOUBLE_EQ(done["maker_summary"]["trade_fee_percent"].get<double>(), 0.002 * 0.125);
  EXPECT_EQ(done["taker_summary"]["received_sats"], asked);
  EXPECT_EQ(done["platform_summary"]["routing_budget_sats"], invoice_amount - asked);
  json seller_done = WaitStatus(*seller.robot, id, 14);
  EXPECT_EQ(seller_done["maker_summary"]["sent_sats"], escrow);
  EXPECT_EQ(Act(*seller.robot, id, {{"action", "rate_platform"}, {"rating", 5}})["status"], 14);
  CheckMoney(buyer, buyer0, asked, invoice->payment_request, seller, seller0, escrow);
  json after = Call(*seller.robot, "GET", "/api/robot/");
  EXPECT_EQ(after.value("last_order_id", int64_t{0}), id) << after.dump();
  EXPECT_FALSE(after.contains("active_order_id"));

  // Make again, then cancel (TradeBox/index.tsx: {action: 'cancel', cancel_status: status}).
  auto again = seller.robot->Post("/api/make/", ClientMakeBody(1, "80"));
  ASSERT_EQ(again.status, 201) << again.Describe();
  const int64_t id2 = again.json.value("id", int64_t{0});
  json bond2 = WaitField(*seller.robot, id2, "bond_invoice");
  m_invoices.insert(bond2["bond_invoice"].get<std::string>());
  ASSERT_TRUE(seller.wallet->Pay(bond2["bond_invoice"]));
  WaitStatus(*seller.robot, id2, 1);
  auto cancelled = seller.robot->Post("/api/order/?order_id=" + std::to_string(id2),
                                      {{"action", "cancel"}, {"cancel_status", 1}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.Describe();
  EXPECT_EQ(cancelled.json["id"], id2);
  EXPECT_EQ(cancelled.json["status"], 4);
  EXPECT_EQ(cancelled.json["type"], 1);
  EXPECT_TRUE(cancelled.json["expires_at"].is_string());
  EXPECT_EQ(cancelled.json["bad_request"], "This order has been cancelled");
  auto gone = seller.robot->Get("/api/order/?order_id=" + std::to_string(id2));
  EXPECT_EQ(gone.status, 400) << gone.Describe();
  EXPECT_EQ(gone.json.value("error_code", 0), 1043);
  EXPECT_EQ(gone.json.value("bad_request", ""), "This order has been cancelled");
  // The cancelled order's bond went back: the seller's wallet is where the trade left it.
  EXPECT_TRUE(testsupport::WaitUntil([&] { return seller.wallet->LocalSats() == seller0 - escrow; }, kWait));
}

// The client's default budget on a buy order too (the maker buys, the invoice comes before the
// escrow): a sample of amounts where floor(n − n·ppm/10⁶) ≠ n − floor(n·ppm/10⁶).
TEST_F(RoboSatsClient, DefaultRoutingBudgetOnABuyOrderPaysTheBuyer) {
  RegisterRobots();
  auto& buyer = T("robot");
  auto& seller = T("other");
  const int64_t buyer0 = buyer.wallet->LocalSats().value_or(-1);
  const int64_t seller0 = seller.wallet->LocalSats().value_or(-1);
  int64_t id = MakeAndPublish(buyer, ClientMakeBody(0, "123.45"));
  TakeAndLock(seller, id, "");
  std::string payreq = SubmitInvoice(buyer, id);  // 6 → 7, the client's default budget
  WaitStatus(*seller.robot, id, 7);
  const int64_t escrow = LockEscrow(seller, id);
  json done = ConfirmBoth(buyer, seller, id);
  const int64_t paid = done.value("num_satoshis", int64_t{0});
  EXPECT_EQ(paid, ClientInvoiceSats(done.value("invoice_amount", int64_t{0}), kClientRoutingBudgetPpm));
  CheckMoney(buyer, buyer0, paid, payreq, seller, seller0, escrow);
}

}  // namespace
}  // namespace coordinator_trade_test
