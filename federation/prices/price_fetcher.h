// PriceFetcher: keeps a PriceBook filled. Every source is fetched on its own thread, every
// interval, so a slow or failing provider delays nobody else's prices; results (and failures)
// go into the book as each source answers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config/base/clock.h"
#include "coordinator/prices/price_book.h"
#include "coordinator/prices/price_source.h"

namespace federation {

class PriceFetcher {
 public:
  // `book` and `clock` must outlive the fetcher. The clock stamps failures; tables carry their
  // source's own stamp. The schedule itself runs on real time (`interval` between the end of
  // one fetch and the start of the next, per source).
  PriceFetcher(std::vector<std::unique_ptr<coordinator::PriceSource>> sources, coordinator::PriceBook& book,
               const base::Clock& clock, std::chrono::milliseconds interval);
  // Stops (see Stop).
  ~PriceFetcher();
  PriceFetcher(const PriceFetcher&) = delete;
  PriceFetcher& operator=(const PriceFetcher&) = delete;

  // One round now, all sources concurrently; returns when every source has answered (each is
  // recorded in the book as soon as it does). For filling the book before serving, and tests.
  // REQUIRES: not started.
  void FetchAllOnce();

  // Starts one thread per source: fetch, record, wait `interval`, again. At most once.
  void Start();
  // Interrupts in-flight fetches, wakes and joins the threads. Idempotent. After Stop the
  // sources stay interrupted: a fetcher is not restarted.
  void Stop();

  size_t size() const { return m_sources.size(); }

 private:
  void FetchAndRecord(coordinator::PriceSource& source);
  void Loop(coordinator::PriceSource& source);

  std::vector<std::unique_ptr<coordinator::PriceSource>> m_sources;
  coordinator::PriceBook& m_book;
  const base::Clock& m_clock;
  const std::chrono::milliseconds m_interval;

  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;  // guarded by m_mutex
  bool m_started = false;   // guarded by m_mutex
  std::vector<std::thread> m_threads;
};

}  // namespace federation
