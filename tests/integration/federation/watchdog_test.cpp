// federationd's consistency watchdog over real processes: three coordinatords, federationd
// fetching their books through a real SOCKS5 proxy (microsocks) and reading their signed
// kind-38383 events from each one's /relay/ through the same proxy. alpha and beta are honest;
// gamma lies: the event it serves for its public order (re-signed with its own key, so it
// verifies) claims another premium than its /api/book/. The watchdog names gamma, at
// GET /api/watchdog/ and in its log, and stays quiet about alpha and beta.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "coordinator/model.h"
#include "coordinator/nostr/event.h"
#include "coordinator/store/store.h"
#include "escrow/crypto/secp256k1.h"
#include "tests/integration/federation/federation_fixture.h"

namespace federation_test {
namespace {

namespace cn = coordinator::nostr;

class Watchdog : public FederationCluster {
 protected:
  Watchdog() { m_gamma_delay = std::chrono::milliseconds(0); }

  std::string KeyHex(const std::string& alias) {
    std::ifstream in(m_dir + "/" + alias + "/data/nostr.key");
    std::string hex;
    in >> hex;
    return hex;
  }
  escrow::crypto::Signer Key(const std::string& alias) {
    auto key = escrow::crypto::Signer::FromSecret(*escrow::crypto::Hash32FromHex(KeyHex(alias)));
    EXPECT_TRUE(key);
    return std::move(*key);
  }
  static std::string Pub(const escrow::crypto::Signer& k) {
    auto x = k.XOnlyPublicKey();
    return escrow::crypto::ToHex(escrow::crypto::Hash32{x});
  }

  // gamma, stopped, gets a forged state of its order event: premium "9.00" (its book says 1),
  // signed with its own key; then it starts again and serves that from /relay/.
  void MakeGammaLie() {
    ASSERT_EQ(m_coordinators["gamma"]->Stop(kWait), std::optional<int>(0));
    m_coordinators["gamma"].reset();
    {
      auto store = coordinator::Store::Open(m_dir + "/gamma/data/coordinator.db");
      ASSERT_TRUE(store.ok()) << store.error();
      auto key = Key("gamma");
      bool forged = false;
      for (auto record : store.value()->NostrEvents()) {
        if (record.kind != 38383) continue;
        auto e = cn::ParseEvent(json::parse(record.json));
        ASSERT_TRUE(e.ok());
        for (auto& t : e->tags) {
          if (t[0] == "premium") t[1] = "9.00";
        }
        e->created_at += 1;
        cn::Sign(*e, key);
        record.event_id = e->id;
        record.created_at = e->created_at;
        record.json = cn::ToJson(*e);
        ASSERT_TRUE(store.value()->Put(record).ok());
        forged = true;
      }
      ASSERT_TRUE(forged) << "gamma has no order event to forge";
    }
    auto c = testsupport::Coordinatord::Start(m_dir + "/gamma", *m_simln->Node("gamma"));
    ASSERT_TRUE(c.ok()) << c.error();
    m_coordinators["gamma"] = std::move(c.value());
  }

  // federation.json with the coordinators' real nostr keys and their current URLs (direct, no
  // DelayProxy); federationd with a short watchdog period and grace, plus `watchdog_extra` (YAML
  // lines of the watchdog map) and `top_extra` (top-level YAML).
  void RestartFederationdWithWatchdog(const std::string& watchdog_extra = "", const std::string& top_extra = "") {
    m_federationd->Signal(SIGTERM);
    ASSERT_EQ(m_federationd->Wait(kWait), std::optional<int>(0));
    json doc = json::parse(testsupport::ReadFile(m_dir + "/federation.json"));
    for (const auto& alias : kAliases) {
      doc[alias]["nostrHexPubkey"] = Pub(Key(alias));
      doc[alias]["testnet"]["clearnet"] = m_coordinators[alias]->api_url();
    }
    std::ofstream(m_dir + "/federation.json") << doc.dump(2) << "\n";
    const std::string config = m_dir + "/federationd.yaml";
    std::ofstream(config) << "federation_file: " << json(m_dir + "/federation.json").dump() << "\n"
                          << "network: testnet\norigin: clearnet\nlisten: \"127.0.0.1:0\"\n"
                          << "proxy: \"" << m_proxy_url << "\"\n"
                          << "refresh_interval_ms: 300\nconnect_timeout_ms: 2000\nrequest_timeout_ms: 8000\n"
                          << "watchdog:\n  interval_ms: 300\n  grace_ms: 1500\n"
                          << watchdog_extra << top_extra;
    m_federationd = testsupport::Process::Start({testsupport::BinaryPath("federationd"), "--config", config},
                                                m_dir + "/federationd.log");
    ASSERT_NE(m_federationd, nullptr);
    const std::string prefix = "federationd: serving the joint book on ";
    auto line = m_federationd->ReadLine(kWait);
    ASSERT_TRUE(line && line->rfind(prefix, 0) == 0) << testsupport::ReadFile(m_dir + "/federationd.log");
    m_url = line->substr(prefix.size());
  }
};

TEST_F(Watchdog, NamesTheCoordinatorWhoseEventsDisagreeWithItsBookAndStaysQuietForHonestOnes) {
  MakeGammaLie();
  RestartFederationdWithWatchdog();
  json report;
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        report = Get("/api/watchdog/");
        for (const auto& d : report.value("discrepancies", json::array())) {
          if (d.value("coordinator", "") == "gamma") return true;
        }
        return false;
      },
      kWait, 200ms))
      << report.dump() << "\n" << testsupport::ReadFile(m_dir + "/federationd.log");
  // Every coordinator's relay was read (through the proxy), with its events.
  for (const auto& alias : kAliases) {
    EXPECT_EQ(report["coordinators"][alias].value("error", "?"), "") << alias << " " << report.dump();
    EXPECT_GE(report["coordinators"][alias].value("events", 0), 1) << alias;
  }
  for (const auto& d : report["discrepancies"]) {
    EXPECT_EQ(d["coordinator"], "gamma") << d.dump();
    EXPECT_EQ(d["kind"], "field_differs") << d.dump();
    EXPECT_NE(d.value("detail", "").find("premium"), std::string::npos) << d.dump();
  }
  // The log names it too.
  const std::string log = testsupport::ReadFile(m_dir + "/federationd.log");
  EXPECT_NE(log.find("\"coordinator\":\"gamma\""), std::string::npos) << log;
  EXPECT_EQ(log.find("\"coordinator\":\"alpha\""), std::string::npos) << log;
  EXPECT_EQ(log.find("\"coordinator\":\"beta\""), std::string::npos) << log;
}

