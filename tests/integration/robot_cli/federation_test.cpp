// The robot across a federation: registration on every coordinator, the joint book of two
// coordinatord processes (one unreachable entry does not hide the others), coordinator
// selection, and requests through a SOCKS5h proxy.
#include <set>

#include "tests/integration/robot_cli/robot_cli_fixture.h"

namespace robot_cli_test {
namespace {

TEST_F(RobotCli, JointBookMergesEveryCoordinatorAndSurvivesADeadOne) {
  StartNetwork({"alice", "bob"}, {"temple", "lake"});
  Ok("alice", {"init"});
  Ok("bob", {"init"});
  Json registered = Ok("alice", {"register"});
  ASSERT_EQ(registered["coordinators"].size(), 2u) << registered.dump();
  for (const auto& c : registered["coordinators"]) EXPECT_TRUE(c.value("ok", false)) << c.dump();
  Json profile = Ok("alice", {"profile"});
  EXPECT_EQ(profile["coordinators"].size(), 2u) << profile.dump();

  // Two coordinators: make needs one named.
  RobotRun ambiguous = Robot("alice", {"make", "--type", "sell", "--currency", "USD", "--amount", "100"});
  EXPECT_EQ(ambiguous.code, 2) << ambiguous.out;
  Json at_temple = Ok("alice", {"make", "--coordinator", "temple", "--type", "sell", "--currency", "USD", "--amount",
                                "100", "--wallet", "alice"});
  Json at_lake = Ok("bob", {"make", "--coordinator", "lake", "--type", "buy", "--currency", "EUR", "--amount", "90",
                            "--wallet", "bob"});
  ASSERT_EQ(at_temple["order"].value("status", -1), 1) << at_temple.dump();
  ASSERT_EQ(at_lake["order"].value("status", -1), 1) << at_lake.dump();

  // A third entry nobody answers at.
  AddFederationEntry("dead", {{"onion", nullptr}, {"clearnet", "http://127.0.0.1:1"}, {"i2p", nullptr}});
  Json book = Ok("bob", {"book"});
  std::set<std::string> seen;
  for (const auto& o : book["orders"]) seen.insert(o.value("coordinator", "") + "/" + std::to_string(o.value("id", 0)));
  EXPECT_TRUE(seen.count("temple/" + std::to_string(at_temple.value("id", 0)))) << book.dump();
  EXPECT_TRUE(seen.count("lake/" + std::to_string(at_lake.value("id", 0)))) << book.dump();
  ASSERT_EQ(book["coordinators"].size(), 3u);
  for (const auto& c : book["coordinators"]) {
    EXPECT_EQ(c.value("ok", false), c.value("coordinator", "") != "dead") << c.dump();
  }
  // Filters: only sell orders (temple's).
  Json sells = Ok("bob", {"book", "--type", "sell"});
  for (const auto& o : sells["orders"]) EXPECT_EQ(o.value("type", -1), 1) << o.dump();
  // One coordinator only.
  Json lake_only = Ok("bob", {"book", "--coordinator", "lake"});
  for (const auto& o : lake_only["orders"]) EXPECT_EQ(o.value("coordinator", ""), "lake");

  Ok("alice", {"cancel"});
  Ok("bob", {"cancel"});
  ExpectNoSecretsOutput("alice");
  ExpectNoSecretsOutput("bob");
}

TEST_F(RobotCli, EveryRequestGoesThroughTheSocks5hProxy) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/microsocks")) << "microsocks is missing: run ops/setup";
  StartNetwork({"alice"}, {"temple"});
  // The coordinator by a name only the proxy resolves for us ("localhost", via socks5h).
  std::string url = m_coordinators.at("temple")->api_url();
  const std::string port = url.substr(url.rfind(':') + 1);
  AddFederationEntry("named",
                     {{"onion", nullptr}, {"clearnet", "http://localhost:" + port}, {"i2p", nullptr}});
  const int proxy_port = FreePort();
  auto proxy = testsupport::Process::Start({"/usr/bin/microsocks", "-i", "127.0.0.1", "-p", std::to_string(proxy_port)},
                                           m_dir + "/microsocks.log");
  ASSERT_TRUE(proxy);
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Connectable(proxy_port); }, kWait));
  const std::string via = "socks5h://127.0.0.1:" + std::to_string(proxy_port);

  Ok("alice", {"init"});
  Json registered = Ok("alice", {"register", "--coordinator", "named", "--proxy", via});
  EXPECT_TRUE(registered["coordinators"][0].value("ok", false)) << registered.dump();

  // Without the proxy, the same call fails: the robot really went through it. (The
  // coordinator is still up: a direct request would have succeeded.)
  proxy->Signal(SIGTERM);
  ASSERT_TRUE(proxy->Wait(kWait).has_value());
  RobotRun cut = Robot("alice", {"profile", "--coordinator", "named", "--proxy", via});
  EXPECT_EQ(cut.code, 1) << cut.out;
  EXPECT_NE(cut.json.value("coordinators", Json::array()).dump().find(via), std::string::npos) << cut.out;

  // A socks5:// proxy (names resolved locally) is refused before any request.
  RobotRun leaky = Robot("alice", {"book", "--proxy", "socks5://127.0.0.1:" + std::to_string(proxy_port)});
  EXPECT_EQ(leaky.code, 2);
  ExpectNoSecretsOutput("alice");
}

TEST_F(RobotCli, OnionCoordinatorsAreReachedOnlyThroughAProxy) {
  StartNetwork({"alice"}, {"temple"});
  const std::string onion = "http://ngdk7ocdzmz5kzsysa3om6du7ycj2evxp2f2olfkyq37htx3gllwp2yd.onion";
  AddFederationEntry("hidden", {{"onion", onion}, {"clearnet", nullptr}, {"i2p", nullptr}});
  m_clearnet = false;  // the federation's onion URLs
  Ok("alice", {"init"});
  // No --proxy: an onion URL goes to Tor's default socks5h://127.0.0.1:9050 — never to DNS.
  // (Nothing listens there in the test, so the request fails naming the proxy.)
  const int tor_port_taken = Connectable(9050);
  RobotRun r = Robot("alice", {"book", "--coordinator", "hidden"});
  if (!tor_port_taken) {
    EXPECT_EQ(r.code, 1) << r.out;
    const std::string err = testsupport::ReadFile(StderrPath("alice"));
    EXPECT_NE(err.find("socks5h://127.0.0.1:9050"), std::string::npos) << err;
    EXPECT_EQ(err.find("resolve host"), std::string::npos) << "the onion name went to local DNS: " << err;
  }
}

}  // namespace
}  // namespace robot_cli_test
