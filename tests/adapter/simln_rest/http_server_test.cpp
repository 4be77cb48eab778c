// escrow/simln/http on its own: framing, limits, keep-alive, chunked request bodies, chunked
// streams, Abort(), Closed() on hang-up, offline/online and Stop() with a handler that is
// still streaming.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "escrow/simln/http/server.h"
#include "escrow/simln/tls_material.h"
#include "tests/adapter/simln_rest/raw_http_client.h"
#include "tests/support/simln_rest_client.h"
#include "tests/support/test_support.h"

namespace {

using escrow::simln::http::QueryParam;
using escrow::simln::http::Request;
using escrow::simln::http::ResponseWriter;
using escrow::simln::http::Server;
using escrow::simln::http::ServerOptions;

constexpr std::chrono::seconds kWait{20};

// Handlers that saw Closed() turn true on /stream (the client or the server went away).
std::atomic<int> g_streams_closed{0};

// Echoes the request; /stream sends three chunks then waits until the client or server goes;
// /abort sends one chunk and drops the connection.
void Handler(const Request& req, ResponseWriter& w) {
  if (req.path == "/stream") {
    w.BeginStream(200, "application/json");
    for (int i = 0; i < 3; ++i) w.WriteChunk("{\"n\":" + std::to_string(i) + "}\n");
    while (!w.Closed()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ++g_streams_closed;
    return;
  }
  if (req.path == "/abort") {
    w.BeginStream(200, "application/json");
    w.WriteChunk("{\"partial\":true}\n");
    w.Abort();
    EXPECT_FALSE(w.WriteChunk("{\"late\":true}\n"));
    EXPECT_TRUE(w.Closed());
    return;
  }
  if (req.path == "/short-stream") {
    w.BeginStream(200, "application/json");
    w.WriteChunk("{\"only\":true}\n");
    w.EndStream();
    return;
  }
  if (req.path == "/silent") return;  // the server answers 500 for a handler that did not
  std::string q = QueryParam(req.query, "q").value_or("-");
  w.Respond(200, "text/plain",
            req.method + " " + req.path + " q=" + q + " body=" + std::to_string(req.body.size()));
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = Server::Start(ServerOptions{}, Handler);
    ASSERT_TRUE(server.ok()) << server.error();
    m_server = std::move(*server);
    m_base = "http://127.0.0.1:" + std::to_string(m_server->port());
  }
  std::unique_ptr<Server> m_server;
  std::string m_base;
};

TEST_F(HttpServerTest, AnswersWithContentLengthAndDecodesQueries) {
  auto r = testsupport::HttpCall("GET", m_base + "/echo?q=a%2Bb+c&x=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /echo q=a+b c body=0");
  EXPECT_NE(r.headers.find("Content-Length: 24"), std::string::npos);
  auto silent = testsupport::HttpCall("GET", m_base + "/silent");
  EXPECT_EQ(silent.status, 500);
}

TEST_F(HttpServerTest, ReadsBodiesIncludingAfterExpectContinue) {
  // libcurl sends "Expect: 100-continue" for POST bodies over 1 KiB.
  std::string body(300 * 1024, 'b');
  auto r = testsupport::HttpCall("POST", m_base + "/upload", body);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /upload q=- body=307200");
}

TEST_F(HttpServerTest, RefusesOversizedBodiesAndHeaders) {
  auto big = testsupport::HttpCall("POST", m_base + "/upload", std::string(2 * 1024 * 1024, 'x'));
  EXPECT_EQ(big.status, 413);
  testsupport::HttpOptions fat;
  fat.headers = {"X-Fat: " + std::string(80 * 1024, 'h')};
  EXPECT_EQ(testsupport::HttpCall("GET", m_base + "/echo", "", fat).status, 431);
  // Neither a bad chunk size nor Content-Length together with chunked is a request.
  std::string bad_chunk = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          "Connection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(simln_rest_test::RawHttpExchange(m_server->port(), "", bad_chunk).status, 400);
  std::string both = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(simln_rest_test::RawHttpExchange(m_server->port(), "", both).status, 400);
}

TEST_F(HttpServerTest, ReadsChunkedRequestBodies) {
  // libcurl frames its body in chunks when told "Transfer-Encoding: chunked", as Node's http
  // client does by default.
  testsupport::HttpOptions chunked;
  chunked.headers = {"Transfer-Encoding: chunked"};
  auto c = testsupport::HttpCall("POST", m_base + "/upload?q=c", "abc", chunked);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.body, "POST /upload q=c body=3");
  // Several chunks, a chunk extension and a trailer.
  std::string body(5000, 'z');
  auto raw = simln_rest_test::RawHttpExchange(
      m_server->port(), "",
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
          simln_rest_test::Chunked(body, 1500));
  ASSERT_TRUE(raw.error.empty()) << raw.error;
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(raw.body, "POST /upload q=- body=5000");
}

