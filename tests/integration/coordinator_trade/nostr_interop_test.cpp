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
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include <ctime>
#include <optional>
#include <fstream>
#include <thread>

#include <yaml-cpp/yaml.h>

#include "coordinator/nostr/order_event.h"
#include "escrow/crypto/secp256k1.h"
#include "escrow/crypto/sha256.h"
#include "tests/adapter/api_http/ws_client.h"
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
    // Under a lock: ctest -j runs NostrInterop and NostrPublisherStatus at once, and a second
    // `npm ci` would delete the node_modules the first one's relay is running from.
    auto ci = testsupport::Run(
        {"/usr/bin/env", "flock", dir + "/.npm-ci.lock", "sh", "-c",
         "cd '" + dir + "' && { [ -d node_modules/@nostr-relay/event-repository-sqlite ] && "
         "[ -d node_modules/nostr-tools ] || npm ci --no-audit --no-fund 1>&2; }"},
        m_dir + "/npm.log", 900s);
    ASSERT_EQ(ci.code, 0) << "npm ci failed: " << testsupport::ReadFile(m_dir + "/npm.log");
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

// The publisher's status as an operator sees it, against the real relay: GET /metrics
// (coordinator_nostr_relay_*), GET /admin/nostr/relays/ and `coordctl nostr` show the relay
// caught up, then down with an event owed (while an order changes), then caught up again.
class NostrPublisherStatus : public NostrInterop {
 protected:
  void BeforeCoordinatord() override {
    NostrInterop::BeforeCoordinatord();
    m_token_file = m_dir + "/ops-solver.token";
    std::ofstream(m_token_file) << std::string(40, 'n') << "\n";
    ::chmod(m_token_file.c_str(), 0600);
    m_options.solver_token_files = {m_token_file};
  }
  // A coordinator_nostr_relay_* value of our relay at this scrape (nullopt: absent).
  std::optional<double> Metric(const std::string& name) {
    auto scrape = RobotClient::Anonymous(m_coordinatord->operator_url() + "/metrics");
    EXPECT_EQ(scrape.status, 200);
    m_last_scrape = scrape.body;
    const std::string prefix = name + "{relay=\"" + m_relay_url + "\"} ";
    const size_t at = scrape.body.find("\n" + prefix);
    if (at == std::string::npos) return std::nullopt;
    return std::stod(scrape.body.substr(at + 1 + prefix.size()));
  }
  json Admin() {
    CURL* curl = curl_easy_init();
    std::string body;
    curl_easy_setopt(curl, CURLOPT_URL, (m_coordinatord->operator_url() + "/admin/nostr/relays/").c_str());
    struct curl_slist* headers =
        curl_slist_append(nullptr, ("Authorization: Bearer " + std::string(40, 'n')).c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* d, size_t sz, size_t n, void* out) {
      static_cast<std::string*>(out)->append(d, sz * n);
      return sz * n;
    });
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    EXPECT_EQ(status, 200) << body;
    json j = json::parse(body, nullptr, false);
    EXPECT_TRUE(j.is_array() && j.size() == 1) << body;
    return j.is_array() && j.size() == 1 ? j[0] : json::object();
  }
  std::pair<int, std::string> Coordctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {testsupport::BinaryPath("coordctl"), "--endpoint", m_coordinatord->operator_url(),
                                     "--token-file", m_token_file};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = testsupport::Process::Start(argv, m_dir + "/coordctl.log");
    std::string out;
    while (auto line = p->ReadLine(kWait)) out += *line + "\n";
    return {p->Wait(kWait).value_or(-1), out};
  }
  bool CaughtUp() {
    return Metric("coordinator_nostr_relay_connected") == 1.0 &&
           Metric("coordinator_nostr_relay_events_pending") == 0.0;
  }
  std::string m_token_file, m_last_scrape;
};

