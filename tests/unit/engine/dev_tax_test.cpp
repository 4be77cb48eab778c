// The dev tax through the engine: proceeds accrue their share in millisats, a streaming job pays
// whole sats by keysend to the dev fund's node (here the wallet "dave"), failed payments are
// retried after a backoff with their range, and the sums follow the rounding rule exactly.
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>

#include "coordinator/dev_tax.h"
#include "escrow/crypto/sha256.h"
#include "federation/devtax/lnurl_pay.h"
#include "tests/support/auditor.h"
#include "tests/support/lnurl_server.h"
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

// Every kind of proceeds at once — trades' fees, a forfeited bond's coordinator share, a dispute's
// proceeds — each row accrues floor(p × share_ppm / 1000) msat; below the minimum the accrual
// waits for the interval, then exactly one payment of floor(Σ accrued / 1000) sats goes out, and
// a second interval later (more trades) a second one with the remainder carried over.
TEST_F(DevTax, TradesForfeitsAndDisputesArePaidExactlyAsTheRoundingRuleSaysInTheExpectedNumberOfPayments) {
  m_dev_tax.min_payment_sat = 1'000'000;  // only the interval pays: the number of payments is known
  m_dev_tax.interval_s = 86400;           // longer than the dispute's wait below
  m_dev_tax.share_ppm = 333'333;          // a share whose accruals have sub-sat remainders
  StartCoordinator();
  SuccessfulTrade("100");
  SuccessfulTrade("37");
  {  // a forfeit: the taker cancels after the take and loses its bond (half is proceeds)
    auto& maker = Robot("forfeit-maker", "alice");
    auto& taker = Robot("forfeit-taker", "bob");
    int64_t id = MakePublic(maker, SellOrder("80"));
    TakeAndLock(taker, id);
    Ok(taker, coordinator::CancelCmd{id, 6});
    WaitStatus(maker, id, 4);
  }
  {  // a dispute the maker wins: the taker's bond is forfeited, the trade fees are proceeds
    auto& seller = Robot("dispute-seller", "carol");
    auto& buyer = Robot("dispute-buyer", "bob");
    int64_t id = MakePublic(seller, SellOrder("60"));
    TakeAndLock(buyer, id);
    LockEscrow(seller, id);
    SubmitInvoice(buyer, id);
    WaitStatus(buyer, id, 9);
    Ok(buyer, ConfirmCmd{id});
    Advance(std::chrono::seconds(7 * 3600));
    Ok(buyer, coordinator::DisputeCmd{id});
    // The resolver's command, once the custody is settled at the node (bounded).
    base::Result<json> resolved = base::Err(base::Status::Error(1, "never tried"));
    for (int i = 0; i < 400; ++i) {
      auto promise = std::make_shared<std::promise<base::Result<json>>>();
      auto fut = promise->get_future();
      m_engine->SubmitAdmin(coordinator::AdminActor{"resolver", coordinator::AdminRole::kResolver},
                            coordinator::AdminResolveCmd{id, coordinator::DisputeOutcome::kMakerWins, "no fiat"},
                            [promise](base::Result<json> r) { promise->set_value(std::move(r)); });
      ASSERT_EQ(fut.wait_for(20s), std::future_status::ready);
      resolved = fut.get();
      if (resolved.ok() || resolved.error().message.find("still being settled") == std::string::npos) break;
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    WaitStatus(seller, id, 18);
  }
  m_engine->Drain();
  // The kinds of proceeds seen, and each row's accrual by the rule.
  std::set<int64_t> orders_with_proceeds;
  int64_t accrued = 0;
  for (const auto& a : ReadStore()->DevTaxAccrualsBetween(std::numeric_limits<int64_t>::min(),
                                                           std::numeric_limits<int64_t>::max())) {
    EXPECT_EQ(a.accrued_msat, a.proceeds_sat * 333'333 / 1000);
    accrued += a.accrued_msat;
    orders_with_proceeds.insert(a.order_id);
  }
  EXPECT_GE(orders_with_proceeds.size(), 4u) << "two trades, a forfeit and a dispute all accrued";
  Advance(std::chrono::seconds(m_dev_tax.interval_s + 1));
  auto payments = SettledPayments();
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].state, PayoutState::kSucceeded);
  EXPECT_EQ(payments[0].amount_sat, accrued / 1000);
  ASSERT_EQ(Received().size(), 1u);
  EXPECT_EQ(Received()[0].first, accrued / 1000);
  // More proceeds: the next interval pays exactly the new floor minus what was paid.
  SuccessfulTrade("55");
  Advance(std::chrono::seconds(m_dev_tax.interval_s + 1));
  payments = SettledPayments();
  ASSERT_EQ(payments.size(), 2u);
  auto report = Audit();
  int64_t received = 0;
  for (const auto& [sat, message] : Received()) received += sat;
  EXPECT_EQ(Received().size(), 2u);
  EXPECT_EQ(received, report.dev_tax_accrued_msat / 1000);
  EXPECT_EQ(report.dev_tax_paid_sat, report.dev_tax_accrued_msat / 1000);
  CheckConservation();
}

