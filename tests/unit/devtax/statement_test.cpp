// Dev-tax statements: built from the store, signed canonically with the coordinator's nostr key,
// and checked by the verifier that the developers run (devfund). An honest statement passes; a
// bad signature, a preimage that does not hash to its payment, a wrong accrual or sum, or a
// statement signed by another key are each reported.
#include <gtest/gtest.h>

#include <filesystem>

#include "coordinator/dev_tax.h"
#include "escrow/crypto/sha256.h"
#include "federation/devtax/statement.h"
#include "federation/devtax/statements_service.h"
#include "tests/support/test_support.h"

namespace {

using nlohmann::json;

class Statement : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("devtax-statement");
    auto s = coordinator::Store::Open(m_dir + "/coordinator.db");
    ASSERT_TRUE(s.ok()) << s.error();
    m_store = std::move(s.value());
  }
  void TearDown() override {
    m_store.reset();
    std::filesystem::remove_all(m_dir);
  }
  // A proceeds ledger row and its accrual at time `t`.
  void Accrue(int64_t proceeds, int64_t t, int64_t ppm = 200000) {
    ASSERT_TRUE(m_store->Begin().ok());
    coordinator::LedgerEntry e;
    e.id = m_store->NewId(coordinator::Table::kLedger);
    e.kind = coordinator::LedgerKind::kProceeds;
    e.amount_sat = proceeds;
    e.created_at = t;
    ASSERT_TRUE(m_store->Put(e).ok());
    coordinator::DevTaxAccrual a;
    a.id = m_store->NewId(coordinator::Table::kDevTaxAccrual);
    a.ledger_id = e.id;
    a.proceeds_sat = proceeds;
    a.share_ppm = ppm;
    a.accrued_msat = coordinator::DevTaxAccruedMsat(proceeds, ppm);
    a.created_at = t;
    ASSERT_TRUE(m_store->Put(a).ok());
    ASSERT_TRUE(m_store->Commit().ok());
  }
  void Paid(int64_t t, coordinator::PayoutState state = coordinator::PayoutState::kSucceeded) {
    auto totals = m_store->DevTaxAccrued();
    ASSERT_TRUE(m_store->Begin().ok());
    coordinator::DevTaxPayment p;
    p.id = m_store->NewId(coordinator::Table::kDevTaxPayment);
    p.first_accrual_id = m_store->DevTaxPaidThrough() + 1;
    p.last_accrual_id = totals.last_accrual_id;
    p.accrued_msat_through = totals.accrued_msat;
    p.amount_sat = coordinator::DevTaxPayableSat(totals.accrued_msat, m_store->DevTaxPaidSat());
    p.payee = "02" + std::string(64, 'a');
    auto pre = escrow::crypto::RandomHash32();
    p.preimage = escrow::crypto::ToHex(pre);
    p.payment_hash = escrow::crypto::ToHex(escrow::crypto::Sha256(pre.data(), pre.size()));
    p.state = state;
    p.created_at = t;
    p.finished_at = t;
    ASSERT_TRUE(m_store->Put(p).ok());
    ASSERT_TRUE(m_store->Commit().ok());
  }
  json Signed(int64_t start, int64_t end) {
    return federation::SignDevTaxStatement(federation::BuildDevTaxStatement(*m_store, start, end, Pub(), 200000), m_key);
  }
  std::string Pub() const {
    auto x = m_key.XOnlyPublicKey();
    return base::HexEncode(base::Bytes(x.begin(), x.end()));
  }
  // Re-signs an edited statement with the honest key (a lying coordinator signs its lies).
  json Resign(const json& s) { return federation::SignDevTaxStatement(s["statement"], m_key); }

  std::string m_dir;
  std::unique_ptr<coordinator::Store> m_store;
  escrow::crypto::Signer m_key = escrow::crypto::Signer::FromSeed("coordinator nostr key");
};

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 20000 * kDay;  // a UTC midnight

TEST_F(Statement, AnHonestStatementVerifiesAndItsSumsFollowTheRoundingRule) {
  Accrue(1234, kT0 + 10);
  Accrue(999, kT0 + 20);
  Paid(kT0 + 30);
  Accrue(5, kT0 + 40);
  Accrue(7777, kT0 + kDay + 1);  // the next period
  auto s = Signed(kT0, kT0 + kDay);
  EXPECT_TRUE(federation::VerifyDevTaxStatement(s, Pub()).empty()) << json(federation::VerifyDevTaxStatement(s, Pub())).dump();
  const json& st = s["statement"];
  EXPECT_EQ(st["proceeds_sat"], 1234 + 999 + 5);
  EXPECT_EQ(st["accrued_msat"], 246800 + 199800 + 1000);
  EXPECT_EQ(st["paid_sat"], (246800 + 199800) / 1000);  // 446 sat; 600 msat carried
  EXPECT_EQ(st["owed_sat"], (246800 + 199800 + 1000) / 1000 - 446);
  EXPECT_EQ(st["accruals"].size(), 3u);
  EXPECT_EQ(st["payments"].size(), 1u);
  // Canonical: keys sorted, no whitespace; the same statement gives the same bytes.
  const std::string bytes = federation::CanonicalJson(st);
  EXPECT_EQ(bytes, federation::CanonicalJson(json::parse(bytes)));
  EXPECT_EQ(bytes.find(' '), std::string::npos);
  EXPECT_LT(bytes.find("\"accrued_msat\""), bytes.find("\"version\""));
}

