// Responder: the reply half of one HTTP exchange. A handler may answer at once, or hand the
// responder to another thread (the engine's) and return; the answer is sent when Send is
// called, from any thread.
//
// Contract:
// - Copyable and movable; all copies share one exchange. The first Send wins; later calls
//   (from any copy, any thread) do nothing and return false.
// - Thread-safe. Send hands the answer to the connection's strand and returns; the write
//   happens there. Send after HttpServer::Stop() does nothing and returns false; a responder
//   may outlive its server.
// - Every response carries Access-Control-Allow-Origin: * and the given Content-Type; a JSON
//   body of ServerOptions::gzip_min_bytes or more is gzip-encoded for clients that accept it
//   (server.h "Compression").
// - If the last copy is destroyed without a Send, the client gets 500 {"error_code": 1028,
//   "bad_request": "Internal error"} at once (and the server logs it as a bug).
// - If copies are kept but no Send comes within ServerOptions::reply_timeout (30 s by
//   default) after the handler was called, the server answers 503 {"error_code": 1028,
//   "bad_request": "The coordinator did not answer in time. Try again."} itself (RoboSats'
//   1028 is its "something broke" catch-all; 503 says the request may be retried) and logs
//   it; a later Send returns false. Engine replies come well before that.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace api::http {

inline constexpr std::string_view kJsonContentType = "application/json";

namespace internal {
class Exchange;
}

class Responder {
 public:
  // A responder bound to nothing: Send returns false. For default-constructed holders.
  Responder() = default;
  explicit Responder(std::shared_ptr<internal::Exchange> exchange) : m_exchange(std::move(exchange)) {}

  // Serializes `body` (invalid UTF-8 in strings is replaced by U+FFFD) and sends it.
  // Returns true if this call sent the response, false if it was already sent, the server
  // stopped, or the connection is already gone.
  bool Send(int status, const nlohmann::json& body);
  // Sends a body serialized beforehand. (One overload per string type, so that no call
  // picks the json overload by conversion, nor the reverse.)
  bool Send(int status, std::string_view body, std::string_view content_type = kJsonContentType);
  bool Send(int status, const std::string& body, std::string_view content_type = kJsonContentType) {
    return Send(status, std::string_view(body), content_type);
  }
  bool Send(int status, const char* body, std::string_view content_type = kJsonContentType) {
    return Send(status, std::string_view(body), content_type);
  }
  // Sends a shared, immutable body (the engine's pre-serialized book). Nothing copies it: the
  // response holds the shared_ptr and the socket writes from its memory. A null body is empty.
  bool Send(int status, const std::shared_ptr<const std::string>& body,
            std::string_view content_type = kJsonContentType);
  // The same with the body's gzip form (api::http::Gzip(*body)), prepared once by the body's
  // producer: a client that accepts gzip gets `gzip_body` as it is (whatever its size), others
  // get `body`; nothing is compressed per request. A null `gzip_body` behaves as the overload
  // above.
  bool Send(int status, const std::shared_ptr<const std::string>& body,
            const std::shared_ptr<const std::string>& gzip_body, std::string_view content_type = kJsonContentType);
  // RoboSats' error JSON (see ErrorJson in errors.h).
  bool SendError(int status, int error_code, std::string_view message);

  // True once the exchange is answered: some copy has sent (or tried to send) the response,
  // or the server answered it itself after reply_timeout.
  bool Sent() const;

 private:
  std::shared_ptr<internal::Exchange> m_exchange;
};

}  // namespace api::http