// The joint book built from relays (watchdog.book_from_relays): "only" lists what each
// coordinator's signed events say — the same orders and fields as their /api/book/, each with
// the event it came from; "fallback" takes a coordinator's events only while its API cannot be
// fetched (gamma's URL points nowhere; its events are read from its /relay/ given in
// watchdog.relays), the others' orders still from their APIs.
TEST_F(Watchdog, TheJointBookBuiltFromRelaysListsWhatEachCoordinatorSigned) {
  auto by_key = [](const json& book) {
    std::map<std::pair<std::string, int64_t>, json> out;
    if (!book.is_array()) return out;
    for (const auto& o : book) out[{o.value("coordinatorShortAlias", ""), o.value("id", int64_t{0})}] = o;
    return out;
  };
  auto number = [](const json& v) { return v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>(); };

  RestartFederationdWithWatchdog();
  std::map<std::pair<std::string, int64_t>, json> api;
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        api = by_key(Get("/api/book/"));
        std::set<std::string> aliases;
        for (const auto& [key, o] : api) aliases.insert(key.first);
        return aliases.size() == kAliases.size();
      },
      kWait, 200ms))
      << "every coordinator has a public order in the API book";
  for (const auto& [key, o] : api) EXPECT_FALSE(o.contains("nostr_event_id")) << o.dump();

  RestartFederationdWithWatchdog("  book_from_relays: only\n");
  std::map<std::pair<std::string, int64_t>, json> relays;
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        relays = by_key(Get("/api/book/"));
        return relays.size() == api.size() &&
               std::all_of(relays.begin(), relays.end(), [](const auto& kv) { return kv.second.contains("nostr_event_id"); });
      },
      kWait, 200ms))
      << testsupport::ReadFile(m_dir + "/federationd.log");
  for (const auto& [key, a] : api) {
    ASSERT_TRUE(relays.count(key)) << key.first << " " << key.second;
    const json& r = relays[key];
    EXPECT_EQ(r.value("nostr_event_id", "").size(), 64u) << r.dump();
    EXPECT_EQ(r["type"], a["type"]) << r.dump();
    EXPECT_EQ(r["currency"], a["currency"]) << r.dump();
    EXPECT_EQ(r["payment_method"], a["payment_method"]) << r.dump();
    EXPECT_DOUBLE_EQ(number(r["premium"]), number(a["premium"])) << r.dump();
    EXPECT_DOUBLE_EQ(number(r["amount"]), number(a["amount"])) << r.dump();
  }

  std::string relay_list;
  for (const auto& alias : kAliases) {
    std::string url = m_coordinators[alias]->api_url();
    url.replace(0, std::string("http://").size(), "ws://");
    relay_list += std::string(relay_list.empty() ? "" : ", ") + "\"" + url + "/relay/\"";
  }
  RestartFederationdWithWatchdog("  book_from_relays: fallback\n  relays: [" + relay_list + "]\n",
                                 "coordinators:\n  gamma:\n    url: \"http://127.0.0.1:9\"\n");
  std::map<std::pair<std::string, int64_t>, json> mixed;
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        mixed = by_key(Get("/api/book/"));
        return mixed.size() == api.size() && std::any_of(mixed.begin(), mixed.end(), [](const auto& kv) {
                 return kv.second.contains("nostr_event_id");
               });
      },
      kWait, 200ms))
      << testsupport::ReadFile(m_dir + "/federationd.log");
  for (const auto& [key, o] : mixed) {
    EXPECT_EQ(o.contains("nostr_event_id"), key.first == "gamma") << o.dump();
    EXPECT_EQ(o.value("stale", false), key.first == "gamma") << "gamma's API is offline: " << o.dump();
  }
}

}  // namespace
}  // namespace federation_test