TEST_F(DevTax, ShareZeroPublishesABadgeOfZero) {
  m_dev_tax.share_ppm = 0;
  StartCoordinator();
  auto info = json::parse(*m_engine->snapshot()->info);
  EXPECT_EQ(info.value("dev_tax_share", -1.0), 0.0) << info.dump();
}

// The dev fund as a Lightning address: the invoice comes from an LNURL-pay server on loopback
// (tests/support/lnurl_server.h; dave makes the invoices) through the real client
// (federation/devtax/lnurl_pay.h, test opt-in for loopback http), and is paid by the engine.
class DevTaxLightningAddress : public DevTax {
 protected:
  void SetUp() override {
    DevTax::SetUp();
    m_dev_tax.node_pubkey.clear();
    UseLightningAddress();
  }
  void TearDown() override {
    StopCoordinator();
    m_lnurl.reset();
    DevTax::TearDown();
  }
  // A fresh LNURL server (after OpenNetwork: dave makes its invoices) and the engine's client.
  void UseLightningAddress() {
    m_lnurl = std::make_unique<testsupport::LnurlServer>(
        testsupport::LnurlServer::Behaviour::kHonest, [this](int64_t msat, const std::string& description) {
          escrow::InvoiceRequest req;
          req.value_msat = msat;
          req.description_hash =
              escrow::crypto::Sha256(reinterpret_cast<const uint8_t*>(description.data()), description.size());
          auto r = m_wallets.at("dave")->AddInvoice(req);
          return r.ok() ? r->payment_request : std::string();
        });
    m_dev_tax.lightning_address = "dev@localhost:" + std::to_string(m_lnurl->port());
    const std::string address = m_dev_tax.lightning_address;
    m_make_dev_tax_invoices = [address]() -> std::unique_ptr<coordinator::DevTaxInvoiceSource> {
      federation::LnurlPayOptions o;
      o.test_insecure = true;
      o.timeout = 20s;
      return std::make_unique<federation::LnurlInvoiceSource>(address, o);
    };
  }
  // Invoices dave was paid (not keysends): amount in sat.
  std::vector<int64_t> ReceivedInvoices() {
    std::vector<int64_t> out;
    for (const auto& inv : m_net->ListInvoices("dave")) {
      if (!inv.is_keysend && inv.state == escrow::InvoiceState::kSettled) out.push_back(inv.amt_paid_msat / 1000);
    }
    return out;
  }
  std::unique_ptr<testsupport::LnurlServer> m_lnurl;
};

TEST_F(DevTaxLightningAddress, TradeProceedsArePaidToTheAddressesInvoiceExactlyAsTheRoundingRuleSays) {
  StartCoordinator();
  SuccessfulTrade("100");
  SuccessfulTrade("73");
  auto payments = SettledPayments();
  ASSERT_FALSE(payments.empty());
  auto report = Audit();
  int64_t received = 0;
  for (int64_t sat : ReceivedInvoices()) received += sat;
  EXPECT_EQ(report.dev_tax_paid_sat, report.dev_tax_accrued_msat / 1000);
  EXPECT_EQ(received, report.dev_tax_paid_sat);
  EXPECT_TRUE(Received().empty()) << "no keysend to a Lightning address";
  for (const auto& p : payments) {
    EXPECT_EQ(p.state, PayoutState::kSucceeded) << p.failure_reason;
    EXPECT_EQ(p.payee, m_dev_tax.lightning_address);
    EXPECT_FALSE(p.payment_request.empty());
    // The payee's preimage came back with the payment: it is the statement's proof.
    auto pre = escrow::crypto::Hash32FromHex(p.preimage);
    ASSERT_TRUE(pre);
    EXPECT_EQ(escrow::crypto::ToHex(escrow::crypto::Sha256(pre->data(), pre->size())), p.payment_hash);
  }
  EXPECT_EQ(m_lnurl->Invoices().size(), payments.size()) << "one invoice per payment";
  CheckConservation();
}

