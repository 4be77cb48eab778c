#include "config/federationd_config.h"


#include <yaml-cpp/yaml.h>

#include "config/checks.h"
#include "config/yaml_reader.h"

namespace config {

namespace {

void ReadBool(MapReader& r, std::string_view key, bool& out) {
  r.Enum(key, out, {{"true", true}, {"false", false}});
}

void ReadDocument(const YAML::Node& root, ErrorList& errors, FederationdConfig& c) {
  MapReader r(root, "", errors);
  r.String("federation_file", c.federation_file);
  r.Enum("network", c.network, {{"mainnet", FederationNetwork::kMainnet}, {"testnet", FederationNetwork::kTestnet}});
  ReadHostPort(r, "listen", c.listen);
  ReadHostPort(r, "metrics_listen", c.metrics_listen);
  r.Enum("log_level", c.log_level,
         {{"debug", base::LogLevel::kDebug},
          {"info", base::LogLevel::kInfo},
          {"warn", base::LogLevel::kWarn},
          {"error", base::LogLevel::kError}});
  r.String("proxy", c.proxy);
  r.Enum("origin", c.origin,
         {{"onion", CoordinatorOrigin::kOnion}, {"clearnet", CoordinatorOrigin::kClearnet}, {"i2p", CoordinatorOrigin::kI2p}});
  ReadBool(r, "direct_clearnet", c.direct_clearnet);
  r.Int("refresh_interval_ms", c.refresh_interval_ms);
  r.Int("connect_timeout_ms", c.connect_timeout_ms);
  r.Int("request_timeout_ms", c.request_timeout_ms);
  r.Int("slow_after_ms", c.slow_after_ms);
  r.Int("max_body_bytes", c.max_body_bytes);
  r.Int("page_refresh_s", c.page_refresh_s);
  MapReader coordinators = r.Map("coordinators");
  for (const std::string& alias : coordinators.keys()) {
    CoordinatorOverride o;
    MapReader m = coordinators.Map(alias);
    ReadBool(m, "enabled", o.enabled);
    m.Enum("origin", o.origin, {{"onion", std::string("onion")}, {"clearnet", std::string("clearnet")}, {"i2p", std::string("i2p")}});
    m.String("url", o.url);
    ReadBool(m, "direct", o.direct);
    m.Finish();
    c.coordinators[alias] = o;
  }
  coordinators.Finish();
  MapReader watchdog = r.Map("watchdog");
  ReadBool(watchdog, "enabled", c.watchdog.enabled);
  watchdog.StringList("relays", c.watchdog.relays);
  watchdog.Int("interval_ms", c.watchdog.interval_ms);
  watchdog.Int("grace_ms", c.watchdog.grace_ms);
  watchdog.Enum("book_from_relays", c.watchdog.book_from_relays,
                {{"off", std::string("off")}, {"fallback", std::string("fallback")}, {"only", std::string("only")}});
  watchdog.Finish();
  r.Finish();
}

void Validate(ErrorList& e, FederationdConfig& c) {
  if (c.federation_file.empty()) e.Add("federation_file", "must not be empty");
  // The operator's: the fetch status of every coordinator is nobody else's business.
  if (!IsLoopback(c.metrics_listen.host)) {
    e.Add("metrics_listen", "'" + c.metrics_listen.ToString() +
                                "' is not a loopback address: /metrics must only be reachable from this machine "
                                "(use 127.0.0.1 and an SSH tunnel)");
  } else if (c.metrics_listen.port != 0 && c.metrics_listen == c.listen) {
    e.Add("metrics_listen", c.metrics_listen.ToString() + " is the same address as listen");
  }
  NormaliseSocks5hProxy(e, "proxy", c.proxy);
  const size_t before = e.errors().size();
  CheckRange(e, "refresh_interval_ms", c.refresh_interval_ms, int64_t{100}, int64_t{86'400'000});
  CheckRange(e, "connect_timeout_ms", c.connect_timeout_ms, int64_t{100}, int64_t{600'000});
  CheckRange(e, "request_timeout_ms", c.request_timeout_ms, int64_t{100}, int64_t{600'000});
  if (e.errors().size() == before && c.connect_timeout_ms > c.request_timeout_ms) {
    e.Add("connect_timeout_ms", FormatNumber(c.connect_timeout_ms) + " is longer than request_timeout_ms " +
                                    FormatNumber(c.request_timeout_ms));
  }
  CheckRange(e, "slow_after_ms", c.slow_after_ms, int64_t{1}, int64_t{600'000});
  CheckRange(e, "max_body_bytes", c.max_body_bytes, int64_t{4'096}, int64_t{256 << 20});
  CheckRange(e, "page_refresh_s", c.page_refresh_s, int64_t{5}, int64_t{3'600});
  CheckRange(e, "watchdog.interval_ms", c.watchdog.interval_ms, int64_t{100}, int64_t{86'400'000});
  CheckRange(e, "watchdog.grace_ms", c.watchdog.grace_ms, int64_t{0}, int64_t{86'400'000});
  for (size_t i = 0; i < c.watchdog.relays.size(); ++i) {
    const std::string& url = c.watchdog.relays[i];
    if (!IsRelayUrl(url)) e.Add("watchdog.relays[" + std::to_string(i) + "]", "'" + url + "' is not a ws:// or wss:// URL");
  }
  if (c.watchdog.book_from_relays != "off" && !c.watchdog.enabled) {
    e.Add("watchdog.book_from_relays", "'" + c.watchdog.book_from_relays + "' needs watchdog.enabled: true (the watchdog reads the events)");
  }
  for (const auto& [alias, o] : c.coordinators) {
    const std::string path = "coordinators." + alias;
    if (!o.url.empty() && o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0) {
      e.Add(path + ".url", "'" + o.url + "' is not an http:// or https:// URL");
    } else if (!o.url.empty() && o.url.back() == '/') {
      e.Add(path + ".url", "'" + o.url + "' must not end with '/' (the API paths are appended)");
    }
    if (o.direct && (o.origin == "onion" || o.url.find(".onion") != std::string::npos ||
                     (o.origin.empty() && o.url.empty() && c.origin == CoordinatorOrigin::kOnion))) {
      e.Add(path + ".direct", "an onion service is only reached through the socks5h proxy");
    }
  }
}

}  // namespace

std::string_view FederationNetworkName(FederationNetwork network) {
  switch (network) {
    case FederationNetwork::kMainnet: return "mainnet";
    case FederationNetwork::kTestnet: return "testnet";
  }
  return "mainnet";
}

std::string_view CoordinatorOriginName(CoordinatorOrigin origin) {
  switch (origin) {
    case CoordinatorOrigin::kOnion: return "onion";
    case CoordinatorOrigin::kClearnet: return "clearnet";
    case CoordinatorOrigin::kI2p: return "i2p";
  }
  return "onion";
}

base::Expected<FederationdConfig, std::string> ParseFederationdConfig(std::string_view yaml_text) {
  return ParseConfigDocument<FederationdConfig>(yaml_text, ReadDocument, Validate);
}

base::Expected<FederationdConfig, std::string> LoadFederationdConfig(const std::string& path) {
  return LoadConfigFile<FederationdConfig>(path, ReadDocument, Validate);
}

std::vector<std::string> ListFederationdConfigKeys() {
  ErrorList errors;
  FederationdConfig config;
  ReadDocument(YAML::Node(), errors, config);
  return errors.known_keys();
}

}  // namespace config
