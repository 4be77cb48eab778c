// The chat (RoboSats' /api/chat/ rules), reward withdrawals under concurrency and failure,
// review tokens and notifications.
#include <atomic>
#include <thread>

#include "config/base/encoding.h"
#include "escrow/crypto/secp256k1.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;
using coordinator::CancelCmd;
using coordinator::ChatGetCmd;
using coordinator::ChatPostCmd;
using coordinator::ConfirmCmd;
using coordinator::NotificationsCmd;
using coordinator::ReviewCmd;
using coordinator::RewardCmd;

const std::string kCipher = "-----BEGIN PGP MESSAGE-----\\\\wV4D...\\\\-----END PGP MESSAGE-----";

class ChatAndRewards : public EngineHarness {
 protected:
  int64_t TradeInChat(TestRobot& seller, TestRobot& buyer) {
    int64_t id = MakePublic(seller, SellOrder("100"));
    TakeAndLock(buyer, id);
    LockEscrow(seller, id);
    SubmitInvoice(buyer, id);
    WaitStatus(buyer, id, 9);
    return id;
  }
  // The taker walks away after the take: the maker earns half of its bond.
  int64_t EarnRewards(TestRobot& maker, TestRobot& taker) {
    int64_t id = MakePublic(maker, SellOrder("100"));
    TakeAndLock(taker, id);
    int64_t bond = Order(taker, id)["bond_satoshis"];
    Ok(taker, CancelCmd{id, 6});
    WaitStatus(maker, id, 4);
    return RewardsWhenSettled(maker, bond / 2);
  }
};

TEST_F(ChatAndRewards, CiphertextRoundTripWithOffsetsBetweenTheTwoRobots) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer);
  EXPECT_EQ(Order(seller, id)["chat_last_index"], 0);
  // RoboSats chat/views.py: without an offset the POST answers {}; with one, the messages.
  EXPECT_EQ(Ok(seller, ChatPostCmd{id, kCipher + "1", std::nullopt}), json::object());
  auto after = Ok(buyer, ChatPostCmd{id, kCipher + "2", int64_t{0}});
  ASSERT_EQ(after["messages"].size(), 2u) << after.dump();
  EXPECT_EQ(after["messages"][0]["index"], 1);
  EXPECT_EQ(after["messages"][0]["message"], kCipher + "1");  // stored as sent
  EXPECT_EQ(after["messages"][0]["nick"], "seller");
  EXPECT_EQ(after["messages"][1]["nick"], "buyer");
  EXPECT_TRUE(after["messages"][1]["time"].is_string());
  EXPECT_EQ(after["peer_pubkey"], seller.key->public_armored());
  auto page = Ok(seller, ChatGetCmd{id, 1, false});
  ASSERT_EQ(page["messages"].size(), 1u);
  EXPECT_EQ(page["messages"][0]["index"], 2);
  EXPECT_EQ(page["peer_connected"], true);  // the buyer was just seen
  EXPECT_EQ(Order(buyer, id)["chat_last_index"], 2);
  // The peer is told.
  auto notes = Ok(seller, NotificationsCmd{0});
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0]["title"].get<std::string>().find("new chat message"), std::string::npos) << notes.dump();
}

TEST_F(ChatAndRewards, StatusGatesSizeAndParticipants) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  auto& stranger = Robot("stranger", "carol");
  int64_t id = MakePublic(seller, SellOrder("100"));
  auto too_early = Call(seller, ChatGetCmd{id, 0, false});
  ASSERT_FALSE(too_early.ok());
  EXPECT_EQ(too_early.error().code, 6002);
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  auto outsider = Call(stranger, ChatGetCmd{id, 0, false});
  ASSERT_FALSE(outsider.ok());
  EXPECT_EQ(outsider.error().code, 6001);
  auto none = Call(seller, ChatGetCmd{999, 0, false});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, 6000);
  auto big = Call(seller, ChatPostCmd{id, std::string(5001, 'c'), std::nullopt});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, 6003);
  EXPECT_TRUE(Call(seller, ChatPostCmd{id, std::string(5000, 'c'), std::nullopt}).ok());
  // In dispute: readable, not writable.
  Ok(buyer, ConfirmCmd{id});
  Advance(std::chrono::seconds(7 * 3600));
  Ok(buyer, coordinator::DisputeCmd{id});
  EXPECT_EQ(Ok(seller, ChatGetCmd{id, 0, false})["messages"].size(), 1u);
  auto closed = Call(seller, ChatPostCmd{id, kCipher, std::nullopt});
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, 6002);
}

TEST_F(ChatAndRewards, RoomsArePurgedThreeDaysAfterTheOrderFinished) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer);
  Ok(seller, ChatPostCmd{id, kCipher, std::nullopt});
  Ok(buyer, ConfirmCmd{id});
  Ok(seller, ConfirmCmd{id});
  WaitStatus(buyer, id, 14);
  auto count = [&] {
    m_engine->Drain();
    auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
    return audit.value()->ChatOfOrder(id, 0).size();
  };
  Advance(std::chrono::seconds(2 * 86400));
  EXPECT_EQ(count(), 1u);
  Advance(std::chrono::seconds(86400 + 3600 + 1));
  for (int i = 0; i < 200 && count() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(count(), 0u);
}