TEST_F(NostrPublisherStatus, MetricsAdminAndCoordctlShowARelayDownThenCaughtUp) {
  RegisterRobots();
  m_pubkey = CoordinatorPubkey();
  auto& seller = T("robot");
  m_maker_hash_id = Call(*seller.robot, "GET", "/api/robot/")["hash_id"];
  const int64_t a = Make(seller);
  WaitRelayStatus(a, "pending");

  // Caught up: connected, nothing pending, the info and order events acknowledged.
  ASSERT_TRUE(testsupport::WaitUntil([&] { return CaughtUp(); }, kWait, 250ms)) << m_last_scrape;
  EXPECT_GE(Metric("coordinator_nostr_relay_events").value_or(0), 2.0);
  EXPECT_GE(Metric("coordinator_nostr_relay_published_total").value_or(0), 2.0);
  EXPECT_EQ(Metric("coordinator_nostr_relay_refused_total"), 0.0);
  EXPECT_GT(Metric("coordinator_nostr_relay_last_ok_timestamp_seconds").value_or(0), 1.7e9);
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return Metric("coordinator_nostr_relay_reconciliations_total").value_or(0) >= 1; }, kWait, 250ms));
  EXPECT_TRUE(Metric("coordinator_nostr_relay_healed_total").has_value());
  json up = Admin();
  EXPECT_EQ(up["relay"], m_relay_url);
  EXPECT_EQ(up["connected"], true);
  EXPECT_EQ(up["pending"], 0);
  EXPECT_GE(up["published"].get<int64_t>(), 2);
  EXPECT_GT(up["last_ok_at"].get<int64_t>(), 0);
  auto [code, table] = Coordctl({"nostr"});
  EXPECT_EQ(code, 0) << table << testsupport::ReadFile(m_dir + "/coordctl.log");
  EXPECT_NE(table.find("RELAY"), std::string::npos) << table;
  EXPECT_NE(table.find(m_relay_url), std::string::npos) << table;

  // Down, and the order leaves the book meanwhile: disconnected, an event pending, the error.
  KillRelay();
  Act(*seller.robot, a, {{"action", "cancel"}, {"cancel_status", 1}});
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        return Metric("coordinator_nostr_relay_connected") == 0.0 &&
               Metric("coordinator_nostr_relay_events_pending").value_or(0) >= 1;
      },
      kWait, 250ms))
      << m_last_scrape;
  json down = Admin();
  EXPECT_EQ(down["connected"], false);
  EXPECT_GE(down["pending"].get<int64_t>(), 1);
  EXPECT_NE(down["last_error"], "");
  auto [code_down, table_down] = Coordctl({"nostr", "--json"});
  EXPECT_EQ(code_down, 0);
  json listed = json::parse(table_down, nullptr, false);
  ASSERT_TRUE(listed.is_array() && listed.size() == 1) << table_down;
  EXPECT_EQ(listed[0]["connected"], false);

  // Back: the owed event arrives, and the views show the relay caught up again.
  StartRelay();
  WaitRelayStatus(a, "canceled");
  ASSERT_TRUE(testsupport::WaitUntil([&] { return CaughtUp(); }, kWait, 250ms)) << m_last_scrape;
  json again = Admin();
  EXPECT_EQ(again["connected"], true);
  EXPECT_EQ(again["pending"], 0);
  EXPECT_GE(again["last_ok_at"].get<int64_t>(), up["last_ok_at"].get<int64_t>());
  // No secret in either view: not the coordinator's nostr key, not the admin token.
  std::ifstream key_file(m_dir + "/data/nostr.key");
  std::string secret;
  key_file >> secret;
  ASSERT_EQ(secret.size(), 64u);
  EXPECT_EQ(m_last_scrape.find(secret), std::string::npos);
  EXPECT_EQ(again.dump().find(secret), std::string::npos);
  EXPECT_EQ(m_last_scrape.find(std::string(40, 'n')), std::string::npos);
}

// The production layout of ops/nostr/nginx.conf, as shipped (only its three loopback addresses
// moved to this test's ports): Debian's nginx in front, the full relay (@nostr-relay/core, as
// above) behind /relay/, coordinatord behind everything else with nostr.embedded_relay false and
// nostr.relays naming the relay. An order made through nginx's /api/ is read back as its signed
// kind-38383 event through nginx's /relay/ with the RoboSats client's book REQ, and the two
// robots of a trade chat through nginx's /ws/chat/ (the WebSocket upgrade passes through).
// nginx runs unprivileged (as `nobody` when the test runs as root) with its own prefix, temp
// paths and logs.
class NostrBehindNginx : public NostrInterop {
 protected:
  void BeforeCoordinatord() override {
    if (!std::filesystem::exists(kNginx)) GTEST_SKIP() << "needs nginx (ops/setup installs it)";
    NostrInterop::BeforeCoordinatord();
    m_options.extra_yaml += "  embedded_relay: false\n";
  }
  void TearDown() override {
    if (m_nginx) {
      m_nginx->Signal(SIGQUIT);  // graceful stop: the master waits for its worker
      m_nginx->Wait(kWait);
      m_nginx.reset();
    }
    if (!m_nginx_dir.empty()) std::filesystem::remove_all(m_nginx_dir);
    NostrInterop::TearDown();
  }

