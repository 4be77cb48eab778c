// DevFundStatements: the signed dev-tax statements served publicly (GET /api/devfund/) and
// exported by `coordctl devtax`, read from a connection of their own, off the engine's thread.
// Thread-safe (one connection, one mutex; SQLite's WAL lets it read while the engine writes).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"
#include "coordinator/store/store.h"
#include "escrow/crypto/secp256k1.h"

namespace federation {

class DevFundStatements {
 public:
  struct Options {
    int64_t period_s = 86400;
    int64_t share_ppm = 200000;
    int max_periods = 31;  // per request
  };
  // Opens `db_path` (the engine's database). `key` (the nostr key) must outlive this.
  static base::Expected<std::unique_ptr<DevFundStatements>, std::string> Open(const std::string& db_path,
                                                                              const escrow::crypto::Signer& key,
                                                                              Options options);
  DevFundStatements(std::unique_ptr<coordinator::Store> store, const escrow::crypto::Signer& key, Options options)
      : m_store(std::move(store)), m_key(key), m_options(options) {}

  // The statements of every period overlapping [start, end) (Unix s), oldest first, at most
  // max_periods (the latest ones), each {"statement", "pubkey", "sig", "complete"} where
  // complete is false for the period still running at `now`. Errors: start > end.
  base::Expected<nlohmann::json, std::string> Range(int64_t start, int64_t end, int64_t now);

 private:
  std::mutex m_mu;
  std::unique_ptr<coordinator::Store> m_store;  // guarded by m_mu
  const escrow::crypto::Signer& m_key;
  Options m_options;
};

}  // namespace federation
