#include "api/http/responder.h"

#include <mutex>
#include <ostream>

#include <pistache/async.h>
#include <pistache/http_header.h>

#include "api/http/errors.h"
#include "api/http/exchange.h"
#include "config/base/log.h"

namespace api::http {
namespace internal {
namespace {

// A response header with a name chosen at run time (Pistache's typed headers have fixed
// names, and its raw headers are not written out).
class FieldHeader final : public Pistache::Http::Header::Header {
 public:
  FieldHeader(std::string_view name, std::string_view value) : m_name(name), m_value(value) {}
  const char* name() const override { return m_name.c_str(); }
  void write(std::ostream& os) const override { os << m_value; }
  uint64_t hash() const override { return Pistache::Http::Header::detail::hash(m_name.c_str()); }

 private:
  std::string m_name;
  std::string m_value;
};

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

Exchange::Exchange(Pistache::Http::ResponseWriter writer, std::shared_ptr<ServerLife> life, std::string label)
    : m_writer(std::move(writer)), m_life(std::move(life)), m_label(std::move(label)) {}

Exchange::~Exchange() {
  if (m_sent.exchange(true)) return;
  std::shared_lock lock(m_life->mutex);
  if (!m_life->running) return;  // the server stopped: nobody is waiting any more
  try {
    base::Log(base::LogLevel::kError, "api_http", "responder dropped without a reply; answering 500",
              {{"request", m_label}});
    SendLocked(500, InternalErrorJson().dump(), kJsonContentType, {});
  } catch (const std::exception&) {
    // Out of memory in a destructor: the client gets Pistache's 408 instead.
  }
}

bool Exchange::Send(int status, std::string_view body, std::string_view content_type,
                    std::initializer_list<HeaderField> extra) {
  if (m_sent.exchange(true)) return false;
  std::shared_lock lock(m_life->mutex);
  if (!m_life->running) return false;
  return SendLocked(status, body, content_type, extra);
}

bool Exchange::SendLocked(int status, std::string_view body, std::string_view content_type,
                          std::initializer_list<HeaderField> extra) {
  try {
    if (HasLineBreak(content_type)) content_type = "application/octet-stream";
    auto& headers = m_writer.headers();
    headers.add<Pistache::Http::Header::AccessControlAllowOrigin>("*");
    headers.add(std::make_shared<FieldHeader>("Content-Type", content_type));
    for (const HeaderField& field : extra) {
      if (HasLineBreak(field.name) || HasLineBreak(field.value)) continue;
      headers.add(std::make_shared<FieldHeader>(field.name, field.value));
    }
    // An invalid MediaType: Pistache adds no Content-Type of its own.
    auto sent = m_writer.send(static_cast<Pistache::Http::Code>(status), body.data(), body.size(),
                              Pistache::Http::Mime::MediaType());
    // Swallow a late write error (the client went away): nothing is waiting for it.
    sent.then([](ssize_t) {}, Pistache::Async::IgnoreException);
    return !sent.isRejected();
  } catch (const std::exception& e) {
    base::Log(base::LogLevel::kWarn, "api_http", "could not send a response",
              {{"request", m_label}, {"error", e.what()}});
    return false;
  }
}

}  // namespace internal

bool Responder::Send(int status, const nlohmann::json& body) {
  if (!m_exchange) return false;
  return m_exchange->Send(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                          kJsonContentType);
}

bool Responder::Send(int status, std::string_view body, std::string_view content_type) {
  if (!m_exchange) return false;
  return m_exchange->Send(status, body, content_type);
}

bool Responder::Send(int status, const std::shared_ptr<const std::string>& body, std::string_view content_type) {
  if (!m_exchange) return false;
  return m_exchange->Send(status, body ? std::string_view(*body) : std::string_view(), content_type);
}

bool Responder::SendError(int status, int error_code, std::string_view message) {
  return Send(status, ErrorJson(error_code, message));
}

bool Responder::Sent() const { return m_exchange && m_exchange->Sent(); }

}  // namespace api::http
