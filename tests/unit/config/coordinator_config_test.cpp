#include "config/coordinator_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace {

namespace fs = std::filesystem;

std::string ExamplePath() {
  // tests/unit/config/<this file> → config/coordinator.example.yaml
  return (fs::path(testsupport::SourceDirOf(__FILE__)) / "../../../config/coordinator.example.yaml")
      .lexically_normal()
      .string();
}

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& text, mode_t mode) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
  return path;
}

// Leaf key paths of a YAML document: mappings recurse, anything else is a leaf.
void CollectLeaves(const YAML::Node& node, const std::string& path, std::vector<std::string>& out) {
  if (node.IsMap() && node.size() > 0) {  // an empty mapping (`policies: {}`) is a leaf
    for (const auto& kv : node) {
      CollectLeaves(kv.second, path.empty() ? kv.first.Scalar() : path + "." + kv.first.Scalar(), out);
    }
    return;
  }
  out.push_back(path);
}

TEST(CoordinatorConfig, ExampleFileIsTheDefaults) {
  auto loaded = config::LoadCoordinatorConfig(ExamplePath());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_TRUE(*loaded == config::CoordinatorConfig{});
  // Spot checks, so that a broken operator== cannot hide a difference.
  EXPECT_EQ(loaded->trade.bond_size.default_value, 3);
  EXPECT_EQ(loaded->trade.block_time_s, 480);
  EXPECT_EQ(loaded->listen.ToString(), "127.0.0.1:12596");
  EXPECT_EQ(loaded->prices.http.providers.size(), 4u);
}

TEST(CoordinatorConfig, ExampleFileDocumentsEveryOption) {
  std::vector<std::string> in_example;
  CollectLeaves(YAML::LoadFile(ExamplePath()), "", in_example);
  std::vector<std::string> schema = config::ListCoordinatorConfigKeys();
  std::set<std::string> a(in_example.begin(), in_example.end());
  std::set<std::string> b(schema.begin(), schema.end());
  for (const std::string& key : b) EXPECT_TRUE(a.count(key)) << "not in the example: " << key;
  for (const std::string& key : a) EXPECT_TRUE(b.count(key)) << "not in the schema: " << key;
  EXPECT_GT(b.size(), 40u);
}

