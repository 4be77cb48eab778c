// The federation's whole trade (issue 8, "Done when"): three coordinatords on simln, a real
// SOCKS5 proxy (Debian's microsocks), federationd merging the joint book through it, and two
// `robot` traders whose every request also goes through it. The order is made on the second
// coordinator, found in federationd's joint book, and traded to the payout.
#include <cmath>
#include <set>

#include "tests/integration/robot_cli/robot_cli_fixture.h"

namespace robot_cli_test {
namespace {

TEST_F(RobotCli, TwoRobotsTradeOnTheSecondCoordinatorFoundViaFederationdThroughSocks) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/microsocks")) << "microsocks is missing: run ops/setup";
  StartNetwork({"alice", "bob", "carol"}, {"alpha", "beta", "gamma"});
  const std::string via = StartSocks();
  ASSERT_FALSE(via.empty());
  const std::string federationd = StartFederationd(via);
  ASSERT_FALSE(federationd.empty());
  auto alice_wallet = WalletOf("alice");
  auto bob_wallet = WalletOf("bob");
  ASSERT_TRUE(alice_wallet && bob_wallet);
  const int64_t alice0 = alice_wallet->LocalSats().value_or(-1);
  const int64_t bob0 = bob_wallet->LocalSats().value_or(-1);

  // Every robot registers on every coordinator of the federation, through the proxy.
  for (const std::string robot : {"alice", "bob", "carol"}) {
    Ok(robot, {"init"});
    Json registered = Ok(robot, {"register", "--proxy", via});
    ASSERT_EQ(registered["coordinators"].size(), 3u) << registered.dump();
    for (const auto& c : registered["coordinators"]) EXPECT_TRUE(c.value("ok", false)) << robot << " " << c.dump();
  }

  // carol sells EUR on alpha; alice sells USD on beta (the second coordinator).
  Json decoy = Ok("carol", {"make", "--coordinator", "alpha", "--type", "sell", "--currency", "EUR", "--amount", "80",
                            "--premium", "2", "--payment-method", "Revolut", "--wallet", "carol", "--proxy", via});
  ASSERT_EQ(decoy["order"].value("status", -1), 1) << decoy.dump();
  Json made = Ok("alice", {"make", "--coordinator", "beta", "--type", "sell", "--currency", "USD", "--amount", "100",
                           "--premium", "1", "--payment-method", "Strike", "--wallet", "alice", "--proxy", via});
  const int64_t id = made.value("id", int64_t{0});
  ASSERT_GT(id, 0) << made.dump();
  ASSERT_EQ(made["order"].value("status", -1), 1) << made.dump();

  // bob reads federationd's joint book (its refresh is bounded: wait until both orders are in).
  Json book;
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        book = Ok("bob", {"book", "--federationd", federationd, "--proxy", via});
        return book["orders"].size() == 2;
      },
      kWait, 200ms))
      << book.dump();
  std::set<std::string> online;
  for (const auto& c : book["coordinators"]) {
    if (c.value("ok", false)) online.insert(c.value("coordinator", ""));
  }
  EXPECT_EQ(online, (std::set<std::string>{"alpha", "beta", "gamma"})) << book.dump();
  // The USD sell order is alice's, on beta.
  Json usd = Ok("bob", {"book", "--federationd", federationd, "--currency", "USD", "--type", "sell", "--proxy", via});
  ASSERT_EQ(usd["orders"].size(), 1u) << usd.dump();
  const Json& found = usd["orders"][0];
  ASSERT_EQ(found.value("coordinator", ""), "beta") << found.dump();
  ASSERT_EQ(found.value("id", int64_t{0}), id) << found.dump();
  const std::string ref = "beta/" + std::to_string(id);

  // The trade; every call goes to beta, through the proxy.
  Json taken = Ok("bob", {"take", ref, "--wallet", "bob", "--proxy", via});
  EXPECT_EQ(taken["order"].value("status", -1), 6) << taken.dump();
  Json escrow = Ok("alice", {"pay", "--wallet", "alice", "--proxy", via});
  const int64_t escrow_sats = escrow.value("sats", int64_t{0});
  EXPECT_EQ(escrow.value("kind", ""), "escrow") << escrow.dump();
  Json invoice = Ok("bob", {"invoice", "--wallet", "bob", "--proxy", via});
  const int64_t n = invoice.value("invoice_amount", int64_t{0});
  const int64_t payout = invoice.value("invoice_sats", int64_t{0});
  // LightningPayout.tsx: Math.floor(tradeAmount - tradeAmount * (routingBudgetPPM / 1000000)), 1000 ppm.
  EXPECT_EQ(payout, static_cast<int64_t>(std::floor(static_cast<double>(n) - static_cast<double>(n) * 0.001)));
  EXPECT_EQ(invoice["order"].value("status", -1), 9) << invoice.dump();

  Ok("bob", {"chat", "send", "Sent 100 USD by Strike", "--proxy", via});
  Json read = Ok("alice", {"chat", "read", "--proxy", via});
  ASSERT_EQ(read["messages"].size(), 1u) << read.dump();
  EXPECT_EQ(read["messages"][0].value("text", ""), "Sent 100 USD by Strike");
  EXPECT_TRUE(read["messages"][0].value("valid_signature", false));

  Ok("bob", {"confirm", "--proxy", via});
  Ok("alice", {"confirm", "--proxy", via});
  Json done = Ok("bob", {"wait", "--status", "14", "--proxy", via});
  EXPECT_EQ(done["order"].value("status", -1), 14) << done.dump();
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] {
        return bob_wallet->LocalSats() == bob0 + payout && alice_wallet->LocalSats() == alice0 - escrow_sats;
      },
      kWait))
      << "bob " << bob_wallet->LocalSats().value_or(-1) << " (want " << bob0 + payout << "), alice "
      << alice_wallet->LocalSats().value_or(-1) << " (want " << alice0 - escrow_sats << ")";

  // The robots really went through the proxy: without it, the same call fails.
  StopSocks();
  RobotRun cut = Robot("bob", {"order", ref, "--proxy", via});
  EXPECT_EQ(cut.code, 1) << cut.out;

  ExpectNoSecretsOutput("alice");
  ExpectNoSecretsOutput("bob");
}

}  // namespace
}  // namespace robot_cli_test
