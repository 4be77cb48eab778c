// WebSocket on HttpServer's port, driven with Beast's own client over loopback (and a raw
// socket for a client that never answers pings): the accept decision, echo, the closes the
// server gives (1003, 1008, 1009, 1011, the app's own), sends from other threads, idle
// clients, Stop with open sockets, many connections.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "api/http/websocket.h"
#include "tests/adapter/api_http/http_client.h"
#include "tests/adapter/api_http/server_fixture.h"
#include "tests/adapter/api_http/ws_client.h"

namespace api::http {
namespace {

using apihttp_test::Fetch;
using apihttp_test::OpenConnection;
using apihttp_test::WsClient;
using apihttp_test::WsMessage;
using namespace std::chrono_literals;

using Decision = base::Expected<WebSocketHandlers, WebSocketRefusal>;

// What the server side saw, shared with the handlers (which may outlive a test's locals).
struct Seen {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::shared_ptr<WebSocket>> sockets;  // the app keeps them
  std::vector<Request> upgrades;
  std::vector<std::string> texts;
  int closes = 0;

  // Waits until `done()` holds (under the lock), at most `timeout`.
  bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, done);
  }
  std::shared_ptr<WebSocket> Socket(size_t i) {
    std::lock_guard lock(mutex);
    return i < sockets.size() ? sockets[i] : nullptr;
  }
  int Closes() {
    std::lock_guard lock(mutex);
    return closes;
  }
};

class WebSocketTest : public HttpServerTest {
 protected:
  // Accepts every upgrade; echoes "echo:<text>"; `greeting`, if any, is sent from accept.
  WebSocketAccept Echo(std::string greeting = {}) {
    return [seen = m_seen, greeting](const Request& request,
                                     const std::shared_ptr<WebSocket>& socket) -> Decision {
      if (!greeting.empty()) socket->SendText(greeting);
      std::weak_ptr<WebSocket> weak = socket;
      WebSocketHandlers handlers;
      handlers.on_text = [seen, weak](std::string text) {
        if (text == "throw") throw std::runtime_error("handler bug");
        if (auto s = weak.lock()) s->SendText("echo:" + text);
        std::lock_guard lock(seen->mutex);
        seen->texts.push_back(std::move(text));
        seen->changed.notify_all();
      };
      handlers.on_close = [seen] {
        std::lock_guard lock(seen->mutex);
        ++seen->closes;
        seen->changed.notify_all();
      };
      std::lock_guard lock(seen->mutex);
      seen->sockets.push_back(socket);
      seen->upgrades.push_back(request);
      seen->changed.notify_all();
      return handlers;
    };
  }
  void StartEcho(ServerOptions options = {}, std::string greeting = {}) {
    ASSERT_TRUE(m_server.AddWebSocket("/ws/chat/", Echo(std::move(greeting))).ok());
    StartServer(options);
  }
  // A client whose upgrade to `target` was accepted.
  std::unique_ptr<WsClient> Connected(const std::string& target = "/ws/chat/1/") {
    auto client = std::make_unique<WsClient>();
    const auto handshake = client->Connect(m_server.Port(), target);
    EXPECT_TRUE(handshake.upgraded) << handshake.status << " " << handshake.error << " " << handshake.body;
    return client;
  }

  std::shared_ptr<Seen> m_seen = std::make_shared<Seen>();
};