// Every option line is documented: the line above it is a comment, or an option of the same
// indentation in an uninterrupted group that starts below a comment.
TEST(CoordinatorConfig, ExampleFileCommentsEveryOption) {
  std::vector<std::string> lines;
  {
    std::ifstream in(ExamplePath());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  auto indent = [](const std::string& line) { return line.find_first_not_of(' '); };
  auto is_comment = [&](const std::string& line) {
    size_t i = indent(line);
    return i != std::string::npos && line[i] == '#';
  };
  auto is_blank = [&](const std::string& line) { return indent(line) == std::string::npos; };
  int options = 0;
  for (size_t n = 0; n < lines.size(); ++n) {
    if (is_blank(lines[n]) || is_comment(lines[n])) continue;
    ++options;
    size_t my_indent = indent(lines[n]);
    size_t k = n;
    while (k > 0 && !is_blank(lines[k - 1]) && !is_comment(lines[k - 1]) && indent(lines[k - 1]) == my_indent)
      --k;
    EXPECT_TRUE(k > 0 && is_comment(lines[k - 1])) << "line " << n + 1 << " has no comment: " << lines[n];
  }
  EXPECT_GT(options, 40);
}

TEST(CoordinatorConfig, EmptyDocumentsGiveTheDefaults) {
  for (const char* text : {"", "\n\n", "# nothing but a comment\n", "---\n", "~\n"}) {
    auto parsed = config::ParseCoordinatorConfig(text);
    ASSERT_TRUE(parsed.ok()) << "'" << text << "': " << parsed.error();
    EXPECT_TRUE(*parsed == config::CoordinatorConfig{}) << "'" << text << "'";
  }
  // Empty sections too.
  auto parsed = config::ParseCoordinatorConfig("trade:\nprices:\n  http:\ncoordinator: {}\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_TRUE(*parsed == config::CoordinatorConfig{});
}

TEST(CoordinatorConfig, OverridesAreRead) {
  auto parsed = config::ParseCoordinatorConfig(R"(
data_dir: /var/lib/coordinatord
listen: "[::1]:8000"
operator_listen: 127.0.0.1:0
log_level: debug
coordinator:
  alias: Temple
  contact_email: ops@example.org
  notice_message: Maintenance at noon
  notice_severity: warning
  motto:
trade:
  fee: 0.003
  maker_fee_share: 0
  min_order_size_sat: 30000
  max_order_size_sat: 5000000
  bond_size: {default: 2.5, min: 2, max: 10}
  public_duration_s: {default: 3600, min: 600, max: 7200}
  escrow_duration_s: {default: 1800, min: 1800, max: 1800}
  payout: {max_attempts: 5, invoice_expiry: cover_fiat_window}
prices:
  source: http
  http:
    providers: [blockchain, yadio]
    socks5h_proxy: 127.0.0.1:9050
    interval_s: 30
    timeout_s: 10
limits: {max_body_bytes: 100000, max_request_bytes: 200000}
)");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const config::CoordinatorConfig& c = *parsed;
  EXPECT_EQ(c.data_dir, "/var/lib/coordinatord");
  EXPECT_EQ(c.listen.host, "::1");
  EXPECT_EQ(c.listen.port, 8000);
  EXPECT_EQ(c.listen.ToString(), "[::1]:8000");
  EXPECT_EQ(c.operator_listen.port, 0);
  EXPECT_EQ(c.log_level, base::LogLevel::kDebug);
  EXPECT_EQ(c.coordinator.alias, "Temple");
  EXPECT_EQ(c.coordinator.notice_severity, config::NoticeSeverity::kWarning);
  EXPECT_EQ(c.coordinator.motto, "");
  EXPECT_DOUBLE_EQ(c.trade.fee, 0.003);
  EXPECT_DOUBLE_EQ(c.trade.maker_fee_share, 0);
  EXPECT_EQ(c.trade.min_order_size_sat, 30000);
  EXPECT_DOUBLE_EQ(c.trade.bond_size.default_value, 2.5);
  EXPECT_DOUBLE_EQ(c.trade.bond_size.max, 10);
  EXPECT_EQ(c.trade.public_duration_s.max, 7200);
  EXPECT_EQ(c.trade.payout.max_attempts, 5);
  EXPECT_EQ(c.trade.payout.retry_interval_s, 60);  // untouched default
  EXPECT_EQ(c.trade.payout.invoice_expiry, config::PayoutExpiryRule::kCoverFiatWindow);
  EXPECT_EQ(c.prices.source, config::PriceSourceKind::kHttp);
  EXPECT_EQ(c.prices.http.providers, (std::vector<std::string>{"blockchain", "yadio"}));
  EXPECT_EQ(c.prices.http.socks5h_proxy, "socks5h://127.0.0.1:9050");  // normalised
  EXPECT_EQ(c.prices.http.interval_s, 30);
  EXPECT_EQ(c.limits.max_request_bytes, 200000);
}

TEST(CoordinatorConfig, FederationEntryFieldsAreRead) {
  auto parsed = config::ParseCoordinatorConfig(R"(
coordinator:
  short_alias: lake
  color: "#000D28"
  established: 2023-12-30
  clearnet_url: https://unsafe.thebiglake.org
  contact: {telegram: thebiglake, nostr: npub1abc}
  policies:
    Data Policy 1: No third-party sharing.
    "Rule 2:": Keep stacking.
tor: {hostname_file: /var/lib/tor/coordinatord/hostname}
dev_tax: {share: 0.3}
)");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const auto& c = parsed->coordinator;
  EXPECT_EQ(c.short_alias, "lake");
  EXPECT_EQ(c.color, "#000D28");
  EXPECT_EQ(c.established, "2023-12-30");
  EXPECT_EQ(c.clearnet_url, "https://unsafe.thebiglake.org");
  EXPECT_EQ(c.contact.telegram, "thebiglake");
  ASSERT_EQ(c.policies.size(), 2u);  // in file order
  EXPECT_EQ(c.policies[0].first, "Data Policy 1");
  EXPECT_EQ(c.policies[1], (std::pair<std::string, std::string>{"Rule 2:", "Keep stacking."}));
  EXPECT_EQ(parsed->tor.hostname_file, "/var/lib/tor/coordinatord/hostname");
  EXPECT_EQ(parsed->dev_tax.share, 0.3);
}

TEST(CoordinatorConfig, ProxyAlreadyInUrlFormIsKept) {
  auto parsed = config::ParseCoordinatorConfig("prices: {http: {socks5h_proxy: 'socks5h://10.0.0.1:9150/'}}");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->prices.http.socks5h_proxy, "socks5h://10.0.0.1:9150");
}

struct BadCase {
  const char* yaml;
  const char* message;  // a substring of the error, starting with the key path
};

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, IsRejectedNamingTheKey) {
  auto parsed = config::ParseCoordinatorConfig(GetParam().yaml);
  ASSERT_FALSE(parsed.ok()) << GetParam().yaml;
  EXPECT_NE(parsed.error().find(GetParam().message), std::string::npos)
      << "yaml: " << GetParam().yaml << "\nerror: " << parsed.error();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadConfig,
    ::testing::Values(
        // Ranges and cross-field rules.
        BadCase{"trade: {bond_size: {default: 20}}", "trade.bond_size.default: 20 is out of range 2..15"},
        BadCase{"trade: {bond_size: {min: 1}}", "trade.bond_size.min: 1 is out of range 2..15"},
        BadCase{"trade: {bond_size: {min: 5, default: 4}}",
                "trade.bond_size.default: 4 is outside min..max 5..15"},
        BadCase{"trade: {bond_size: {min: 10, max: 5, default: 7}}",
                "trade.bond_size: min 10 is greater than max 5"},
        BadCase{"trade: {public_duration_s: {max: 90000}}",
                "trade.public_duration_s.max: 90000 is out of range 598..86400"},
        BadCase{"trade: {public_duration_s: {default: 500}}",
                "trade.public_duration_s.default: 500 is out of range"},
        BadCase{"trade: {escrow_duration_s: {min: 60}}",
                "trade.escrow_duration_s.min: 60 is out of range 1800..36000"},
        BadCase{"trade: {min_order_size_sat: 10000}",
                "trade.min_order_size_sat: 10000 is out of range 20000..5000000"},
        BadCase{"trade: {max_order_size_sat: 6000000}", "trade.max_order_size_sat: 6000000 is out of range"},
        BadCase{"trade: {min_order_size_sat: 400000, max_order_size_sat: 300000}",
                "trade.min_order_size_sat: 400000 is greater than max_order_size_sat 300000"},
        BadCase{"trade: {fee: 0.06}", "trade.fee: 0.06 is out of range 0..0.05"},
        BadCase{"trade: {fee: -0.001}", "trade.fee: -0.001 is out of range"},
        BadCase{"trade: {maker_fee_share: 1.5}", "trade.maker_fee_share: 1.5 is out of range 0..1"},
        BadCase{"trade: {max_public_orders: 0}", "trade.max_public_orders: 0 is out of range"},
        BadCase{"trade: {maker_bond_expiry_s: 5}", "trade.maker_bond_expiry_s: 5 is out of range"},
        BadCase{"trade: {taker_bond_expiry_s: 100000}", "trade.taker_bond_expiry_s: 100000 is out of range"},
        BadCase{"trade: {fiat_exchange_duration_s: 10}",
                "trade.fiat_exchange_duration_s: 10 is out of range"},
        BadCase{"trade: {penalty_timeout_s: -1}", "trade.penalty_timeout_s: -1 is out of range"},
        BadCase{"trade: {cltv_safety_factor: 0.5}", "trade.cltv_safety_factor: 0.5 is out of range 1..10"},
        BadCase{"trade: {block_time_s: 0}", "trade.block_time_s: 0 is out of range"},
        BadCase{"trade: {payout: {max_attempts: 0}}", "trade.payout.max_attempts: 0 is out of range"},
        BadCase{"trade: {payout: {invoice_expiry: long}}",
                "trade.payout.invoice_expiry: 'long' is not one of any|cover_fiat_window"},
        BadCase{"trade: {payout: {retry_interval_s: 0}}", "trade.payout.retry_interval_s: 0 is out of range"},
        BadCase{"trade: {payout: {max_routing_budget_ppm: 200000}}",
                "trade.payout.max_routing_budget_ppm: 200000 is out of range 0..100000"},
        BadCase{"trade: {rewards_share_of_forfeited_bond: 1}",
                "trade.rewards_share_of_forfeited_bond: 1 is out of range 0..0.9"},
        BadCase{"data_dir: ''", "data_dir: must not be empty"},
        BadCase{"listen: localhost", "listen: 'localhost' is not host:port"},
        BadCase{"listen: '127.0.0.1:70000'", "listen: '127.0.0.1:70000' is not host:port"},
        BadCase{"listen: '::1:80'", "listen: '::1:80' is not host:port"},
        BadCase{"operator_listen: '127.0.0.1:12596'",
                "operator_listen: 127.0.0.1:12596 is the same address as listen"},
        BadCase{"operator_listen: '0.0.0.0:12597'",
                "operator_listen: '0.0.0.0:12597' is not a loopback address: the operator's listener (admin API, "
                "metrics) must only be reachable from this machine"},
        BadCase{"disputes: {resolution_deadline_hours: 0}", "disputes.resolution_deadline_hours: 0 is out of range 1..720"},
        BadCase{"outages: {heartbeat_interval_s: 0}", "outages.heartbeat_interval_s: 0 is out of range 1..60"},
        BadCase{"outages: {min_gap_s: 1}", "outages.min_gap_s: 1 is out of range 2..3600"},
        BadCase{"outages: {heartbeat_interval_s: 10, min_gap_s: 10}",
                "outages.min_gap_s: must be more than outages.heartbeat_interval_s"},
        BadCase{"outages: {extend_deadlines: maybe}", "outages.extend_deadlines: 'maybe' is not one of"},
        BadCase{"dev_tax: {share: 1.5}", "dev_tax.share: 1.5 is out of range 0..1"},
        BadCase{"dev_tax: {share: -0.1}", "dev_tax.share: -0.1 is out of range 0..1"},
        BadCase{"dev_tax: {node_pubkey: 'abc'}", "dev_tax.node_pubkey: must be a 33-byte compressed public key"},
        BadCase{"dev_tax: {node_pubkey: '04aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}",
                "dev_tax.node_pubkey: must be a 33-byte compressed public key"},
        BadCase{"dev_tax: {min_payment_sat: 0}", "dev_tax.min_payment_sat: 0 is out of range 1..100000000"},
        BadCase{"dev_tax: {interval_s: 10}", "dev_tax.interval_s: 10 is out of range 60..2592000"},
        BadCase{"dev_tax: {routing_budget_ppm: 200000}", "dev_tax.routing_budget_ppm: 200000 is out of range 0..100000"},
        BadCase{"dev_tax: {retry_base_s: 600, retry_max_s: 60}", "dev_tax.retry_max_s: 60 is less than retry_base_s 600"},
        BadCase{"dev_tax: {statement_period_s: 7000}", "dev_tax.statement_period_s: must divide a day or be a whole number of days"},
        BadCase{"dev_tax: {lightning_address: x}", "dev_tax.lightning_address: must be a Lightning address"},
        BadCase{"dev_tax: {lightning_address: 'Dev@example.com'}", "dev_tax.lightning_address: must be a Lightning address"},
        BadCase{"dev_tax: {lightning_address: dev@example.com, node_pubkey: "
                "'02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}",
                "dev_tax.lightning_address: set either node_pubkey or lightning_address, not both"},
        BadCase{"dev_tax: {socks5h_proxy: 'socks5://127.0.0.1:9050'}", "dev_tax.socks5h_proxy:"},
        BadCase{"dev_tax: {lightning_address_timeout_s: 0}", "dev_tax.lightning_address_timeout_s: 0 is out of range 1..300"},
        BadCase{"dev_tax: {lightning_address_test_insecure: yes}", "dev_tax.lightning_address_test_insecure: 'yes' is not one of false|true"},
        BadCase{"admin: {resolver_token_files: [/nonexistent/token]}", "admin.resolver_token_files[0]:"},
        BadCase{"nostr: {relays: ['http://relay.example']}", "nostr.relays[0]: 'http://relay.example' is not a ws:// or wss:// URL"},
        BadCase{"nostr: {relays: ['wss://relay.example?x=1']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['ws://:80']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['ws://host:99999']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['ws://host:0']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['ws://host:']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['ws://[::1']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['ws://[::1]x']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['ws://user@host/']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['wss://relay.example/a b']}", "nostr.relays[0]:"},
        BadCase{"nostr: {relays: ['wss://a.example', 'wss://a.example']}", "nostr.relays[1]: 'wss://a.example' is listed twice"},
        BadCase{"nostr: {publish_timeout_s: 0}", "nostr.publish_timeout_s: 0 is out of range 1..300"},
        BadCase{"nostr: {retry_base_s: 60, retry_max_s: 10}", "nostr.retry_max_s: is less than nostr.retry_base_s"},
        BadCase{"nostr: {reconcile_interval_s: 1}", "nostr.reconcile_interval_s: 1 is out of range 5..86400"},
        BadCase{"nostr: {socks5_proxy: 'localhost'}", "nostr.socks5_proxy: 'localhost' is not host:port"},
        BadCase{"nostr: {socks5_proxy: '127.0.0.1:0'}", "nostr.socks5_proxy: '127.0.0.1:0' is not host:port"},
        BadCase{"nostr: {socks5_proxy: '127.0.0.1:x'}", "nostr.socks5_proxy: '127.0.0.1:x' is not host:port"},
        BadCase{"nostr: {embedded_relay: false}", "nostr.embedded_relay: false needs the full relay in nostr.relays"},
        BadCase{"nostr: {embedded_relay: 'no', relays: ['ws://127.0.0.1:7777']}", "nostr.embedded_relay:"},
        BadCase{"log_level: verbose", "log_level: 'verbose' is not one of debug|info|warn|error"},
        BadCase{"coordinator: {alias: ''}", "coordinator.alias: must not be empty"},
        BadCase{"coordinator: {contact_email: nobody}",
                "coordinator.contact_email: 'nobody' is not an e-mail address"},
        BadCase{"coordinator: {notice_severity: warning}",
                "coordinator.notice_message: must not be empty when notice_severity is warning"},
        BadCase{"coordinator: {notice_severity: loud}", "coordinator.notice_severity: 'loud' is not one of"},
        BadCase{"coordinator: {nostr_secret_key_file: /nonexistent/nostr.key}",
                "coordinator.nostr_secret_key_file: file '/nonexistent/nostr.key' does not exist"},
        BadCase{"lightning: {backend: btcd}", "lightning.backend: 'btcd' is not one of simln|lnd"},
        BadCase{"lightning: {network: bitcoin}",
                "lightning.network: 'bitcoin' is not one of mainnet|testnet|signet|regtest|simnet"},
        BadCase{"listen: '0.0.0.0:12596'",
                "listen: '0.0.0.0:12596' is not a loopback address: a coordinator is reached through its Tor onion "
                "service"},
        BadCase{"allow_clearnet_listen: maybe", "allow_clearnet_listen: 'maybe' is not one of false|true"},
        BadCase{"lightning: {backend: lnd}",
                "lightning.lnd.rest_url: is required when lightning.backend is lnd"},
        BadCase{"lightning: {backend: lnd}", "lightning.lnd.tls_cert_path: is required"},
        BadCase{"lightning: {backend: lnd}", "lightning.lnd.macaroon_path: is required"},
        BadCase{"lightning: {backend: lnd, lnd: {rest_url: 'http://127.0.0.1:8080'}}",
                "lightning.lnd.rest_url: 'http://127.0.0.1:8080' must be an https:// URL"},
        BadCase{"lightning: {backend: lnd, lnd: {tls_cert_path: /nonexistent/tls.cert}}",
                "lightning.lnd.tls_cert_path: file '/nonexistent/tls.cert' does not exist"},
        BadCase{"lightning: {backend: lnd, lnd: {tls_cert_path: /tmp}}",
                "lightning.lnd.tls_cert_path: '/tmp' is not a regular file"},
        BadCase{"prices: {source: ftp}", "prices.source: 'ftp' is not one of offline|http"},
        BadCase{"prices: {source: http, http: {providers: []}}",
                "prices.http.providers: must not be empty when prices.source is http"},
        BadCase{"prices: {http: {providers: [yadio, coinbase]}}",
                "prices.http.providers[1]: 'coinbase' is not one of yadio|blockchain|bitpay|criptoya"},
        BadCase{"prices: {http: {providers: [yadio, yadio]}}",
                "prices.http.providers[1]: 'yadio' is listed twice"},
        BadCase{"prices: {http: {socks5h_proxy: 'socks5://127.0.0.1:9050'}}",
                "prices.http.socks5h_proxy: 'socks5://127.0.0.1:9050': only socks5h:// is allowed"},
        BadCase{"prices: {http: {socks5h_proxy: 'http://127.0.0.1:8118'}}",
                "prices.http.socks5h_proxy: 'http://127.0.0.1:8118': only socks5h://"},
        BadCase{"prices: {http: {socks5h_proxy: '127.0.0.1'}}",
                "prices.http.socks5h_proxy: '127.0.0.1' is not host:port"},
        BadCase{"prices: {http: {socks5h_proxy: '127.0.0.1:0'}}",
                "prices.http.socks5h_proxy: '127.0.0.1:0' is not host:port"},
        BadCase{"prices: {http: {interval_s: 5}}", "prices.http.interval_s: 5 is out of range 10..86400"},
        BadCase{"prices: {http: {interval_s: 60, timeout_s: 120}}",
                "prices.http.timeout_s: 120 is longer than interval_s 60"},
        BadCase{"prices: {http: {stale_after_intervals: 0}}",
                "prices.http.stale_after_intervals: 0 is out of range"},
        BadCase{"prices: {offline_rates_file: /nonexistent/rates.json}",
                "prices.offline_rates_file: file '/nonexistent/rates.json' does not exist"},
        BadCase{"limits: {max_request_bytes: 65536}",
                "limits.max_request_bytes: 65536 must be at least max_body_bytes + 8192"},
        BadCase{"limits: {max_body_bytes: 10}", "limits.max_body_bytes: 10 is out of range"},
        // The federation entry's fields and the dev tax.
        BadCase{"coordinator: {short_alias: 'Big Lake'}", "coordinator.short_alias: 'Big Lake' is not 1..32"},
        BadCase{"coordinator: {identifier: 'A'}", "coordinator.identifier: 'A' is not 1..32"},
        BadCase{"coordinator: {color: blue}", "coordinator.color: 'blue' is not a CSS colour"},
        BadCase{"coordinator: {established: 2024-13-01}", "coordinator.established: '2024-13-01' is not a date"},
        BadCase{"coordinator: {clearnet_url: example.org}",
                "coordinator.clearnet_url: 'example.org' is not an http(s):// URL"},
        BadCase{"coordinator: {i2p_url: 'http://example.org'}", "coordinator.i2p_url: 'http://example.org' is not"},
        BadCase{"coordinator: {contact: {nostr: abc}}", "coordinator.contact.nostr: 'abc' is not an npub1"},
        BadCase{"coordinator: {contact: {fingerprint: abc}}", "coordinator.contact.fingerprint: 'abc' is not"},
        BadCase{"coordinator: {contact: {website: x}}", "coordinator.contact.website: 'x' is not an http(s)://"},
        BadCase{"coordinator: {contact: {fax: 1}}", "coordinator.contact.fax: unknown key"},
        BadCase{"coordinator: {policies: {Rule: [a]}}", "coordinator.policies.Rule: expected a string, got a list"},
        BadCase{"dev_tax: {share: 1.5}", "dev_tax.share: 1.5 is out of range 0..1"},
        BadCase{"dev_tax: {share: -0.1}", "dev_tax.share: -0.1 is out of range 0..1"},
        BadCase{"tor: {hostname: x}", "tor.hostname: unknown key"},
        // Unknown keys, at every depth.
        BadCase{"lisen: '127.0.0.1:1'", "lisen: unknown key"},
        BadCase{"trade: {bond_sise: 3}", "trade.bond_sise: unknown key"},
        BadCase{"trade: {bond_size: {defualt: 3}}", "trade.bond_size.defualt: unknown key"},
        BadCase{"lightning: {lnd: {macaroon: x}}", "lightning.lnd.macaroon: unknown key"},
        BadCase{"prices: {http: {proxy: x}}", "prices.http.proxy: unknown key"},
        BadCase{"trade: {payout: {attempts: 2}}", "trade.payout.attempts: unknown key"},
        // Wrong types.
        BadCase{"trade: {fee: abc}", "trade.fee: expected a number, got 'abc'"},
        BadCase{"trade: {fee: .inf}", "trade.fee: expected a number, got '.inf'"},
        BadCase{"trade: {fee: }", "trade.fee: expected a number, got nothing"},
        BadCase{"trade: {max_public_orders: 1.5}", "trade.max_public_orders: expected an integer, got '1.5'"},
        BadCase{"trade: {min_order_size_sat: 20k}",
                "trade.min_order_size_sat: expected an integer, got '20k'"},
        BadCase{"trade: {max_order_size_sat: 99999999999999999999}",
                "trade.max_order_size_sat: '99999999999999999999' is too large"},
        BadCase{"trade: {payout: {max_attempts: 99999999999}}",
                "trade.payout.max_attempts: 99999999999 is too large"},
        BadCase{"trade: [1, 2]", "trade: expected a mapping, got a list"},
        BadCase{"trade: {bond_size: 3}", "trade.bond_size: expected a mapping, got a scalar"},
        BadCase{"coordinator: {alias: [a, b]}", "coordinator.alias: expected a string, got a list"},
        BadCase{"prices: {http: {providers: yadio}}", "prices.http.providers: expected a list, got a scalar"},
        BadCase{"prices: {http: {providers: [yadio, {a: 1}]}}",
                "prices.http.providers[1]: expected a string, got a mapping"},
        BadCase{"log_level: {a: 1}", "log_level: expected a string, got a mapping"},
        BadCase{"- a\n- b\n", "(document): expected a mapping, got a list"},
        BadCase{"just a string", "(document): expected a mapping, got a scalar"},
        // Syntax.
        BadCase{"trade: {fee: 0.1", "yaml: line "},
        BadCase{"data_dir: a\ndata_dir: b\n", "data_dir: duplicate key"}));

