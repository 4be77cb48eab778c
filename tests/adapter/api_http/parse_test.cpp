// The pure parts of api/http: decoding, body parsing, error shapes, route keys.
#include <gtest/gtest.h>

#include <string>

#include "api/http/dispatcher.h"
#include "api/http/errors.h"
#include "api/http/parse.h"
#include "api/http/request.h"

namespace api::http {
namespace {

TEST(UrlDecode, Table) {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"", ""},
      {"abc", "abc"},
      {"two+words", "two words"},
      {"a%20b", "a b"},
      {"%C3%A9t%C3%A9", "\xC3\xA9t\xC3\xA9"},
      {"100%", "100%"},          // dangling '%' kept, as Python's unquote
      {"%zz%4", "%zz%4"},        // not hex: kept
      {"%2B", "+"},              // an encoded '+' is a plus
      {"%FF", "\xEF\xBF\xBD"},  // invalid UTF-8 replaced by U+FFFD
  };
  for (const auto& c : cases) EXPECT_EQ(UrlDecode(c.in), c.out) << c.in;
  EXPECT_EQ(UrlDecode("a+b", /*plus_is_space=*/false), "a+b");
}

TEST(SanitizeUtf8, ReplacesOnlyInvalidSequences) {
  EXPECT_EQ(SanitizeUtf8("plain"), "plain");
  EXPECT_EQ(SanitizeUtf8("\xE2\x82\xAC"), "\xE2\x82\xAC");          // €
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // 😀
  EXPECT_EQ(SanitizeUtf8("a\xC0\x80z"), "a\xEF\xBF\xBD\xEF\xBF\xBDz");  // overlong NUL
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated
}

