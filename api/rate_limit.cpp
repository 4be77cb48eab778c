#include "api/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace api {

int64_t RateLimiter::Take(const std::string& key, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(m_mu);
  if (m_buckets.size() >= m_options.max_keys && !m_buckets.count(key)) {
    // Forget the buckets that have refilled completely: they hold no information.
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
      const double secs = std::chrono::duration<double>(now - it->second.at).count();
      if (it->second.tokens + secs * m_options.per_second >= m_options.burst) {
        it = m_buckets.erase(it);
      } else {
        ++it;
      }
    }
  }
  auto [it, fresh] = m_buckets.try_emplace(key, Bucket{m_options.burst, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double secs = std::max(0.0, std::chrono::duration<double>(now - b.at).count());
    b.tokens = std::min(m_options.burst, b.tokens + secs * m_options.per_second);
    b.at = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  const double wait = (1 - b.tokens) / std::max(m_options.per_second, 1e-9);
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait)));
}

}  // namespace api