// Payers' nodes refuse routes whose total time lock exceeds --max-cltv-expiry (LND: 2016), so
// timers whose maker bond would need more are refused at start, naming the keys and the figure.
TEST(CoordinatorConfig, TimersWhoseHoldInvoiceCltvIsTooLongAreRefused) {
  // (300 + 86400 + 200 + 36000 + 604800) s × 1.7 / 600 s = 2061.8 → 2062 blocks.
  auto parsed = config::ParseCoordinatorConfig(
      "trade: {fiat_exchange_duration_s: 604800, block_time_s: 600, escrow_duration_s: {default: 10799, min: 1800, "
      "max: 36000}}\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().find("2062 blocks"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("fiat_exchange_duration_s"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("lightning.max_hold_cltv_blocks 1728"), std::string::npos) << parsed.error();
  // The same timers fit under a higher limit; the defaults fit under the default one.
  EXPECT_TRUE(config::ParseCoordinatorConfig("lightning: {max_hold_cltv_blocks: 2100}\ntrade: "
                                             "{fiat_exchange_duration_s: 604800, block_time_s: 600}\n")
                  .ok());
  EXPECT_TRUE(config::ParseCoordinatorConfig("").ok());
}

TEST(CoordinatorConfig, EveryProblemIsReportedAtOnce) {
  auto parsed = config::ParseCoordinatorConfig("trade: {fee: abc, bond_sise: 3}\nlisen: x\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().find("trade.fee: expected a number"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("trade.bond_sise: unknown key"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("lisen: unknown key"), std::string::npos) << parsed.error();
}

TEST(CoordinatorConfig, LndBackendWithRealFiles) {
  std::string dir = testsupport::MakeTempDir("config-lnd");
  std::string cert = WriteFile(dir, "tls.cert", "-----BEGIN CERTIFICATE-----\n", 0644);
  std::string macaroon = WriteFile(dir, "admin.macaroon", "secret", 0600);
  std::string yaml =
      "lightning:\n  backend: lnd\n  lnd:\n    rest_url: https://127.0.0.1:8080\n    tls_cert_path: " + cert +
      "\n    macaroon_path: " + macaroon + "\n";
  auto parsed = config::ParseCoordinatorConfig(yaml);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->lightning.backend, config::LightningBackend::kLnd);
  EXPECT_EQ(parsed->lightning.lnd.macaroon_path, macaroon);

  for (mode_t mode : {0640, 0604, 0660}) {
    ::chmod(macaroon.c_str(), mode);
    auto bad = config::ParseCoordinatorConfig(yaml);
    ASSERT_FALSE(bad.ok()) << std::oct << mode;
    EXPECT_NE(bad.error().find("lightning.lnd.macaroon_path: secret file"), std::string::npos) << bad.error();
    EXPECT_NE(bad.error().find("must not be accessible by group or others"), std::string::npos)
        << bad.error();
    EXPECT_EQ(bad.error().find("secret\n"), std::string::npos);  // never the content
  }
  ::chmod(macaroon.c_str(), 0400);
  EXPECT_TRUE(config::ParseCoordinatorConfig(yaml).ok());
  fs::remove_all(dir);
}

TEST(CoordinatorConfig, NostrKeyFileMustBeOwnerOnly) {
  std::string dir = testsupport::MakeTempDir("config-nostr");
  std::string key = WriteFile(dir, "nostr.key", "00", 0600);
  std::string yaml = "coordinator: {nostr_secret_key_file: " + key + "}";
  ASSERT_TRUE(config::ParseCoordinatorConfig(yaml).ok());
  ::chmod(key.c_str(), 0644);
  auto bad = config::ParseCoordinatorConfig(yaml);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("coordinator.nostr_secret_key_file: secret file '" + key + "' has mode 0644"),
            std::string::npos)
      << bad.error();
  fs::remove_all(dir);
}

