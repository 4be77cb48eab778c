// BookFetcher: fetches /api/info/, /api/limits/ and /api/book/ of every coordinator
// concurrently — one libcurl multi handle driven by one event-loop thread, not a thread per
// coordinator — and keeps one slot per coordinator (slot.h).
//
// Scheduling is per coordinator: a coordinator's round (its three requests, in parallel)
// starts every `interval` after its previous round started, or as soon as that round ended if
// it took longer; never two rounds of one coordinator at once. When a round ends its slot is
// replaced at once, so a slow coordinator delays nobody but itself. A failed round keeps the
// last good data (with its time) and records the error.
//
// Transport: through `proxy` (it MUST be "socks5h://host:port": names, .onion names above all,
// are resolved by the proxy, never by local DNS — libcurl 7.88 with socks5:// would resolve
// them locally; checked at Start and asserted before each request). A target marked `direct`
// connects without the proxy; an .onion target is never fetched without it. Each request is
// bounded by `connect_timeout` and `request_timeout`, and its body by `max_body_bytes`.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/base/clock.h"
#include "config/base/status.h"
#include "federation/book/slot.h"

namespace federation {

struct FetchTarget {
  std::string short_alias;
  std::string base_url;  // "http://….onion" or "https://host[:port]"; no trailing slash
  bool direct = false;   // connect without the proxy (clearnet only)
};

struct FetcherOptions {
  std::string proxy = "socks5h://127.0.0.1:9050";  // "" = no proxy (only direct targets work)
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds request_timeout{60'000};
  size_t max_body_bytes = 16 << 20;
};

class BookFetcher {
 public:
  // `clock` (wall time of the slots' timestamps) must outlive the fetcher.
  BookFetcher(std::vector<FetchTarget> targets, FetcherOptions options, const base::Clock& clock);
  // Stops the loop if it runs.
  ~BookFetcher();
  BookFetcher(const BookFetcher&) = delete;
  BookFetcher& operator=(const BookFetcher&) = delete;

  // Starts the loop thread; every coordinator's first round starts at once. Errors: a proxy
  // that is not socks5h://host:port; called twice.
  base::Status Start();
  // Stops the loop and abandons requests under way. Idempotent; not from `on_update`.
  void Stop();

  // One slot per target, in target order. Thread-safe; never null.
  std::shared_ptr<const SlotList> Slots() const;

  // Called on the loop thread after slot `index` was replaced (a round started or ended).
  // Set before Start. Must not block.
  std::function<void(size_t index)> on_update;

 private:
  struct Request;
  struct Round;
  void Loop();
  void StartRound(size_t index);
  void AddRequest(size_t index, int kind);
  void Finish(Request* request, int curl_code);
  void EndRound(size_t index);
  void Publish(size_t index, std::shared_ptr<const CoordinatorSlot> slot);
  int64_t NowMs() const;

  std::vector<FetchTarget> m_targets;
  FetcherOptions m_options;
  const base::Clock& m_clock;

  mutable std::mutex m_mu;
  std::shared_ptr<const SlotList> m_slots;  // guarded by m_mu

  // Loop-thread state.
  void* m_multi = nullptr;  // CURLM*
  std::vector<std::unique_ptr<Round>> m_rounds;
  std::vector<std::chrono::steady_clock::time_point> m_due;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  bool m_started = false;
};

}  // namespace federation
