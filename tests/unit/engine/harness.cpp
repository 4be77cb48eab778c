#include "tests/unit/engine/harness.h"

#include <cmath>
#include <filesystem>
#include <thread>

#include "escrow/crypto/sha256.h"
#include "tests/support/auditor.h"
#include "tests/support/test_support.h"

namespace enginetest {

using namespace std::chrono_literals;

void EngineHarness::SetUp() {
  m_dir = testsupport::MakeTempDir("engine");
  // Robots' keys are made now, with the real time; RoboSats refuses keys younger than 12
  // hours, so the coordinator's clock starts 13 hours later.
  m_clock.Set(std::chrono::system_clock::now() + std::chrono::hours(13));
  OpenNetwork();
  StartCoordinator();
}

void EngineHarness::OpenNetwork() {
  escrow::simln::NetworkSpec spec;
  spec.start_height = 800000;
  spec.nodes.push_back({"coordinator", ""});
  for (const char* w : {"alice", "bob", "carol", "dave"}) {
    spec.nodes.push_back({w, ""});
    escrow::simln::ChannelSpec ch;
    ch.node_a = "coordinator";
    ch.node_b = w;
    ch.a_balance_sat = 10000000;
    ch.b_balance_sat = 10000000;
    spec.channels.push_back(ch);
  }
  auto net = escrow::simln::Network::Open(m_dir + "/simln.db", spec, m_clock);
  ASSERT_TRUE(net.ok()) << net.error();
  m_net = std::move(net.value());
  if (m_total_msat == 0) m_total_msat = m_net->TotalMsat();
  for (const char* w : {"alice", "bob", "carol", "dave"}) m_wallets[w] = m_net->Node(w);
}

void EngineHarness::CloseNetwork() {
  m_payments.clear();
  m_wallets.clear();
  m_net.reset();
}

void EngineHarness::StartCoordinator() {
  auto store = coordinator::Store::Open(m_dir + "/coordinator.db");
  ASSERT_TRUE(store.ok()) << store.error();
  auto faulty_store = std::make_unique<FaultyStore>(std::move(store.value()));
  m_faulty_store = faulty_store.get();
  m_store = std::move(faulty_store);
  auto faulty_node = std::make_unique<FaultyNode>(m_net->Node("coordinator"));
  m_faulty_node = faulty_node.get();
  m_coord_node = std::move(faulty_node);
  m_holds = std::make_unique<escrow::HoldDesk>(*m_coord_node);
  m_payouts = std::make_unique<escrow::PayoutDesk>(*m_coord_node);
  coordinator::Engine::Deps deps;
  deps.store = m_store.get();
  deps.holds = m_holds.get();
  deps.payouts = m_payouts.get();
  deps.clock = &m_clock;
  deps.rates = &m_rates;
  deps.block_height = [this] { return m_net->BlockHeight(); };
  deps.node_reachable = [this] { return m_node_up.load(); };
  deps.outage = m_outage;
  deps.params = m_params;
  deps.dev_tax = m_dev_tax;
  if (m_make_dev_tax_invoices) m_dev_tax_invoices = m_make_dev_tax_invoices();
  deps.dev_tax_invoices = m_dev_tax_invoices.get();
  deps.node.alias = "coordinator";
  if (auto info = m_coord_node->GetInfo(); info.ok()) deps.node.pubkey = info->identity_pubkey;
  deps.node.network = "regtest";
  deps.currency_code = [](int id) -> std::string { return id == 1 ? "USD" : id == 2 ? "EUR" : ""; };
  deps.crash_point = m_crash_point;
  deps.nostr_key = m_nostr_key;
  m_engine = std::make_unique<coordinator::Engine>(std::move(deps));
  m_engine->tick_interval = std::chrono::milliseconds(20);
  m_engine->intent_retry_interval = std::chrono::milliseconds(50);
  m_engine->Start();
}

void EngineHarness::StopCoordinator() {
  if (m_engine) m_engine->Stop();
  // Desks (and the invoice source) before the engine: their callbacks post into it.
  m_dev_tax_invoices.reset();
  m_payouts.reset();
  m_holds.reset();
  m_engine.reset();
  m_coord_node.reset();
  m_faulty_node = nullptr;
  m_store.reset();
  m_faulty_store = nullptr;
}

void EngineHarness::TearDown() {
  StopCoordinator();
  CloseNetwork();
  std::filesystem::remove_all(m_dir);
}

TestRobot& EngineHarness::Robot(const std::string& name, const std::string& wallet) {
  auto it = m_robots.find(name);
  if (it != m_robots.end()) return it->second;
  TestRobot r;
  r.name = name;
  r.wallet = wallet;
  r.key = testsupport::PgpKey::Generate(name);
  r.auth.hash_id = escrow::crypto::ToHex(escrow::crypto::Sha256("hash of " + name));
  coordinator::Auth::NewRobot keys;
  keys.nickname = name;
  keys.public_key = r.key->public_armored();
  keys.encrypted_private_key = r.key->secret_armored();
  keys.nostr_pubkey = "";
  r.auth.keys = keys;
  return m_robots.emplace(name, std::move(r)).first->second;
}

base::Result<json> EngineHarness::Call(const TestRobot& r, coordinator::Command cmd) {
  auto promise = std::make_shared<std::promise<base::Result<json>>>();
  auto fut = promise->get_future();
  m_engine->Submit(r.auth, std::move(cmd), [promise](base::Result<json> res) { promise->set_value(std::move(res)); });
  if (fut.wait_for(20s) != std::future_status::ready) {
    ADD_FAILURE() << "engine did not answer";
    return base::Err(base::Status::Error(base::Status::kInternal, "timeout"));
  }
  return fut.get();
}

json EngineHarness::Ok(const TestRobot& r, coordinator::Command cmd) {
  auto res = Call(r, std::move(cmd));
  EXPECT_TRUE(res.ok()) << (res.ok() ? "" : std::to_string(res.error().code) + " " + res.error().message);
  return res.ok() ? res.value() : json();
}

void EngineHarness::Pay(const std::string& wallet, const std::string& payreq) {
  ASSERT_FALSE(payreq.empty());
  escrow::SendPaymentRequest req;
  req.payment_request = payreq;
  req.fee_limit_msat = 100000000;
  req.timeout_seconds = 60;
  m_payments.push_back(m_wallets.at(wallet)->SendPayment(req, {[](const escrow::Payment&) {}, {}, {}}));
}

int EngineHarness::StoredStatus(int64_t id) {
  m_engine->Drain();
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  if (!audit.ok()) return -1;
  auto o = audit.value()->OrderById(id);
  return o ? static_cast<int>(o->status) : -1;
}

json EngineHarness::ViewOrStatus(const TestRobot& r, int64_t id) {
  auto res = Call(r, coordinator::GetOrderCmd{id});
  if (res.ok()) return res.value();
  // RoboSats answers 1043 for a cancelled order and 1044 to an outsider of a non-public one:
  // the status then comes from the store.
  return json{{"id", id}, {"status", StoredStatus(id)}, {"error_code", res.error().code}};
}

json EngineHarness::WaitStatus(const TestRobot& r, int64_t id, int status) {
  json view;
  for (int i = 0; i < 1000; ++i) {
    m_net->Tick();
    m_engine->Tick();
    m_engine->Drain();
    view = ViewOrStatus(r, id);
    if (view.value("status", -1) == status) return view;
    std::this_thread::sleep_for(5ms);
  }
  ADD_FAILURE() << "order " << id << " never reached status " << status << "; last view: " << view.dump();
  return view;
}

json EngineHarness::WaitField(const TestRobot& r, int64_t id, const std::string& field) {
  json view;
  for (int i = 0; i < 1000; ++i) {
    m_engine->Drain();
    view = Order(r, id);
    if (view.contains(field)) return view;
    std::this_thread::sleep_for(5ms);
  }
  ADD_FAILURE() << "order " << id << " never showed " << field << "; last view: " << view.dump();
  return view;
}

coordinator::HoldInvoice EngineHarness::StoredHold(int64_t hold_id) {
  m_engine->Drain();
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  EXPECT_TRUE(audit.ok());
  auto h = audit.ok() ? audit.value()->HoldById(hold_id) : std::nullopt;
  EXPECT_TRUE(h.has_value()) << "no hold " << hold_id;
  return h.value_or(coordinator::HoldInvoice{});
}

std::string EngineHarness::SignedInvoice(const TestRobot& r, int64_t sats, std::string* payreq_out,
                                         int64_t expiry_seconds, uint64_t cltv_expiry) {
  escrow::InvoiceRequest req;
  req.value_msat = sats * 1000;
  req.memo = "payout for " + r.name;
  req.expiry_seconds = expiry_seconds;
  if (cltv_expiry) req.cltv_expiry = cltv_expiry;
  auto added = m_wallets.at(r.wallet)->AddInvoice(req);
  EXPECT_TRUE(added.ok());
  if (!added.ok()) return "";
  if (payreq_out) *payreq_out = added->payment_request;
  return r.key->ClearSign(added->payment_request);
}

void EngineHarness::Advance(std::chrono::seconds s) {
  m_clock.Advance(s);
  m_net->Tick();
  m_engine->Tick();
  m_engine->Drain();
}

int64_t EngineHarness::LocalSats(const std::string& node) {
  auto v = m_net->GetNode(node);
  return v ? v->balance.local_msat / 1000 : 0;
}

int64_t EngineHarness::SatsWhenSettled(const std::string& node, int64_t expected) {
  int64_t now = LocalSats(node);
  for (int i = 0; i < 1000 && now != expected; ++i) {
    m_engine->Drain();
    std::this_thread::sleep_for(5ms);
    now = LocalSats(node);
  }
  return now;
}

int64_t EngineHarness::RewardsWhenSettled(const TestRobot& r, int64_t expected) {
  int64_t now = EarnedRewards(r);
  for (int i = 0; i < 1000 && now != expected; ++i) {
    std::this_thread::sleep_for(5ms);
    now = EarnedRewards(r);
  }
  return now;
}

void EngineHarness::CheckConservation() {
  m_engine->Drain();
  EXPECT_EQ(m_net->TotalMsat(), m_total_msat) << "the network created or lost sats";
  // The engine's last node calls may still be on their way: a finished order's hold is waited
  // for (bounded) before it counts as left OPEN/ACCEPTED.
  auto report = testsupport::AuditStoreAgainstNode(m_dir + "/coordinator.db", *m_coord_node, 5s);
  EXPECT_TRUE(report.ok()) << report.Describe();
}

int64_t EngineHarness::MakePublic(TestRobot& maker, coordinator::MakeCmd cmd) {
  auto made = Ok(maker, cmd);
  EXPECT_EQ(made["status"], 0);
  EXPECT_TRUE(made.contains("bond_invoice")) << made.dump();
  int64_t id = made["id"];
  Pay(maker.wallet, made.value("bond_invoice", ""));
  WaitStatus(maker, id, 1);
  return id;
}

void EngineHarness::TakeAndLock(TestRobot& taker, int64_t id, const std::string& amount) {
  auto taken = Ok(taker, coordinator::TakeCmd{id, amount, std::nullopt});
  EXPECT_EQ(taken["status"], 3) << taken.dump();
  Pay(taker.wallet, taken.value("bond_invoice", ""));
  WaitStatus(taker, id, 6);
}

void EngineHarness::LockEscrow(TestRobot& seller, int64_t id) {
  int before = Order(seller, id)["status"];
  auto view = WaitField(seller, id, "escrow_invoice");
  Pay(seller.wallet, view.value("escrow_invoice", ""));
  WaitStatus(seller, id, before == 6 ? 8 : 9);
}

int64_t ClientInvoiceSats(int64_t invoice_amount, int64_t ppm) {
  // The RoboSats client's own arithmetic (frontend/src/components/TradeBox/Forms/
  // LightningPayout.tsx): Math.floor(tradeAmount - tradeAmount * (routingBudgetPPM / 1000000)).
  const double n = static_cast<double>(invoice_amount);
  return static_cast<int64_t>(std::floor(n - n * (static_cast<double>(ppm) / 1000000.0)));
}

void EngineHarness::SubmitInvoice(TestRobot& buyer, int64_t id, int64_t ppm) {
  int64_t n = Order(buyer, id)["invoice_amount"];
  Ok(buyer, coordinator::UpdateInvoiceCmd{id, SignedInvoice(buyer, ClientInvoiceSats(n, ppm)), ppm});
}

coordinator::MakeCmd SellOrder(const std::string& amount_usd) {
  coordinator::MakeCmd m;
  m.type = coordinator::OrderType::kSell;
  m.currency = 1;
  m.amount = amount_usd;
  m.payment_method = "Strike";
  m.premium = "1";
  return m;
}

coordinator::MakeCmd BuyOrder(const std::string& amount_usd) {
  auto m = SellOrder(amount_usd);
  m.type = coordinator::OrderType::kBuy;
  return m;
}

}  // namespace enginetest
