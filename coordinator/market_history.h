// MarketHistory: RoboSats' anonymous market reads (/api/ticks/, /api/historical/) served from
// a read-only connection of their own, off the engine's thread: a crowd of anonymous readers
// never queues behind trades. Thread-safe (one connection, one mutex; SQLite's WAL lets it
// read while the engine writes).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"
#include "config/base/status.h"
#include "coordinator/store/store.h"

namespace coordinator {

class MarketHistory {
 public:
  // Opens `db_path` (the engine's database, already created by it).
  static base::Expected<std::unique_ptr<MarketHistory>, std::string> Open(const std::string& db_path);
  explicit MarketHistory(std::unique_ptr<Store> store) : m_store(std::move(store)) {}

  // RoboSats API /api/ticks/: ticks with start <= timestamp < end (Unix seconds), oldest first;
  // 1051 when more than 5000.
  base::Result<nlohmann::json> Ticks(int64_t start, int64_t end);
  // RoboSats API /api/historical/: volume and number of contracts per day.
  nlohmann::json Historical();

 private:
  std::mutex m_mu;
  std::unique_ptr<Store> m_store;  // guarded by m_mu
};

}  // namespace coordinator
