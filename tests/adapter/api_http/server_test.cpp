// HttpServer over real sockets on 127.0.0.1, driven with libcurl (and a raw socket where curl
// would not send the request): routing, parsing, caps and the answers given before handlers.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "tests/adapter/api_http/http_client.h"
#include "tests/adapter/api_http/server_fixture.h"

namespace api::http {
namespace {

using apihttp_test::Call;
using apihttp_test::Fetch;
using apihttp_test::RawExchange;
using namespace std::chrono_literals;

TEST_F(HttpServerTest, StartsOnAnEphemeralPortAndStops) {
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/echo/")});
  EXPECT_EQ(reply.status, 200) << reply.error;
  m_server.Stop();
  m_server.Stop();  // idempotent
  EXPECT_EQ(Fetch({.url = Url("/api/echo/"), .timeout = 3000ms}).status, 0);
}

TEST_F(HttpServerTest, TrailingSlashBothWays) {
  StartServer();
  for (const char* path : {"/api/echo/", "/api/echo", "/api/noslash", "/api/noslash/"}) {
    const Reply reply = Fetch({.url = Url(path)});
    EXPECT_EQ(reply.status, 200) << path << " " << reply.error;
    EXPECT_EQ(Json(reply)["path"], path);
  }
}

TEST_F(HttpServerTest, QueryParametersAreDecoded) {
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/echo/?order_id=42&text=two+words&e=%C3%A9&flag")});
  ASSERT_EQ(reply.status, 200);
  const auto query = Json(reply)["query"];
  EXPECT_EQ(query["order_id"], "42");
  EXPECT_EQ(query["text"], "two words");
  EXPECT_EQ(query["e"], "\xC3\xA9");
  EXPECT_EQ(query["flag"], "");
  EXPECT_EQ(Json(reply)["remote_ip"], "127.0.0.1");
}

TEST_F(HttpServerTest, JsonBody) {
  StartServer();
  const Reply reply = Fetch({.method = "POST",
                             .url = Url("/api/echo/?order_id=7"),
                             .headers = {"Content-Type: application/json"},
                             .body = R"({"action": "take", "amount": 12.5, "nested": {"k": [1, 2]}})",
                             .send_body = true});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = Json(reply)["body"];
  EXPECT_EQ(body["action"], "take");
  EXPECT_EQ(body["amount"], 12.5);
  EXPECT_EQ(body["nested"]["k"][1], 2);
  EXPECT_EQ(Json(reply)["query"]["order_id"], "7");
}

TEST_F(HttpServerTest, FormBody) {
  StartServer();
  const Reply reply = Fetch({.method = "POST",
                             .url = Url("/api/echo/"),
                             .headers = {"Content-Type: application/x-www-form-urlencoded"},
                             .body = "type=1&currency=2&amount=100.5&payment_method=SEPA+Instant&pw=a%26b",
                             .send_body = true});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = Json(reply)["body"];
  EXPECT_EQ(body["type"], "1");
  EXPECT_EQ(body["currency"], "2");
  EXPECT_EQ(body["payment_method"], "SEPA Instant");
  EXPECT_EQ(body["pw"], "a&b");
}

TEST_F(HttpServerTest, AuthorizationHeaderOf8KiBIsAccepted) {
  StartServer();
  // RoboSats' first request: "Token <base91> | Public <armored key> | Private <…> | Nostr <…>".
  std::string authorization = "Token " + std::string(40, 'T') + " | Public ";
  while (authorization.size() < 8 * 1024) authorization += "xsFNBGRk\\";
  const Reply reply = Fetch({.url = Url("/api/echo/"), .headers = {"Authorization: " + authorization}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Json(reply)["authorization"], authorization);
}

// A JSON body of exactly `size` bytes.
std::string JsonBodyOfSize(size_t size) {
  std::string body = R"({"pad":")";
  body += std::string(size - body.size() - 2, 'x');
  return body + "\"}";
}

TEST_F(HttpServerTest, BodyJustUnderAndOverTheCap) {
  ServerOptions options;
  options.max_body_bytes = 16 * 1024;
  StartServer(options);

  const Reply at_cap = Fetch({.method = "POST",
                              .url = Url("/api/echo/"),
                              .headers = {"Content-Type: application/json"},
                              .body = JsonBodyOfSize(options.max_body_bytes),
                              .send_body = true});
  EXPECT_EQ(at_cap.status, 200) << at_cap.body;
  EXPECT_EQ(Json(at_cap)["raw_body_size"], options.max_body_bytes);

  const Reply over = Fetch({.method = "POST",
                            .url = Url("/api/echo/"),
                            .headers = {"Content-Type: application/json"},
                            .body = JsonBodyOfSize(options.max_body_bytes + 1),
                            .send_body = true});
  EXPECT_EQ(over.status, 413) << over.error;
  EXPECT_EQ(Json(over)["error_code"], 1049) << over.body;
  EXPECT_NE(Json(over)["bad_request"].get<std::string>().find("16384"), std::string::npos);
  EXPECT_EQ(over.Header("content-type"), "application/json");
  EXPECT_EQ(over.Header("access-control-allow-origin"), "*");

  // The server still serves afterwards.
  EXPECT_EQ(Fetch({.url = Url("/api/echo/")}).status, 200);
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenTheAnswerOr413WithoutTheBody) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  const Reply small = Fetch({.method = "POST",
                             .url = Url("/api/echo/"),
                             .headers = {"Content-Type: application/json", "Expect: 100-continue"},
                             .body = JsonBodyOfSize(1000),
                             .send_body = true});
  EXPECT_EQ(small.status, 200) << small.error;
  EXPECT_EQ(Json(small)["raw_body_size"], 1000);

