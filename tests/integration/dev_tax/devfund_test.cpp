// devfund, the developers' verifier, end to end: the `devfund` binary reads a federation file of
// two coordinators, fetches both coordinators' statements through a real SOCKS5 proxy
// (microsocks, socks5h://), verifies them and matches every claimed payment against the dev
// node's invoices over LND REST with an invoices read-only macaroon (the simln daemon's
// invoices_readonly.macaroon). The honest coordinator is a real coordinatord that paid the dev
// node by keysend; the other serves statements a test forged (tests/support JsonServer): each
// lie makes devfund exit 1 and name the liar, while the honest one passes (exit 0 alone).
#include <fstream>

#include "escrow/crypto/sha256.h"
#include "federation/devtax/statement.h"
#include "tests/integration/coordinator_trade/trade_fixture.h"
#include "tests/support/lnurl_server.h"
#include "tests/support/microsocks.h"
#include "tests/support/process.h"

namespace coordinator_trade_test {
namespace {

class DevfundThroughTheProxy : public CoordinatorTrade {
 protected:
  DevfundThroughTheProxy() { m_wallet_names.push_back("dev"); }
  void BeforeCoordinatord() override {
    m_options.extra_yaml = "dev_tax: {share: 0.25, min_payment_sat: 1, node_pubkey: \"" +
                           m_simln->Node("dev")->pubkey + "\"}\n";
  }

  // The coordinator's statements once its payment succeeded (bounded).
  json PaidStatements() {
    for (auto deadline = std::chrono::steady_clock::now() + kWait; std::chrono::steady_clock::now() < deadline;) {
      auto r = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/devfund/");
      if (r.status == 200 && r.json.is_array()) {
        for (const auto& s : r.json) {
          for (const auto& p : s["statement"]["payments"]) {
            if (p["state"] == "succeeded") return r.json;
          }
        }
      }
      std::this_thread::sleep_for(100ms);
    }
    return json();
  }

  static json Entry(const std::string& url, const std::string& pubkey, int badge) {
    return {{"longAlias", "test"},
            {"nostrHexPubkey", pubkey},
            {"badges", {{"donatesToDevFund", badge}}},
            {"mainnet", {{"onion", ""}, {"clearnet", url}, {"i2p", nullptr}}}};
  }

  // Runs devfund on `federation` (JSON output): exit code and the parsed audits.
  std::pair<int, json> Devfund(const json& federation, const std::string& proxy) {
    const std::string file = m_dir + "/federation-" + std::to_string(++m_runs) + ".json";
    std::ofstream(file) << federation.dump(2);
    const auto* dev = m_simln->Node("dev");
    const std::string readonly = std::filesystem::path(dev->macaroon_path).parent_path() / "invoices_readonly.macaroon";
    auto r = testsupport::Run({testsupport::BinaryPath("devfund"), "--federation", file, "--via", "clearnet", "--proxy",
                               proxy, "--lnd-url", dev->rest_url, "--lnd-cert", dev->tls_cert_path, "--lnd-macaroon",
                               readonly, "--json"},
                              m_dir + "/devfund.log", kWait);
    return {r.code, json::parse(r.out, nullptr, false)};
  }
  static json AuditOf(const json& audits, const std::string& alias) {
    if (!audits.is_array()) return json();
    for (const auto& a : audits) {
      if (a.value("alias", "") == alias) return a;
    }
    return json();
  }

