// Internal to api/http: the state one Responder's copies share, around Pistache's
// ResponseWriter. Not part of the contract; only server/responder code includes it.
#pragma once

#include <atomic>
#include <initializer_list>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include <pistache/http.h>

namespace api::http::internal {

// Whether the server's Pistache endpoint still exists. A ResponseWriter holds raw pointers
// into the endpoint's transport: it may only send while `running`, under a shared lock;
// HttpServer::Stop clears `running` under the exclusive lock before destroying the endpoint.
struct ServerLife {
  std::shared_mutex mutex;
  bool running = true;  // guarded by mutex
};

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

class Exchange {
 public:
  // `label` ("GET /api/book/") names the exchange in logs; never put secrets in it.
  Exchange(Pistache::Http::ResponseWriter writer, std::shared_ptr<ServerLife> life, std::string label);
  // Answers 500 if no Send came (see responder.h).
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Sends once; thread-safe. Adds Access-Control-Allow-Origin: *, Content-Type and `extra`.
  // Returns false if already sent, the server stopped, or the connection is gone.
  bool Send(int status, std::string_view body, std::string_view content_type,
            std::initializer_list<HeaderField> extra = {});
  bool Sent() const { return m_sent.load(); }

 private:
  // REQUIRES: m_life->mutex held (shared) and m_life->running.
  bool SendLocked(int status, std::string_view body, std::string_view content_type,
                  std::initializer_list<HeaderField> extra);

  std::atomic<bool> m_sent{false};
  Pistache::Http::ResponseWriter m_writer;
  std::shared_ptr<ServerLife> m_life;
  std::string m_label;
};

}  // namespace api::http::internal
