#include "api/http/ws_session.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include "api/http/websocket.h"
#include "config/base/log.h"

namespace api::http {
namespace internal {
namespace {

namespace websocket = beast::websocket;

// Bytes of a message asked of Beast at a time.
constexpr size_t kReadChunk = 16 * 1024;

// RFC 6455 §7.4.1–7.4.2: the codes an endpoint may put in a close frame (1004–1006 and 1015
// are reserved for reporting, never sent).
uint16_t SendableCloseCode(uint16_t code) {
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999)) {
    return code;
  }
  return 1000;
}

// RFC 6455 §5.5: a control frame's payload is at most 125 bytes, 2 of them the code. Cut on a
// UTF-8 boundary (the reason must stay valid UTF-8).
std::string CloseReasonText(std::string_view reason) {
  constexpr size_t kMax = 123;
  if (reason.size() <= kMax) return std::string(reason);
  size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
  return std::string(reason.substr(0, n));
}

}  // namespace

// ---- WebSocketLink -----------------------------------------------------------------------

void WebSocketLink::Refuse() {
  open = false;
  std::lock_guard guard(mutex);
  attached = true;  // to nothing: every later call is refused
  pending.clear();
  pending_close.reset();
  queued_messages = 0;
  queued_bytes = 0;
}

bool WebSocketLink::Send(std::shared_ptr<const std::string> message) {
  if (!message || !open.load()) return false;
  const size_t size = message->size();
  const size_t messages = queued_messages.fetch_add(1) + 1;
  const size_t bytes = queued_bytes.fetch_add(size) + size;
  const auto undo = [&] {
    queued_messages.fetch_sub(1);
    queued_bytes.fetch_sub(size);
  };
  if (messages > max_queued_messages || bytes > max_queued_bytes) {
    undo();
    Close({1008, "Too many messages waiting: the client does not read them", /*drop_queue=*/true});
    return false;
  }
  std::shared_lock life_lock(life->mutex);
  std::lock_guard guard(mutex);
  if (!life->running || !open.load()) {
    undo();
    return false;
  }
  if (!attached) {
    pending.push_back(std::move(message));
    return true;
  }
  auto target = session.lock();
  if (!target) {
    undo();
    return false;
  }
  target->PostText(std::move(message));
  return true;
}

void WebSocketLink::Close(CloseRequest request) {
  if (!open.exchange(false)) return;
  std::shared_lock life_lock(life->mutex);
  if (!life->running) return;
  std::lock_guard guard(mutex);
  if (!attached) {
    pending_close = std::move(request);
    return;
  }
  if (auto target = session.lock()) target->PostClose(std::move(request));
}

// ---- WsSession ---------------------------------------------------------------------------

WsSession::WsSession(Stream stream, std::shared_ptr<WebSocketLink> link, WebSocketHandlers handlers,
                     std::shared_ptr<const ServerContext> context)
    : m_strand(stream.get_executor()),
      m_ws(std::move(stream)),
      m_link(std::move(link)),
      m_handlers(std::move(handlers)),
      m_ctx(std::move(context)),
      m_close_timer(m_strand) {
  const WebSocketOptions& options = m_ctx->options.websocket;
  // The size limit is ours (OnRead), not Beast's read_message_max: Beast 1.81 answers an
  // oversized frame by closing the socket after draining a single read, so the unread rest
  // of the frame makes the kernel reset the connection and the client never sees the 1009.
  m_ws.read_message_max(0);  // no limit in Beast
  websocket::stream_base::timeout timeout;
  timeout.handshake_timeout = options.close_timeout;
  timeout.idle_timeout = options.idle_timeout;
  timeout.keep_alive_pings = true;  // a ping after idle_timeout / 2 of silence
  m_ws.set_option(timeout);
  // The 101 answer names no library version (Beast's default Server field would).
  m_ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "coordinatord"); }));
  m_ws.auto_fragment(false);  // one frame per message
}

