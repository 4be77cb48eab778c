// Internal to api/http: one answer on its way (Reply), and the state one Responder's copies
// share (Exchange). Not part of the contract; only server code includes it. No Beast here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "api/http/responder.h"

namespace api::http::internal {

// Whether the server still runs. Code outside the io threads (Responders, WebSockets) may
// reach a connection only while `running`, under a shared lock: HttpServer::Stop clears it
// under the exclusive lock before it destroys the connections, so that no connection is ever
// kept alive, or destroyed, by another thread after that.
struct ServerLife {
  std::shared_mutex mutex;
  bool running = true;  // guarded by mutex
};

struct HeaderField {
  std::string name;
  std::string value;
};

// One answer as a handler or the server gives it; the connection turns it into HTTP.
struct Reply {
  int status = 200;
  std::shared_ptr<const std::string> body;       // null: empty
  std::shared_ptr<const std::string> gzip_body;  // null: compressed on the way if eligible
  std::string content_type = std::string(kJsonContentType);
  std::vector<HeaderField> headers;  // extra fields; names and values without CR/LF

  static Reply Json(int status, std::string body) {
    Reply reply;
    reply.status = status;
    reply.body = std::make_shared<const std::string>(std::move(body));
    return reply;
  }
};

// The connection an Exchange answers on (the HTTP session). PostReply is thread-safe: it
// hands the reply to the connection's strand, which drops it unless `request_id` is the
// request it waits an answer for.
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  virtual void PostReply(uint64_t request_id, Reply reply) = 0;
};

class Exchange {
 public:
  // `label` ("GET /api/book/") names the exchange in logs; never put secrets in it.
  Exchange(std::weak_ptr<ReplySink> sink, uint64_t request_id, std::shared_ptr<ServerLife> life,
           std::string label)
      : m_sink(std::move(sink)),
        m_request_id(request_id),
        m_life(std::move(life)),
        m_label(std::move(label)) {}
  // Answers 500 if no Send came (see responder.h).
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Sends once; thread-safe. Returns false if already sent (or claimed), the server stopped,
  // or the connection is gone.
  bool Send(Reply reply);
  bool Sent() const { return m_sent.load(); }
  // For the connection's own answer (the reply timeout): true if no Send came, and then none
  // will get through.
  bool Claim() { return !m_sent.exchange(true); }
  const std::string& label() const { return m_label; }

 private:
  bool Post(Reply reply);

  std::atomic<bool> m_sent{false};
  std::weak_ptr<ReplySink> m_sink;
  uint64_t m_request_id;
  std::shared_ptr<ServerLife> m_life;
  std::string m_label;
};

}  // namespace api::http::internal
