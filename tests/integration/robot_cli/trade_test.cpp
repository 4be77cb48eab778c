// Whole trades driven only through the `robot` binary: two robots, each a child process per
// command, against coordinatord on the lnd backend and the simln daemon's wallets.
#include <cmath>
#include <thread>

#include "tests/integration/robot_cli/robot_cli_fixture.h"

namespace robot_cli_test {
namespace {

int64_t ClientInvoiceSats(int64_t n, int64_t ppm) {
  // LightningPayout.tsx: Math.floor(tradeAmount - tradeAmount * (routingBudgetPPM / 1000000)).
  const double d = static_cast<double>(n);
  return static_cast<int64_t>(std::floor(d - d * (static_cast<double>(ppm) / 1000000.0)));
}

TEST_F(RobotCli, TwoRobotsTradeThroughTheCliFromMakeToPayout) {
  StartNetwork({"alice", "bob"}, {"temple"});
  auto alice_wallet = WalletOf("alice");
  auto bob_wallet = WalletOf("bob");
  ASSERT_TRUE(alice_wallet && bob_wallet);
  const int64_t alice0 = alice_wallet->LocalSats().value_or(-1);
  const int64_t bob0 = bob_wallet->LocalSats().value_or(-1);
  ASSERT_EQ(alice0, kChannelSat);
  ASSERT_EQ(bob0, kChannelSat);

  // Identities: a token file only the owner reads, keys, a nickname.
  Json alice_id = Ok("alice", {"init"});
  Ok("bob", {"init"});
  EXPECT_EQ(ModeOf(RobotDir("alice") + "/token"), 0600u);
  EXPECT_EQ(ModeOf(RobotDir("bob") + "/token"), 0600u);
  EXPECT_EQ(ModeOf(RobotDir("alice")), 0700u);
  Json registered = Ok("alice", {"register"});
  ASSERT_EQ(registered["coordinators"].size(), 1u) << registered.dump();
  EXPECT_TRUE(registered["coordinators"][0].value("ok", false));
  // The coordinator computes the same nickname from the hash_id as the robot (and the client).
  EXPECT_EQ(registered["coordinators"][0].value("nickname", ""), alice_id.value("nickname", "?"));
  Ok("bob", {"register"});

  // alice sells 100 USD at +1 %, paying her maker bond from her wallet; the CLI waits until
  // the order is public.
  Json made = Ok("alice", {"make", "--coordinator", "temple", "--type", "sell", "--currency", "USD", "--amount", "100",
                           "--premium", "1", "--payment-method", "Strike", "--wallet", "alice"});
  const int64_t id = made.value("id", int64_t{0});
  ASSERT_GT(id, 0) << made.dump();
  EXPECT_EQ(made["order"].value("status", -1), 1) << made.dump();
  EXPECT_EQ(made.value("payment", ""), "IN_FLIGHT");
  const std::string ref = "temple/" + std::to_string(id);

  // bob finds it in the joint book.
  Json book = Ok("bob", {"book", "--currency", "USD"});
  bool listed = false;
  for (const auto& o : book["orders"]) listed |= o.value("coordinator", "") == "temple" && o.value("id", 0) == id;
  EXPECT_TRUE(listed) << book.dump();

  // bob takes it and pays the taker bond; then alice locks the escrow.
  Json taken = Ok("bob", {"take", ref, "--wallet", "bob"});
  EXPECT_EQ(taken["order"].value("status", -1), 6) << taken.dump();
  EXPECT_TRUE(taken["order"].value("is_buyer", false));
  EXPECT_EQ(taken["next"].value("kind", ""), "submit_invoice");
  Json order_seen = Ok("alice", {"order"});
  EXPECT_EQ(order_seen["next"].value("kind", ""), "pay_escrow") << order_seen.dump();
  Json escrow = Ok("alice", {"pay", "--wallet", "alice"});
  const int64_t escrow_sats = escrow.value("sats", int64_t{0});
  EXPECT_GT(escrow_sats, 0) << escrow.dump();
  EXPECT_EQ(escrow.value("kind", ""), "escrow");
  EXPECT_EQ(escrow["order"].value("status", -1), 8) << escrow.dump();

  // bob's payout invoice, made in his wallet, for the client's amount at 1000 ppm.
  Json invoice = Ok("bob", {"invoice", "--wallet", "bob"});
  const int64_t n = invoice.value("invoice_amount", int64_t{0});
  const int64_t payout = invoice.value("invoice_sats", int64_t{0});
  EXPECT_GT(n, 0) << invoice.dump();
  EXPECT_EQ(payout, ClientInvoiceSats(n, 1000));
  EXPECT_EQ(invoice.value("routing_budget_ppm", 0), 1000);
  EXPECT_EQ(invoice["order"].value("status", -1), 9) << invoice.dump();

  // The chat, both ways: each message encrypted to both robots, signatures checked.
  Ok("bob", {"chat", "send", "Sent 100 USD by Strike, reference 42"});
  Json alice_reads = Ok("alice", {"chat", "read"});
  ASSERT_EQ(alice_reads["messages"].size(), 1u) << alice_reads.dump();
  EXPECT_EQ(alice_reads["messages"][0].value("text", ""), "Sent 100 USD by Strike, reference 42");
  EXPECT_TRUE(alice_reads["messages"][0].value("valid_signature", false));
  EXPECT_FALSE(alice_reads["messages"][0].value("own", true));
  Ok("alice", {"chat", "send", ref, "Received, thank you!"});
  Json bob_reads = Ok("bob", {"chat", "read", ref});
  ASSERT_EQ(bob_reads["messages"].size(), 2u) << bob_reads.dump();
  EXPECT_TRUE(bob_reads["messages"][0].value("own", false));
  EXPECT_EQ(bob_reads["messages"][0].value("text", ""), "Sent 100 USD by Strike, reference 42");
  EXPECT_EQ(bob_reads["messages"][1].value("text", ""), "Received, thank you!");
  for (const auto& m : bob_reads["messages"]) EXPECT_TRUE(m.value("valid_signature", false)) << m.dump();

  // Fiat sent, fiat received: the coordinator pays bob.
  Json sent = Ok("bob", {"confirm"});
  EXPECT_EQ(sent["order"].value("status", -1), 10) << sent.dump();
  Ok("alice", {"confirm"});
  Json done = Ok("bob", {"wait", "--status", "14"});
  EXPECT_EQ(done["order"].value("status", -1), 14) << done.dump();
  EXPECT_EQ(done["next"].value("kind", ""), "finished");

  // Money: bob got exactly his invoice (his bond back), alice paid exactly the escrow (her
  // bond back).
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] {
        return bob_wallet->LocalSats() == bob0 + payout && alice_wallet->LocalSats() == alice0 - escrow_sats;
      },
      kWait))
      << "bob " << bob_wallet->LocalSats().value_or(-1) << " (want " << bob0 + payout << "), alice "
      << alice_wallet->LocalSats().value_or(-1) << " (want " << alice0 - escrow_sats << ")";
  Ok("bob", {"rate", "5"});

  ExpectNoSecretsOutput("alice");
  ExpectNoSecretsOutput("bob");
}

