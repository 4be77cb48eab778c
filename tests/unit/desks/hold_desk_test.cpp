// HoldDesk: a watch delivers the invoice's states up to a final one, and destroying the desk
// leaves none of its callbacks running.
#include "escrow/hold_desk.h"

#include <gtest/gtest.h>

#include <memory>

#include "escrow/crypto/sha256.h"
#include "tests/unit/desks/desk_fixture.h"
#include "tests/unit/desks/observed_node.h"

namespace {

class HoldDeskTest : public desktest::DeskTest {};

// The desk's destructor must wait for a watch callback that has delivered the final state but
// is still inside the desk (the owner may destroy the desk as soon as it has seen it). Before,
// that callback went on to post to the destroyed desk's worker pool.
TEST_F(HoldDeskTest, DestructionWaitsForTheCallbackThatDeliveredTheFinalState) {
  desktest::ObservedNode node(*m_coord);
  desktest::HeldCallback held;
  node.OnCancel([&] { held.StreamCancelled(); });
  escrow::Hash32 preimage = escrow::crypto::RandomHash32();
  escrow::HoldInvoiceRequest req;
  req.payment_hash = escrow::crypto::Sha256(preimage.data(), preimage.size());
  req.value_msat = 5000000;
  req.cltv_expiry = 40;
  ASSERT_TRUE(m_coord->AddHoldInvoice(req).ok());

  auto desk = std::make_unique<escrow::HoldDesk>(node);
  desk->Watch(req.payment_hash, [&](const escrow::Invoice& inv) {
    if (inv.state == escrow::InvoiceState::kCanceled) held.Hold();
  });
  ASSERT_TRUE(m_coord->CancelInvoice(req.payment_hash).ok());
  ASSERT_TRUE(held.WaitEntered()) << "the final state never came";
  EXPECT_TRUE(held.DestroyAndCheck(desk)) << "the desk was destroyed while its callback was still running";
  EXPECT_FALSE(node.AnyHandlersAlive()) << "the stream's handlers outlived the desk";
}

}  // namespace
