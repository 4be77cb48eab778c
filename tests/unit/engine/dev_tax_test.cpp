// The dev tax through the engine: proceeds accrue their share in millisats, a streaming job pays
// whole sats by keysend to the dev fund's node (here the wallet "dave"), failed payments are
// retried after a backoff with their range, and the sums follow the rounding rule exactly.
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "coordinator/dev_tax.h"
#include "tests/support/auditor.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;
using coordinator::ConfirmCmd;
using coordinator::DevTaxPayment;
using coordinator::PayoutState;

TEST(DevTaxRounding, PaidAlwaysEqualsTheFloorOfTheCumulativeAccrual) {
  std::mt19937_64 rng(7);
  for (int64_t ppm : {0, 1, 3, 199999, 200000, 333333, 1000000}) {
    int64_t accrued = 0, paid = 0, payments = 0;
    for (int i = 0; i < 5000; ++i) {
      const int64_t proceeds = static_cast<int64_t>(rng() % 2000);
      const int64_t a = coordinator::DevTaxAccruedMsat(proceeds, ppm);
      // floor(p × share × 1000 msat): exact integer arithmetic, never above the real share.
      ASSERT_EQ(a, proceeds * ppm / 1000);
      accrued += a;
      if (rng() % 7 == 0) {  // a payment at an arbitrary moment
        const int64_t amount = coordinator::DevTaxPayableSat(accrued, paid);
        ASSERT_GE(amount, 0);
        paid += amount;
        payments += amount > 0;
        ASSERT_EQ(paid, accrued / 1000);
      }
    }
    paid += coordinator::DevTaxPayableSat(accrued, paid);
    EXPECT_EQ(paid, accrued / 1000) << ppm;
    EXPECT_LT(accrued - paid * 1000, 1000) << ppm;  // only the last sub-sat remainder is unpaid
  }
  EXPECT_EQ(coordinator::DevTaxShareToPpm(0.2), 200000);
  EXPECT_EQ(coordinator::DevTaxShareToPpm(0.0), 0);
  EXPECT_EQ(coordinator::DevTaxAccruedMsat(1, 200000), 200);       // 1 sat of proceeds → 0.2 sat
  EXPECT_EQ(coordinator::DevTaxAccruedMsat(4999, 333333), 1666331); // floor(1666.331667 sat)
  EXPECT_EQ(coordinator::DevTaxRetryDelay(1, 60, 3600), 60);
  EXPECT_EQ(coordinator::DevTaxRetryDelay(3, 60, 3600), 240);
  EXPECT_EQ(coordinator::DevTaxRetryDelay(30, 60, 3600), 3600);
  EXPECT_EQ(coordinator::DevTaxFeeLimitSat(1000, 10000, 10), 10);
  EXPECT_EQ(coordinator::DevTaxFeeLimitSat(100000, 10000, 10), 1000);
}