  int m_runs = 0;
};

TEST_F(DevfundThroughTheProxy, PassesTheHonestCoordinatorAndReportsEachLieWithANonZeroExit) {
  RegisterRobots();
  auto& seller = T("robot");
  auto& buyer = T("other");
  int64_t id = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  TakeAndLock(buyer, id, "");
  LockEscrow(seller, id);
  WaitStatus(*buyer.robot, id, 8);
  SubmitInvoice(buyer, id);
  ConfirmBoth(buyer, seller, id);
  const json honest = PaidStatements();
  ASSERT_FALSE(honest.is_null()) << "the coordinator never paid the dev fund";
  const std::string honest_pub = honest.back()["pubkey"];

  auto socks = testsupport::Microsocks::Start(m_dir);
  ASSERT_NE(socks, nullptr) << "cannot start /usr/bin/microsocks (ops/setup installs it)";

  // The honest coordinator alone: exit 0, everything it claimed arrived.
  {
    auto [code, audits] = Devfund({{"honest", Entry(m_coordinatord->api_url(), honest_pub, 25)}}, socks->url());
    EXPECT_EQ(code, 0) << audits.dump(2);
    const json a = AuditOf(audits, "honest");
    EXPECT_EQ(a.value("ok", false), true) << a.dump(2);
    EXPECT_GT(a.value("received_sat", int64_t{0}), 0);
    EXPECT_EQ(a.value("received_sat", int64_t{-1}), a.value("paid_sat", int64_t{-2}));
  }
  // Without the proxy running nothing is fetched: devfund does go through it.
  {
    auto [code, audits] = Devfund({{"honest", Entry(m_coordinatord->api_url(), honest_pub, 25)}},
                                  "socks5h://127.0.0.1:" + std::to_string(testsupport::Microsocks::FreeLoopbackPort()));
    EXPECT_EQ(code, 1) << audits.dump(2);
  }

  // The liar's statements: the honest ones, re-signed with its own key after each lie.
  const auto liar_key = escrow::crypto::Signer::FromSeed("liar");
  const auto x = liar_key.XOnlyPublicKey();
  const std::string liar_pub = base::HexEncode(base::Bytes(x.begin(), x.end()));
  auto forge = [&](const std::function<void(json& statement)>& lie) {
    json out = json::array();
    for (const auto& s : honest) {
      json st = s["statement"];
      st["coordinator"] = liar_pub;
      lie(st);
      out.push_back(federation::SignDevTaxStatement(st, liar_key));
    }
    return out;
  };
  auto each_paid = [](json& st, const std::function<void(json& payment)>& f) {
    for (auto& p : st["payments"]) {
      if (p["state"] == "succeeded") f(p);
    }
  };
  struct Lie {
    const char* name;
    json statements;
    int badge;
    const char* reported;
  };
  std::vector<Lie> lies;
  lies.push_back({"a payment the dev node never received",
                  forge([&](json& st) {
                    each_paid(st, [](json& p) {
                      auto pre = escrow::crypto::RandomHash32();
                      p["preimage"] = escrow::crypto::ToHex(pre);
                      p["payment_hash"] = escrow::crypto::ToHex(escrow::crypto::Sha256(pre.data(), pre.size()));
                    });
                  }),
                  25, "never reached the dev fund"});
  {
    json tampered = forge([](json&) {});
    tampered.back()["statement"]["period_end"] = tampered.back()["statement"]["period_end"].get<int64_t>() + 1;
    lies.push_back({"a bad signature", tampered, 25, "signature"});
  }
  lies.push_back({"a preimage that does not match",
                  forge([&](json& st) {
                    each_paid(st, [](json& p) { p["preimage"] = escrow::crypto::ToHex(escrow::crypto::RandomHash32()); });
                  }),
                  25, "preimage does not hash"});
  lies.push_back({"a badge higher than the signed share", forge([](json&) {}), 30, "higher than the signed share"});

  for (const auto& lie : lies) {
    SCOPED_TRACE(lie.name);
    testsupport::JsonServer liar({{"/api/devfund/", lie.statements.dump()}});
    json federation = {{"honest", Entry(m_coordinatord->api_url(), honest_pub, 25)},
                       {"liar", Entry(liar.url(), liar_pub, lie.badge)}};
    auto [code, audits] = Devfund(federation, socks->url());
    EXPECT_EQ(code, 1) << audits.dump(2);
    EXPECT_EQ(AuditOf(audits, "honest").value("ok", false), true) << audits.dump(2);
    const json a = AuditOf(audits, "liar");
    EXPECT_EQ(a.value("ok", true), false) << audits.dump(2);
    EXPECT_NE(a.dump().find(lie.reported), std::string::npos) << a.dump(2);
  }
}

}  // namespace
}  // namespace coordinator_trade_test