TEST(ParseFormUrlEncoded, KeepsOrderRepeatsAndEmptyValues) {
  const auto pairs = ParseFormUrlEncoded("a=1&b=two+words&&c&a=2&d=x%3Dy");
  ASSERT_EQ(pairs.size(), 5u);
  EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(pairs[1], (std::pair<std::string, std::string>{"b", "two words"}));
  EXPECT_EQ(pairs[2], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_EQ(pairs[3], (std::pair<std::string, std::string>{"a", "2"}));
  EXPECT_EQ(pairs[4], (std::pair<std::string, std::string>{"d", "x=y"}));
}

TEST(MediaTypeOf, LowercasesAndDropsParameters) {
  EXPECT_EQ(MediaTypeOf("Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(MediaTypeOf("  application/x-www-form-urlencoded  "), "application/x-www-form-urlencoded");
  EXPECT_EQ(MediaTypeOf(""), "");
}

TEST(ParseBody, JsonObjectKeepsTypes) {
  auto body = ParseBody("application/json", R"({"type": 1, "amount": "100.5", "has_range": false})");
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(body.value()["type"], 1);
  EXPECT_EQ(body.value()["amount"], "100.5");
  EXPECT_EQ(body.value()["has_range"], false);
}

TEST(ParseBody, NoContentTypeIsReadAsJson) {
  auto body = ParseBody("", R"({"a": "b"})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body.value()["a"], "b");
}

TEST(ParseBody, EmptyBodyIsAnEmptyObjectWhateverTheType) {
  for (const char* type : {"", "application/json", "text/plain", "multipart/form-data"}) {
    auto body = ParseBody(type, "");
    ASSERT_TRUE(body.ok()) << type;
    EXPECT_EQ(body.value(), nlohmann::json::object());
  }
}

TEST(ParseBody, FormValuesAreStringsLastRepeatWins) {
  auto body = ParseBody("application/x-www-form-urlencoded; charset=UTF-8", "type=1&amount=100.5&type=0");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body.value()["type"], "0");
  EXPECT_EQ(body.value()["amount"], "100.5");
}

TEST(ParseBody, Rejections) {
  struct Case {
    const char* content_type;
    std::string body;
    std::string message_prefix;
  };
  const Case cases[] = {
      {"application/json", "{\"a\": secret-token", "JSON parse error at byte"},
      {"application/json", "[1, 2]", "JSON body must be an object"},
      {"application/json", "\"just a string\"", "JSON body must be an object"},
      {"application/json", std::string(1000, '['), "JSON parse error: nested deeper than"},
      // Found by fuzz_public_api: a number beyond a double was a 500.
      {"application/json", "{\"amount\": 1e400}", "JSON parse error: a number out of range"},
      {"application/json", "20207e3326", "JSON parse error: a number out of range"},
      {"application/json", "{\"premium\": -1e999, \"token\": \"secret-token\"}", "JSON parse error: a number out of range"},
      {"text/plain", "hello", "Unsupported media type \"text/plain\" in request."},
      {"multipart/form-data; boundary=x", "--x", "Unsupported media type \"multipart/form-data\""},
  };
  for (const auto& c : cases) {
    auto body = ParseBody(c.content_type, c.body);
    ASSERT_FALSE(body.ok()) << c.body;
    EXPECT_EQ(body.error().message.rfind(c.message_prefix, 0), 0u) << body.error().message;
    // The message never quotes the body.
    EXPECT_EQ(body.error().message.find("secret-token"), std::string::npos);
  }
}

TEST(ParseBody, InvalidUtf8InJsonIsRejected) {
  EXPECT_FALSE(ParseBody("application/json", "{\"a\": \"\xFF\"}").ok());
}

TEST(ErrorJson, FieldNamedAfterTheCodeRangeAsRoboSatsNewError) {
  struct Case {
    int code;
    const char* field;
  };
  const Case cases[] = {{1049, "bad_request"}, {2001, "bad_statement"}, {3002, "bad_invoice"},
                        {4004, "bad_address"}, {5000, "bad_summary"},   {6003, "bad_request"},
                        {7000, "bad_request"}};
  for (const auto& c : cases) {
    const auto json = ErrorJson(c.code, "m");
    EXPECT_EQ(json["error_code"], c.code);
    EXPECT_EQ(json[c.field], "m") << c.code;
    EXPECT_EQ(json.size(), 2u);
  }
  EXPECT_EQ(InternalErrorJson(), (nlohmann::json{{"error_code", 1028}, {"bad_request", "Internal error"}}));
  EXPECT_EQ(NotFoundJson(), (nlohmann::json{{"detail", "Not found."}}));
  EXPECT_EQ(MethodNotAllowedJson("PATCH"), (nlohmann::json{{"detail", "Method \"PATCH\" not allowed."}}));
}

TEST(HeaderMap, CaseInsensitiveFirstValueKept) {
  HeaderMap headers;
  headers.Add("Authorization", "Token abc");
  headers.Add("AUTHORIZATION", "Token other");
  EXPECT_EQ(headers.size(), 1u);
  ASSERT_NE(headers.Find("authorization"), nullptr);
  EXPECT_EQ(*headers.Find("aUtHoRiZaTiOn"), "Token abc");
  EXPECT_EQ(headers.Get("x-missing", "none"), "none");
  EXPECT_FALSE(headers.Has("x-missing"));
}

TEST(Request, BodyParamSpellsEveryJsonTypeAsAString) {
  Request request;
  request.body = {{"s", "text"}, {"i", 3}, {"f", 2.5}, {"b", true}, {"n", nullptr}, {"o", {{"k", 1}}}};
  EXPECT_EQ(request.BodyParam("s"), "text");
  EXPECT_EQ(request.BodyParam("i"), "3");
  EXPECT_EQ(request.BodyParam("f"), "2.5");
  EXPECT_EQ(request.BodyParam("b"), "true");
  EXPECT_EQ(request.BodyParam("n"), std::nullopt);
  EXPECT_EQ(request.BodyParam("missing"), std::nullopt);
  EXPECT_EQ(request.BodyParam("o"), R"({"k":1})");
}

TEST(RouteTable, TrailingSlashIsOneRouteAndDuplicatesAreRefused) {
  internal::RouteTable routes;
  const Handler noop = [](Request, Responder) {};
  EXPECT_TRUE(routes.Add(Method::kGet, "/api/book/", noop).ok());
  EXPECT_FALSE(routes.Add(Method::kGet, "/api/book", noop).ok());
  EXPECT_TRUE(routes.Add(Method::kPost, "/api/book", noop).ok());
  EXPECT_FALSE(routes.Add(Method::kOptions, "/api/x/", noop).ok());
  EXPECT_FALSE(routes.Add(Method::kGet, "api/x/", noop).ok());
  EXPECT_FALSE(routes.Add(Method::kGet, "/api/y/", Handler()).ok());
  EXPECT_NE(routes.Find("/api/book"), nullptr);
  EXPECT_NE(routes.Find("/api/book/"), nullptr);
  EXPECT_EQ(routes.Find("/api/book//"), nullptr);
  EXPECT_EQ(routes.Find("/api/boo"), nullptr);
  EXPECT_EQ(internal::RouteKey("/"), "/");
}

}  // namespace
}  // namespace api::http