TEST_F(RobotCli, CancelReturnsTheMakerBondAndErrorsCarryTheCoordinatorsCode) {
  StartNetwork({"alice"}, {"temple"});
  auto wallet = WalletOf("alice");
  ASSERT_TRUE(wallet);
  const int64_t alice0 = wallet->LocalSats().value_or(-1);
  Ok("alice", {"init"});
  // No explicit register: the make carries the keys (the coordinator does not know the robot).
  Json made = Ok("alice", {"make", "--coordinator", "temple", "--type", "buy", "--currency", "EUR", "--min-amount",
                           "50", "--max-amount", "200", "--premium", "-2", "--wallet", "alice"});
  const int64_t id = made.value("id", int64_t{0});
  ASSERT_GT(id, 0) << made.dump();
  EXPECT_EQ(made["order"].value("status", -1), 1);
  EXPECT_TRUE(made["order"].value("has_range", false));

  // A second order while one is active: RoboSats' 1000, shown with its code, exit 1.
  RobotRun again = Robot("alice", {"make", "--coordinator", "temple", "--type", "sell", "--currency", "USD",
                                   "--amount", "100"});
  EXPECT_EQ(again.code, 1) << again.out;
  EXPECT_EQ(again.json.value("error_code", 0), 1000) << again.out;
  EXPECT_NE(testsupport::ReadFile(StderrPath("alice")).find("error 1000"), std::string::npos);

  Json cancelled = Ok("alice", {"cancel"});
  EXPECT_TRUE(cancelled.value("cancelled", false)) << cancelled.dump();
  EXPECT_EQ(cancelled["order"].value("status", -1), 4);
  // RoboSats answers a cancelled order with 1043.
  RobotRun gone = Robot("alice", {"order"});
  EXPECT_EQ(gone.code, 1);
  EXPECT_EQ(gone.json.value("error_code", 0), 1043) << gone.out;
  // The bond comes back.
  EXPECT_TRUE(testsupport::WaitUntil([&] { return wallet->LocalSats() == alice0; }, kWait))
      << wallet->LocalSats().value_or(-1) << " != " << alice0;
  // Usage errors exit 2.
  EXPECT_EQ(Robot("alice", {"make", "--coordinator", "temple", "--type", "swap"}).code, 2);
  ExpectNoSecretsOutput("alice");
}


