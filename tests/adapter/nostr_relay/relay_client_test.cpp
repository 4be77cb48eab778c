// api/nostr/relay_client.h against a relay that never answers: the client's close and reads stay
// bounded, and nothing of a call outlives it. Found by the sanitizer build: a close the peer did
// not answer within its time completed later, in the drain, and wrote a flag on the stack of a
// frame already gone (ASan: stack-buffer-overflow in federationd's watchdog). Run it under
// `ops/test --sanitize` to see that part; in the plain build it checks the bounds and the
// reconnection.
#include "api/nostr/relay_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A WebSocket server on loopback that completes the handshake of every connection and then
// never reads or writes again (a stalled relay), until destroyed.
class SilentRelay {
 public:
  SilentRelay() : m_acceptor(m_ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    m_thread = std::thread([this] {
      while (!m_stop) {
        tcp::socket socket(m_ioc);
        beast::error_code ec;
        m_acceptor.accept(socket, ec);
        if (ec || m_stop) break;
        auto ws = std::make_unique<websocket::stream<tcp::socket>>(std::move(socket));
        ws->accept(ec);
        if (!ec) m_held.push_back(std::move(ws));
        ++m_accepted;
      }
    });
  }
  ~SilentRelay() {
    m_stop = true;
    beast::error_code ec;
    // Wake the blocking accept with one last connection.
    tcp::socket poke(m_ioc);
    poke.connect(m_acceptor.local_endpoint(), ec);
    m_thread.join();
  }
  std::string Url() const { return "ws://127.0.0.1:" + std::to_string(m_acceptor.local_endpoint().port()) + "/"; }
  int Accepted() const { return m_accepted.load(); }

 private:
  asio::io_context m_ioc;
  tcp::acceptor m_acceptor;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_accepted{0};
  std::vector<std::unique_ptr<websocket::stream<tcp::socket>>> m_held;
  std::thread m_thread;
};

TEST(RelayClient, AClosedConnectionToARelayThatNeverAnswersEndsCleanlyAndCanBeOpenedAgain) {
  SilentRelay relay;
  api::nostr::RelayClient client(relay.Url(), "", 300ms);
  ASSERT_TRUE(client.Connect().ok());
  ASSERT_TRUE(client.Connected());
  // A read the relay never answers: nothing, the connection kept.
  auto nothing = client.Read(50ms);
  ASSERT_TRUE(nothing.ok()) << nothing.error();
  EXPECT_FALSE(nothing->has_value());
  EXPECT_TRUE(client.Connected());
  ASSERT_TRUE(client.Send(R"(["REQ","s",{}])").ok());
  // The polite close is never answered: it gives up after its time, the read still pending
  // and the close both end in the drain.
  client.Close();
  EXPECT_FALSE(client.Connected());
  // Again, from a connect, twice (Connect closes what was open first).
  ASSERT_TRUE(client.Connect().ok());
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_TRUE(client.Connected());
  client.Close();
  EXPECT_EQ(relay.Accepted(), 3);
}

}  // namespace