TEST_F(WebSocketTest, EchoRoundTripOnTheHttpPort) {
  StartEcho();
  EXPECT_EQ(Fetch({.url = Url("/api/echo/")}).status, 200);  // HTTP and WebSocket on one port

  WsClient client;
  const auto handshake =
      client.Connect(m_server.Port(), "/ws/chat/42/?token_sha256_hex=ab%20cd", {{"X-Robot", "yes"}});
  ASSERT_TRUE(handshake.upgraded) << handshake.error;
  EXPECT_EQ(handshake.status, 101);
  ASSERT_TRUE(client.SendText("hello"));
  const WsMessage echo = client.Read();
  ASSERT_EQ(echo.kind, WsMessage::kText) << echo.error;
  EXPECT_EQ(echo.data, "echo:hello");
  ASSERT_TRUE(client.SendText(std::string(5000, 'z')));
  EXPECT_EQ(client.Read().data, "echo:" + std::string(5000, 'z'));

  {
    std::lock_guard lock(m_seen->mutex);
    ASSERT_EQ(m_seen->upgrades.size(), 1u);
    const Request& upgrade = m_seen->upgrades[0];
    EXPECT_EQ(upgrade.method, Method::kGet);
    EXPECT_EQ(upgrade.path, "/ws/chat/42/");
    EXPECT_EQ(upgrade.QueryParam("token_sha256_hex"), "ab cd");
    EXPECT_EQ(upgrade.headers.Get("x-robot"), "yes");
    EXPECT_EQ(upgrade.remote_ip, "127.0.0.1");
    EXPECT_EQ(m_seen->sockets[0]->remote_ip(), "127.0.0.1");
    EXPECT_TRUE(m_seen->sockets[0]->IsOpen());
  }

  ASSERT_TRUE(client.Close(1000));  // the whole closing handshake
  EXPECT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == 1; }));
  EXPECT_FALSE(m_seen->Socket(0)->IsOpen());
  EXPECT_FALSE(m_seen->Socket(0)->SendText("too late"));
}

TEST_F(WebSocketTest, RefusedUpgradesAreHttpErrorAnswers) {
  ASSERT_TRUE(
      m_server
          .AddWebSocket(
              "/ws/chat/",
              [](const Request&, const std::shared_ptr<WebSocket>& socket) -> Decision {
                EXPECT_TRUE(socket->SendText("never sent"));  // queued until the decision
                return base::Err(WebSocketRefusal{403, 6001, "You are not participant in this order"});
              })
          .ok());
  ASSERT_TRUE(m_server
                  .AddWebSocket("/relay/",
                                [](const Request&, const std::shared_ptr<WebSocket>&) -> Decision {
                                  throw std::runtime_error("accept bug");
                                })
                  .ok());
  StartServer();

  WsClient refused;
  const auto handshake = refused.Connect(m_server.Port(), "/ws/chat/7/?token_sha256_hex=00");
  EXPECT_FALSE(handshake.upgraded);
  EXPECT_EQ(handshake.status, 403);
  EXPECT_EQ(nlohmann::json::parse(handshake.body, nullptr, false),
            (nlohmann::json{{"error_code", 6001}, {"bad_request", "You are not participant in this order"}}));

  WsClient thrown;
  const auto broken = thrown.Connect(m_server.Port(), "/relay");
  EXPECT_FALSE(broken.upgraded);
  EXPECT_EQ(broken.status, 500);
  EXPECT_EQ(nlohmann::json::parse(broken.body, nullptr, false)["error_code"], 1028);

  WsClient nowhere;
  const auto missing = nowhere.Connect(m_server.Port(), "/ws/other/");
  EXPECT_FALSE(missing.upgraded);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body, nullptr, false), (nlohmann::json{{"detail", "Not found."}}));

  // A WebSocket path asked without an upgrade.
  const Reply plain = Fetch({.url = Url("/ws/chat/7/")});
  EXPECT_EQ(plain.status, 426);
  EXPECT_EQ(plain.Header("upgrade"), "websocket");
  EXPECT_EQ(Json(plain)["error_code"], 1049);
}

TEST_F(WebSocketTest, MessageOverTheLimitClosesWith1009) {
  ServerOptions options;
  options.websocket.max_message_bytes = 1024;
  StartEcho(options);
  auto client = Connected();
  ASSERT_TRUE(client->SendText(std::string(1024, 'a')));
  EXPECT_EQ(client->Read().data, "echo:" + std::string(1024, 'a'));
  ASSERT_TRUE(client->SendText(std::string(4096, 'b')));
  const WsMessage closed = client->Read();
  EXPECT_EQ(closed.kind, WsMessage::kClosed) << closed.error;
  EXPECT_EQ(closed.close_code, 1009);
  EXPECT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == 1; }));
  std::lock_guard lock(m_seen->mutex);
  EXPECT_EQ(m_seen->texts.size(), 1u);  // the oversized message was never delivered
}

