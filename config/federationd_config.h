// federationd's configuration: YAML (config/federationd.example.yaml documents every option)
// mapped onto a plain struct, validated once at start, like coordinatord's (see
// coordinator_config.h): every option has a default, unknown keys are errors, every error
// names its key path ("refresh_interval_ms: 5 is out of range 100..86400000").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/expected.h"
#include "config/base/log.h"
#include "config/checks.h"

namespace config {

enum class FederationNetwork { kMainnet, kTestnet };
std::string_view FederationNetworkName(FederationNetwork network);

// Which of an entry's URLs is fetched (federation.json mainnet/testnet {onion, clearnet, i2p}).
enum class CoordinatorOrigin { kOnion, kClearnet, kI2p };
std::string_view CoordinatorOriginName(CoordinatorOrigin origin);

// coordinators.<shortAlias>: how one coordinator is reached, overriding the defaults.
struct CoordinatorOverride {
  bool enabled = true;
  std::string origin;  // "" = the global origin; else onion | clearnet | i2p
  std::string url;     // "" = the entry's URL for the origin; else this base URL (http(s)://…)
  // Connect without the proxy (clearnet only; also true for every clearnet coordinator when
  // direct_clearnet is).
  bool direct = false;
  bool operator==(const CoordinatorOverride&) const = default;
};

// The consistency watchdog: each coordinator's /api/book/ against its signed kind-38383 events.
struct WatchdogOptions {
  bool enabled = true;
  // Relays to read the events from (ws:// or wss://); empty: each coordinator's own /relay/.
  std::vector<std::string> relays;
  int64_t interval_ms = 60'000;
  // A discrepancy is reported once it has lasted this long.
  int64_t grace_ms = 300'000;
  // The joint book from the events read: "off" (each /api/book/), "fallback" (a coordinator's
  // signed events while its fetches fail), "only" (always its signed events).
  std::string book_from_relays = "off";
  bool operator==(const WatchdogOptions&) const = default;
};

struct FederationdConfig {
  std::string federation_file = "./federation.json";
  FederationNetwork network = FederationNetwork::kMainnet;
  HostPort listen{"127.0.0.1", 12598};
  // GET /metrics (Prometheus) on a listener of its own; loopback only.
  HostPort metrics_listen{"127.0.0.1", 12599};
  base::LogLevel log_level = base::LogLevel::kInfo;
  // Always "socks5h://host:port" after validation (or "": no proxy, only direct coordinators).
  std::string proxy = "socks5h://127.0.0.1:9050";
  CoordinatorOrigin origin = CoordinatorOrigin::kOnion;
  // Clearnet URLs connect without the proxy (shows this host's address to the coordinators).
  bool direct_clearnet = false;
  int64_t refresh_interval_ms = 60'000;
  int64_t connect_timeout_ms = 30'000;
  int64_t request_timeout_ms = 60'000;
  int64_t slow_after_ms = 10'000;
  int64_t max_body_bytes = 16 << 20;
  int64_t page_refresh_s = 30;
  std::map<std::string, CoordinatorOverride> coordinators;
  WatchdogOptions watchdog;
  bool operator==(const FederationdConfig&) const = default;
};

// Parses and validates a YAML document (an empty one gives the defaults). The federation file
// is read, and the overrides matched to its entries, when federationd starts. On failure returns every
// problem, one per line, each starting with its key path. Never throws.
base::Expected<FederationdConfig, std::string> ParseFederationdConfig(std::string_view yaml_text);
base::Expected<FederationdConfig, std::string> LoadFederationdConfig(const std::string& path);

// Every option's key path, in schema order (coordinators.<alias>.* not included).
std::vector<std::string> ListFederationdConfigKeys();

}  // namespace config
