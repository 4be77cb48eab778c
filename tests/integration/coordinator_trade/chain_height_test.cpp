// With the production backend (lnd → the simln daemon), the coordinator follows the chain: a
// held HTLC that comes within the margin of its expiry is resolved by the coordinator (DESIGN.md
// money rules), before the node's own auto-cancel (LND: 12 blocks before expiry) could take it.
// coordinatord used to read the height once at start with this backend: the order would stay
// public with its bond's HTLC left to the node.
#include "tests/integration/coordinator_trade/trade_fixture.h"

namespace coordinator_trade_test {
namespace {

class ChainHeight : public CoordinatorTrade {
 protected:
  void BeforeCoordinatord() override { m_options.chain_poll_interval_s = 1; }
};

TEST_F(ChainHeight, HeldBondNearItsExpiryIsResolvedByTheCoordinator) {
  RegisterRobots();
  auto& maker = T("robot");
  const int64_t maker0 = maker.wallet->LocalSats().value_or(-1);
  int64_t id = MakeAndPublish(
      maker, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  ASSERT_EQ(m_invoices.size(), 1u);
  auto hash = testsupport::PaymentHashOf(*m_invoices.begin());
  ASSERT_TRUE(hash.has_value());
  auto held = m_coord_node->LookupInvoice(*hash);
  ASSERT_TRUE(held.ok()) << held.error().message;
  ASSERT_EQ(held->state, escrow::InvoiceState::kAccepted);
  ASSERT_FALSE(held->htlcs.empty());
  const int32_t expiry = held->htlcs.front().expiry_height;
  auto info = m_coord_node->GetInfo();
  ASSERT_TRUE(info.ok());
  // To exactly expiry − 24 (the engine's margin): 12 blocks before the node would act.
  constexpr int32_t kMargin = 24;
  ASSERT_GT(expiry - kMargin, static_cast<int32_t>(info->block_height));
  ASSERT_TRUE(m_simln->Mine(static_cast<uint32_t>(expiry - kMargin - static_cast<int32_t>(info->block_height))).ok());

  json expired = WaitStatus(*maker.robot, id, 5);
  EXPECT_EQ(expired.value("expiry_reason", -1), 0) << expired.dump();
  std::string state;
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] {
        auto inv = m_coord_node->LookupInvoice(*hash);
        state = inv.ok() ? escrow::InvoiceStateName(inv->state) : inv.error().message;
        return state == "CANCELED";
      },
      kWait))
      << state;
  auto now = m_coord_node->GetInfo();
  ASSERT_TRUE(now.ok());
  EXPECT_LT(static_cast<int32_t>(now->block_height), expiry - 12) << "the node's auto-cancel could have done it";
  EXPECT_TRUE(testsupport::WaitUntil([&] { return maker.wallet->LocalSats() == maker0; }, kWait))
      << "the bond went back to the maker";
}

}  // namespace
}  // namespace coordinator_trade_test
