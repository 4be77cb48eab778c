#include "config/coordinator_config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "config/checks.h"
#include "config/yaml_reader.h"

namespace config {

namespace {

// ---- value checks ------------------------------------------------------------------------

template <class T>
void CheckRange(ErrorList& errors, const std::string& path, T value, T lo, T hi) {
  if (value < lo || value > hi) {
    errors.Add(path, FormatNumber(value) + " is out of range " + FormatNumber(lo) + ".." + FormatNumber(hi));
  }
}

void CheckRange(ErrorList& errors, const std::string& path, int value, int lo, int hi) {
  CheckRange<int64_t>(errors, path, value, lo, hi);
}

// {default, min, max} each inside the hard bounds, and min ≤ default ≤ max.
template <class T>
void CheckBoundedRange(ErrorList& errors, const std::string& path, const Range<T>& r, T lo, T hi) {
  size_t before = errors.errors().size();
  CheckRange(errors, path + ".default", r.default_value, lo, hi);
  CheckRange(errors, path + ".min", r.min, lo, hi);
  CheckRange(errors, path + ".max", r.max, lo, hi);
  if (errors.errors().size() != before) return;
  if (r.min > r.max) {
    errors.Add(path, "min " + FormatNumber(r.min) + " is greater than max " + FormatNumber(r.max));
  } else if (r.default_value < r.min || r.default_value > r.max) {
    errors.Add(path + ".default", FormatNumber(r.default_value) + " is outside min..max " +
                                      FormatNumber(r.min) + ".." + FormatNumber(r.max));
  }
}

// ---- files --------------------------------------------------------------------------------

// A secret: readable by its owner only (no group/other permission bits at all).
void CheckSecretFile(ErrorList& errors, const std::string& path, const std::string& file) {
  if (!CheckFile(errors, path, file)) return;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return;
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    errors.Add(path, "secret file '" + file + "' has mode " + mode +
                         "; it must not be accessible by group or others (chmod 600)");
  }
}

// ---- the schema ---------------------------------------------------------------------------

void ReadCoordinator(MapReader r, CoordinatorInfo& c) {
  r.String("alias", c.alias);
  r.String("description", c.description);
  r.String("motto", c.motto);
  r.String("contact_email", c.contact_email);
  r.String("notice_message", c.notice_message);
  r.Enum("notice_severity", c.notice_severity,
         {{"none", NoticeSeverity::kNone},
          {"warning", NoticeSeverity::kWarning},
          {"error", NoticeSeverity::kError},
          {"success", NoticeSeverity::kSuccess},
          {"info", NoticeSeverity::kInfo}});
  r.String("nostr_secret_key_file", c.nostr_secret_key_file);
  r.String("short_alias", c.short_alias);
  r.String("identifier", c.identifier);
  r.String("color", c.color);
  r.String("established", c.established);
  r.String("clearnet_url", c.clearnet_url);
  r.String("i2p_url", c.i2p_url);
  MapReader contact = r.Map("contact");
  contact.String("telegram", c.contact.telegram);
  contact.String("simplex", c.contact.simplex);
  contact.String("matrix", c.contact.matrix);
  contact.String("website", c.contact.website);
  contact.String("nostr", c.contact.nostr);
  contact.String("pgp", c.contact.pgp);
  contact.String("fingerprint", c.contact.fingerprint);
  contact.String("reddit", c.contact.reddit);
  contact.String("twitter", c.contact.twitter);
  contact.Finish();
  MapReader policies = r.Map("policies");
  for (const std::string& title : policies.keys()) {
    std::string text;
    policies.String(title, text);
    c.policies.emplace_back(title, text);
  }
  policies.Finish();
  r.String("host_name", c.host_name);
  r.Finish();
}

void ReadLightning(MapReader r, LightningOptions& l) {
  r.Enum("backend", l.backend, {{"simln", LightningBackend::kSimln}, {"lnd", LightningBackend::kLnd}});
  r.String("network", l.network);
  MapReader lnd = r.Map("lnd");
  lnd.String("rest_url", l.lnd.rest_url);
  lnd.String("tls_cert_path", l.lnd.tls_cert_path);
  lnd.String("macaroon_path", l.lnd.macaroon_path);
  lnd.Finish();
  MapReader simln = r.Map("simln");
  simln.String("state_dir", l.simln.state_dir);
  simln.Finish();
  r.Int("chain_poll_interval_s", l.chain_poll_interval_s);
  r.Int("max_hold_cltv_blocks", l.max_hold_cltv_blocks);
  r.Finish();
}

template <class T>
void ReadRange(MapReader r, Range<T>& range) {
  if constexpr (std::is_same_v<T, double>) {
    r.Double("default", range.default_value);
    r.Double("min", range.min);
    r.Double("max", range.max);
  } else {
    r.Int("default", range.default_value);
    r.Int("min", range.min);
    r.Int("max", range.max);
  }
  r.Finish();
}

void ReadTrade(MapReader r, TradeOptions& t) {
  r.Double("fee", t.fee);
  r.Double("maker_fee_share", t.maker_fee_share);
  r.Int("min_order_size_sat", t.min_order_size_sat);
  r.Int("max_order_size_sat", t.max_order_size_sat);
  r.Int("max_public_orders", t.max_public_orders);
  ReadRange(r.Map("bond_size"), t.bond_size);
  ReadRange(r.Map("public_duration_s"), t.public_duration_s);
  ReadRange(r.Map("escrow_duration_s"), t.escrow_duration_s);
  r.Int("maker_bond_expiry_s", t.maker_bond_expiry_s);
  r.Int("taker_bond_expiry_s", t.taker_bond_expiry_s);
  r.Int("fiat_exchange_duration_s", t.fiat_exchange_duration_s);
  r.Int("penalty_timeout_s", t.penalty_timeout_s);
  r.Double("cltv_safety_factor", t.cltv_safety_factor);
  r.Int("block_time_s", t.block_time_s);
  MapReader payout = r.Map("payout");
  payout.Int("max_attempts", t.payout.max_attempts);
  payout.Int("retry_interval_s", t.payout.retry_interval_s);
  payout.Int("max_routing_budget_ppm", t.payout.max_routing_budget_ppm);
  payout.Int("cltv_limit_blocks", t.payout.cltv_limit_blocks);
  payout.Enum("invoice_expiry", t.payout.invoice_expiry,
              {{"any", PayoutExpiryRule::kAny}, {"cover_fiat_window", PayoutExpiryRule::kCoverFiatWindow}});
  payout.Int("in_flight_alert_s", t.payout.in_flight_alert_s);
  MapReader preflight = payout.Map("preflight");
  preflight.Enum("enabled", t.payout.preflight.enabled, {{"true", true}, {"false", false}});
  preflight.Int("timeout_ms", t.payout.preflight.timeout_ms);
  preflight.Int("max_final_cltv", t.payout.preflight.max_final_cltv);
  preflight.Finish();
  payout.Finish();
  r.Double("rewards_share_of_forfeited_bond", t.rewards_share_of_forfeited_bond);
  r.Finish();
}

void ReadPrices(MapReader r, PricesOptions& p) {
  r.Enum("source", p.source, {{"offline", PriceSourceKind::kOffline}, {"http", PriceSourceKind::kHttp}});
  r.String("offline_rates_file", p.offline_rates_file);
  MapReader http = r.Map("http");
  http.StringList("providers", p.http.providers);
  http.Int("interval_s", p.http.interval_s);
  http.String("socks5h_proxy", p.http.socks5h_proxy);
  http.Int("timeout_s", p.http.timeout_s);
  http.Int("stale_after_intervals", p.http.stale_after_intervals);
  http.Finish();
  r.Finish();
}

void ReadLimits(MapReader r, LimitsOptions& l) {
  r.Int("max_body_bytes", l.max_body_bytes);
  r.Int("max_request_bytes", l.max_request_bytes);
  r.Double("robot_requests_per_second", l.robot_requests_per_second);
  r.Int("robot_burst", l.robot_burst);
  r.Double("anonymous_requests_per_second", l.anonymous_requests_per_second);
  r.Int("anonymous_burst", l.anonymous_burst);
  r.Int("engine_queue", l.engine_queue);
  r.Finish();
}

void ReadDocument(const YAML::Node& root, ErrorList& errors, CoordinatorConfig& c) {
  MapReader r(root, "", errors);
  r.String("data_dir", c.data_dir);
  ReadHostPort(r, "listen", c.listen);
  ReadHostPort(r, "operator_listen", c.operator_listen);
  r.Enum("allow_clearnet_listen", c.allow_clearnet_listen, {{"false", false}, {"true", true}});
  r.Enum("log_level", c.log_level,
         {{"debug", base::LogLevel::kDebug},
          {"info", base::LogLevel::kInfo},
          {"warn", base::LogLevel::kWarn},
          {"error", base::LogLevel::kError}});
  ReadCoordinator(r.Map("coordinator"), c.coordinator);
  ReadLightning(r.Map("lightning"), c.lightning);
  ReadTrade(r.Map("trade"), c.trade);
  ReadPrices(r.Map("prices"), c.prices);
  ReadLimits(r.Map("limits"), c.limits);
  MapReader disputes = r.Map("disputes");
  disputes.Int("resolution_deadline_hours", c.disputes.resolution_deadline_hours);
  disputes.Finish();
  MapReader outages = r.Map("outages");
  outages.Enum("extend_deadlines", c.outages.extend_deadlines, {{"false", false}, {"true", true}});
  outages.Int("heartbeat_interval_s", c.outages.heartbeat_interval_s);
  outages.Int("min_gap_s", c.outages.min_gap_s);
  outages.Finish();
  MapReader admin = r.Map("admin");
  admin.StringList("solver_token_files", c.admin.solver_token_files);
  admin.StringList("resolver_token_files", c.admin.resolver_token_files);
  admin.Finish();
  MapReader tor = r.Map("tor");
  tor.String("hostname_file", c.tor.hostname_file);
  tor.Finish();
  MapReader dev_tax = r.Map("dev_tax");
  dev_tax.Double("share", c.dev_tax.share);
  dev_tax.String("node_pubkey", c.dev_tax.node_pubkey);
  dev_tax.String("lightning_address", c.dev_tax.lightning_address);
  dev_tax.String("socks5h_proxy", c.dev_tax.socks5h_proxy);
  dev_tax.Int("lightning_address_timeout_s", c.dev_tax.lightning_address_timeout_s);
  dev_tax.Enum("lightning_address_test_insecure", c.dev_tax.lightning_address_test_insecure,
               {{"false", false}, {"true", true}});
  dev_tax.Int("min_payment_sat", c.dev_tax.min_payment_sat);
  dev_tax.Int("interval_s", c.dev_tax.interval_s);
  dev_tax.Int("routing_budget_ppm", c.dev_tax.routing_budget_ppm);
  dev_tax.Int("routing_budget_min_sat", c.dev_tax.routing_budget_min_sat);
  dev_tax.Int("retry_base_s", c.dev_tax.retry_base_s);
  dev_tax.Int("retry_max_s", c.dev_tax.retry_max_s);
  dev_tax.Int("statement_period_s", c.dev_tax.statement_period_s);
  dev_tax.Finish();
  MapReader nostr = r.Map("nostr");
  nostr.StringList("relays", c.nostr.relays);
  nostr.Int("publish_timeout_s", c.nostr.publish_timeout_s);
  nostr.Int("retry_base_s", c.nostr.retry_base_s);
  nostr.Int("retry_max_s", c.nostr.retry_max_s);
  nostr.Int("reconcile_interval_s", c.nostr.reconcile_interval_s);
  nostr.String("socks5_proxy", c.nostr.socks5_proxy);
  nostr.Enum("embedded_relay", c.nostr.embedded_relay, {{"true", true}, {"false", false}});
  nostr.Finish();
  r.Finish();
}

void ValidateNostr(ErrorList& e, const NostrOptions& n) {
  if (n.relays.size() > 16) e.Add("nostr.relays", "at most 16 relays");
  std::set<std::string> seen;
  for (size_t i = 0; i < n.relays.size(); ++i) {
    const std::string key = "nostr.relays[" + std::to_string(i) + "]";
    if (!IsRelayUrl(n.relays[i])) e.Add(key, "'" + n.relays[i] + "' is not a ws:// or wss:// URL");
    else if (!seen.insert(n.relays[i]).second) e.Add(key, "'" + n.relays[i] + "' is listed twice");
  }
  if (!n.embedded_relay && n.relays.empty())
    e.Add("nostr.embedded_relay", "false needs the full relay in nostr.relays (else the events go nowhere)");
  CheckRange<int64_t>(e, "nostr.publish_timeout_s", n.publish_timeout_s, 1, 300);
  CheckRange<int64_t>(e, "nostr.retry_base_s", n.retry_base_s, 1, 3600);
  CheckRange<int64_t>(e, "nostr.retry_max_s", n.retry_max_s, 1, 86400);
  if (n.retry_max_s < n.retry_base_s) e.Add("nostr.retry_max_s", "is less than nostr.retry_base_s");
  CheckRange<int64_t>(e, "nostr.reconcile_interval_s", n.reconcile_interval_s, 5, 86400);
  HostPort proxy;
  if (!n.socks5_proxy.empty() && (!ParseHostPort(n.socks5_proxy, proxy) || proxy.port == 0)) {
    e.Add("nostr.socks5_proxy", "'" + n.socks5_proxy + "' is not host:port");
  }
}

void ValidateDevTax(ErrorList& e, DevTaxOptions& d) {
  CheckRange(e, "dev_tax.share", d.share, 0.0, 1.0);
  if (!d.lightning_address.empty()) {
    // LUD-16: user@domain, the user part of a-z0-9-_.+ ; the domain a host name (port allowed).
    const std::string& a = d.lightning_address;
    const size_t at = a.find('@');
    const std::string user = at == std::string::npos ? "" : a.substr(0, at);
    const std::string domain = at == std::string::npos ? "" : a.substr(at + 1);
    const bool user_ok = !user.empty() && std::all_of(user.begin(), user.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '+';
    });
    const bool domain_ok = !domain.empty() && domain.find('@') == std::string::npos &&
                           std::all_of(domain.begin(), domain.end(), [](char ch) {
                             return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                                    ch == '-' || ch == '.' || ch == ':';
                           });
    if (!user_ok || !domain_ok) {
      e.Add("dev_tax.lightning_address", "must be a Lightning address user@domain (LUD-16: user of a-z 0-9 - _ . +)");
    } else if (!d.node_pubkey.empty()) {
      e.Add("dev_tax.lightning_address", "set either node_pubkey or lightning_address, not both");
    }
  }
  NormaliseSocks5hProxy(e, "dev_tax.socks5h_proxy", d.socks5h_proxy);
  CheckRange<int64_t>(e, "dev_tax.lightning_address_timeout_s", d.lightning_address_timeout_s, 1, 300);
  if (!d.node_pubkey.empty()) {
    const bool hex = d.node_pubkey.size() == 66 &&
                     std::all_of(d.node_pubkey.begin(), d.node_pubkey.end(),
                                 [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); }) &&
                     (d.node_pubkey.rfind("02", 0) == 0 || d.node_pubkey.rfind("03", 0) == 0);
    if (!hex) e.Add("dev_tax.node_pubkey", "must be a 33-byte compressed public key in lower-case hex (66 characters)");
  }
  CheckRange<int64_t>(e, "dev_tax.min_payment_sat", d.min_payment_sat, 1, 100'000'000);
  CheckRange<int64_t>(e, "dev_tax.interval_s", d.interval_s, 60, 30 * 86400);
  CheckRange<int64_t>(e, "dev_tax.routing_budget_ppm", d.routing_budget_ppm, 0, 100'000);
  CheckRange<int64_t>(e, "dev_tax.routing_budget_min_sat", d.routing_budget_min_sat, 0, 100'000);
  CheckRange<int64_t>(e, "dev_tax.retry_base_s", d.retry_base_s, 1, 86400);
  size_t before = e.errors().size();
  CheckRange<int64_t>(e, "dev_tax.retry_max_s", d.retry_max_s, 1, 7 * 86400);
  if (e.errors().size() == before && d.retry_max_s < d.retry_base_s) {
    e.Add("dev_tax.retry_max_s", FormatNumber(d.retry_max_s) + " is less than retry_base_s " + FormatNumber(d.retry_base_s));
  }
  before = e.errors().size();
  CheckRange<int64_t>(e, "dev_tax.statement_period_s", d.statement_period_s, 3600, 31 * 86400);
  if (e.errors().size() == before && 86400 % d.statement_period_s != 0 && d.statement_period_s % 86400 != 0) {
    e.Add("dev_tax.statement_period_s", "must divide a day or be a whole number of days");
  }
}

// ---- cross-field rules --------------------------------------------------------------------

bool IsHexText(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; });
}