  // ops/nostr/nginx.conf with its addresses replaced, included by a main configuration that
  // keeps every path in its own directory (as /etc/nginx/nginx.conf includes sites-enabled/).
  void StartNginx(uint16_t coordinatord_port) {
    m_nginx_dir = testsupport::MakeTempDir("nginx");
    ::chmod(m_nginx_dir.c_str(), 0777);  // nginx (nobody) writes its temp files and logs here
    m_nginx_port = FreeLoopbackPort();
    ASSERT_NE(m_nginx_port, 0);
    std::string site = testsupport::ReadFile(InteropDir() + "/../../ops/nostr/nginx.conf");
    auto replace = [&](const std::string& from, const std::string& to) {
      const size_t at = site.find(from);
      ASSERT_NE(at, std::string::npos) << "ops/nostr/nginx.conf no longer has " << from;
      site.replace(at, from.size(), to);
    };
    replace("server 127.0.0.1:12596;", "server 127.0.0.1:" + std::to_string(coordinatord_port) + ";");
    replace("server 127.0.0.1:7777;", "server 127.0.0.1:" + std::to_string(m_port) + ";");
    replace("listen 127.0.0.1:8080;", "listen 127.0.0.1:" + std::to_string(m_nginx_port) + ";");
    const std::string d = m_nginx_dir;
    std::ofstream(d + "/site.conf") << site;
    std::ofstream(d + "/nginx.conf") << "daemon off;\nmaster_process on;\nworker_processes 1;\npid " << d
                                     << "/nginx.pid;\nerror_log " << d << "/error.log info;\n"
                                     << "events { worker_connections 128; }\nhttp {\n  access_log " << d
                                     << "/access.log;\n  client_body_temp_path " << d << "/client_body;\n"
                                     << "  proxy_temp_path " << d << "/proxy;\n  fastcgi_temp_path " << d
                                     << "/fastcgi;\n  uwsgi_temp_path " << d << "/uwsgi;\n  scgi_temp_path " << d
                                     << "/scgi;\n  include " << d << "/site.conf;\n}\n";
    ::chmod((d + "/site.conf").c_str(), 0644);
    ::chmod((d + "/nginx.conf").c_str(), 0644);
    std::vector<std::string> argv = {kNginx, "-p", d + "/", "-e", d + "/error.log", "-c", d + "/nginx.conf"};
    if (::geteuid() == 0) {
      argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
    }
    m_nginx = testsupport::Process::Start(argv, d + "/stderr.log");
    ASSERT_TRUE(m_nginx);
    m_nginx_url = "http://127.0.0.1:" + std::to_string(m_nginx_port);
    ASSERT_TRUE(testsupport::WaitUntil(
        [&] { return RobotClient::Anonymous(m_nginx_url + "/api/info/").status == 200; }, kWait, 100ms))
        << testsupport::ReadFile(d + "/stderr.log") << testsupport::ReadFile(d + "/error.log");
  }

  static constexpr const char* kNginx = "/usr/sbin/nginx";
  std::string m_nginx_dir, m_nginx_url;
  uint16_t m_nginx_port = 0;
  std::unique_ptr<testsupport::Process> m_nginx;
};