TEST(CoordinatorConfig, LoadNamesTheFile) {
  auto missing = config::LoadCoordinatorConfig("/nonexistent/coordinator.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("/nonexistent/coordinator.yaml"), std::string::npos);

  std::string dir = testsupport::MakeTempDir("config-load");
  std::string path = WriteFile(dir, "c.yaml", "trade: {fee: 1}\n", 0644);
  auto bad = config::LoadCoordinatorConfig(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find(path), std::string::npos) << bad.error();
  EXPECT_NE(bad.error().find("trade.fee: 1 is out of range"), std::string::npos) << bad.error();
  fs::remove_all(dir);
}

TEST(CoordinatorConfig, SimlnStateDirDefaultsUnderDataDir) {
  config::CoordinatorConfig c;
  EXPECT_EQ(config::SimlnStateDir(c), "./data/simln");
  c.data_dir = "/var/lib/c/";
  EXPECT_EQ(config::SimlnStateDir(c), "/var/lib/c/simln");
  c.lightning.simln.state_dir = "/srv/simln";
  EXPECT_EQ(config::SimlnStateDir(c), "/srv/simln");
}

TEST(CoordinatorConfig, KeyListIsLeavesInSchemaOrder) {
  std::vector<std::string> keys = config::ListCoordinatorConfigKeys();
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.front(), "data_dir");
  EXPECT_NE(std::find(keys.begin(), keys.end(), "trade.bond_size.default"), keys.end());
  EXPECT_EQ(std::find(keys.begin(), keys.end(), "trade.bond_size"), keys.end());
  // Schema order: a section's keys in the order they are read.
  auto at = [&](const char* k) { return std::find(keys.begin(), keys.end(), k) - keys.begin(); };
  EXPECT_LT(at("limits.max_body_bytes"), at("limits.max_request_bytes"));
  EXPECT_LT(at("trade.fee"), at("trade.maker_fee_share"));
  EXPECT_LT(at("data_dir"), at("limits.max_body_bytes"));
}

}  // namespace

