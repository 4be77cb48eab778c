// HttpServer's connections over raw sockets: when a connection is kept and when it ends
// (Connection: close, HTTP/1.0, idle and stalled clients), pipelined requests, chunked bodies
// and HEAD.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "tests/adapter/api_http/http_client.h"
#include "tests/adapter/api_http/server_fixture.h"

namespace api::http {
namespace {

using apihttp_test::Fetch;
using apihttp_test::OpenConnection;
using apihttp_test::RawExchange;
using namespace std::chrono_literals;

// The body of a raw response.
nlohmann::json BodyOf(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  if (end == std::string::npos) return nlohmann::json();
  return nlohmann::json::parse(response.substr(end + 4), nullptr, /*allow_exceptions=*/false);
}

bool HasHeaderLine(const std::string& response, const std::string& line) {
  std::string head = response.substr(0, response.find("\r\n\r\n"));
  std::string want = line;
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : want) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return head.find("\r\n" + want + "\r\n") != std::string::npos || head.ends_with("\r\n" + want);
}

// Over Tor every open connection holds a circuit: a client that asked for close must see the
// end of the connection right after the answer, not after the keep-alive timeout.
TEST_F(HttpServerTest, ConnectionCloseIsAnsweredThenClosedAtOnce) {
  ServerOptions options;
  options.keepalive_timeout = 120s;  // far beyond the wait below
  StartServer(options);
  OpenConnection client(m_server.Port(),
                        "GET /api/echo/?n=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(client.connected());
  EXPECT_TRUE(client.WaitForClose(10s));
  const std::string& response = client.received();
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
  EXPECT_TRUE(HasHeaderLine(response, "Connection: close")) << response;
  EXPECT_EQ(BodyOf(response)["query"]["n"], "1") << response;
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveIsClosedAtOnce) {
  ServerOptions options;
  options.keepalive_timeout = 120s;
  StartServer(options);
  OpenConnection client(m_server.Port(), "GET /api/echo/ HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(client.WaitForClose(10s));
  EXPECT_EQ(client.received().rfind("HTTP/1.0 200", 0), 0u) << client.received();
  EXPECT_EQ(BodyOf(client.received())["path"], "/api/echo/");
}

TEST_F(HttpServerTest, Http10KeepAliveAndHttp11ServeSeveralRequestsOnOneConnection) {
  StartServer();
  OpenConnection old_client(m_server.Port(), "GET /api/echo/?n=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const std::string first = old_client.ReadResponse(10s);
  EXPECT_EQ(first.rfind("HTTP/1.0 200", 0), 0u) << first;
  EXPECT_TRUE(HasHeaderLine(first, "Connection: keep-alive")) << first;
  ASSERT_TRUE(old_client.Send("GET /api/echo/?n=2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(BodyOf(old_client.ReadResponse(10s))["query"]["n"], "2");

  // Pipelined: both requests in one write, answered in order.
  OpenConnection client(m_server.Port(),
                        "GET /api/echo/?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                        "POST /api/echo/?n=2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Content-Length: 13\r\n\r\n{\"a\": \"b c\"}\n");
  const std::string one = client.ReadResponse(10s);
  const std::string two = client.ReadResponse(10s);
  EXPECT_EQ(BodyOf(one)["query"]["n"], "1") << one;
  EXPECT_EQ(BodyOf(two)["query"]["n"], "2") << two;
  EXPECT_EQ(BodyOf(two)["body"]["a"], "b c") << two;
  EXPECT_FALSE(HasHeaderLine(two, "Connection: close")) << two;
}

TEST_F(HttpServerTest, IdleKeptConnectionIsClosedAfterTheKeepaliveTimeout) {
  ServerOptions options;
  options.keepalive_timeout = 300ms;
  StartServer(options);
  OpenConnection client(m_server.Port(), "GET /api/echo/ HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse(10s).rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_TRUE(client.WaitForClose(10s));
  EXPECT_EQ(client.received(), "");
}

TEST_F(HttpServerTest, StalledHeadersAndBodiesAreClosedWithoutAnAnswer) {
  ServerOptions options;
  options.header_timeout = 300ms;
  options.body_timeout = 300ms;
  StartServer(options);
  OpenConnection headers(m_server.Port(), "GET /api/echo/ HTTP/1.1\r\nHost:");
  OpenConnection body(m_server.Port(),
                      "POST /api/echo/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"a\"");
  EXPECT_TRUE(headers.WaitForClose(10s));
  EXPECT_TRUE(body.WaitForClose(10s));
  EXPECT_EQ(headers.received(), "");
  EXPECT_EQ(body.received(), "");
}

TEST_F(HttpServerTest, ChunkedBodyIsCappedAsItArrives) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  const auto chunked = [](const std::string& data) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", data.size());
    return "POST /api/echo/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Transfer-Encoding: chunked\r\n\r\n" +
           std::string(size) + "\r\n" + data + "\r\n0\r\n\r\n";
  };
  const std::string under =
      RawExchange(m_server.Port(), chunked(R"({"pad":")" + std::string(1000, 'x') + "\"}"), 10s);
  EXPECT_EQ(under.rfind("HTTP/1.1 200", 0), 0u) << under;
  EXPECT_EQ(BodyOf(under)["raw_body_size"], 1010);

  const std::string over =
      RawExchange(m_server.Port(), chunked(R"({"pad":")" + std::string(1100, 'x') + "\"}"), 10s);
  EXPECT_EQ(over.rfind("HTTP/1.1 413", 0), 0u) << over;
  EXPECT_EQ(BodyOf(over)["error_code"], 1049) << over;
  EXPECT_NE(BodyOf(over)["bad_request"].get<std::string>().find("1024"), std::string::npos) << over;
  EXPECT_TRUE(HasHeaderLine(over, "Connection: close")) << over;
}

TEST_F(HttpServerTest, HeadAnswersTheHeadersOfItsBody) {
  ASSERT_TRUE(m_server
                  .Add(Method::kHead, "/api/head/",
                       [](Request, Responder r) {
                         r.Send(200, nlohmann::json{{"size", std::string(50, 's')}});
                       })
                  .ok());
  StartServer();
  const Reply reply = Fetch({.method = "HEAD", .url = Url("/api/head/")});
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.Header("content-length"),
            std::to_string(nlohmann::json{{"size", std::string(50, 's')}}.dump().size()));
  EXPECT_TRUE(reply.body.empty());
}

}  // namespace
}  // namespace api::http
