#include "federation/prices/price_fetcher.h"

#include "config/base/log.h"

namespace federation {

PriceFetcher::PriceFetcher(std::vector<std::unique_ptr<coordinator::PriceSource>> sources,
                           coordinator::PriceBook& book, const base::Clock& clock,
                           std::chrono::milliseconds interval)
    : m_sources(std::move(sources)), m_book(book), m_clock(clock), m_interval(interval) {}

PriceFetcher::~PriceFetcher() { Stop(); }

void PriceFetcher::FetchAndRecord(coordinator::PriceSource& source) {
  std::string name = source.Name();
  auto table = source.Fetch();
  if (table.ok()) {
    size_t count = table->prices.size();
    m_book.Update(name, std::move(table).value());
    base::Log(base::LogLevel::kDebug, "prices", "fetched",
              {{"source", name}, {"currencies", std::to_string(count)}});
    return;
  }
  m_book.RecordFailure(name, table.error(), m_clock.Now());
  bool stopping = false;
  {
    std::lock_guard lock(m_mutex);
    stopping = m_stopping;
  }
  base::Log(stopping ? base::LogLevel::kDebug : base::LogLevel::kWarn, "prices", "fetch failed",
            {{"source", name}, {"error", table.error()}});
}

void PriceFetcher::FetchAllOnce() {
  std::vector<std::thread> round;
  round.reserve(m_sources.size());
  for (auto& source : m_sources) round.emplace_back([this, s = source.get()] { FetchAndRecord(*s); });
  for (std::thread& t : round) t.join();
}

void PriceFetcher::Loop(coordinator::PriceSource& source) {
  while (true) {
    FetchAndRecord(source);
    std::unique_lock lock(m_mutex);
    if (m_wake.wait_for(lock, m_interval, [this] { return m_stopping; })) return;
  }
}

void PriceFetcher::Start() {
  std::lock_guard lock(m_mutex);
  if (m_started || m_stopping) return;
  m_started = true;
  for (auto& source : m_sources) m_threads.emplace_back([this, s = source.get()] { Loop(*s); });
}

void PriceFetcher::Stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  for (auto& source : m_sources) source->Interrupt();
  m_wake.notify_all();
  for (std::thread& t : m_threads) {
    if (t.joinable()) t.join();
  }
  m_threads.clear();
}

}  // namespace federation