// The fields of the federation entry (RoboSats' federation.json rules, federation/model/validate.h).
void ValidateFederationFields(ErrorList& e, const CoordinatorInfo& c) {
  auto alias_ok = [](std::string_view s) {
    return !s.empty() && s.size() <= 32 && s[0] != '_' && s[0] != '-' &&
           std::all_of(s.begin(), s.end(), [](char ch) {
             return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
           });
  };
  if (!c.short_alias.empty() && !alias_ok(c.short_alias)) {
    e.Add("coordinator.short_alias", "'" + c.short_alias + "' is not 1..32 of a-z 0-9 _ - (starting with a letter or digit)");
  }
  if (!c.identifier.empty() && !alias_ok(c.identifier)) {
    e.Add("coordinator.identifier", "'" + c.identifier + "' is not 1..32 of a-z 0-9 _ -");
  }
  if (!((c.color.size() == 4 || c.color.size() == 7) && c.color[0] == '#' && IsHexText(c.color.substr(1)))) {
    e.Add("coordinator.color", "'" + c.color + "' is not a CSS colour #rgb or #rrggbb");
  }
  if (!c.established.empty()) {
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (c.established.size() != 10 || std::sscanf(c.established.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        y < 2009 || m < 1 || m > 12 || d < 1 || d > 31) {
      e.Add("coordinator.established", "'" + c.established + "' is not a date YYYY-MM-DD");
    }
  }
  auto url_ok = [](const std::string& url) {
    return (url.rfind("http://", 0) == 0 && url.size() > 7) || (url.rfind("https://", 0) == 0 && url.size() > 8);
  };
  if (!c.clearnet_url.empty() && !url_ok(c.clearnet_url)) {
    e.Add("coordinator.clearnet_url", "'" + c.clearnet_url + "' is not an http(s):// URL");
  }
  if (!c.i2p_url.empty() && (!url_ok(c.i2p_url) || c.i2p_url.find(".i2p") == std::string::npos)) {
    e.Add("coordinator.i2p_url", "'" + c.i2p_url + "' is not an http(s)://….i2p URL");
  }
  if (!c.contact.website.empty() && !url_ok(c.contact.website)) {
    e.Add("coordinator.contact.website", "'" + c.contact.website + "' is not an http(s):// URL");
  }
  if (!c.contact.nostr.empty() && c.contact.nostr.rfind("npub1", 0) != 0) {
    e.Add("coordinator.contact.nostr", "'" + c.contact.nostr + "' is not an npub1… key");
  }
  if (!c.contact.fingerprint.empty() && (c.contact.fingerprint.size() != 40 || !IsHexText(c.contact.fingerprint))) {
    e.Add("coordinator.contact.fingerprint", "'" + c.contact.fingerprint + "' is not an OpenPGP fingerprint (40 hex)");
  }
}

void ValidateCoordinator(ErrorList& e, const CoordinatorInfo& c) {
  if (c.alias.empty()) e.Add("coordinator.alias", "must not be empty");
  if (!c.contact_email.empty()) {
    size_t at = c.contact_email.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == c.contact_email.size()) {
      e.Add("coordinator.contact_email", "'" + c.contact_email + "' is not an e-mail address");
    }
  }
  if (c.notice_severity != NoticeSeverity::kNone && c.notice_message.empty()) {
    e.Add("coordinator.notice_message",
          "must not be empty when notice_severity is " + std::string(NoticeSeverityName(c.notice_severity)));
  }
  if (!c.nostr_secret_key_file.empty()) {
    CheckSecretFile(e, "coordinator.nostr_secret_key_file", c.nostr_secret_key_file);
  }
  ValidateFederationFields(e, c);
}