namespace {
TEST(CoordinatorConfig, NostrRelaysAreRead) {
  auto parsed = config::ParseCoordinatorConfig(R"(
nostr:
  relays: ["wss://relay.example.org", "ws://127.0.0.1:7777/", "ws://[::1]:7000/x", "ws://abc.onion"]
  publish_timeout_s: 3
  retry_base_s: 2
  retry_max_s: 60
  reconcile_interval_s: 30
  socks5_proxy: "127.0.0.1:9050"
)");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->nostr.relays.size(), 4u);
  EXPECT_EQ(parsed->nostr.publish_timeout_s, 3);
  EXPECT_EQ(parsed->nostr.reconcile_interval_s, 30);
  EXPECT_EQ(parsed->nostr.socks5_proxy, "127.0.0.1:9050");
  EXPECT_TRUE(config::ParseCoordinatorConfig("")->nostr.relays.empty());  // the embedded /relay/ only
  EXPECT_TRUE(config::ParseCoordinatorConfig("")->nostr.embedded_relay);
  auto behind_proxy = config::ParseCoordinatorConfig("nostr: {relays: ['ws://127.0.0.1:7777'], embedded_relay: false}");
  ASSERT_TRUE(behind_proxy.ok()) << behind_proxy.error();
  EXPECT_FALSE(behind_proxy->nostr.embedded_relay);
}
}  // namespace