WsSession::~WsSession() {
  if (m_finished) return;
  // Only HttpServer::Stop destroys a session that did not finish: the client waits no more.
  m_link->open = false;
  if (!m_handlers.on_close) return;
  try {
    m_handlers.on_close();
  } catch (...) {
    // Nothing to close any more.
  }
}

void WsSession::Run(beast::http::request<beast::http::string_body> upgrade) {
  std::optional<CloseRequest> close;
  {
    std::lock_guard guard(m_link->mutex);
    m_link->session = weak_from_this();
    m_link->attached = true;
    for (auto& message : m_link->pending) m_queue.push_back(std::move(message));
    m_link->pending.clear();
    close = std::move(m_link->pending_close);
    m_link->pending_close.reset();
  }
  // What accept sent and closed waits for the handshake.
  if (close) RequestClose(std::move(*close));
  m_upgrade = std::move(upgrade);
  m_ws.async_accept(m_upgrade, beast::bind_front_handler(&WsSession::OnHandshake, shared_from_this()));
}

void WsSession::PostText(std::shared_ptr<const std::string> message) {
  net::post(m_strand, [self = shared_from_this(), message = std::move(message)]() mutable {
    self->Enqueue(std::move(message));
  });
}

void WsSession::PostClose(CloseRequest request) {
  net::post(m_strand, [self = shared_from_this(), request = std::move(request)]() mutable {
    self->RequestClose(std::move(request));
  });
}

void WsSession::OnHandshake(beast::error_code ec) {
  m_upgrade = {};
  if (ec) return Finish();
  m_open = true;
  Read();
  WriteNext();
}

