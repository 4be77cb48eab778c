#include "api/http/responder.h"

#include <exception>
#include <mutex>

#include "api/http/errors.h"
#include "api/http/exchange.h"
#include "config/base/log.h"

namespace api::http {
namespace internal {

Exchange::~Exchange() {
  if (m_sent.exchange(true)) return;
  try {
    // Logged only when someone still waits (the server runs and the connection is there).
    std::shared_lock lock(m_life->mutex);
    if (!m_life->running) return;
    auto sink = m_sink.lock();
    if (!sink) return;
    base::Log(base::LogLevel::kError, "api_http", "responder dropped without a reply; answering 500",
              {{"request", m_label}});
    sink->PostReply(m_request_id, Reply::Json(500, InternalErrorJson().dump()));
  } catch (const std::exception&) {
    // Out of memory in a destructor: the client gets the reply timeout's 503 instead.
  }
}

bool Exchange::Send(Reply reply) {
  if (m_sent.exchange(true)) return false;
  return Post(std::move(reply));
}

bool Exchange::Post(Reply reply) {
  std::shared_lock lock(m_life->mutex);
  if (!m_life->running) return false;
  auto sink = m_sink.lock();
  if (!sink) return false;
  sink->PostReply(m_request_id, std::move(reply));
  return true;
}

}  // namespace internal

namespace {

internal::Reply MakeReply(int status, std::shared_ptr<const std::string> body,
                          std::string_view content_type) {
  internal::Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.content_type = std::string(content_type);
  return reply;
}

}  // namespace

bool Responder::Send(int status, const nlohmann::json& body) {
  if (!m_exchange || m_exchange->Sent()) return false;
  return m_exchange->Send(
      internal::Reply::Json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

bool Responder::Send(int status, std::string_view body, std::string_view content_type) {
  if (!m_exchange || m_exchange->Sent()) return false;
  return m_exchange->Send(MakeReply(status, std::make_shared<const std::string>(body), content_type));
}

bool Responder::Send(int status, const std::shared_ptr<const std::string>& body,
                     std::string_view content_type) {
  if (!m_exchange) return false;
  return m_exchange->Send(MakeReply(status, body, content_type));
}

bool Responder::Send(int status, const std::shared_ptr<const std::string>& body,
                     const std::shared_ptr<const std::string>& gzip_body, std::string_view content_type) {
  if (!m_exchange) return false;
  internal::Reply reply = MakeReply(status, body, content_type);
  reply.gzip_body = gzip_body;
  return m_exchange->Send(std::move(reply));
}

bool Responder::SendError(int status, int error_code, std::string_view message) {
  return Send(status, ErrorJson(error_code, message));
}

bool Responder::Sent() const { return m_exchange && m_exchange->Sent(); }

}  // namespace api::http