TEST_F(RobotCli, EitherRobotOpensADisputeAndBothSubmitStatements) {
  // The coordinator's clock runs from a file (COORDINATORD_TEST_CLOCK_FILE): a dispute may be
  // opened only from 18 h before the fiat exchange's expiry.
  const std::string clock_dir = testsupport::MakeTempDir("robot-cli-clock");
  const std::string clock = clock_dir + "/clock";
  std::ofstream(clock) << 0;
  testsupport::CoordinatordOptions options;
  options.clock_file = clock;
  StartNetwork({"alice", "bob"}, {"temple"}, options);
  Ok("alice", {"init"});
  Ok("bob", {"init"});
  Json made = Ok("alice", {"make", "--coordinator", "temple", "--type", "sell", "--currency", "USD", "--amount", "100",
                           "--wallet", "alice"});
  const std::string ref = "temple/" + std::to_string(made.value("id", int64_t{0}));
  Ok("bob", {"take", ref, "--wallet", "bob"});
  Ok("alice", {"pay", "--wallet", "alice"});
  Json invoice = Ok("bob", {"invoice", "--wallet", "bob"});
  ASSERT_EQ(invoice["order"].value("status", -1), 9) << invoice.dump();

  // Too early: RoboSats' 1054, shown with its code.
  RobotRun early = Robot("bob", {"dispute"});
  EXPECT_EQ(early.code, 1) << early.out;
  EXPECT_EQ(early.json.value("error_code", 0), 1054) << early.out;
  std::ofstream(clock) << 7 * 3600;
  std::this_thread::sleep_for(150ms);  // the coordinator re-reads the file every 50 ms
  Json opened = Ok("bob", {"dispute"});
  EXPECT_EQ(opened["order"].value("status", -1), 11) << opened.dump();
  // A statement under 100 characters: 2001; then both robots state their case.
  RobotRun short_statement = Robot("bob", {"statement", "too short"});
  EXPECT_EQ(short_statement.code, 1);
  EXPECT_EQ(short_statement.json.value("error_code", 0), 2001) << short_statement.out;
  const std::string statement(120, 'x');
  Ok("bob", {"statement", "I sent the fiat by Strike; the seller never confirmed. " + statement});
  Ok("alice", {"statement", ref, "Nothing arrived on my Strike account. " + statement});
  Json waiting = Ok("alice", {"wait", "--status", "16"});
  EXPECT_EQ(waiting["order"].value("status", -1), 16) << waiting.dump();
  ExpectNoSecretsOutput("alice");
  ExpectNoSecretsOutput("bob");
  std::error_code ec;
  std::filesystem::remove_all(clock_dir, ec);
}

}  // namespace
}  // namespace robot_cli_test