  const Reply big = Fetch({.method = "POST",
                           .url = Url("/api/echo/"),
                           .headers = {"Content-Type: application/json", "Expect: 100-continue"},
                           .body = JsonBodyOfSize(200 * 1024),
                           .send_body = true});
  EXPECT_EQ(big.status, 413) << big.error;
  EXPECT_EQ(Json(big)["error_code"], 1049);
}

TEST_F(HttpServerTest, RequestOverMaxRequestBytesIs413Json) {
  StartServer();  // 64 KiB for the whole request
  const Reply reply = Fetch({.url = Url("/api/echo/"), .headers = {"Authorization: Token " + std::string(70000, 'a')}});
  EXPECT_EQ(reply.status, 413) << reply.error;
  EXPECT_EQ(Json(reply)["error_code"], 1049) << reply.body;
  EXPECT_STRCASEEQ(reply.Header("connection").c_str(), "close");
  EXPECT_EQ(Fetch({.url = Url("/api/echo/")}).status, 200);
}

TEST_F(HttpServerTest, HugeContentLengthIsRefusedBeforeAnyAllocation) {
  StartServer();
  const std::string response = RawExchange(
      m_server.Port(),
      "POST /api/echo/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 999999999999\r\n\r\n{}",
      5000ms);
  EXPECT_EQ(response.rfind("HTTP/1.1 413", 0), 0u) << response;
  EXPECT_NE(response.find("\"error_code\":1049"), std::string::npos) << response;
}

TEST_F(HttpServerTest, MalformedHttpIs400Json) {
  StartServer();
  const std::string response = RawExchange(m_server.Port(), "FROB /api/echo/ HTTP/1.1\r\nHost: x\r\n\r\n", 5000ms);
  EXPECT_EQ(response.rfind("HTTP/1.1 400", 0), 0u) << response;
  EXPECT_NE(response.find("\"error_code\":1049"), std::string::npos) << response;
  EXPECT_NE(response.find("application/json"), std::string::npos) << response;
}

TEST_F(HttpServerTest, MalformedJsonAndWrongContentTypeAre400Json) {
  StartServer();
  const Call calls[] = {
      {.method = "POST", .url = Url("/api/echo/"), .headers = {"Content-Type: application/json"},
       .body = "{\"action\": take-secret", .send_body = true},
      {.method = "POST", .url = Url("/api/echo/"), .headers = {"Content-Type: application/json"},
       .body = "[1,2,3]", .send_body = true},
      {.method = "POST", .url = Url("/api/echo/"), .headers = {"Content-Type: text/plain"},
       .body = "action=take", .send_body = true},
  };
  for (const Call& call : calls) {
    const Reply reply = Fetch(call);
    EXPECT_EQ(reply.status, 400) << call.body;
    const auto json = Json(reply);
    EXPECT_EQ(json["error_code"], 1049) << reply.body;
    EXPECT_TRUE(json["bad_request"].is_string()) << reply.body;
    EXPECT_EQ(reply.body.find("take-secret"), std::string::npos) << reply.body;
    EXPECT_EQ(reply.Header("content-type"), "application/json");
    EXPECT_EQ(reply.Header("access-control-allow-origin"), "*");
  }
}

TEST_F(HttpServerTest, HandlerThatThrowsGets500JsonWithoutTheExceptionText) {
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/throws/",
                       [](Request, Responder) { throw std::runtime_error("macaroon=0201036c6e64 leaked"); })
                  .ok());
  ASSERT_TRUE(m_server.Add(Method::kGet, "/api/throws-int/", [](Request, Responder) { throw 42; }).ok());
  StartServer();
  for (const char* path : {"/api/throws/", "/api/throws-int/"}) {
    const Reply reply = Fetch({.url = Url(path)});
    EXPECT_EQ(reply.status, 500) << path;
    EXPECT_EQ(Json(reply), (nlohmann::json{{"error_code", 1028}, {"bad_request", "Internal error"}})) << reply.body;
    EXPECT_EQ(reply.body.find("macaroon"), std::string::npos);
    EXPECT_EQ(reply.Header("access-control-allow-origin"), "*");
  }
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405) {
  StartServer();
  const Reply missing = Fetch({.url = Url("/api/nothing-here/")});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(missing), (nlohmann::json{{"detail", "Not found."}}));
  EXPECT_EQ(missing.Header("content-type"), "application/json");
  EXPECT_EQ(missing.Header("access-control-allow-origin"), "*");

  const Reply wrong = Fetch({.method = "DELETE", .url = Url("/api/noslash/")});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(Json(wrong), (nlohmann::json{{"detail", "Method \"DELETE\" not allowed."}}));
  EXPECT_EQ(wrong.Header("allow"), "GET, OPTIONS");
  EXPECT_EQ(wrong.Header("access-control-allow-origin"), "*");
}