TEST_F(NostrBehindNginx, OrdersReachTheFullRelayBehindRelayAndTheChatUpgradePassesThrough) {
  const std::string& api = m_coordinatord->api_url();
  const uint16_t coordinatord_port = static_cast<uint16_t>(std::stoi(api.substr(api.rfind(':') + 1)));
  StartNginx(coordinatord_port);
  if (HasFatalFailure()) return;
  m_pubkey = CoordinatorPubkey();
  // Every robot request goes through nginx.
  for (const char* name : {"robot", "other"}) T(name).robot->set_api_url(m_nginx_url);
  RegisterRobots();
  auto& seller = T("robot");
  auto& buyer = T("other");

  // coordinatord's own /relay/ is off (nostr.embedded_relay: false).
  {
    apihttp_test::WsClient direct;
    auto h = direct.Connect(coordinatord_port, "/relay/");
    EXPECT_FALSE(h.upgraded);
    EXPECT_EQ(h.status, 404);
  }

  // A public order made through nginx's /api/.
  const int64_t id = Make(seller);
  const std::string d = cn::OrderDTag("Local coordinator", id);
  // The RoboSats client's book REQ (frontend/src/services/RoboPool/index.ts subscribeBook)
  // through nginx's /relay/: the order's signed event, pending (the publisher delivers it
  // asynchronously: asked again until it is there, bounded).
  auto book = [&](const std::string& want_status) {
    json found;
    bool seen = testsupport::WaitUntil(
        [&] {
          apihttp_test::WsClient c;
          auto h = c.Connect(m_nginx_port, "/relay/");
          if (!h.upgraded) {
            ADD_FAILURE() << "no upgrade through nginx: " << h.status << " " << h.error;
            return true;
          }
          const int64_t since = static_cast<int64_t>(std::time(nullptr)) - 108000;
          (void)c.SendText(json::array({"REQ", "subscribeBook",
                                  {{"authors", {m_pubkey}}, {"kinds", {38383}}, {"since", since}}})
                         .dump());
          for (int i = 0; i < 1000; ++i) {
            apihttp_test::WsMessage m = c.Read(kWait);
            if (m.kind != apihttp_test::WsMessage::kText) break;
            json j = json::parse(m.data, nullptr, false);
            if (!j.is_array() || j.empty() || j[0] != "EVENT") break;  // EOSE (or a NOTICE)
            if (Tag(j[2], "d") == d && Tag(j[2], "s") == want_status) found = j[2];
          }
          return !found.is_null();
        },
        kWait, 250ms);
    EXPECT_TRUE(seen) << "order " << id << " never read as " << want_status << " through nginx's /relay/";
    return found;
  };
  json pending = book("pending");
  ASSERT_FALSE(pending.is_null());
  auto parsed = cn::ParseEvent(pending);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(cn::Verify(*parsed).ok());
  EXPECT_EQ(parsed->pubkey, m_pubkey);
  // The same event, as nostr-tools reads the relay directly: one relay, two doors.
  EXPECT_EQ(OrderEventIn(ReadRelay(), id)["id"], pending["id"]);

  // Taken through nginx: in-progress on the relay, read through nginx.
  TakeAndLock(buyer, id, "");
  book("in-progress");
  LockEscrow(seller, id);
  WaitStatus(*buyer.robot, id, 8);
  SubmitInvoice(buyer, id);
  WaitStatus(*seller.robot, id, 9);

  // The chat through nginx's /ws/chat/: a wrong token gets coordinatord's 4003 close; the two
  // robots exchange a message.
  const std::string path = "/ws/chat/" + std::to_string(id) + "/?token_sha256_hex=";
  auto token_hex = [](const std::string& robot) {
    return escrow::crypto::ToHex(escrow::crypto::Sha256(testsupport::LoadFixtureRobot(robot).token));
  };
  {
    apihttp_test::WsClient wrong;
    ASSERT_TRUE(wrong.Connect(m_nginx_port, path + std::string(64, 'a')).upgraded);
    EXPECT_EQ(wrong.Read(kWait).close_code, 4003);
  }
  apihttp_test::WsClient s, u;
  auto sh = s.Connect(m_nginx_port, path + token_hex("robot"));
  ASSERT_TRUE(sh.upgraded) << sh.status << " " << sh.error;
  ASSERT_TRUE(u.Connect(m_nginx_port, path + token_hex("other")).upgraded);
  const std::string m1 = "-----BEGIN PGP MESSAGE-----\nthrough nginx\n-----END PGP MESSAGE-----";
  ASSERT_TRUE(s.SendText(json{{"type", "message"}, {"message", m1}, {"nick", "s"}}.dump()));
  bool got = false;
  for (int i = 0; i < 20 && !got; ++i) {
    apihttp_test::WsMessage m = u.Read(kWait);
    if (m.kind != apihttp_test::WsMessage::kText) break;
    json j = json::parse(m.data, nullptr, false);
    got = j.is_object() && j.value("index", 0) == 1 && j.value("message", "") == m1;
  }
  EXPECT_TRUE(got) << "the buyer never received the seller's message through nginx";
  // And REST through nginx sees it stored.
  json page = Call(*buyer.robot, "GET", "/api/chat/?order_id=" + std::to_string(id) + "&offset=0");
  ASSERT_EQ(page["messages"].size(), 1u) << page.dump();
  EXPECT_EQ(page["messages"][0]["message"], m1);
}

}  // namespace
}  // namespace coordinator_trade_test
