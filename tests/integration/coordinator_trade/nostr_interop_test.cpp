// Publishing to a real relay written by others: coordinatord with nostr.relays pointing at a relay
// built from npm @nostr-relay/core and its SQLite event repository (tests/nostr_interop/relay.mjs,
// started here), read back with npm nostr-tools (verifyEvent). Orders made, cancelled, taken and
// expired appear and leave as events whose tags equal what RoboSats v0.8.6 emits for the same
// order (api/nostr.py Nostr.generate_tags, computed here from the order's API view), except `s`
// (NIP-69 values instead of RoboSats' "success" for every closed order) and, on closing events,
// the NIP-40 expiration (kept alive a day, coordinator/nostr/order_event.h). Then the relay is
// killed, orders change, it comes back (the publisher resends what it owes), and it comes back
// having lost everything (the reconciler republishes the store's truth): no order stays
// `pending` there after it left the book.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ctime>
#include <fstream>
#include <thread>

#include <yaml-cpp/yaml.h>

#include "coordinator/nostr/order_event.h"
#include "escrow/crypto/secp256k1.h"
#include "escrow/crypto/sha256.h"
#include "tests/integration/coordinator_trade/trade_fixture.h"
#include "tests/support/process.h"

namespace coordinator_trade_test {
namespace {

namespace cn = coordinator::nostr;

uint16_t FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

std::string InteropDir() {
  // tests/integration/coordinator_trade/<this file> → tests/nostr_interop
  return testsupport::SourceDirOf(__FILE__) + "/../../nostr_interop";
}

// Python's str(Decimal) of a value the API writes with a fixed number of decimals: the API's
// string as is (RoboSats' serializers and its generate_tags both print the model's Decimal).
std::string Str(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

class NostrInterop : public CoordinatorTrade {
 protected:
  void BeforeCoordinatord() override {
    if (!std::filesystem::exists("/usr/bin/node")) GTEST_SKIP() << "needs nodejs (ops/setup installs it)";
    const std::string dir = InteropDir();
    // `npm ci` once (an installed node_modules is kept); better-sqlite3 compiles from source.
    if (!std::filesystem::exists(dir + "/node_modules/@nostr-relay/event-repository-sqlite") ||
        !std::filesystem::exists(dir + "/node_modules/nostr-tools")) {
      auto ci = testsupport::Run({"/usr/bin/env", "sh", "-c", "cd '" + dir + "' && npm ci --no-audit --no-fund 1>&2"},
                                 m_dir + "/npm.log", 900s);
      ASSERT_EQ(ci.code, 0) << "npm ci failed: " << testsupport::ReadFile(m_dir + "/npm.log");
    }
    m_port = FreeLoopbackPort();
    ASSERT_NE(m_port, 0);
    m_relay_url = "ws://127.0.0.1:" + std::to_string(m_port);
    StartRelay();
    m_clock_file = m_dir + "/clock";
    std::ofstream(m_clock_file) << 0;
    m_options.clock_file = m_clock_file;
    m_options.extra_yaml = "nostr:\n  relays: [\"" + m_relay_url +
                           "\"]\n  publish_timeout_s: 5\n  retry_base_s: 1\n  retry_max_s: 2\n"
                           "  reconcile_interval_s: 5\n";
  }

  void TearDown() override {
    if (m_relay) {
      m_relay->Signal(SIGTERM);
      m_relay->Wait(kWait);
      m_relay.reset();
    }
    CoordinatorTrade::TearDown();
  }

  void StartRelay() {
    m_relay = testsupport::Process::Start(
        {"/usr/bin/node", InteropDir() + "/relay.mjs", std::to_string(m_port), m_dir + "/relay.db"},
        m_dir + "/relay.log");
    ASSERT_TRUE(m_relay);
    auto line = m_relay->ReadLine(kWait);
    ASSERT_TRUE(line.has_value()) << testsupport::ReadFile(m_dir + "/relay.log");
    ASSERT_EQ(*line, "listening " + std::to_string(m_port)) << testsupport::ReadFile(m_dir + "/relay.log");
  }
  void KillRelay() {
    m_relay->Signal(SIGKILL);
    ASSERT_TRUE(m_relay->Wait(kWait).has_value());
    m_relay.reset();
  }

  void MoveClock(int64_t seconds) {
    m_clock_ahead_s += seconds;
    std::ofstream(m_clock_file) << m_clock_ahead_s;
    std::this_thread::sleep_for(150ms);  // the coordinator re-reads the file every 50 ms
  }

  std::string CoordinatorPubkey() const {
    std::ifstream in(m_dir + "/data/nostr.key");
    std::string hex;
    in >> hex;
    auto key = escrow::crypto::Signer::FromSecret(*escrow::crypto::Hash32FromHex(hex));
    EXPECT_TRUE(key);
    auto x = key->XOnlyPublicKey();
    return escrow::crypto::ToHex(escrow::crypto::Hash32{x});
  }

  // What the relay holds by our key, as nostr-tools reads it; every event must verify.
  json ReadRelay() {
    auto run = testsupport::Run({"/usr/bin/node", InteropDir() + "/read_events.mjs", m_relay_url, m_pubkey},
                                m_dir + "/read.log", 60s);
    if (run.code != 0) return json();
    json j = json::parse(run.out, nullptr, false);
    if (j.is_discarded()) return json();
    EXPECT_EQ(j["unverified"], json::array()) << "events nostr-tools' verifyEvent rejects";
    return j;
  }
  // The relay's event for order `id` (kind 38383), or null.
  static json OrderEventIn(const json& relay, int64_t id) {
    const std::string d = cn::OrderDTag("Local coordinator", id);
    if (!relay.is_object()) return json();
    for (const auto& e : relay["events"]) {
      if (e["kind"] != 38383) continue;
      for (const auto& t : e["tags"]) {
        if (t[0] == "d" && t[1] == d) return e;
      }
    }
    return json();
  }
  // The d tags of the order events the relay holds as pending.
  std::set<std::string> PendingOnRelay() {
    std::set<std::string> pending;
    json relay = ReadRelay();
    for (const auto& e : relay.is_object() ? relay["events"] : json::array()) {
      if (e["kind"] == 38383 && Tag(e, "s") == "pending") pending.insert(Tag(e, "d"));
    }
    return pending;
  }
  static std::string Tag(const json& e, const std::string& name) {
    for (const auto& t : e["tags"]) {
      if (t[0] == name && t.size() > 1) return t[1];
    }
    return "";
  }
  // Waits (bounded) until the relay holds order `id` with status tag `s`.
  json WaitRelayStatus(int64_t id, const std::string& s) {
    json e;
    bool reached = testsupport::WaitUntil(
        [&] {
          e = OrderEventIn(ReadRelay(), id);
          return !e.is_null() && Tag(e, "s") == s;
        },
        kWait, 250ms);
    EXPECT_TRUE(reached) << "order " << id << " never reached s=" << s << " on the relay; last: " << e.dump()
                         << "\n" << testsupport::ReadFile(m_dir + "/coordinatord.log").substr(0, 0);
    return e;
  }

  // RoboSats v0.8.6 api/nostr.py generate_tags for this order, from its API view (as the maker
  // sees it) and the coordinator's settings in the test config (alias "Local coordinator",
  // HOST_NAME = the listen address, NETWORK regtest).
  json RoboSatsTags(const json& view, int64_t id, const std::string& s) {
    const std::string alias = "Local coordinator";
    std::string alias_lower = alias;
    for (char& c : alias_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json tags = json::array();
    tags.push_back({"d", cn::OrderDTag(alias, id)});
    tags.push_back({"name", view["maker_nick"], m_maker_hash_id});
    tags.push_back({"k", view["type"] == 1 ? "sell" : "buy"});
    tags.push_back({"f", m_currency_code});
    tags.push_back({"s", s});
    tags.push_back({"amt", "0"});
    if (view.value("has_range", false)) {
      tags.push_back({"fa", Str(view["min_amount"]), Str(view["max_amount"])});
    } else {
      tags.push_back({"fa", Str(view["amount"])});
    }
    json pm = json::array({"pm"});
    const std::string methods = view["payment_method"];
    size_t start = 0;
    for (;;) {  // Python's str.split(" ")
      size_t sp = methods.find(' ', start);
      pm.push_back(methods.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
      if (sp == std::string::npos) break;
      start = sp + 1;
    }
    tags.push_back(pm);
    tags.push_back({"premium", Str(view["premium"])});
    // RoboSats' HOST_NAME is configuration; ours is coordinator.host_name, "" = the configured
    // listen address (as written, so "127.0.0.1:0" for the tests' ephemeral port).
    const std::string host = YAML::LoadFile(m_dir + "/coordinatord.yaml")["listen"].as<std::string>();
    tags.push_back({"source", "http://" + host + "/order/" + alias_lower + "/" + std::to_string(id)});
    tags.push_back({"expiration", std::to_string(ParseIso(view["expires_at"])), Str(view["escrow_duration"])});
    tags.push_back({"y", "robosats", alias_lower});
    tags.push_back({"network", "regtest"});
    tags.push_back({"layer", "lightning"});
    tags.push_back({"bond", Str(view["bond_size"])});
    tags.push_back({"z", "order"});
    return tags;
  }
  static int64_t ParseIso(const std::string& iso) {
    std::tm tm{};
    strptime(iso.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    return static_cast<int64_t>(timegm(&tm));
  }

  int64_t Make(Trader& maker, json extra = json::object()) {
    json order = {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike Revolut"}, {"premium", "1.5"}};
    for (auto& [k, v] : extra.items()) order[k] = v;
    return MakeAndPublish(maker, order);
  }

  uint16_t m_port = 0;
  std::string m_relay_url, m_clock_file, m_pubkey, m_maker_hash_id, m_currency_code = "USD";
  std::unique_ptr<testsupport::Process> m_relay;
};

TEST_F(NostrInterop, OrdersAppearAndLeaveOnARealRelayAndTheReconcilerHealsALostRelay) {
  RegisterRobots();
  m_pubkey = CoordinatorPubkey();
  auto& seller = T("robot");
  auto& buyer = T("other");
  m_maker_hash_id = Call(*seller.robot, "GET", "/api/robot/")["hash_id"];

  // The info event reaches the relay too.
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        json r = ReadRelay();
        if (!r.is_object()) return false;
        for (const auto& e : r["events"]) {
          if (e["kind"] == 38385) return true;
        }
        return false;
      },
      kWait, 250ms))
      << "no info event on the relay";

  // Made: pending, with RoboSats' tags field for field.
  const int64_t a = Make(seller);
  json ea = WaitRelayStatus(a, "pending");
  json view_a = Order(*seller.robot, a);
  EXPECT_EQ(ea["tags"], RoboSatsTags(view_a, a, "pending")) << ea.dump();
  EXPECT_EQ(ea["content"], "");
  // Cancelled: leaves the book as canceled.
  Act(*seller.robot, a, {{"action", "cancel"}, {"cancel_status", 1}});
  json ca = WaitRelayStatus(a, "canceled");
  json expected = RoboSatsTags(view_a, a, "canceled");
  // The closing event lives a day past its own date (NIP-40), otherwise RoboSats' tags.
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i][0] == "expiration") continue;
    EXPECT_EQ(ca["tags"][i], expected[i]) << i;
  }
  EXPECT_GE(std::stoll(Tag(ca, "expiration")), ca["created_at"].get<int64_t>() + 86400);

