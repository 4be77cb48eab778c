// RequestObserver: told of every HTTP answer a server gives, for metrics (api/metrics.h). The
// route is the registered pattern, never the raw path or query (which may carry tokens, and
// would make a label per order id): a path no route serves is "(unmatched)", a request refused
// before routing (framing, size caps) "(rejected)", a WebSocket upgrade its prefix.
#pragma once

#include <chrono>
#include <string_view>

#include "api/http/request.h"

namespace api::http {

inline constexpr std::string_view kRouteUnmatched = "(unmatched)";
inline constexpr std::string_view kRouteRejected = "(rejected)";

struct AnsweredRequest {
  Method method = Method::kGet;
  std::string_view route;  // valid during the call only
  int status = 0;          // 101 for an accepted WebSocket upgrade
  // From the request's headers complete to its answer ready to write.
  std::chrono::nanoseconds elapsed{0};
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // Runs on an io thread, once per answer; must be quick and must not throw (what it throws is
  // logged and dropped).
  virtual void OnAnswered(const AnsweredRequest& answered) = 0;
};

}  // namespace api::http