TEST_F(WebSocketTest, BinaryMessageClosesWith1003) {
  StartEcho();
  auto client = Connected();
  ASSERT_TRUE(client->SendBinary("\x01\x02\x03"));
  const WsMessage closed = client->Read();
  EXPECT_EQ(closed.kind, WsMessage::kClosed) << closed.error;
  EXPECT_EQ(closed.close_code, 1003);
  EXPECT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == 1; }));
}

TEST_F(WebSocketTest, HandlerThatThrowsClosesWith1011) {
  StartEcho();
  auto client = Connected();
  ASSERT_TRUE(client->SendText("throw"));
  const WsMessage closed = client->Read();
  EXPECT_EQ(closed.kind, WsMessage::kClosed) << closed.error;
  EXPECT_EQ(closed.close_code, 1011);
  EXPECT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == 1; }));
}

TEST_F(WebSocketTest, ServerCloseComesAfterTheQueuedMessages) {
  StartEcho({}, "greeting from accept");
  auto client = Connected();
  EXPECT_EQ(client->Read().data, "greeting from accept");
  auto socket = m_seen->Socket(0);
  ASSERT_TRUE(socket);
  EXPECT_TRUE(socket->SendText("last words"));
  socket->Close(4001, "bye");
  EXPECT_FALSE(socket->IsOpen());
  EXPECT_FALSE(socket->SendText("after close"));
  EXPECT_EQ(client->Read().data, "last words");
  const WsMessage closed = client->Read();
  EXPECT_EQ(closed.kind, WsMessage::kClosed) << closed.error;
  EXPECT_EQ(closed.close_code, 4001);
  EXPECT_EQ(closed.close_reason, "bye");
  EXPECT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == 1; }));
}

TEST_F(WebSocketTest, SendTextFromAnotherThreadKeepsItsOrder) {
  StartEcho();
  auto client = Connected();
  ASSERT_TRUE(m_seen->WaitFor([&] { return m_seen->sockets.size() == 1; }));
  auto socket = m_seen->Socket(0);
  constexpr int kCount = 500;
  std::thread sender([socket] {
    for (int i = 0; i < kCount; ++i) socket->SendText("m" + std::to_string(i));
  });
  for (int i = 0; i < kCount; ++i) {
    const WsMessage message = client->Read();
    ASSERT_EQ(message.kind, WsMessage::kText) << i << " " << message.error;
    ASSERT_EQ(message.data, "m" + std::to_string(i));
  }
  sender.join();
}

TEST_F(WebSocketTest, ClientThatDoesNotReadIsClosedWith1008NotBufferedFor) {
  ServerOptions options;
  options.websocket.max_queued_bytes = 256 * 1024;
  options.websocket.close_timeout = 60s;  // the close frame waits for the client to read again
  StartEcho(options);
  auto client = Connected();
  ASSERT_TRUE(m_seen->WaitFor([&] { return m_seen->sockets.size() == 1; }));
  auto socket = m_seen->Socket(0);

  // The client reads nothing: the kernel's buffers fill, then the server's queue.
  const auto chunk = std::make_shared<const std::string>(64 * 1024, 'q');
  constexpr int kMaxSends = 20000;  // 1.3 GB: far beyond any socket buffer
  int accepted = 0;
  while (accepted < kMaxSends && socket->SendText(chunk)) ++accepted;
  ASSERT_LT(accepted, kMaxSends) << "the outbound queue never refused";
  EXPECT_FALSE(socket->IsOpen());
  EXPECT_FALSE(socket->SendText("more"));

  // Reading again, the client gets at most what was accepted, then the close.
  int received = 0;
  WsMessage message;
  for (int i = 0; i <= accepted; ++i) {
    message = client->Read();
    if (message.kind != WsMessage::kText) break;
    ASSERT_EQ(message.data.size(), chunk->size());
    ++received;
  }
  EXPECT_LE(received, accepted);
  EXPECT_EQ(message.kind, WsMessage::kClosed) << message.error;
  EXPECT_EQ(message.close_code, 1008);
  EXPECT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == 1; }));
}

