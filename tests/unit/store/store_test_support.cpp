#include "tests/unit/store/store_test_support.h"

#include <filesystem>

#include "tests/support/test_support.h"

namespace coordinator::store_test {

void StoreTest::SetUp() {
  m_dir = testsupport::MakeTempDir("unit_store");
  m_path = m_dir + "/coordinator.db";
}

void StoreTest::TearDown() { std::filesystem::remove_all(m_dir); }

std::unique_ptr<Store> StoreTest::OpenStore() {
  auto store = Store::Open(m_path);
  if (!store) {
    ADD_FAILURE() << "Store::Open: " << store.error();
    return nullptr;
  }
  return std::move(*store);
}

Graph MakeGraph(Store& store, int seed) {
  Graph g;
  g.maker.id = store.NewId(Table::kRobot);
  g.taker.id = store.NewId(Table::kRobot);
  g.order.id = store.NewId(Table::kOrder);
  g.maker_bond.id = store.NewId(Table::kHold);
  g.taker_bond.id = store.NewId(Table::kHold);
  g.escrow.id = store.NewId(Table::kHold);
  g.take.id = store.NewId(Table::kTake);
  g.payout.id = store.NewId(Table::kPayout);
  g.intent.id = store.NewId(Table::kIntent);
  g.ledger.id = store.NewId(Table::kLedger);
  g.tick.id = store.NewId(Table::kTick);
  FillGraph(g, seed);
  return g;
}

void FillGraph(Graph& g, int seed) {
  const std::string s = std::to_string(seed);
  const int64_t t = 1700000000 + seed * 1000;
  const bool odd = seed % 2 == 1;

  auto robot = [&](Robot& r, const std::string& who, int64_t rewards) {
    r.hash_id = "hashid-" + who + s;
    r.nickname = "Nick" + who + s;
    r.public_key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n" + who + s + "\n-----END PGP PUBLIC KEY BLOCK-----";
    r.encrypted_private_key = "SECRET-PRIVKEY-" + who + s;
    r.nostr_pubkey = "npub-" + who + s;
    r.created_at = t + 1;
    r.last_seen_at = t + 2;
    r.earned_rewards_sat = rewards;
    r.penalty_until = t + 3;
    r.active_order_id = g.order.id;
    r.wants_stealth = !odd;
  };
  robot(g.maker, "maker", 1234 + seed);
  robot(g.taker, "taker", seed);

  Order& o = g.order;
  o.status = odd ? OrderStatus::kSendingFiat : OrderStatus::kFiatSent;
  o.type = odd ? OrderType::kSell : OrderType::kBuy;
  o.currency = 2 + seed;
  o.has_range = odd;
  o.amount = "150.5" + s;
  o.min_amount = "100" + s;
  o.max_amount = "200" + s;
  o.payment_method = "SEPA Revolut " + s;
  o.is_explicit = odd;
  o.premium = "-1.25" + s;
  o.satoshis = 250000 + seed;
  o.public_duration = 3600 + seed;
  o.escrow_duration = 7200 + seed;
  o.bond_size = "5.5" + s;
  o.latitude = "52.52" + s;
  o.longitude = "-13.4" + s;
  o.password_hash = "ab12cd34" + s;
  o.description = "Ünïcode ☕, 'quotes' and \"double\"; DROP TABLE orders; --" + s;
  o.maker_id = g.maker.id;
  o.taker_id = g.taker.id;
  o.created_at = t + 4;
  o.expires_at = t + 5;
  o.last_satoshis = 260000 + seed;
  o.trade_satoshis = 255000 + seed;
  o.taken_amount = "150.25" + s;
  o.contract_price = 59000.123456789 + seed;
  o.contract_at = t + 6;
  o.finished_at = t + 7;
  o.maker_bond_id = g.maker_bond.id;
  o.taker_bond_id = g.taker_bond.id;
  o.escrow_id = g.escrow.id;
  o.payout_id = g.payout.id;
  o.is_fiat_sent = odd;
  o.fiat_sent_ever = !odd;
  o.maker_asked_cancel = odd;
  o.taker_asked_cancel = !odd;
  o.is_disputed = odd;
  o.expiry_reason = odd ? ExpiryReason::kEscrowNotLocked : ExpiryReason::kNotTaken;
  o.platform_rating = odd ? 4 : 5;
  o.outage_extended_s = 3600 + seed;
  o.outage_capped = odd;

  auto hold = [&](HoldInvoice& h, const std::string& what, const Robot& owner, HoldRole role,
                  HoldState state, int64_t amount) {
    h.order_id = g.order.id;
    h.robot_id = owner.id;
    h.role = role;
    h.amount_sat = amount + seed;
    h.payment_hash = "HASH-" + what + s;
    h.preimage = "SECRET-PREIMAGE-" + what + s;
    h.payment_request = "lnbcrt" + what + s;
    h.state = state;
    h.created_at = t + 6;
    h.invoice_expires_at = t + 7;
    h.cltv_expiry = 4294967295u - static_cast<uint32_t>(seed);
    h.htlc_expiry_height = 812345 + seed;
    h.reward_robot_id = 0;
    h.take_id = 0;
    h.custody = false;
  };
  hold(g.maker_bond, "maker", g.maker, HoldRole::kMakerBond,
       odd ? HoldState::kSettled : HoldState::kCanceled, 7500);
  g.maker_bond.reward_robot_id = g.taker.id;
  g.maker_bond.custody = odd;
  hold(g.taker_bond, "taker", g.taker, HoldRole::kTakerBond,
       odd ? HoldState::kAccepted : HoldState::kOpen, 7600);
  g.taker_bond.take_id = g.take.id;
  g.taker_bond.htlc_expiry_height = -seed;
  hold(g.escrow, "escrow", g.maker, HoldRole::kEscrow,
       odd ? HoldState::kOpen : HoldState::kPending, 255500);

  Take& k = g.take;
  k.order_id = g.order.id;
  k.robot_id = g.taker.id;
  k.amount = "150.25" + s;
  k.trade_satoshis = 255000 + seed;
  k.bond_id = g.taker_bond.id;
  k.expires_at = t + 8;
  k.state = odd ? TakeState::kWon : TakeState::kLost;

  Payout& p = g.payout;
  p.order_id = g.order.id;
  p.robot_id = g.taker.id;
  p.payment_request = "lnbcrt-payout" + s;
  p.payment_hash = "PAYHASH-" + s;
  p.amount_sat = 254000 + seed;
  p.routing_budget_ppm = 1000 + seed;
  p.routing_budget_sat = 254 + seed;
  p.state = odd ? PayoutState::kInFlight : PayoutState::kSucceeded;
  p.attempts = 2 + seed;
  p.next_attempt_at = t + 9;
  p.fee_sat = 3 + seed;
  p.preimage = "SECRET-PAYPREIMAGE-" + s;
  p.failure_reason = "FAILURE_REASON_NO_ROUTE " + s;
  p.invoice_expires_at = t + 10;
  p.created_at = t + 11;

  Intent& i = g.intent;
  i.kind = odd ? IntentKind::kPay : IntentKind::kSettleHold;
  i.order_id = g.order.id;
  i.target_id = g.payout.id;
  i.state = odd ? IntentState::kDone : IntentState::kOpen;
  i.attempts = 3 + seed;
  i.created_at = t + 12;
  i.done_at = t + 13;

  LedgerEntry& e = g.ledger;
  e.order_id = g.order.id;
  e.robot_id = g.taker.id;
  e.kind = odd ? LedgerKind::kRewardCredited : LedgerKind::kDisputeCustody;
  e.amount_sat = 3750 + seed;
  e.created_at = t + 14;
  e.memo = std::string("half of bond\0with a NUL", 23) + s;

  MarketTick& m = g.tick;
  m.timestamp = t + 15;
  m.currency = 2 + seed;
  m.volume = "0.00255000" + s;
  m.price = "59000.12" + s;
  m.premium = "-1.25" + s;
  m.fee = "0.002" + s;
}

base::Expected<void, std::string> PutAll(Store& store, const Graph& g) {
  if (auto r = store.Begin(); !r) return r;
  base::Expected<void, std::string> results[] = {
      store.Put(g.tick),       store.Put(g.ledger),     store.Put(g.intent),
      store.Put(g.payout),     store.Put(g.take),       store.Put(g.escrow),
      store.Put(g.taker_bond), store.Put(g.maker_bond), store.Put(g.order),
      store.Put(g.taker),      store.Put(g.maker),
  };
  for (const auto& r : results) {
    if (!r) {
      store.Rollback();
      return r;
    }
  }
  return store.Commit();
}

bool ContainsSecret(const std::string& text) { return text.find("SECRET-") != std::string::npos; }

}  // namespace coordinator::store_test
