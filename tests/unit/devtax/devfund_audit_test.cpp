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