TEST_F(HttpServerTest, CorsOnEveryResponseAndPreflight) {
  StartServer();
  const Reply ok = Fetch({.url = Url("/api/echo/")});
  EXPECT_EQ(ok.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(ok.Header("content-type"), "application/json");

  for (const char* path : {"/api/echo/", "/api/echo", "/api/anything/"}) {
    const Reply preflight = Fetch({.method = "OPTIONS",
                                   .url = Url(path),
                                   .headers = {"Origin: https://unsafe.example",
                                               "Access-Control-Request-Method: POST",
                                               "Access-Control-Request-Headers: authorization, content-type"}});
    EXPECT_EQ(preflight.status, 204) << path;
    EXPECT_EQ(preflight.Header("access-control-allow-origin"), "*");
    EXPECT_EQ(preflight.Header("access-control-allow-methods"), "GET, POST, PUT, OPTIONS");
    EXPECT_EQ(preflight.Header("access-control-allow-headers"), "Authorization, Content-Type");
    EXPECT_EQ(preflight.Header("access-control-max-age"), "86400");
    EXPECT_TRUE(preflight.body.empty());
  }
}

TEST_F(HttpServerTest, PreSerializedSharedBody) {
  auto book = std::make_shared<const std::string>(R"([{"id":1,"type":0}])");
  ASSERT_TRUE(m_server.Add(Method::kGet, "/api/book/", [book](Request, Responder r) { r.Send(200, book); }).ok());
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/text/",
                       [](Request, Responder r) { r.Send(200, "plain words", "text/plain; charset=utf-8"); })
                  .ok());
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/book/")});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, *book);
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  const Reply text = Fetch({.url = Url("/api/text/")});
  EXPECT_EQ(text.body, "plain words");
  EXPECT_EQ(text.Header("content-type"), "text/plain; charset=utf-8");
}

TEST(HttpServerLifecycle, RoutesAreFixedAtStartAndPortsInUseAreReported) {
  HttpServer first;
  ASSERT_TRUE(first.Start({}).ok());
  EXPECT_FALSE(first.Add(Method::kGet, "/api/late/", [](Request, Responder) {}).ok());
  EXPECT_FALSE(first.Start({}).ok());

  HttpServer second;
  ServerOptions options;
  options.port = first.Port();
  const auto status = second.Start(options);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message.find(std::to_string(first.Port())), std::string::npos) << status.message;
}

TEST(HttpServerLifecycle, ADefaultResponderSendsNothing) {
  Responder responder;
  EXPECT_FALSE(responder.Send(200, nlohmann::json::object()));
  EXPECT_FALSE(responder.Sent());
}

}  // namespace
}  // namespace api::http