  // Two public orders when the relay dies.
  const int64_t f = Make(seller);
  const int64_t g = Make(buyer, {{"type", 0}, {"payment_method", "SEPA"}});
  WaitRelayStatus(f, "pending");
  json eg = WaitRelayStatus(g, "pending");
  m_maker_hash_id = Call(*buyer.robot, "GET", "/api/robot/")["hash_id"];
  EXPECT_EQ(eg["tags"], RoboSatsTags(Order(*buyer.robot, g), g, "pending"));
  m_maker_hash_id = Call(*seller.robot, "GET", "/api/robot/")["hash_id"];
  KillRelay();
  // While it is away f leaves the book. Back with its database: what was owed arrives.
  Act(*seller.robot, f, {{"action", "cancel"}, {"cancel_status", 1}});
  // A cancelled order answers 400 "This order has been cancelled" from then on.
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return seller.robot->Get("/api/order/?order_id=" + std::to_string(f)).status == 400; }, kWait));
  StartRelay();
  WaitRelayStatus(f, "canceled");
  WaitRelayStatus(g, "pending");

  // Back having lost everything: the reconciler finds the store's truth missing and republishes
  // it — the closed orders' final states too.
  KillRelay();
  std::filesystem::remove(m_dir + "/relay.db");
  std::filesystem::remove(m_dir + "/relay.db-wal");
  std::filesystem::remove(m_dir + "/relay.db-shm");
  StartRelay();
  WaitRelayStatus(a, "canceled");
  WaitRelayStatus(f, "canceled");
  WaitRelayStatus(g, "pending");
  EXPECT_EQ(PendingOnRelay(), std::set<std::string>{cn::OrderDTag("Local coordinator", g)});

  // Expired: public for the shortest time RoboSats allows (598 s); the coordinator's clock moves
  // 590 s and the rest passes. (Not further: this relay refuses events dated more than 10 minutes
  // from its own clock, @nostr-relay/common EventUtils.validate.)
  const int64_t c = Make(seller, {{"public_duration", 598}});
  WaitRelayStatus(c, "pending");
  MoveClock(590);
  WaitStatus(*seller.robot, c, 5);
  WaitRelayStatus(c, "expired");
  // The moved clock made the prices stale until their next fetch: wait for it to make again.
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return RobotClient::Anonymous(m_coordinatord->api_url() + "/api/limits/").json.contains("1"); }, 120s,
      500ms));

  // Taken: in-progress once the taker's bond locks (the taker first withdraws its own order).
  Act(*buyer.robot, g, {{"action", "cancel"}, {"cancel_status", 1}});
  WaitRelayStatus(g, "canceled");
  const int64_t b = Make(seller, {{"payment_method", "Strike"}});
  WaitRelayStatus(b, "pending");
  TakeAndLock(buyer, b, "");
  WaitRelayStatus(b, "in-progress");
  // Nothing left pending on the relay: the book is empty.
  EXPECT_EQ(PendingOnRelay(), std::set<std::string>{});
}

}  // namespace
}  // namespace coordinator_trade_test