void ValidateLightning(ErrorList& e, const LightningOptions& l) {
  switch (l.backend) {
    case LightningBackend::kSimln: break;
    case LightningBackend::kLnd:
      if (l.lnd.rest_url.empty()) {
        e.Add("lightning.lnd.rest_url", "is required when lightning.backend is lnd");
      } else if (l.lnd.rest_url.rfind("https://", 0) != 0 || l.lnd.rest_url.size() <= 8) {
        e.Add("lightning.lnd.rest_url",
              "'" + l.lnd.rest_url + "' must be an https:// URL (LND serves REST over TLS)");
      }
      if (l.lnd.tls_cert_path.empty()) {
        e.Add("lightning.lnd.tls_cert_path", "is required when lightning.backend is lnd");
      } else {
        CheckFile(e, "lightning.lnd.tls_cert_path", l.lnd.tls_cert_path);
      }
      if (l.lnd.macaroon_path.empty()) {
        e.Add("lightning.lnd.macaroon_path", "is required when lightning.backend is lnd");
      } else {
        CheckSecretFile(e, "lightning.lnd.macaroon_path", l.lnd.macaroon_path);
      }
      break;
  }
  bool known_network = false;
  for (auto n : kLightningNetworks) known_network |= l.network == n;
  if (!known_network) {
    e.Add("lightning.network", "'" + l.network + "' is not one of mainnet|testnet|signet|regtest|simnet");
  }
  CheckRange<int64_t>(e, "lightning.chain_poll_interval_s", l.chain_poll_interval_s, 1, 600);
  CheckRange<int64_t>(e, "lightning.max_hold_cltv_blocks", l.max_hold_cltv_blocks, 18, 100'000);
}

// The longest hold invoice is the maker bond: it must outlive the maker bond's invoice, the
// whole public time, the taker bond's invoice, the escrow time and the fiat exchange
// (coordinator/money.cpp MakerBondHoldSeconds), times the safety factor, in blocks.
void ValidateHoldCltv(ErrorList& e, const CoordinatorConfig& c) {
  const TradeOptions& t = c.trade;
  if (t.block_time_s <= 0) return;
  const int64_t seconds = t.maker_bond_expiry_s + t.public_duration_s.max + t.taker_bond_expiry_s +
                          t.escrow_duration_s.max + t.fiat_exchange_duration_s;
  const int64_t blocks = static_cast<int64_t>(
      std::ceil(static_cast<double>(seconds) * t.cltv_safety_factor / static_cast<double>(t.block_time_s)));
  if (blocks <= c.lightning.max_hold_cltv_blocks) return;
  e.Add("trade", "the maker bond's hold invoice would need a CLTV of " + std::to_string(blocks) +
                     " blocks ((maker_bond_expiry_s + public_duration_s.max + taker_bond_expiry_s + "
                     "escrow_duration_s.max + fiat_exchange_duration_s = " + std::to_string(seconds) +
                     " s) × cltv_safety_factor " + FormatNumber(t.cltv_safety_factor) + " / block_time_s " +
                     std::to_string(t.block_time_s) + "), more than lightning.max_hold_cltv_blocks " +
                     std::to_string(c.lightning.max_hold_cltv_blocks) +
                     ": payers' nodes would refuse to route the bonds (LND's default --max-cltv-expiry is 2016). "
                     "Shorten those durations, lower the safety factor, or raise the limit");
}

void ValidateTrade(ErrorList& e, const TradeOptions& t) {
  CheckRange(e, "trade.fee", t.fee, 0.0, 0.05);
  CheckRange(e, "trade.maker_fee_share", t.maker_fee_share, 0.0, 1.0);
  size_t before = e.errors().size();
  CheckRange(e, "trade.min_order_size_sat", t.min_order_size_sat, kMinTradeSat, kMaxTradeSat);
  CheckRange(e, "trade.max_order_size_sat", t.max_order_size_sat, kMinTradeSat, kMaxTradeSat);
  if (e.errors().size() == before && t.min_order_size_sat > t.max_order_size_sat) {
    e.Add("trade.min_order_size_sat", FormatNumber(t.min_order_size_sat) +
                                          " is greater than max_order_size_sat " +
                                          FormatNumber(t.max_order_size_sat));
  }
  CheckRange(e, "trade.max_public_orders", t.max_public_orders, 1, 100'000);
  CheckBoundedRange(e, "trade.bond_size", t.bond_size, kMinBondPercent, kMaxBondPercent);
  CheckBoundedRange(e, "trade.public_duration_s", t.public_duration_s, kMinPublicDurationS,
                    kMaxPublicDurationS);
  CheckBoundedRange(e, "trade.escrow_duration_s", t.escrow_duration_s, kMinEscrowDurationS,
                    kMaxEscrowDurationS);
  CheckRange<int64_t>(e, "trade.maker_bond_expiry_s", t.maker_bond_expiry_s, 60, 3'600);
  CheckRange<int64_t>(e, "trade.taker_bond_expiry_s", t.taker_bond_expiry_s, 60, 3'600);
  CheckRange<int64_t>(e, "trade.fiat_exchange_duration_s", t.fiat_exchange_duration_s, 600, 7 * 86'400);
  CheckRange<int64_t>(e, "trade.penalty_timeout_s", t.penalty_timeout_s, 0, 86'400);
  CheckRange(e, "trade.cltv_safety_factor", t.cltv_safety_factor, 1.0, 10.0);
  CheckRange<int64_t>(e, "trade.block_time_s", t.block_time_s, 1, 3'600);
  CheckRange(e, "trade.payout.max_attempts", t.payout.max_attempts, 1, 20);
  CheckRange<int64_t>(e, "trade.payout.retry_interval_s", t.payout.retry_interval_s, 1, 3'600);
  CheckRange<int64_t>(e, "trade.payout.max_routing_budget_ppm", t.payout.max_routing_budget_ppm, 0, 100'000);
  CheckRange<int64_t>(e, "trade.payout.cltv_limit_blocks", t.payout.cltv_limit_blocks, 0, 2'016);
  CheckRange<int64_t>(e, "trade.payout.in_flight_alert_s", t.payout.in_flight_alert_s, 10, 7 * 86'400);
  CheckRange<int64_t>(e, "trade.payout.preflight.timeout_ms", t.payout.preflight.timeout_ms, 100, 120'000);
  CheckRange<int64_t>(e, "trade.payout.preflight.max_final_cltv", t.payout.preflight.max_final_cltv, 0, 2'016);
  // RoboSats .env-sample (SLASHED_BOND_REWARD_SPLIT): "It should not be close to 1, or could be
  // exploited by an attacker trading with himself to DDOS the LN node."
  CheckRange(e, "trade.rewards_share_of_forfeited_bond", t.rewards_share_of_forfeited_bond, 0.0, 0.9);
}

void ValidatePrices(ErrorList& e, PricesOptions& p) {
  if (!p.offline_rates_file.empty()) CheckFile(e, "prices.offline_rates_file", p.offline_rates_file);
  HttpPricesOptions& h = p.http;
  std::set<std::string> seen;
  for (size_t i = 0; i < h.providers.size(); ++i) {
    const std::string& name = h.providers[i];
    std::string path = "prices.http.providers[" + std::to_string(i) + "]";
    bool known =
        std::find(std::begin(kPriceProviders), std::end(kPriceProviders), name) != std::end(kPriceProviders);
    if (!known) {
      std::string allowed;
      for (std::string_view k : kPriceProviders) {
        if (!allowed.empty()) allowed += '|';  // (two appends: GCC 12 -O2 warns falsely on `"|" + k`)
        allowed += k;
      }
      e.Add(path, "'" + name + "' is not one of " + allowed);
    } else if (!seen.insert(name).second) {
      e.Add(path, "'" + name + "' is listed twice");
    }
  }
  switch (p.source) {
    case PriceSourceKind::kOffline: break;
    case PriceSourceKind::kHttp:
      if (h.providers.empty()) e.Add("prices.http.providers", "must not be empty when prices.source is http");
      break;
  }
  size_t before = e.errors().size();
  CheckRange<int64_t>(e, "prices.http.interval_s", h.interval_s, 10, 86'400);
  CheckRange<int64_t>(e, "prices.http.timeout_s", h.timeout_s, 1, 300);
  if (e.errors().size() == before && h.timeout_s > h.interval_s) {
    e.Add("prices.http.timeout_s",
          FormatNumber(h.timeout_s) + " is longer than interval_s " + FormatNumber(h.interval_s));
  }
  CheckRange<int64_t>(e, "prices.http.stale_after_intervals", h.stale_after_intervals, 1, 1'000);
  NormaliseSocks5hProxy(e, "prices.http.socks5h_proxy", h.socks5h_proxy);
}

void ValidateLimits(ErrorList& e, const LimitsOptions& l) {
  // Room for the first request's headers: RoboSats' Authorization header carries two armored
  // PGP keys (several KB, API.md "Identity").
  constexpr int64_t kHeaderRoom = 8'192;
  size_t before = e.errors().size();
  CheckRange<int64_t>(e, "limits.max_body_bytes", l.max_body_bytes, 1'024, 16 << 20);
  CheckRange<int64_t>(e, "limits.max_request_bytes", l.max_request_bytes, 4'096, 32 << 20);
  CheckRange(e, "limits.robot_requests_per_second", l.robot_requests_per_second, 0.1, 100'000.0);
  CheckRange<int64_t>(e, "limits.robot_burst", l.robot_burst, 1, 1'000'000);
  CheckRange(e, "limits.anonymous_requests_per_second", l.anonymous_requests_per_second, 0.1, 100'000.0);
  CheckRange<int64_t>(e, "limits.anonymous_burst", l.anonymous_burst, 1, 1'000'000);
  CheckRange<int64_t>(e, "limits.engine_queue", l.engine_queue, 10, 10'000'000);
  if (e.errors().size() == before && l.max_request_bytes < l.max_body_bytes + kHeaderRoom) {
    e.Add("limits.max_request_bytes", FormatNumber(l.max_request_bytes) +
                                          " must be at least max_body_bytes + " + FormatNumber(kHeaderRoom) +
                                          " (" + FormatNumber(l.max_body_bytes + kHeaderRoom) +
                                          ") to leave room for headers");
  }
}

void Validate(ErrorList& e, CoordinatorConfig& c) {
  if (c.data_dir.empty()) e.Add("data_dir", "must not be empty");
  if (c.listen.port != 0 && c.listen == c.operator_listen) {
    e.Add("operator_listen", c.operator_listen.ToString() + " is the same address as listen");
  }
  ValidateCoordinator(e, c.coordinator);
  ValidateLightning(e, c.lightning);
  ValidateTrade(e, c.trade);
  if (e.errors().empty()) ValidateHoldCltv(e, c);
  ValidatePrices(e, c.prices);
  ValidateLimits(e, c.limits);
  CheckRange<int64_t>(e, "disputes.resolution_deadline_hours", c.disputes.resolution_deadline_hours, 1, 24 * 30);
  CheckRange<int64_t>(e, "outages.heartbeat_interval_s", c.outages.heartbeat_interval_s, 1, 60);
  CheckRange<int64_t>(e, "outages.min_gap_s", c.outages.min_gap_s, 2, 3600);
  if (c.outages.min_gap_s <= c.outages.heartbeat_interval_s) {
    e.Add("outages.min_gap_s", "must be more than outages.heartbeat_interval_s (a gap shorter than two beats is no outage)");
  }
  ValidateDevTax(e, c.dev_tax);
  ValidateNostr(e, c.nostr);
  for (size_t i = 0; i < c.admin.solver_token_files.size(); ++i) {
    CheckSecretFile(e, "admin.solver_token_files[" + std::to_string(i) + "]", c.admin.solver_token_files[i]);
  }
  for (size_t i = 0; i < c.admin.resolver_token_files.size(); ++i) {
    CheckSecretFile(e, "admin.resolver_token_files[" + std::to_string(i) + "]", c.admin.resolver_token_files[i]);
  }
  if (auto refusal = ListenRefusal(c); !refusal.empty()) e.Add("listen", refusal);
  // The admin API and /metrics are the operator's: never on an address others can reach.
  if (!IsLoopback(c.operator_listen.host)) {
    e.Add("operator_listen", "'" + c.operator_listen.ToString() +
                                 "' is not a loopback address: the operator's listener (admin API, metrics) must only "
                                 "be reachable from this machine (use 127.0.0.1 and an SSH tunnel)");
  }
}

}  // namespace

std::string ListenRefusal(const CoordinatorConfig& c) {
  if (c.allow_clearnet_listen || IsLoopback(c.listen.host)) return "";
  return "'" + c.listen.ToString() +
         "' is not a loopback address: a coordinator is reached through its Tor onion service, which forwards "
         "to 127.0.0.1 (ops/tor/torrc); listen on 127.0.0.1, or set allow_clearnet_listen: true to serve this "
         "address on purpose";
}

std::string_view NoticeSeverityName(NoticeSeverity severity) {
  switch (severity) {
    case NoticeSeverity::kNone: return "none";
    case NoticeSeverity::kWarning: return "warning";
    case NoticeSeverity::kError: return "error";
    case NoticeSeverity::kSuccess: return "success";
    case NoticeSeverity::kInfo: return "info";
  }
  return "none";
}

std::string_view LightningBackendName(LightningBackend backend) {
  switch (backend) {
    case LightningBackend::kSimln: return "simln";
    case LightningBackend::kLnd: return "lnd";
  }
  return "simln";
}

std::string_view PriceSourceKindName(PriceSourceKind kind) {
  switch (kind) {
    case PriceSourceKind::kOffline: return "offline";
    case PriceSourceKind::kHttp: return "http";
  }
  return "offline";
}

base::Expected<CoordinatorConfig, std::string> ParseCoordinatorConfig(std::string_view yaml_text) {
  return ParseConfigDocument<CoordinatorConfig>(yaml_text, ReadDocument, Validate);
}

base::Expected<CoordinatorConfig, std::string> LoadCoordinatorConfig(const std::string& path) {
  return LoadConfigFile<CoordinatorConfig>(path, ReadDocument, Validate);
}

std::vector<std::string> ListCoordinatorConfigKeys() {
  ErrorList errors;
  CoordinatorConfig config;
  ReadDocument(YAML::Node(), errors, config);
  // Sections are recorded too ("trade" before "trade.fee"): keep the leaves.
  const std::vector<std::string>& all = errors.known_keys();
  std::vector<std::string> leaves;
  for (const std::string& key : all) {
    bool is_section = std::any_of(all.begin(), all.end(), [&](const std::string& other) {
      return other.size() > key.size() && other.compare(0, key.size(), key) == 0 && other[key.size()] == '.';
    });
    if (!is_section) leaves.push_back(key);
  }
  return leaves;
}

std::string SimlnStateDir(const CoordinatorConfig& config) {
  if (!config.lightning.simln.state_dir.empty()) return config.lightning.simln.state_dir;
  std::string dir = config.data_dir;
  if (!dir.empty() && dir.back() != '/') dir += '/';
  return dir + "simln";
}

}  // namespace config