// 20 withdrawals at once by one robot: the engine is the only writer, the first reserves the
// balance, every other is refused — exactly one payment.
TEST_F(ChatAndRewards, TwentyConcurrentWithdrawalsMakeOnePayment) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  const int64_t earned = EarnRewards(maker, taker);
  ASSERT_GT(earned, 0);
  const int64_t alice = LocalSats("alice");
  std::vector<std::string> invoices;
  for (int i = 0; i < 20; ++i) invoices.push_back(SignedInvoice(maker, earned));
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      auto r = Call(maker, RewardCmd{invoices[i], std::nullopt});
      (r.ok() && r.value()["successful_withdrawal"] == true ? ok : refused)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 19);
  EXPECT_EQ(SatsWhenSettled("alice", alice + earned) - alice, earned);
  EXPECT_EQ(EarnedRewards(maker), 0);
  CheckConservation();
}

TEST_F(ChatAndRewards, AFailedWithdrawalKeepsTheBalance) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  const int64_t earned = EarnRewards(maker, taker);
  m_net->SetNodeFailure("alice", {escrow::simln::FailureMode::kNoRoute, 0});
  auto failed = Call(maker, RewardCmd{SignedInvoice(maker, earned), std::nullopt});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, 3005);
  EXPECT_EQ(EarnedRewards(maker), earned);
  // With a routing budget, the client's arithmetic for the amount.
  m_net->SetNodeFailure("alice", {escrow::simln::FailureMode::kNone, 0});
  const int64_t alice = LocalSats("alice");
  const int64_t asked = ClientInvoiceSats(earned, kClientRoutingBudgetPpm);
  auto wrong = Call(maker, RewardCmd{SignedInvoice(maker, earned), kClientRoutingBudgetPpm});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, 3004);
  auto paid = Ok(maker, RewardCmd{SignedInvoice(maker, asked), kClientRoutingBudgetPpm});
  EXPECT_EQ(paid["successful_withdrawal"], true);
  EXPECT_EQ(SatsWhenSettled("alice", alice + asked) - alice, asked);
  auto nothing = Call(maker, RewardCmd{SignedInvoice(maker, 1), std::nullopt});
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().code, 3003);
  CheckConservation();
}

// RoboSats api/views.py ReviewView and the client's verifyCoordinatorToken: a BIP-340 signature
// over the bytes of "<pubkey><order id>" that verifies with the coordinator's x-only key.
TEST_F(ChatAndRewards, ReviewTokenVerifiesAgainstTheCoordinatorsNostrKey) {
  auto key = escrow::crypto::Signer::FromSeed("coordinator nostr key");
  StopCoordinator();
  m_nostr_key = &key;
  StartCoordinator();
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  const std::string pubkey(64, 'a');
  auto early = Call(buyer, ReviewCmd{pubkey});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, 1052);
  int64_t id = TradeInChat(seller, buyer);
  Ok(buyer, ConfirmCmd{id});
  Ok(seller, ConfirmCmd{id});
  WaitStatus(buyer, id, 14);
  auto bad = Call(buyer, ReviewCmd{"not hex"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 1053);
  auto token = Ok(buyer, ReviewCmd{pubkey});
  EXPECT_EQ(token["pubkey"], pubkey);
  auto sig_bytes = base::HexDecode(token["token"].get<std::string>());
  ASSERT_TRUE(sig_bytes && sig_bytes->size() == 64);
  escrow::crypto::SchnorrSig sig{};
  std::copy(sig_bytes->begin(), sig_bytes->end(), sig.begin());
  const std::string message = pubkey + std::to_string(id);
  EXPECT_TRUE(escrow::crypto::VerifySchnorrMessage(
      key.XOnlyPublicKey(), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data()), message.size()),
      sig));
  // Another robot key afterwards is refused (the first one sticks).
  auto other = Call(buyer, ReviewCmd{std::string(64, 'b')});
  ASSERT_FALSE(other.ok());
  StopCoordinator();
  m_nostr_key = nullptr;
  StartCoordinator();
}

TEST_F(ChatAndRewards, NotificationsFollowTheTradeNewestFirst) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeInChat(seller, buyer);
  Ok(buyer, ConfirmCmd{id});
  Ok(seller, ConfirmCmd{id});
  WaitStatus(buyer, id, 14);
  auto notes = Ok(seller, NotificationsCmd{0});
  std::vector<std::string> titles;
  for (const auto& n : notes) titles.push_back(n["title"]);
  ASSERT_GE(titles.size(), 4u) << notes.dump();
  EXPECT_NE(titles.front().find("finished successfully"), std::string::npos) << notes.dump();
  EXPECT_NE(titles.back().find("is public in the order book"), std::string::npos) << notes.dump();
  for (const auto& n : notes) {
    EXPECT_EQ(n["order_id"], id);
    EXPECT_TRUE(n["created_at"].is_string());
  }
  // `since` filters out the older ones.
  Advance(std::chrono::seconds(10));
  EXPECT_TRUE(Ok(seller, NotificationsCmd{m_clock.NowSeconds()}).empty());
}

}  // namespace
}  // namespace enginetest
