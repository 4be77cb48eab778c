// The coordinator's configuration: YAML (config/coordinator.example.yaml documents every option)
// mapped onto plain structs, validated once at start. Logic never sees YAML.
//
// Every option has a safe default (the member initialisers below; the example file repeats
// them and a test keeps the two equal). Unknown keys are errors, so a typo never silently falls
// back to a default. Every error names its key path: "trade.bond_size.default: 20 is out of
// range 2..15".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/base/expected.h"
#include "config/base/log.h"
#include "config/checks.h"

namespace config {

// Hard bounds that no configuration may widen (RoboSats robosats/settings.py: MIN_TRADE,
// MAX_TRADE; the API schema's limits in fixtures/robosats/openapi-0.8.6.yaml).
inline constexpr int64_t kMinTradeSat = 20'000;
inline constexpr int64_t kMaxTradeSat = 5'000'000;
inline constexpr double kMinBondPercent = 2;
inline constexpr double kMaxBondPercent = 15;
// RoboSats MIN_PUBLIC_ORDER_DURATION = 0.166 h = 597.6 s: the least whole second it accepts.
inline constexpr int64_t kMinPublicDurationS = 598;
inline constexpr int64_t kMaxPublicDurationS = 86'400;
inline constexpr int64_t kMinEscrowDurationS = 1'800;
inline constexpr int64_t kMaxEscrowDurationS = 36'000;

// `default` is a C++ keyword: the YAML key `default` maps onto `default_value`.
template <class T>
struct Range {
  T default_value{};
  T min{};
  T max{};
  bool operator==(const Range&) const = default;
};

// RoboSats' NOTICE_SEVERITY values.
enum class NoticeSeverity { kNone, kWarning, kError, kSuccess, kInfo };
std::string_view NoticeSeverityName(NoticeSeverity severity);

// Contacts published in the federation entry (federation.json "contact"; the e-mail is
// coordinator.contact_email). "" = not published.
struct ContactOptions {
  std::string telegram;
  std::string simplex;
  std::string matrix;
  std::string website;
  std::string nostr;
  std::string pgp;
  std::string fingerprint;
  std::string reddit;
  std::string twitter;
  bool operator==(const ContactOptions&) const = default;
};

struct CoordinatorInfo {
  std::string alias = "Local coordinator";
  // The federation entry's fields (federation.json; `coordinatord federation-entry` prints it).
  std::string short_alias;  // "" = the alias, lower-cased, letters and digits only
  std::string identifier;   // "" = the short alias
  std::string color = "#000";
  std::string established;   // "YYYY-MM-DD" the coordinator joined; "" = today, when printed
  std::string clearnet_url;  // "" = none
  std::string i2p_url;       // "" = none
  ContactOptions contact;
  // Title → text, in file order.
  std::vector<std::pair<std::string, std::string>> policies;
  std::string description;
  std::string motto;
  std::string contact_email;
  std::string notice_message;
  NoticeSeverity notice_severity = NoticeSeverity::kNone;
  // The nostr secret key (hex), in a file readable by its owner only. "" = <data_dir>/nostr.key,
  // made at first start.
  std::string nostr_secret_key_file;
  // The host (an onion, or host:port) clients reach this coordinator at: the `source` tag of
  // its order events, "http://<host_name>/order/<alias>/<id>" (RoboSats HOST_NAME). "" = the
  // listen address.
  std::string host_name;
  bool operator==(const CoordinatorInfo&) const = default;
};

enum class LightningBackend { kSimln, kLnd };
std::string_view LightningBackendName(LightningBackend backend);

struct LndOptions {
  std::string rest_url;       // https://host:port
  std::string tls_cert_path;  // LND's tls.cert, pinned
  std::string macaroon_path;  // a secret: not group/world readable
  bool operator==(const LndOptions&) const = default;
};

struct SimlnOptions {
  std::string state_dir;  // "" = <data_dir>/simln (see SimlnStateDir)
  bool operator==(const SimlnOptions&) const = default;
};

// The chains LND names in GetInfo's chains[].network.
inline constexpr std::string_view kLightningNetworks[] = {"mainnet", "testnet", "signet", "regtest", "simnet"};

struct LightningOptions {
  LightningBackend backend = LightningBackend::kSimln;
  // The network the lnd node must be on (LND REST GET /v1/getinfo chains[0].network): start-up
  // refuses a node on another one. Not checked for the embedded simln (always regtest).
  std::string network = "mainnet";
  LndOptions lnd;
  SimlnOptions simln;
  // How often the node is asked for its block height (GET /v1/getinfo), off the engine thread.
  int64_t chain_poll_interval_s = 10;
  // The longest CLTV a hold invoice may ask for. Payers' nodes refuse routes whose total time
  // lock exceeds their --max-cltv-expiry (LND's default: 2016 blocks); the rest is left for the
  // hops' deltas. The trade timers × safety factor must fit (checked at start).
  int64_t max_hold_cltv_blocks = 1728;
  bool operator==(const LightningOptions&) const = default;
};

// Which expiry a payout invoice must have when submitted.
enum class PayoutExpiryRule {
  kAny,              // not expired (RoboSats' rule)
  kCoverFiatWindow,  // valid until the fiat window that remains has run out, plus the retries
};

// Payout preflight: a submitted payout or reward invoice is probed on the node (LND's
// EstimateRouteFee) before it is accepted (coordinator/route_probe.h).
struct PayoutPreflightOptions {
  bool enabled = true;
  int64_t timeout_ms = 10'000;   // an unanswered probe accepts the invoice (logged at warn)
  int64_t max_final_cltv = 1008; // longest route time lock (blocks) a probed route may need; 0: none
  bool operator==(const PayoutPreflightOptions&) const = default;
};

struct PayoutOptions {
  int max_attempts = 3;
  int64_t retry_interval_s = 60;             // RoboSats RETRY_TIME = 1 (minute)
  int64_t max_routing_budget_ppm = 100'000;  // the API's routing_budget_ppm cap
  int64_t cltv_limit_blocks = 1008;          // LND cltv_limit of a payout (0: the node's max)
  PayoutExpiryRule invoice_expiry = PayoutExpiryRule::kAny;
  PayoutPreflightOptions preflight;
  // A payout in flight longer than this is overdue: a warn log line, the admin API's list, a
  // metric. The buyer's order view shows every payout in flight.
  int64_t in_flight_alert_s = 300;
  bool operator==(const PayoutOptions&) const = default;
};

struct TradeOptions {
  double fee = 0.002;              // total, as a fraction
  double maker_fee_share = 0.125;  // the maker pays fee × share, the taker fee × (1 − share)
  int64_t min_order_size_sat = 20'000;
  int64_t max_order_size_sat = 500'000;
  int max_public_orders = 100;
  Range<double> bond_size{3, 2, 15};  // percent of the trade
  // RoboSats api/models/order.py: default = 60*60*DEFAULT_PUBLIC_ORDER_DURATION − 1 (24 h − 1 s).
  Range<int64_t> public_duration_s{86'399, kMinPublicDurationS, kMaxPublicDurationS};
  // RoboSats api/models/order.py: default = 60*INVOICE_AND_ESCROW_DURATION − 1 (3 h − 1 s).
  Range<int64_t> escrow_duration_s{10'799, kMinEscrowDurationS, kMaxEscrowDurationS};
  int64_t maker_bond_expiry_s = 300;
  int64_t taker_bond_expiry_s = 200;
  int64_t fiat_exchange_duration_s = 86'400;
  int64_t penalty_timeout_s = 60;
  double cltv_safety_factor = 1.7;
  int64_t block_time_s = 480;  // RoboSats .env-sample: BLOCK_TIME = 8 (minutes)
  PayoutOptions payout;
  double rewards_share_of_forfeited_bond = 0.5;
  bool operator==(const TradeOptions&) const = default;
};

enum class PriceSourceKind { kOffline, kHttp };
std::string_view PriceSourceKindName(PriceSourceKind kind);

// Provider names accepted in prices.http.providers (federation/prices maps them to clients).
inline constexpr std::string_view kPriceProviders[] = {"yadio", "blockchain", "bitpay", "criptoya"};

struct HttpPricesOptions {
  std::vector<std::string> providers{"yadio", "blockchain", "bitpay", "criptoya"};
  int64_t interval_s = 60;
  // "" = direct; else always the normalised URL "socks5h://host:port" (the file may say either
  // "host:port" or "socks5h://host:port"; socks5:// and other schemes are refused). Tor's SOCKS
  // port by default (ops/tor/torrc): a coordinator fetches through Tor unless told otherwise.
  std::string socks5h_proxy = "socks5h://127.0.0.1:9050";
  int64_t timeout_s = 20;
  // A provider whose last good answer is older than this many intervals no longer counts.
  int64_t stale_after_intervals = 5;
  bool operator==(const HttpPricesOptions&) const = default;
};

struct PricesOptions {
  PriceSourceKind source = PriceSourceKind::kOffline;
  std::string offline_rates_file;  // "" = the bundled table (coordinator/prices/rates.example.json)
  HttpPricesOptions http;
  bool operator==(const PricesOptions&) const = default;
};

struct LimitsOptions {
  int64_t max_body_bytes = 65'536;
  // The whole request, headers included (the HTTP server's max_request_bytes): the body cap
  // plus room for the first request's Authorization header with two armored PGP keys.
  int64_t max_request_bytes = 98'304;
  // Requests per second a robot may make (sustained) and in a burst; over: 429.
  double robot_requests_per_second = 10;
  int64_t robot_burst = 40;
  // The same per client address for the anonymous history endpoints (/api/ticks/,
  // /api/historical/). Behind Tor all anonymous clients share the Tor daemon's address.
  double anonymous_requests_per_second = 2;
  int64_t anonymous_burst = 10;
  // Commands waiting for the engine beyond this are answered 503 at once.
  int64_t engine_queue = 10'000;
  bool operator==(const LimitsOptions&) const = default;
};

// The operator's admin API (on operator_listen): bearer tokens, one per file (chmod 600).
struct AdminOptions {
  std::vector<std::string> solver_token_files;    // may read disputes
  std::vector<std::string> resolver_token_files;  // may also resolve them
  bool operator==(const AdminOptions&) const = default;
};

// Outage-aware deadlines (issue #12; coordinator/engine_outage.cpp).
struct OutagesOptions {
  // Extend the deadlines that penalise a trader by the time the coordinator was down or its node
  // unreachable (never past a held HTLC's margin). false: outages are only recorded and shown.
  bool extend_deadlines = true;
  // How often the engine records that it is alive (seconds).
  int64_t heartbeat_interval_s = 5;
  // A gap between heartbeats at least this long, found at start, is an outage (seconds).
  int64_t min_gap_s = 30;
  bool operator==(const OutagesOptions&) const = default;
};

struct DisputesOptions {
  // The coordinator's promise: every dispute resolved within this many hours of its opening
  // (shown in the order's status message and in /api/info/).
  int64_t resolution_deadline_hours = 48;
  bool operator==(const DisputesOptions&) const = default;
};

// Tor's onion service in front of the public API.
struct TorOptions {
  // Tor's <HiddenServiceDir>/hostname ("" = no onion service): its onion address goes into the
  // federation entry.
  std::string hostname_file;
  bool operator==(const TorOptions&) const = default;
};

// The dev tax (DESIGN.md "Dev tax").
struct DevTaxOptions {
  // Share of the coordinator's proceeds owed to the developers, 0..1 (the federation entry's
  // badges.donatesToDevFund is share × 100 as an integer percent).
  double share = 0.20;
  // The dev fund's node (33-byte hex pubkey), paid by keysend. "": accrue only, pay nothing.
  std::string node_pubkey;
  // Or the dev fund's Lightning address (LUD-16 "user@domain", paid by LNURL-pay; a ":port" after
  // the domain is allowed). Exclusive with node_pubkey. "": keysend to node_pubkey.
  std::string lightning_address;
  // The SOCKS5h proxy (Tor) every LNURL request goes through; "" = direct connections.
  std::string socks5h_proxy;
  // Seconds an LNURL request may take (1..300).
  int64_t lightning_address_timeout_s = 30;
  // TEST ONLY: lets the Lightning address be served over http:// from loopback or private
  // addresses (a test's LNURL server). Never in production: it is how a payee could point the
  // coordinator at its own internal services.
  bool lightning_address_test_insecure = false;
  // A payment starts once this much is payable, or once the oldest unpaid accrual is
  // interval_s old (if at least 1 sat is payable), whichever comes first.
  int64_t min_payment_sat = 1000;
  int64_t interval_s = 3600;
  // Routing fee limit of a payment: amount × ppm / 1e6, at least routing_budget_min_sat.
  int64_t routing_budget_ppm = 10000;
  int64_t routing_budget_min_sat = 10;
  // After a failed payment the next waits retry_base_s × 2^(failures − 1), at most retry_max_s.
  int64_t retry_base_s = 60;
  int64_t retry_max_s = 3600;
  // Statements cover periods of this many seconds (UTC-aligned; 86400: daily).
  int64_t statement_period_s = 86400;
  bool operator==(const DevTaxOptions&) const = default;
};

// Publishing the coordinator's nostr events (kind-38383 orders, the kind-38385 info event) to
// outside relays, besides the embedded /relay/ (api/nostr/publisher.h).
struct NostrOptions {
  // ws://host[:port][/path] or wss://… ; empty: the embedded /relay/ only.
  std::vector<std::string> relays;
  // How long a relay has to answer an EVENT with OK (and a REQ with EOSE), and to connect.
  int64_t publish_timeout_s = 10;
  // After a failure (no connection, OK false, timeout) the next attempt on that relay waits
  // retry_base_s × 2^(failures − 1), at most retry_max_s.
  int64_t retry_base_s = 5;
  int64_t retry_max_s = 600;
  // Every this many seconds each relay is asked (REQ by our key, kinds 38383 and 38385) what it
  // holds, and what is missing or stale there is published again.
  int64_t reconcile_interval_s = 300;
  // "host:port" of a SOCKS5 proxy (Tor) for the relays' connections ("" = direct). Host names
  // are resolved by the proxy (socks5h), so .onion relays work.
  std::string socks5_proxy;
  // Whether coordinatord answers NIP-01 at /relay/ itself (api/nostr/relay.h). false: /relay/
  // answers 404 here, for a production layout where a reverse proxy routes /relay/ to a full
  // relay that coordinatord publishes to (ops/nostr/nginx.conf); then set `relays`.
  bool embedded_relay = true;
  bool operator==(const NostrOptions&) const = default;
};

struct CoordinatorConfig {
  std::string data_dir = "./data";
  HostPort listen{"127.0.0.1", 12596};
  HostPort operator_listen{"127.0.0.1", 12597};
  // A coordinator is reached through its Tor onion service (ops/tor/torrc), which forwards to
  // a loopback listen address. Listening on any other address needs this explicit opt-in.
  bool allow_clearnet_listen = false;
  base::LogLevel log_level = base::LogLevel::kInfo;
  CoordinatorInfo coordinator;
  LightningOptions lightning;
  TradeOptions trade;
  PricesOptions prices;
  LimitsOptions limits;
  DisputesOptions disputes;
  OutagesOptions outages;
  AdminOptions admin;
  TorOptions tor;
  DevTaxOptions dev_tax;
  NostrOptions nostr;
  bool operator==(const CoordinatorConfig&) const = default;
};

// Parses and validates a YAML document. An empty document yields the defaults. Relative file
// paths are taken from the working directory; files named by the config (LND's certificate and
// macaroon when backend = lnd, the nostr key, the offline rates file) must exist, and secret
// files must not be readable by group or others. On failure returns every problem found, one
// per line, each starting with its key path. Never throws.
base::Expected<CoordinatorConfig, std::string> ParseCoordinatorConfig(std::string_view yaml_text);
// Reads `path` and parses it as above; errors name the file when it cannot be read.
base::Expected<CoordinatorConfig, std::string> LoadCoordinatorConfig(const std::string& path);

// Every option's key path ("trade.bond_size.default", …), in schema order.
std::vector<std::string> ListCoordinatorConfigKeys();

// Why `config.listen` may not be used ("" if it may): a non-loopback host without
// allow_clearnet_listen. Also checked after --listen overrides the file.
std::string ListenRefusal(const CoordinatorConfig& config);

// lightning.simln.state_dir, or <data_dir>/simln when empty.
std::string SimlnStateDir(const CoordinatorConfig& config);

}  // namespace config
