// federationd's consistency watchdog over real processes: three coordinatords, federationd
// fetching their books through a real SOCKS5 proxy (microsocks) and reading their signed
// kind-38383 events from each one's /relay/ through the same proxy. alpha and beta are honest;
// gamma lies: the event it serves for its public order (re-signed with its own key, so it
// verifies) claims another premium than its /api/book/. The watchdog names gamma, at
// GET /api/watchdog/ and in its log, and stays quiet about alpha and beta.
#include <fstream>

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
  // DelayProxy); federationd with a short watchdog period and grace.
  void RestartFederationdWithWatchdog() {
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
                          << "watchdog:\n  interval_ms: 300\n  grace_ms: 1500\n";
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

}  // namespace
}  // namespace federation_test