TEST_F(DevTaxLightningAddress, AnUnreachableAddressFailsTheAttemptAndTradingGoesOn) {
  m_dev_tax.lightning_address = "dev@localhost:1";  // nothing listens there
  const std::string address = m_dev_tax.lightning_address;
  m_make_dev_tax_invoices = [address]() -> std::unique_ptr<coordinator::DevTaxInvoiceSource> {
    federation::LnurlPayOptions o;
    o.test_insecure = true;
    return std::make_unique<federation::LnurlInvoiceSource>(address, o);
  };
  StartCoordinator();
  SuccessfulTrade();
  auto payments = SettledPayments();
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].state, PayoutState::kFailed);
  EXPECT_NE(payments[0].failure_reason.find("lightning address: "), std::string::npos) << payments[0].failure_reason;
  EXPECT_TRUE(payments[0].payment_hash.empty());
  SuccessfulTrade("50");  // trading is not blocked
  EXPECT_TRUE(ReceivedInvoices().empty());
  Audit();
}

// SIGKILL at each step of a dev-tax payment, by keysend and to a Lightning address — inside the
// transaction that decides it (before its commit), right after that commit, after the address's
// invoice arrived (not recorded), after its hash was recorded (not sent), after the node reported
// the payment sent, and after the node answered (not recorded) — then a restart on the same
// files: the dev node receives exactly floor(accrued / 1000) sats, in one payment.
struct CrashCase {
  const char* point;
  bool lightning_address;
};

class DevTaxCrash : public DevTaxLightningAddress, public ::testing::WithParamInterface<CrashCase> {
 protected:
  void SetUp() override {
    DevTax::SetUp();  // keysend by default; the child and the parent set the payee up themselves
    if (GetParam().lightning_address) m_dev_tax.node_pubkey.clear();
  }
  void Payee() {
    if (GetParam().lightning_address) UseLightningAddress();
  }
  int64_t DevReceived() {
    int64_t sat = 0;
    for (int64_t s : ReceivedInvoices()) sat += s;
    for (const auto& [s, message] : Received()) sat += s;
    return sat;
  }
  size_t DevPayments() { return ReceivedInvoices().size() + Received().size(); }
};

TEST_P(DevTaxCrash, APaymentIsMadeExactlyOnceAcrossACrash) {
  const std::string point = GetParam().point;
  CloseNetwork();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    m_crash_point = point;
    OpenNetwork();
    Payee();
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
  // Where it died shows in the store: before the commit nothing was decided.
  ASSERT_EQ(Payments().size(), point.rfind("decide:", 0) == 0 ? 0u : 1u);
  if (point.rfind("node:", 0) == 0) {
    EXPECT_EQ(DevPayments(), 1u) << "the node had paid before the crash";
  } else if (point.rfind("sent:", 0) != 0) {  // "sent:": the payment may or may not have arrived yet
    EXPECT_EQ(DevPayments(), 0u) << "nothing may have been sent before " << point;
  }
  Payee();
  StartCoordinator();
  auto payments = SettledPayments();
  ASSERT_FALSE(payments.empty());
  int succeeded = 0;
  for (const auto& p : payments) succeeded += p.state == PayoutState::kSucceeded;
  EXPECT_EQ(succeeded, 1);
  auto report = Audit();
  EXPECT_EQ(DevPayments(), 1u) << "paid twice or never";
  EXPECT_EQ(DevReceived(), report.dev_tax_accrued_msat / 1000);
  EXPECT_EQ(report.dev_tax_paid_sat, report.dev_tax_accrued_msat / 1000);
  int sends = 0;
  for (const auto& p : m_net->ListPayments("coordinator")) {
    for (const auto& d : payments) {
      if (d.state == PayoutState::kSucceeded) sends += escrow::crypto::ToHex(p.payment_hash) == d.payment_hash ? 1 : 0;
    }
  }
  EXPECT_EQ(sends, 1);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, DevTaxCrash,
                         ::testing::Values(CrashCase{"decide:pay_dev_tax", false}, CrashCase{"commit:pay_dev_tax", false},
                                           CrashCase{"sent:pay_dev_tax", false}, CrashCase{"node:pay_dev_tax", false},
                                           CrashCase{"decide:pay_dev_tax", true}, CrashCase{"commit:pay_dev_tax", true},
                                           CrashCase{"fetched:pay_dev_tax", true},
                                           CrashCase{"recorded:pay_dev_tax", true}, CrashCase{"sent:pay_dev_tax", true},
                                           CrashCase{"node:pay_dev_tax", true}),
                         [](const ::testing::TestParamInfo<CrashCase>& info) {
                           std::string n = std::string(info.param.lightning_address ? "address_" : "keysend_") +
                                           info.param.point;
                           for (auto& c : n) if (c == ':') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace enginetest
