// federationd's consistency watchdog (federation/watchdog/consistency.h): on its own thread,
// every `interval`, for each coordinator whose /api/book/ the fetcher holds fresh, reads the
// kind-38383 events signed by its nostrHexPubkey — from its own /relay/ (its fetch URL, http →
// ws, through the same SOCKS5h proxy unless direct) or from the configured relays — keeps only
// those whose id and BIP-340 signature verify, compares, and reports (a warning log naming the
// coordinator, and Json() for GET /api/watchdog/) what disagrees past the grace period.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/book/slot.h"
#include "federation/watchdog/consistency.h"

namespace api {

struct WatchdogCoordinator {
  std::string short_alias;
  std::string pubkey;    // nostrHexPubkey
  std::string base_url;  // where the fetcher reaches it (http(s)://…), "" if nowhere
  bool direct = false;   // without the proxy
};

struct WatchdogOptions {
  std::vector<WatchdogCoordinator> coordinators;  // in the fetcher's slot order
  std::vector<std::string> relays;                // "" list: each coordinator's /relay/
  std::string socks5_proxy;                       // "host:port" ("" = direct)
  std::chrono::milliseconds interval{60000};
  std::chrono::milliseconds timeout{30000};
  int64_t grace_ms = 300000;
  std::function<std::shared_ptr<const federation::SlotList>()> slots;
  std::function<int64_t()> now_ms;  // Unix ms
};

class ConsistencyWatch {
 public:
  explicit ConsistencyWatch(WatchdogOptions options);
  ~ConsistencyWatch();
  void Start();
  void Stop();
  // One round now (tests; the thread calls it every interval).
  void RunOnce();
  // {"grace_ms", "rounds", "coordinators": {alias: {"checked_at_ms", "events", "error"}},
  //  "discrepancies": [...past the grace period...]}
  nlohmann::json Json() const;

 private:
  WatchdogOptions m_options;
  mutable std::mutex m_mu;
  federation::ConsistencyWatchdog m_watchdog;
  nlohmann::json m_coordinators = nlohmann::json::object();
  int64_t m_rounds = 0;
  std::condition_variable m_cv;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace api