TEST_F(WebSocketTest, PingsKeepALiveClientAndAClientThatNeverAnswersIsDropped) {
  ServerOptions options;
  options.websocket.idle_timeout = 600ms;
  StartEcho(options);

  // Beast's client answers pings while a read is pending: it outlives several idle timeouts.
  auto live = Connected();
  EXPECT_EQ(live->Read(2500ms).kind, WsMessage::kTimeout);
  ASSERT_TRUE(m_seen->WaitFor([&] { return m_seen->sockets.size() == 1; }));
  EXPECT_TRUE(m_seen->Socket(0)->SendText("still here"));
  EXPECT_EQ(live->Read().data, "still here");
  ASSERT_TRUE(live->Close(1000));
  ASSERT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == 1; }));

  // A client that completes the handshake and then neither reads nor answers.
  OpenConnection mute(m_server.Port(),
                      "GET /ws/chat/2/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  const std::string switching = mute.ReadResponse(10s);
  EXPECT_EQ(switching.rfind("HTTP/1.1 101", 0), 0u) << switching;
  EXPECT_EQ(switching.find("Beast"), std::string::npos) << switching;  // no library version told
  EXPECT_TRUE(mute.WaitForClose(10s));
  EXPECT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == 2; }));
}

TEST_F(WebSocketTest, StopClosesOpenWebSockets) {
  StartEcho();
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(Connected("/ws/chat/" + std::to_string(i) + "/"));
  ASSERT_TRUE(m_seen->WaitFor([&] { return m_seen->sockets.size() == 3; }));
  m_server.Stop();
  EXPECT_EQ(m_seen->Closes(), 3);  // on_close ran within Stop
  for (auto& client : clients) {
    const WsMessage end = client->Read();
    EXPECT_TRUE(end.kind == WsMessage::kClosed || end.kind == WsMessage::kError) << end.kind;
  }
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(m_seen->Socket(i)->IsOpen());
    EXPECT_FALSE(m_seen->Socket(i)->SendText("after stop"));
    m_seen->Socket(i)->Close();  // a no-op
  }
}

TEST_F(WebSocketTest, ManyConnectionsAtOnce) {
  StartEcho();
  constexpr int kClients = 200;
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(Connected("/ws/chat/" + std::to_string(i) + "/"));
    ASSERT_TRUE(clients.back()->SendText("n" + std::to_string(i)));
  }
  for (int i = 0; i < kClients; ++i) {
    const WsMessage echo = clients[i]->Read();
    ASSERT_EQ(echo.kind, WsMessage::kText) << i << " " << echo.error;
    EXPECT_EQ(echo.data, "echo:n" + std::to_string(i));
  }
  clients.clear();  // the clients vanish without a close
  EXPECT_TRUE(m_seen->WaitFor([&] { return m_seen->closes == kClients; }, 20s)) << m_seen->Closes();
}

TEST(WebSocketRoutes, PrefixesAreCheckedAndFixedAtStart) {
  HttpServer server;
  const auto accept = [](const Request&, const std::shared_ptr<WebSocket>&) -> Decision {
    return WebSocketHandlers{};
  };
  EXPECT_TRUE(server.AddWebSocket("/relay/", accept).ok());
  EXPECT_FALSE(server.AddWebSocket("/relay/", accept).ok());
  EXPECT_FALSE(server.AddWebSocket("relay", accept).ok());
  ASSERT_TRUE(server.Start({}).ok());
  EXPECT_FALSE(server.AddWebSocket("/ws/", accept).ok());
}

}  // namespace
}  // namespace api::http