void WsSession::Read() {
  // At most one byte past the limit is ever buffered: enough to know it was passed.
  const size_t limit = m_ctx->options.websocket.max_message_bytes;
  const size_t want = m_close ? kReadChunk : std::min(kReadChunk, limit + 1 - m_read_buffer.size());
  m_ws.async_read_some(m_read_buffer, want,
                       beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
}

void WsSession::OnRead(beast::error_code ec, size_t) {
  // Beast has already answered what ends a connection: the client's close, 1007 for invalid
  // UTF-8, the idle timeout.
  if (ec) return Finish();
  if (m_close) {  // closing: what still arrives is not delivered
    m_read_buffer.consume(m_read_buffer.size());
    return Read();
  }
  if (m_ws.got_binary()) {
    m_read_buffer.consume(m_read_buffer.size());
    RequestClose({1003, "Text messages only", /*drop_queue=*/true});
    return Read();
  }
  const size_t limit = m_ctx->options.websocket.max_message_bytes;
  if (m_read_buffer.size() > limit) {
    m_read_buffer.consume(m_read_buffer.size());
    RequestClose(
        {1009, "Message too big: the limit is " + std::to_string(limit) + " bytes", /*drop_queue=*/true});
    return Read();
  }
  if (!m_ws.is_message_done()) return Read();
  std::string message = beast::buffers_to_string(m_read_buffer.data());
  m_read_buffer.consume(m_read_buffer.size());
  if (m_handlers.on_text) {
    try {
      m_handlers.on_text(std::move(message));
    } catch (const std::exception& e) {
      base::Log(base::LogLevel::kError, "api_http", "WebSocket on_text threw; closing with 1011",
                {{"exception", e.what()}});
      RequestClose({1011, "Internal error", /*drop_queue=*/true});
    } catch (...) {
      base::Log(base::LogLevel::kError, "api_http",
                "WebSocket on_text threw a non-exception; closing with 1011");
      RequestClose({1011, "Internal error", /*drop_queue=*/true});
    }
  }
  Read();
}

void WsSession::Enqueue(std::shared_ptr<const std::string> message) {
  if (m_finished || m_close) {
    m_link->queued_messages.fetch_sub(1);
    m_link->queued_bytes.fetch_sub(message->size());
    return;
  }
  m_queue.push_back(std::move(message));
  WriteNext();
}

void WsSession::WriteNext() {
  if (!m_open || m_writing || m_finished) return;
  if (!m_queue.empty()) {
    m_writing = true;
    m_ws.text(true);
    // The queue's front stays in place until written: DropQueue leaves a message in flight.
    const std::string& message = *m_queue.front();
    m_ws.async_write(net::buffer(message.data(), message.size()),
                     beast::bind_front_handler(&WsSession::OnWrite, shared_from_this()));
    return;
  }
  if (m_close && !m_close_sent) {
    m_close_sent = true;
    m_writing = true;
    websocket::close_reason reason(static_cast<websocket::close_code>(SendableCloseCode(m_close->code)),
                                   CloseReasonText(m_close->reason));
    m_ws.async_close(reason, [self = shared_from_this()](beast::error_code ec) {
      self->m_writing = false;
      // Then the read loop ends with the client's answering close (or the timer).
      if (ec) beast::get_lowest_layer(self->m_ws).close();
    });
  }
}

void WsSession::OnWrite(beast::error_code ec, size_t) {
  m_writing = false;
  if (!m_queue.empty()) {
    m_link->queued_messages.fetch_sub(1);
    m_link->queued_bytes.fetch_sub(m_queue.front()->size());
    m_queue.pop_front();
  }
  if (ec) {
    // The connection broke; the read loop learns it and finishes.
    beast::get_lowest_layer(m_ws).close();
    return;
  }
  WriteNext();
}

void WsSession::RequestClose(CloseRequest request) {
  if (m_finished || m_close) return;
  m_link->open = false;
  if (request.drop_queue) DropQueue();
  m_close = std::move(request);
  m_close_timer.expires_after(m_ctx->options.websocket.close_timeout);
  m_close_timer.async_wait(beast::bind_front_handler(&WsSession::OnCloseTimeout, shared_from_this()));
  WriteNext();
}

void WsSession::OnCloseTimeout(beast::error_code ec) {
  if (ec || m_finished) return;
  // The client did not take the close (or the write before it) in time.
  beast::get_lowest_layer(m_ws).close();
}

void WsSession::DropQueue() {
  // A message being written stays at the front until its write completes.
  const size_t keep = m_writing && !m_close_sent && !m_queue.empty() ? 1 : 0;
  while (m_queue.size() > keep) {
    m_link->queued_messages.fetch_sub(1);
    m_link->queued_bytes.fetch_sub(m_queue.back()->size());
    m_queue.pop_back();
  }
}

void WsSession::Finish() {
  if (m_finished) return;
  m_finished = true;
  m_link->open = false;
  m_close_timer.cancel();
  DropQueue();
  beast::get_lowest_layer(m_ws).close();
  WebSocketHandlers handlers = std::move(m_handlers);
  m_handlers = {};
  if (!handlers.on_close) return;
  try {
    handlers.on_close();
  } catch (const std::exception& e) {
    base::Log(base::LogLevel::kError, "api_http", "WebSocket on_close threw", {{"exception", e.what()}});
  } catch (...) {
    base::Log(base::LogLevel::kError, "api_http", "WebSocket on_close threw a non-exception");
  }
}

}  // namespace internal

// ---- WebSocket (the app's handle) --------------------------------------------------------

bool WebSocket::SendText(std::string message) {
  if (!m_link->open.load()) return false;
  return m_link->Send(std::make_shared<const std::string>(std::move(message)));
}

bool WebSocket::SendText(std::shared_ptr<const std::string> message) {
  return m_link->Send(std::move(message));
}

void WebSocket::Close(uint16_t code, std::string_view reason) {
  m_link->Close({internal::SendableCloseCode(code), internal::CloseReasonText(reason), /*drop_queue=*/false});
}

bool WebSocket::IsOpen() const { return m_link->open.load(); }

const std::string& WebSocket::remote_ip() const { return m_link->remote_ip; }

}  // namespace api::http
