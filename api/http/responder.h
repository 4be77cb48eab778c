// Responder: the reply half of one HTTP exchange. A handler may answer at once, or hand the
// responder to another thread (the engine's) and return; the answer is sent when Send is
// called, from any thread.
//
// Contract:
// - Copyable and movable; all copies share one exchange. The first Send wins; later calls
//   (from any copy, any thread) do nothing and return false.
// - Thread-safe. Send after HttpServer::Stop() does nothing and returns false; a responder
//   may outlive its server.
// - Every response carries Access-Control-Allow-Origin: * and the given Content-Type.
// - If the last copy is destroyed without a Send, the client gets 500 {"error_code": 1028,
//   "bad_request": "Internal error"} at once (and the server logs it as a bug).
// - If copies are kept but Send never comes, Pistache answers 408 Request Timeout (empty
//   body, no CORS header) and closes the connection once the handler has returned longer ago
//   than the smaller of the server's header and body timeouts (checked every 500 ms); a
//   later Send returns false. Engine replies must come well before that.
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
  // Sends a shared, immutable body (the engine's pre-serialized book). Our layer does not copy
  // it; Pistache 0.0.5 copies it into its response buffer once per request (its RawBuffer
  // owns a std::string: there is no way to lend it memory).
  bool Send(int status, const std::shared_ptr<const std::string>& body,
            std::string_view content_type = kJsonContentType);
  // RoboSats' error JSON (see ErrorJson in errors.h).
  bool SendError(int status, int error_code, std::string_view message);

  // True once some copy has sent (or tried to send) the response.
  bool Sent() const;

 private:
  std::shared_ptr<internal::Exchange> m_exchange;
};

}  // namespace api::http
