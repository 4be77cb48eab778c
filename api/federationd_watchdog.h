// federationd's consistency watchdog (federation/watchdog/consistency.h): on its own thread,
// every `interval`, for each coordinator whose /api/book/ the fetcher holds fresh, reads the
// kind-38383 events signed by its nostrHexPubkey — from its own /relay/ (its fetch URL, http →
// ws, through the same SOCKS5h proxy unless direct) or from the configured relays — keeps only
// those whose id and BIP-340 signature verify, compares, and reports (a warning log naming the
// coordinator, and Json() for GET /api/watchdog/) what disagrees past the grace period. The
// public orders those events say (federation/watchdog/event_book.h) are kept per coordinator:
// federationd's joint book can be built from them (`watchdog.book_from_relays`, WithEventBooks).
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

// Where federationd's joint book takes a coordinator's orders from.
enum class BookFromRelays {
  kOff,       // its /api/book/ only
  kFallback,  // its signed events when its last fetch failed and they were read after its last good book
  kOnly,      // its signed events (read every interval), never its /api/book/
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
  int64_t slow_after_ms = 10'000;   // federationd's: when a coordinator counts as offline
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
  // `slots` (the fetcher's, in the same order as the options' coordinators) with the orders of
  // each coordinator replaced, as `mode` says, by those its signed events said at the last round
  // that read them. Slots stay shared where nothing changes.
  std::shared_ptr<const federation::SlotList> WithEventBooks(std::shared_ptr<const federation::SlotList> slots,
                                                             BookFromRelays mode) const;

 private:
  struct EventBook {
    std::shared_ptr<const std::vector<federation::BookOrder>> orders;
    int64_t read_ms = 0;  // when a relay last answered for this coordinator
  };
  WatchdogOptions m_options;
  mutable std::mutex m_mu;
  federation::ConsistencyWatchdog m_watchdog;
  nlohmann::json m_coordinators = nlohmann::json::object();
  std::vector<EventBook> m_event_books;  // by coordinator index
  int64_t m_rounds = 0;
  std::condition_variable m_cv;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace api
