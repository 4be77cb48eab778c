// devfund's verdict on a coordinator: an honest one passes; a payment claimed but never
// received by the dev fund's node, or a badge higher than the signed share, is reported.
#include <gtest/gtest.h>

#include "coordinator/dev_tax.h"
#include "escrow/crypto/sha256.h"
#include "federation/devtax/devfund_audit.h"
#include "federation/devtax/statement.h"

namespace {

using nlohmann::json;

struct Fixture {
  escrow::crypto::Signer key = escrow::crypto::Signer::FromSeed("coordinator");
  std::string pub;
  std::string hash;
  json statements;
  Fixture() {
    auto x = key.XOnlyPublicKey();
    pub = base::HexEncode(base::Bytes(x.begin(), x.end()));
    auto pre = escrow::crypto::RandomHash32();
    hash = escrow::crypto::ToHex(escrow::crypto::Sha256(pre.data(), pre.size()));
    const int64_t accrued = coordinator::DevTaxAccruedMsat(5000, 200000);
    json st = {{"version", 1}, {"coordinator", pub}, {"period_start", 0}, {"period_end", 86400},
               {"share_ppm", 200000},
               {"accruals", json::array({{{"id", 1}, {"ledger_id", 1}, {"order_id", 1}, {"proceeds_sat", 5000},
                                          {"share_ppm", 200000}, {"accrued_msat", accrued}, {"created_at", 5}}})},
               {"proceeds_sat", 5000}, {"accrued_msat", accrued},
               {"payments", json::array({{{"id", 1}, {"first_accrual_id", 1}, {"last_accrual_id", 1},
                                          {"accrued_msat_through", accrued}, {"amount_sat", 1000},
                                          {"payee", "02ab"}, {"payment_hash", hash},
                                          {"preimage", escrow::crypto::ToHex(pre)}, {"state", "succeeded"},
                                          {"attempt", 1}, {"fee_sat", 0}, {"failure_reason", ""},
                                          {"created_at", 6}, {"finished_at", 7}}})},
               {"paid_sat", 1000}, {"failed_payments", 0}, {"cumulative_accrued_msat", accrued},
               {"cumulative_paid_sat", 1000}, {"owed_sat", 0}};
    statements = json::array({federation::SignDevTaxStatement(st, key)});
  }
  json Entry(int badge) const { return {{"nostrHexPubkey", pub}, {"badges", {{"donatesToDevFund", badge}}}}; }
};

TEST(DevfundAudit, AnHonestCoordinatorPasses) {
  Fixture f;
  auto a = federation::AuditCoordinator("honest", f.Entry(20), f.statements,
                                        [&](const std::string& h) -> std::optional<int64_t> {
                                          if (h == f.hash) return 1000;
                                          return std::nullopt;
                                        });
  EXPECT_TRUE(a.ok()) << json(a.problems).dump();
  EXPECT_EQ(a.paid_sat, 1000);
  EXPECT_EQ(a.received_sat, 1000);
  EXPECT_EQ(a.missing_sat, 0);
  EXPECT_NE(federation::AuditTable({a}).find(" ok"), std::string::npos);
}

TEST(DevfundAudit, APaymentTheDevNodeNeverReceivedIsReported) {
  Fixture f;
  auto a = federation::AuditCoordinator("liar", f.Entry(20), f.statements,
                                        [](const std::string&) -> std::optional<int64_t> { return std::nullopt; });
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.missing_sat, 1000);
  EXPECT_NE(a.problems[0].find("never reached the dev fund"), std::string::npos) << a.problems[0];
  EXPECT_NE(federation::AuditTable({a}).find("CLAIM DOES NOT HOLD"), std::string::npos);
}

TEST(DevfundAudit, ABadgeHigherThanTheSignedShareIsReported) {
  Fixture f;
  auto a = federation::AuditCoordinator("boaster", f.Entry(30), f.statements, {});
  ASSERT_EQ(a.problems.size(), 1u);
  EXPECT_NE(a.problems[0].find("higher than the signed share"), std::string::npos) << a.problems[0];
  EXPECT_EQ(a.received_sat, -1);  // no node given
}

TEST(DevfundAudit, AStatementSignedByAnotherKeyIsReported) {
  Fixture f;
  auto entry = f.Entry(20);
  auto other = escrow::crypto::Signer::FromSeed("someone else").XOnlyPublicKey();
  entry["nostrHexPubkey"] = base::HexEncode(base::Bytes(other.begin(), other.end()));
  auto a = federation::AuditCoordinator("impostor", entry, f.statements, {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(json(a.problems).dump().find("bad signature"), std::string::npos);
}

}  // namespace

namespace {

// "late": accruals older than late_after that no succeeded payment covers, and payments made
// long after the accruals they cover. Reported; not a failed claim.
TEST(DevfundAudit, AccrualsUnpaidPastTheGraceAndPaymentsMadeLateAreReportedAsLate) {
  Fixture f;
  // The fixture's payment (finished at 7) covers accrual 1 (created at 5): on time.
  auto on_time = federation::AuditCoordinator("honest", f.Entry(20), f.statements, {}, /*now=*/100000, 86400);
  EXPECT_EQ(on_time.late_sat, 0);
  EXPECT_EQ(on_time.late_payments, 0);
  EXPECT_TRUE(on_time.ok());
  // A second statement: accrual 2 (3 000 000 msat at t=10) never paid; accrual 3 (2 000 000 msat at
  // t=99 000) is younger than the grace.
  const int64_t accrued2 = 3'000'000, accrued3 = 2'000'000;
  json st = {{"version", 1}, {"coordinator", f.pub}, {"period_start", 86400}, {"period_end", 172800},
             {"share_ppm", 200000},
             {"accruals", json::array({{{"id", 2}, {"ledger_id", 2}, {"order_id", 2}, {"proceeds_sat", 15000},
                                        {"share_ppm", 200000}, {"accrued_msat", accrued2}, {"created_at", 10}},
                                       {{"id", 3}, {"ledger_id", 3}, {"order_id", 3}, {"proceeds_sat", 10000},
                                        {"share_ppm", 200000}, {"accrued_msat", accrued3}, {"created_at", 99000}}})},
             {"proceeds_sat", 25000}, {"accrued_msat", accrued2 + accrued3}, {"payments", json::array()},
             {"paid_sat", 0}, {"failed_payments", 0},
             {"cumulative_accrued_msat", coordinator::DevTaxAccruedMsat(5000, 200000) + accrued2 + accrued3},
             {"cumulative_paid_sat", 1000}, {"owed_sat", 5000}};
  json both = f.statements;
  both.push_back(federation::SignDevTaxStatement(st, f.key));
  auto late = federation::AuditCoordinator("slow", f.Entry(20), both, {}, /*now=*/100000, 86400);
  EXPECT_EQ(late.late_sat, 3000);  // accrual 2 only: accrual 3 is 1 000 s old
  EXPECT_EQ(late.late_payments, 0);
  EXPECT_NE(federation::AuditTable({late}).find(" 3000 "), std::string::npos) << federation::AuditTable({late});
  EXPECT_EQ(federation::AuditToJson(late).value("late_sat", -1), 3000);
  // The fixture's payment finished 90 000 s after its accrual: late.
  json moved = f.statements;
  json st1 = moved[0]["statement"];
  st1["payments"][0]["finished_at"] = 90005;
  json again = json::array({federation::SignDevTaxStatement(st1, f.key)});
  EXPECT_EQ(federation::AuditCoordinator("tardy", f.Entry(20), again, {}, 100000, 86400).late_payments, 1);
}

}  // namespace