TEST(HttpServerLimitsTest, ChunkedBodiesCountAgainstTheBodyCap) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  auto server = Server::Start(options, Handler);
  ASSERT_TRUE(server.ok()) << server.error();
  const std::string head =
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  auto at_cap = simln_rest_test::RawHttpExchange((*server)->port(), "",
                                                 head + simln_rest_test::Chunked(std::string(1000, 'a'), 300));
  EXPECT_EQ(at_cap.status, 200) << at_cap.error;
  EXPECT_EQ(at_cap.body, "POST /upload q=- body=1000");
  auto over = simln_rest_test::RawHttpExchange((*server)->port(), "",
                                               head + simln_rest_test::Chunked(std::string(1001, 'a'), 300));
  ASSERT_TRUE(over.error.empty()) << over.error;
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(over.body, "request body too large\n");
}

TEST_F(HttpServerTest, KeepsConnectionsAliveAcrossStreams) {
  testsupport::HttpClient client;
  auto a = client.Call("GET", m_base + "/short-stream");
  auto b = client.Call("GET", m_base + "/echo");
  EXPECT_EQ(a.body, "{\"only\":true}\n");
  EXPECT_NE(a.headers.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.connects, 0);
}

TEST_F(HttpServerTest, StopEndsAStreamingHandler) {
  testsupport::HttpStream stream("GET", m_base + "/stream", "", {});
  for (int i = 0; i < 3; ++i) {
    auto line = stream.NextLine(kWait);
    ASSERT_TRUE(line.has_value());
    EXPECT_EQ(*line, "{\"n\":" + std::to_string(i) + "}");
  }
  m_server->Stop();  // returns only once the handler's thread is joined
  EXPECT_TRUE(stream.WaitFinished(kWait).has_value());
  EXPECT_EQ(testsupport::HttpCall("GET", m_base + "/echo").curl, CURLE_COULDNT_CONNECT);
}

TEST_F(HttpServerTest, ClosedTurnsTrueWhenTheClientHangsUp) {
  const int before = g_streams_closed.load();
  {
    testsupport::HttpStream stream("GET", m_base + "/stream", "", {});
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(stream.NextLine(kWait).has_value());
  }  // the client aborts the transfer and closes the connection
  for (int i = 0; i < 2000 && g_streams_closed.load() == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(g_streams_closed.load(), before + 1);
  EXPECT_EQ(testsupport::HttpCall("GET", m_base + "/echo").status, 200);
}

TEST_F(HttpServerTest, AbortDropsTheConnectionWithoutTheLastChunk) {
  testsupport::HttpStream stream("GET", m_base + "/abort", "", {});
  EXPECT_EQ(stream.NextLine(kWait), std::optional<std::string>("{\"partial\":true}"));
  auto finished = stream.WaitFinished(kWait);
  ASSERT_TRUE(finished.has_value());
  EXPECT_NE(finished->curl, CURLE_OK);  // a truncated chunked body
  EXPECT_EQ(finished->status, 200);
  EXPECT_EQ(testsupport::HttpCall("GET", m_base + "/echo").status, 200);  // the server carries on
}

TEST_F(HttpServerTest, OfflineClosesTheListenerAndOnlineRebindsThePort) {
  uint16_t port = m_server->port();
  ASSERT_TRUE(m_server->SetOnline(false).ok());
  EXPECT_FALSE(m_server->online());
  EXPECT_EQ(testsupport::HttpCall("GET", m_base + "/echo").curl, CURLE_COULDNT_CONNECT);
  ASSERT_TRUE(m_server->SetOnline(true).ok());
  EXPECT_EQ(m_server->port(), port);
  EXPECT_EQ(testsupport::HttpCall("GET", m_base + "/echo").status, 200);
}

TEST(HttpsServerTest, ServesTlsWithTheGeneratedCertificate) {
  std::string dir = testsupport::MakeTempDir("simln-tls");
  auto tls = escrow::simln::EnsureTlsMaterial(dir);
  ASSERT_TRUE(tls.ok()) << tls.error();
  ServerOptions options;
  options.tls = escrow::simln::http::TlsFiles{tls->cert_path, tls->key_path};
  auto server = Server::Start(options, Handler);
  ASSERT_TRUE(server.ok()) << server.error();
  testsupport::HttpOptions pinned;
  pinned.ca_file = tls->cert_path;
  std::string port = std::to_string((*server)->port());
  EXPECT_EQ(testsupport::HttpCall("GET", "https://127.0.0.1:" + port + "/echo", "", pinned).status, 200);
  EXPECT_EQ(testsupport::HttpCall("GET", "https://localhost:" + port + "/echo", "", pinned).status, 200);
  // Reused, not regenerated, on the next start.
  std::string cert = testsupport::ReadFile(tls->cert_path);
  ASSERT_TRUE(escrow::simln::EnsureTlsMaterial(dir).ok());
  EXPECT_EQ(testsupport::ReadFile(tls->cert_path), cert);
  (*server)->Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
