#include "api/http/endpoint_handler.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <string>
#include <string_view>

#include <pistache/async.h>
#include <pistache/http_header.h>
#include <pistache/stream.h>

#include "api/http/errors.h"

namespace api::http::internal {
namespace {

namespace P = Pistache::Http;

bool IsContinueExpectation(std::string value) {
  value.erase(std::remove_if(value.begin(), value.end(), [](unsigned char c) { return std::isspace(c); }),
              value.end());
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value == "100-continue";
}

// Pistache's body step, preceded by our checks of the complete headers. It runs inside
// Parser::parse() right after the headers step, before Pistache reserves the body.
class GuardedBodyStep final : public P::Private::Step {
 public:
  GuardedBodyStep(P::Request* request, size_t max_body_bytes, bool* continue_pending)
      : Step(request), m_body(request), m_max_body_bytes(max_body_bytes), m_continue_pending(continue_pending) {}

  P::Private::StepId id() const override { return P::Private::BodyStep::Id; }

  P::Private::State apply(Pistache::StreamCursor& cursor) override {
    if (!m_checked) {
      m_checked = true;
      const auto length = message->headers().tryGet<P::Header::ContentLength>();
      if (length && length->value() > m_max_body_bytes) {
        throw P::HttpError(P::Code::Request_Entity_Too_Large,
                           "Request body too large: the limit is " + std::to_string(m_max_body_bytes) + " bytes");
      }
      // RFC 9110 §10.1.1: a client that sent "Expect: 100-continue" waits for 100 before the
      // body (curl for up to a second).
      const auto expect = message->headers().tryGetRaw("Expect");
      if (expect && IsContinueExpectation(expect->value())) *m_continue_pending = true;
    }
    return m_body.apply(cursor);
  }

 private:
  P::Private::BodyStep m_body;
  size_t m_max_body_bytes;
  bool* m_continue_pending;
  bool m_checked = false;
};

// Pistache's request parser with the guarded body step and our per-connection state. A fresh
// body step per request also clears the byte counts Pistache's own reset() leaves behind.
class GuardedRequestParser final : public P::RequestParser {
 public:
  GuardedRequestParser(size_t max_request_bytes, size_t max_body_bytes)
      : P::RequestParser(max_request_bytes), m_max_body_bytes(max_body_bytes) {
    InstallBodyStep();
  }

  void reset() override {
    P::RequestParser::reset();
    continue_pending = false;
    InstallBodyStep();
  }

  // After a framing error: everything else the connection sends is discarded.
  bool draining = false;
  // The headers asked for 100 Continue and it has not been sent yet.
  bool continue_pending = false;

 private:
  void InstallBodyStep() {
    allSteps[2] = std::make_unique<GuardedBodyStep>(&request, m_max_body_bytes, &continue_pending);
  }

  size_t m_max_body_bytes;
};

}  // namespace

void ConnectionRegistry::Add(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  struct stat st {};
  if (::fstat(peer->fd(), &st) != 0) return;
  std::lock_guard lock(m_mutex);
  // A peer Pistache dropped had its socket closed (Transport::removePeer): forget it. Pruned
  // when the table doubles, so the cost per connection stays constant.
  if (m_entries.size() >= 64 && (m_entries.size() & (m_entries.size() - 1)) == 0) {
    std::erase_if(m_entries, [](const Entry& entry) { return entry.peer.expired(); });
  }
  m_entries.push_back({peer, peer->fd(), st.st_dev, st.st_ino});
}

void ConnectionRegistry::CloseLeaked() {
  std::lock_guard lock(m_mutex);
  for (const Entry& entry : m_entries) {
    struct stat st {};
    if (::fstat(entry.fd, &st) == 0 && st.st_dev == entry.device && st.st_ino == entry.inode) ::close(entry.fd);
  }
  m_entries.clear();
}

void EndpointHandler::onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  peer->putData(ParserData, std::make_shared<GuardedRequestParser>(getMaxRequestSize(), m_max_body_bytes));
  m_connections->Add(peer);
}

void EndpointHandler::onInput(const char* buffer, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  // Every parser of this handler's peers is ours (onConnection).
  auto parser = std::static_pointer_cast<GuardedRequestParser>(peer->getData(ParserData));
  if (parser->draining) return;
  auto& request = parser->request;

  const auto reject = [&](int status, const std::string& message) noexcept {
    parser->draining = true;
    try {
      P::ResponseWriter writer(request.version(), transport(), this, peer);
      m_dispatcher->Reject(std::move(writer), status, kErrorNotUnderstood, message);
      parser->reset();
    } catch (const std::exception&) {
      // Nothing more to do for this connection: it stays draining until it closes.
    }
  };

  try {
    if (!parser->feed(buffer, len)) {
      reject(413, "Request too large: the limit is " + std::to_string(getMaxRequestSize()) +
                      " bytes, headers included");
      return;
    }
    const auto state = parser->parse();
    if (state == P::Private::State::Done) {
      P::ResponseWriter writer(request.version(), transport(), this, peer);
      request.copyAddress(peer->address());
      // As Pistache does: echo the client's Connection choice, else announce close.
      const auto connection = request.headers().tryGet<P::Header::Connection>();
      writer.headers().add<P::Header::Connection>(connection ? connection->control() : P::ConnectionControl::Close);
      peer->setIdle(false);
      onRequest(request, std::move(writer));
      parser->reset();
      return;
    }
    if (parser->continue_pending) {
      parser->continue_pending = false;
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      peer->send(Pistache::RawBuffer(kContinue, sizeof kContinue - 1))
          .then([](ssize_t) {}, Pistache::Async::IgnoreException);
    }
  } catch (const P::HttpError& e) {
    // Pistache's reasons are fixed texts ("Unknown HTTP request method"), never the input.
    if (e.code() == 413) {
      reject(413, e.reason());
    } else {
      reject(400, "Malformed HTTP request: " + e.reason());
    }
  } catch (const std::exception&) {
    reject(400, "Malformed HTTP request");
  }
}

void EndpointHandler::onRequest(const P::Request& request, P::ResponseWriter writer) {
  m_dispatcher->Dispatch(request, std::move(writer));
}

}  // namespace api::http::internal