class DevTax : public EngineHarness {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("dev-tax");
    m_clock.Set(std::chrono::system_clock::now() + std::chrono::hours(13));
    OpenNetwork();
    m_dev_pubkey = m_wallets.at("dave")->GetInfo()->identity_pubkey;
    m_dev_tax.node_pubkey = m_dev_pubkey;
    m_dev_tax.min_payment_sat = 1;
    m_dev_tax.interval_s = 3600;
    m_dev_tax.retry_base_s = 60;
    m_dev_tax.coordinator_name = "testcoord";
  }

  // One successful sell trade of `usd` dollars (alice sells to bob).
  void SuccessfulTrade(const std::string& usd = "100") {
    auto& seller = Robot("seller" + std::to_string(m_trades), "alice");
    auto& buyer = Robot("buyer" + std::to_string(m_trades), "bob");
    ++m_trades;
    int64_t id = MakePublic(seller, SellOrder(usd));
    TakeAndLock(buyer, id);
    LockEscrow(seller, id);
    SubmitInvoice(buyer, id);
    Ok(buyer, ConfirmCmd{id});
    Ok(seller, ConfirmCmd{id});
    WaitStatus(buyer, id, 14);
  }

  std::unique_ptr<coordinator::Store> ReadStore() {
    auto s = coordinator::Store::Open(m_dir + "/coordinator.db");
    EXPECT_TRUE(s.ok());
    return std::move(s.value());
  }
  std::vector<DevTaxPayment> Payments() {
    return ReadStore()->DevTaxPaymentsBetween(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  }
  // Ticks the engine until no dev-tax payment is in flight (bounded), then returns them all.
  std::vector<DevTaxPayment> SettledPayments() {
    for (int i = 0; i < 2000; ++i) {
      m_engine->Tick();
      m_engine->Drain();
      if (!ReadStore()->DevTaxPaymentInFlight()) break;
      std::this_thread::sleep_for(5ms);
    }
    return Payments();
  }
  // Keysends the dev node received: amount (sat) and the message record.
  std::vector<std::pair<int64_t, std::string>> Received() {
    std::vector<std::pair<int64_t, std::string>> out;
    for (const auto& inv : m_net->ListInvoices("dave")) {
      if (!inv.is_keysend || inv.state != escrow::InvoiceState::kSettled) continue;
      std::string message;
      for (const auto& h : inv.htlcs) {
        auto it = h.custom_records.find(34349334);
        if (it != h.custom_records.end()) message.assign(it->second.begin(), it->second.end());
      }
      out.emplace_back(inv.amt_paid_msat / 1000, message);
    }
    return out;
  }
  testsupport::AuditReport Audit() {
    auto report = testsupport::AuditStore(m_dir + "/coordinator.db");
    EXPECT_TRUE(report.ok()) << report.Describe();
    return report;
  }

  std::string m_dev_pubkey;
  int m_trades = 0;
};

TEST_F(DevTax, TradeProceedsAreStreamedToTheDevNodeByKeysendExactlyAsTheRoundingRuleSays) {
  StartCoordinator();
  SuccessfulTrade("100");
  SuccessfulTrade("73");
  auto payments = SettledPayments();
  auto report = Audit();
  ASSERT_FALSE(payments.empty());
  int64_t proceeds = 0;
  for (const auto& e : ReadStore()->Ledger()) {
    if (e.kind == coordinator::LedgerKind::kProceeds) proceeds += e.amount_sat;
  }
  ASSERT_GT(proceeds, 0);
  // Each trade's proceeds row accrued floor(p × 200000 / 1000) msat; whole sats were paid.
  EXPECT_GE(report.dev_tax_accrued_msat, proceeds * 200);
  int64_t received = 0;
  for (const auto& [sat, message] : Received()) {
    received += sat;
    EXPECT_NE(message.find("dev tax from testcoord: accruals "), std::string::npos) << message;
  }
  EXPECT_EQ(report.dev_tax_paid_sat, report.dev_tax_accrued_msat / 1000);
  EXPECT_EQ(received, report.dev_tax_paid_sat);
  EXPECT_EQ(static_cast<int>(Received().size()), report.dev_tax_payments);
  for (const auto& p : payments) {
    EXPECT_EQ(p.state, PayoutState::kSucceeded);
    EXPECT_EQ(p.payee, m_dev_pubkey);
    // The preimage published in statements is the proof: it hashes to the payment hash.
    auto pre = escrow::crypto::Hash32FromHex(p.preimage);
    ASSERT_TRUE(pre);
    EXPECT_EQ(escrow::crypto::ToHex(escrow::crypto::Sha256(pre->data(), pre->size())), p.payment_hash);
  }
  CheckConservation();
}

TEST_F(DevTax, ShareZeroAccruesNothingAndPaysNothing) {
  m_dev_tax.share_ppm = 0;
  StartCoordinator();
  SuccessfulTrade();
  EXPECT_TRUE(SettledPayments().empty());
  auto report = Audit();
  EXPECT_EQ(report.dev_tax_accrued_msat, 0);
  EXPECT_TRUE(Received().empty());
}

TEST_F(DevTax, BelowTheMinimumWaitsForTheIntervalThenPays) {
  m_dev_tax.min_payment_sat = 1'000'000;
  StartCoordinator();
  SuccessfulTrade();
  EXPECT_TRUE(SettledPayments().empty());
  Advance(std::chrono::seconds(m_dev_tax.interval_s - 10));
  EXPECT_TRUE(SettledPayments().empty());
  Advance(20s);
  auto payments = SettledPayments();
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].state, PayoutState::kSucceeded);
  EXPECT_EQ(Received().size(), 1u);
  Audit();
}

