// The SQLite store: everything survives a reopen, in-flight work included.
#include <sqlite3.h>

#include "tests/unit/simln/simln_fixture.h"

namespace simln_test {
namespace {

// Runs one query returning a single value as text.
std::string QueryOne(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

TEST_F(SimlnTest, StateSurvivesReopen) {
  // Settled, open and canceled invoices; a successful and a failed payment; a keysend; mined
  // blocks; failure settings.
  auto paid = AddRegular("carol", 70'000, Preimage(1));
  ASSERT_EQ(PayInvoice("alice", paid.payment_request).updates.back().status, PaymentStatus::kSucceeded);
  auto open = AddHold("carol", HashOf(Preimage(2)), 5000);
  auto canceled = AddHold("carol", HashOf(Preimage(3)), 5000);
  ASSERT_TRUE(Node("carol").CancelInvoice(canceled.payment_hash).ok());
  ASSERT_EQ(Pay("bob", escrow::MakeKeysend(Pubkey("carol"), 3000, Preimage(4))).updates.back().status,
            PaymentStatus::kSucceeded);
  m_net->SetChannelFailure(ChannelId("dave", "erin"), {FailureMode::kNoRoute, 0});
  auto failed_inv = AddRegular("erin", 1000);
  ASSERT_EQ(PayInvoice("dave", failed_inv.payment_request).updates.back().failure_reason,
            FailureReason::kNoRoute);
  m_net->SetNodeFailure("erin", {FailureMode::kSlowReplies, 1500});
  m_net->MineBlocks(7);

  auto invoices_before = m_net->ListInvoices("carol");
  auto payments_before = m_net->ListPayments("alice");
  auto channels_before = m_net->Channels();
  uint32_t height_before = m_net->BlockHeight();

  Reopen();

  EXPECT_EQ(m_net->BlockHeight(), height_before);
  auto invoices = m_net->ListInvoices("carol");
  ASSERT_EQ(invoices.size(), invoices_before.size());
  for (size_t i = 0; i < invoices.size(); ++i) {
    EXPECT_EQ(invoices[i].r_hash, invoices_before[i].r_hash);
    EXPECT_EQ(invoices[i].state, invoices_before[i].state);
    EXPECT_EQ(invoices[i].r_preimage, invoices_before[i].r_preimage);
    EXPECT_EQ(invoices[i].payment_request, invoices_before[i].payment_request);
    EXPECT_EQ(invoices[i].add_index, invoices_before[i].add_index);
    EXPECT_EQ(invoices[i].settle_index, invoices_before[i].settle_index);
    EXPECT_EQ(invoices[i].payment_addr, invoices_before[i].payment_addr);
    EXPECT_EQ(invoices[i].is_keysend, invoices_before[i].is_keysend);
    ASSERT_EQ(invoices[i].htlcs.size(), invoices_before[i].htlcs.size());
    for (size_t h = 0; h < invoices[i].htlcs.size(); ++h) {
      EXPECT_EQ(invoices[i].htlcs[h].custom_records, invoices_before[i].htlcs[h].custom_records);
      EXPECT_EQ(invoices[i].htlcs[h].expiry_height, invoices_before[i].htlcs[h].expiry_height);
    }
  }
  EXPECT_EQ(InvoiceOf("carol", paid.payment_hash).r_preimage, Preimage(1));
  EXPECT_EQ(InvoiceOf("carol", open.payment_hash).state, InvoiceState::kOpen);
  auto payments = m_net->ListPayments("alice");
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].status, PaymentStatus::kSucceeded);
  EXPECT_EQ(payments[0].payment_preimage, Preimage(1));
  EXPECT_EQ(payments[0].fee_msat, payments_before[0].fee_msat);
  EXPECT_EQ(payments[0].creation_time_ns, payments_before[0].creation_time_ns);
  EXPECT_EQ(PaymentOf("dave", failed_inv.payment_hash)->failure_reason, FailureReason::kNoRoute);
  auto channels = m_net->Channels();
  ASSERT_EQ(channels.size(), channels_before.size());
  for (size_t i = 0; i < channels.size(); ++i) {
    EXPECT_EQ(channels[i].chan_id, channels_before[i].chan_id);
    EXPECT_EQ(channels[i].a_local_msat, channels_before[i].a_local_msat);
    EXPECT_EQ(channels[i].b_local_msat, channels_before[i].b_local_msat);
    EXPECT_EQ(channels[i].failure.mode, channels_before[i].failure.mode);
  }
  EXPECT_EQ(m_net->GetNode("erin")->failure.mode, FailureMode::kSlowReplies);
  EXPECT_EQ(m_net->GetNode("erin")->failure.delay_ms, 1500);
  // Indexes continue where they stopped.
  auto next = AddRegular("carol", 1000);
  EXPECT_EQ(next.add_index, invoices.back().add_index + 1);
  EXPECT_EQ(Pubkey("carol"),
            escrow::crypto::ToHex(escrow::crypto::Signer::FromSeed("simln:carol").PublicKey()));
}

TEST_F(SimlnTest, HoldInvoicePaidBeforeARestartCanBeSettledAfterIt) {
  Hash32 hash = HashOf(Preimage(5));
  auto inv = AddHold("carol", hash, 80'000, 144);
  PayInvoice("alice", inv.payment_request, 10'000, PaymentStatus::kInFlight);
  int64_t locked = Balance("alice").unsettled_local_msat;
  ASSERT_GT(locked, 0);

  Reopen();

  Invoice accepted = InvoiceOf("carol", hash);
  EXPECT_EQ(accepted.state, InvoiceState::kAccepted);
  ASSERT_EQ(accepted.htlcs.size(), 1u);
  EXPECT_EQ(Balance("alice").unsettled_local_msat, locked);
  EXPECT_EQ(PaymentOf("alice", hash)->status, PaymentStatus::kInFlight);

  escrow::StreamQueue<Payment> q;
  auto sub = Node("alice").TrackPayment(hash, q.Handlers());
  ASSERT_TRUE(Node("carol").SettleInvoice(Preimage(5)).ok());
  auto done = q.WaitFor([](const Payment& p) { return p.status == PaymentStatus::kSucceeded; }, kWait);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->payment_preimage, Preimage(5));
  EXPECT_EQ(done->fee_msat, 1000);
  EXPECT_EQ(Balance("alice").unsettled_local_msat, 0);
  EXPECT_EQ(Balance("carol").local_msat, 1'000'000'000 + 80'000);
}

TEST_F(SimlnTest, TimedOutPaymentSurvivesARestartAndFailsAfterIt) {
  m_net->SetNodeFailure("bob", {FailureMode::kTimeout, 0});
  auto inv = AddRegular("carol", 10'000);
  escrow::SendPaymentRequest req;
  req.payment_request = inv.payment_request;
  req.fee_limit_msat = 10'000;
  req.timeout_seconds = 20;
  Pay("alice", req, PaymentStatus::kInFlight);
  Reopen();
  EXPECT_EQ(PaymentOf("alice", inv.payment_hash)->status, PaymentStatus::kInFlight);
  EXPECT_GT(Balance("alice").unsettled_local_msat, 0);
  Advance(20);
  m_net->Tick();
  EXPECT_EQ(PaymentOf("alice", inv.payment_hash)->failure_reason, FailureReason::kTimeout);
  EXPECT_EQ(Balance("alice").unsettled_local_msat, 0);
}

TEST_F(SimlnTest, ReopenAddsNewSpecNodesAndChannelsAndKeepsStoredState) {
  auto inv = AddRegular("bob", 123'000);
  ASSERT_EQ(PayInvoice("alice", inv.payment_request).updates.back().status, PaymentStatus::kSucceeded);
  NetworkSpec spec = LineSpec();
  spec.channels[0].a_balance_sat = 5;  // ignored: the stored channel wins
  spec.nodes.push_back({"frank", ""});
  spec.channels.push_back({"frank", "alice", 300'000, 0});
  spec.start_height = 1;  // ignored too
  Reopen(spec);
  m_total += 300'000'000;  // the new channel's funds
  EXPECT_EQ(m_net->BlockHeight(), 800000u);
  EXPECT_EQ(Balance("alice").local_msat, 1'000'000'000 - 123'000);
  ASSERT_TRUE(m_net->GetNode("frank").has_value());
  EXPECT_EQ(m_net->Channels().size(), 4u);
  auto frank_inv = AddRegular("alice", 1000);
  EXPECT_EQ(PayInvoice("frank", frank_inv.payment_request).updates.back().status, PaymentStatus::kSucceeded);
  // Opening once more with the same spec adds nothing.
  Reopen(spec);
  EXPECT_EQ(m_net->Channels().size(), 4u);
  // Channel ids are distinct short channel ids.
  std::set<uint64_t> ids;
  for (const auto& c : m_net->Channels()) ids.insert(c.chan_id);
  EXPECT_EQ(ids.size(), 4u);
}

TEST_F(SimlnTest, StoreIsWalWithAVersionedSchema) {
  m_nodes.clear();
  m_net.reset();
  EXPECT_EQ(QueryOne(DbPath(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryOne(DbPath(), "PRAGMA user_version"), "1");
  EXPECT_EQ(QueryOne(DbPath(), "SELECT count(*) FROM nodes"), "5");
  // A newer schema is refused rather than misread.
  QueryOne(DbPath(), "PRAGMA user_version = 99");
  auto net = Network::Open(DbPath(), LineSpec(), m_clock);
  ASSERT_FALSE(net.ok());
  EXPECT_NE(net.error().find("newer"), std::string::npos) << net.error();
  QueryOne(DbPath(), "PRAGMA user_version = 1");
  Reopen();
}

TEST_F(SimlnTest, OpenRefusesAFileThatIsNotAStoreAndAnInvalidSpec) {
  std::string other = m_dir + "/other.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE foreign_table(x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto net = Network::Open(other, LineSpec(), m_clock);
  ASSERT_FALSE(net.ok());
  EXPECT_NE(net.error().find("not a simln store"), std::string::npos) << net.error();

  NetworkSpec bad = LineSpec();
  bad.channels.push_back({"alice", "zed", 1, 1});
  auto invalid = Network::Open(m_dir + "/new.db", bad, m_clock);
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.error().find("zed"), std::string::npos);
}

TEST_F(SimlnTest, ASecondNetworkOnTheSameFileIsRefused) {
  auto second = Network::Open(DbPath(), LineSpec(), m_clock);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
  EXPECT_TRUE(Node("alice").GetInfo().ok());  // the first one is unharmed
}

TEST_F(SimlnTest, TwoNodesWithTheSameSeedAreRefused) {
  NetworkSpec spec = LineSpec();
  spec.nodes.push_back({"twin", "simln:alice"});
  auto net = Network::Open(m_dir + "/twins.db", spec, m_clock);
  ASSERT_FALSE(net.ok());
  EXPECT_NE(net.error().find("same seed"), std::string::npos);
}

}  // namespace
}  // namespace simln_test
