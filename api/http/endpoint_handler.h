// Internal to api/http: the Pistache handler that frames requests on each connection.
//
// It replaces Pistache 0.0.5's Http::Handler::onInput and onConnection (both virtual) with the
// same loop over Pistache's own request parser, changed where Pistache's answers are wrong
// for us:
// - the body cap is checked from Content-Length when the headers are complete, before the
//   body is read and before Pistache reserves Content-Length bytes for it (a header of
//   "Content-Length: 999999999999" would otherwise allocate first);
// - "Expect: 100-continue" gets 100 Continue (or the 413), so clients do not stall;
// - every framing error (oversized request, malformed request line or headers) is answered
//   with RoboSats-style JSON and Connection: close, and the rest of the connection's input is
//   discarded, where Pistache answers plain text and then parses the leftover body bytes as
//   new requests;
// - connections are recorded in a ConnectionRegistry, because Pistache 0.0.5 closes a
//   connection's socket only when it removes the peer, not when it destroys the endpoint.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <pistache/http.h>
#include <pistache/peer.h>

#include "api/http/dispatcher.h"

namespace api::http::internal {

// The sockets of the connections Pistache accepted. Destroying a Pistache endpoint destroys
// its peers without closing their sockets (only Transport::removePeer closes one): clients of
// requests still open at Stop would wait forever, and the descriptors would leak.
class ConnectionRegistry {
 public:
  // On a Pistache thread, for each new connection.
  void Add(const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  // REQUIRES: the endpoint is destroyed (no Pistache thread runs). Closes every recorded
  // socket that is still open: the same descriptor number still naming the same socket
  // (device and inode), so a number Pistache closed and the process reused is left alone.
  void CloseLeaked();

 private:
  struct Entry {
    std::weak_ptr<Pistache::Tcp::Peer> peer;  // expired once Pistache dropped the peer
    int fd;
    dev_t device;
    ino_t inode;
  };
  std::mutex m_mutex;
  std::vector<Entry> m_entries;  // guarded by m_mutex
};

class EndpointHandler final : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(EndpointHandler)

  EndpointHandler(std::shared_ptr<const Dispatcher> dispatcher, std::shared_ptr<ConnectionRegistry> connections,
                  size_t max_body_bytes)
      : m_dispatcher(std::move(dispatcher)), m_connections(std::move(connections)), m_max_body_bytes(max_body_bytes) {}

  // Called by our onInput only.
  void onRequest(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter writer) override;

 private:
  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void onInput(const char* buffer, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  std::shared_ptr<const Dispatcher> m_dispatcher;
  std::shared_ptr<ConnectionRegistry> m_connections;
  size_t m_max_body_bytes;
};

}  // namespace api::http::internal