TEST_F(DevTax, AFailedPaymentIsRetriedAfterABackoffWithItsRangeAndPaidOnce) {
  StartCoordinator();
  m_net->SetNodeFailure("dave", {escrow::simln::FailureMode::kNoRoute, 0});
  SuccessfulTrade();
  auto payments = SettledPayments();
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].state, PayoutState::kFailed);
  EXPECT_FALSE(payments[0].failure_reason.empty());
  // Trading goes on while the payee is unreachable; a second failure doubles the wait.
  SuccessfulTrade("50");
  Advance(61s);
  payments = SettledPayments();
  ASSERT_EQ(payments.size(), 2u);
  EXPECT_EQ(payments[1].state, PayoutState::kFailed);
  EXPECT_EQ(payments[1].attempt, 2);
  EXPECT_EQ(payments[1].first_accrual_id, payments[0].first_accrual_id);  // the range is not forgotten
  Advance(61s);
  EXPECT_EQ(SettledPayments().size(), 2u) << "retried before the doubled backoff";
  m_net->SetNodeFailure("dave", {});
  Advance(61s);
  payments = SettledPayments();
  ASSERT_EQ(payments.size(), 3u);
  EXPECT_EQ(payments[2].state, PayoutState::kSucceeded);
  EXPECT_EQ(payments[2].first_accrual_id, payments[0].first_accrual_id);
  ASSERT_EQ(Received().size(), 1u);
  auto report = Audit();
  EXPECT_EQ(Received()[0].first, report.dev_tax_accrued_msat / 1000);
  CheckConservation();
}

TEST_F(DevTax, AnUndecidedPaymentIsReDrivenWithTheSameHashAndPaidOnce) {
  m_dev_tax.min_payment_sat = 1'000'000;  // paid at the interval, after the trade's own payout
  StartCoordinator();
  SuccessfulTrade();
  EXPECT_TRUE(SettledPayments().empty());
  // The node cannot be asked the first time (kUnreachable before anything is sent).
  m_faulty_node->RefuseSends({escrow::LnErrorCode::kUnreachable, "injected: node offline"});
  Advance(std::chrono::seconds(m_dev_tax.interval_s));
  auto payments = SettledPayments();
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].state, PayoutState::kSucceeded);
  EXPECT_EQ(Received().size(), 1u);
  Audit();
}

// SIGKILL at each step of a dev-tax payment — right after the transaction that decided it
// committed (before the node is asked), and right after the node answered (before the answer is
// recorded) — then a restart on the same files: the dev node is paid exactly once.
class DevTaxCrash : public DevTax, public ::testing::WithParamInterface<const char*> {};

TEST_P(DevTaxCrash, APaymentIsMadeExactlyOnceAcrossACrash) {
  const std::string point = GetParam();
  CloseNetwork();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    m_crash_point = point;
    OpenNetwork();
    StartCoordinator();
    SuccessfulTrade();
    for (int i = 0; i < 400; ++i) {
      m_engine->Tick();
      std::this_thread::sleep_for(5ms);
    }
    ::_exit(3);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
      << "the coordinator did not crash at " << point << " (exit " << WEXITSTATUS(wstatus) << ")";
  OpenNetwork();
  ASSERT_EQ(Payments().size(), 1u);
  StartCoordinator();
  auto payments = SettledPayments();
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].state, PayoutState::kSucceeded);
  auto received = Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].first, payments[0].amount_sat);
  int sends = 0;
  for (const auto& p : m_net->ListPayments("coordinator")) {
    sends += escrow::crypto::ToHex(p.payment_hash) == payments[0].payment_hash ? 1 : 0;
  }
  EXPECT_EQ(sends, 1);
  Audit();
}

INSTANTIATE_TEST_SUITE_P(EveryStep, DevTaxCrash, ::testing::Values("commit:pay_dev_tax", "node:pay_dev_tax"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) if (c == ':') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace enginetest