TEST_F(Statement, TheVerifierReportsEachLie) {
  Accrue(1234, kT0 + 10);
  Accrue(999, kT0 + 20);
  Paid(kT0 + 30);
  const json honest = Signed(kT0, kT0 + kDay);
  auto problems = [&](const json& s) { return federation::VerifyDevTaxStatement(s, Pub()); };
  auto mentions = [&](const json& s, const std::string& what) {
    auto p = problems(s);
    for (const auto& line : p) {
      if (line.find(what) != std::string::npos) return true;
    }
    ADD_FAILURE() << "no problem mentions '" << what << "': " << json(p).dump();
    return false;
  };
  {  // Edited after signing.
    json s = honest;
    s["statement"]["paid_sat"] = 10000;
    EXPECT_TRUE(mentions(s, "bad signature"));
  }
  {  // Signed by another key than the federation entry's.
    json s = federation::SignDevTaxStatement(honest["statement"], escrow::crypto::Signer::FromSeed("impostor"));
    EXPECT_TRUE(mentions(s, "bad signature"));
  }
  {  // A preimage that does not match its payment hash.
    json s = honest;
    s["statement"]["payments"][0]["preimage"] = std::string(64, '1');
    EXPECT_TRUE(mentions(Resign(s), "preimage does not hash"));
  }
  {  // Less accrued than the share of the proceeds.
    json s = honest;
    s["statement"]["accruals"][0]["accrued_msat"] = 100;
    EXPECT_TRUE(mentions(Resign(s), "msat != floor("));
  }
  {  // Proceeds understated.
    json s = honest;
    s["statement"]["proceeds_sat"] = 1;
    EXPECT_TRUE(mentions(Resign(s), "proceeds_sat is not the sum"));
  }
  {  // A claimed payment added to the sum.
    json s = honest;
    s["statement"]["paid_sat"] = s["statement"]["paid_sat"].get<int64_t>() + 50;
    EXPECT_TRUE(mentions(Resign(s), "paid_sat is not the sum"));
  }
  {  // A share in the accruals lower than the signed share.
    json s = honest;
    s["statement"]["accruals"][1]["share_ppm"] = 100000;
    s["statement"]["accruals"][1]["accrued_msat"] = coordinator::DevTaxAccruedMsat(999, 100000);
    s["statement"]["accrued_msat"] = coordinator::DevTaxAccruedMsat(1234, 200000) + coordinator::DevTaxAccruedMsat(999, 100000);
    EXPECT_TRUE(mentions(Resign(s), "not the signed"));
  }
  EXPECT_TRUE(problems(honest).empty());
}

TEST_F(Statement, AFailedPaymentShowsWithoutItsPreimageAndIsNotCountedAsPaid) {
  Accrue(10000, kT0 + 10);
  Paid(kT0 + 20, coordinator::PayoutState::kFailed);
  auto s = Signed(kT0, kT0 + kDay);
  EXPECT_TRUE(federation::VerifyDevTaxStatement(s, Pub()).empty());
  EXPECT_EQ(s["statement"]["paid_sat"], 0);
  EXPECT_EQ(s["statement"]["failed_payments"], 1);
  EXPECT_EQ(s["statement"]["payments"][0]["state"], "failed");
  EXPECT_EQ(s["statement"]["payments"][0]["preimage"], "");
  EXPECT_EQ(s["statement"]["owed_sat"], 2000);
}

TEST_F(Statement, TheServiceServesOneSignedStatementPerPeriodMarkingTheRunningOne) {
  Accrue(1000, kT0 + 10);
  Accrue(2000, kT0 + kDay + 10);
  federation::DevFundStatements::Options o;
  auto svc = federation::DevFundStatements::Open(m_dir + "/coordinator.db", m_key, o);
  ASSERT_TRUE(svc.ok()) << svc.error();
  auto r = svc.value()->Range(kT0, kT0 + 2 * kDay, kT0 + kDay + 100);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0]["statement"]["period_start"], kT0);
  EXPECT_EQ((*r)[0]["complete"], true);
  EXPECT_EQ((*r)[1]["complete"], false);
  EXPECT_EQ((*r)[1]["statement"]["proceeds_sat"], 2000);
  for (const auto& s : *r) EXPECT_TRUE(federation::VerifyDevTaxStatement(s, Pub()).empty());
  EXPECT_FALSE(svc.value()->Range(kT0 + 1, kT0, kT0).ok());
  // A huge range is cut to the latest max_periods.
  auto wide = svc.value()->Range(0, kT0 + 2 * kDay, kT0);
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(wide->size(), static_cast<size_t>(o.max_periods));
}

}  // namespace
