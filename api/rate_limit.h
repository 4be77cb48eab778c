// RateLimiter: a token bucket per client key (a robot's hash_id, or the client's address for
// anonymous requests), so that one client cannot monopolise the coordinator. Thread-safe.
// Behind an onion service every anonymous client has the Tor daemon's address: for them the
// bucket is shared, which is why the anonymous endpoints that cost more than a snapshot read
// (ticks, historical) are the only ones limited by address.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace api {

class RateLimiter {
 public:
  struct Options {
    double per_second = 10;  // sustained rate
    double burst = 40;       // bucket size
    size_t max_keys = 100000;  // beyond this, idle buckets are forgotten
  };
  explicit RateLimiter(Options options) : m_options(options) {}

  // Takes one token for `key`. Returns 0 if allowed, else the seconds (≥ 1) until one is
  // available (DRF's throttle answer says "Expected available in N seconds").
  int64_t Take(const std::string& key, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  Options m_options;
  std::mutex m_mu;
  std::unordered_map<std::string, Bucket> m_buckets;  // guarded by m_mu
};

}  // namespace api
