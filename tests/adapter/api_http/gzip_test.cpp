// gzip: the encoding itself, Accept-Encoding's reading, and which answers are compressed.
#include <gtest/gtest.h>

#include <zlib.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http/gzip.h"
#include "api/http/server.h"
#include "tests/adapter/api_http/http_client.h"
#include "tests/adapter/api_http/server_fixture.h"

namespace api::http {
namespace {

using apihttp_test::Fetch;

// gunzip; "<bad gzip>" if `data` is not one whole gzip stream.
std::string Gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return "<bad gzip>";
  std::string out;
  char buffer[16384];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  const bool whole = rc == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  return whole ? out : "<bad gzip>";
}

// A JSON array of `count` book-like entries.
std::string BookJson(int count) {
  nlohmann::json book = nlohmann::json::array();
  for (int i = 0; i < count; ++i) {
    book.push_back(
        {{"id", i}, {"type", i % 2}, {"currency", 1}, {"amount", "100.5"}, {"payment_method", "SEPA"}});
  }
  return book.dump();
}

TEST(Gzip, RoundTripsAndShrinksJson) {
  for (const std::string& text :
       {std::string(), std::string("{}"), BookJson(200), std::string(300000, 'x')}) {
    const std::string packed = Gzip(text);
    EXPECT_EQ(Gunzip(packed), text);
    ASSERT_GE(packed.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);  // RFC 1952 §2.3.1 ID1, ID2
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
  }
  EXPECT_LT(Gzip(BookJson(200)).size(), BookJson(200).size() / 4);
}

TEST(Gzip, AcceptEncodingIsReadAsRfc9110Says) {
  const struct {
    const char* header;
    bool accepts;
  } rows[] = {
      {"gzip", true},
      {"GZip", true},
      {"x-gzip", true},
      {"gzip, deflate, br", true},
      {"deflate, gzip;q=0.5", true},
      {"br;q=1.0, gzip; q=0.001", true},
      {"*", true},
      {"", false},
      {"identity", false},
      {"deflate, br", false},
      {"gzip;q=0", false},
      {"gzip; q=0.000", false},
      {"*;q=0", false},
      {"gzip;q=0, *", false},  // the explicit refusal wins over "*"
      {"*, gzip;q=0", false},
      {"gzipped", false},
  };
  for (const auto& row : rows) EXPECT_EQ(AcceptsGzip(row.header), row.accepts) << row.header;
}

class GzipServerTest : public HttpServerTest {
 protected:
  void SetUp() override {
    m_large = std::make_shared<const std::string>(BookJson(100));
    ASSERT_GT(m_large->size(), 4096u);
    ASSERT_TRUE(
        m_server.Add(Method::kGet, "/api/large/", [this](Request, Responder r) { r.Send(200, m_large); })
            .ok());
    ASSERT_TRUE(m_server
                    .Add(Method::kGet, "/api/large-json/",
                         [](Request, Responder r) { r.Send(200, nlohmann::json::parse(BookJson(100))); })
                    .ok());
    ASSERT_TRUE(
        m_server.Add(Method::kGet, "/api/small/", [](Request, Responder r) { r.Send(200, BookJson(2)); })
            .ok());
    ASSERT_TRUE(m_server
                    .Add(Method::kGet, "/api/text/",
                         [this](Request, Responder r) { r.Send(200, *m_large, "text/plain; charset=utf-8"); })
                    .ok());
    // The gzip form prepared by the producer: deliberately another document, to see that it
    // is the one sent (and not a fresh compression of the body).
    ASSERT_TRUE(m_server
                    .Add(Method::kGet, "/api/prepared/",
                         [this](Request, Responder r) {
                           r.Send(200, m_large, std::make_shared<const std::string>(Gzip(R"(["prepared"])")));
                         })
                    .ok());
    StartServer();
  }
  apihttp_test::Reply Get(const std::string& path, const std::string& accept_encoding) {
    std::vector<std::string> headers;
    if (!accept_encoding.empty()) headers.push_back("Accept-Encoding: " + accept_encoding);
    return Fetch({.url = Url(path), .headers = headers});
  }

  std::shared_ptr<const std::string> m_large;
};

TEST_F(GzipServerTest, LargeJsonIsGzippedForClientsThatAcceptIt) {
  for (const char* path : {"/api/large/", "/api/large-json/"}) {
    const Reply packed = Get(path, "gzip, deflate");
    ASSERT_EQ(packed.status, 200) << path;
    EXPECT_EQ(packed.Header("content-encoding"), "gzip") << path;
    EXPECT_EQ(packed.Header("vary"), "Accept-Encoding") << path;
    EXPECT_EQ(packed.Header("content-type"), "application/json") << path;
    EXPECT_EQ(packed.Header("access-control-allow-origin"), "*") << path;
    EXPECT_EQ(packed.Header("content-length"), std::to_string(packed.body.size())) << path;
    EXPECT_LT(packed.body.size(), m_large->size() / 2) << path;
    EXPECT_EQ(nlohmann::json::parse(Gunzip(packed.body), nullptr, false), nlohmann::json::parse(*m_large))
        << path;

    for (const char* refuses : {"", "identity", "gzip;q=0"}) {
      const Reply plain = Get(path, refuses);
      EXPECT_EQ(plain.Header("content-encoding"), "") << path << " " << refuses;
      EXPECT_EQ(plain.Header("vary"), "Accept-Encoding") << path << " " << refuses;
      EXPECT_EQ(nlohmann::json::parse(plain.body, nullptr, false), nlohmann::json::parse(*m_large)) << path;
    }
  }
}

TEST_F(GzipServerTest, SmallJsonAndOtherTypesAreSentAsTheyAre) {
  const Reply small = Get("/api/small/", "gzip");
  EXPECT_EQ(small.Header("content-encoding"), "");
  EXPECT_EQ(small.Header("vary"), "");
  EXPECT_EQ(small.body, BookJson(2));
  const Reply text = Get("/api/text/", "gzip");
  EXPECT_EQ(text.Header("content-encoding"), "");
  EXPECT_EQ(text.body, *m_large);
}

TEST_F(GzipServerTest, APreparedGzipBodyIsSentAsItIs) {
  const Reply packed = Get("/api/prepared/", "gzip");
  EXPECT_EQ(packed.Header("content-encoding"), "gzip");
  EXPECT_EQ(packed.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(Gunzip(packed.body), R"(["prepared"])");
  const Reply plain = Get("/api/prepared/", "");
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(plain.body, *m_large);
}

TEST(GzipServerOptions, GzipOffSendsEverythingAsItIs) {
  HttpServer server;
  auto large = std::make_shared<const std::string>(BookJson(100));
  ASSERT_TRUE(
      server.Add(Method::kGet, "/api/large/", [large](Request, Responder r) { r.Send(200, large); }).ok());
  ServerOptions options;
  options.gzip = false;
  ASSERT_TRUE(server.Start(options).ok());
  const Reply reply = Fetch({.url = "http://127.0.0.1:" + std::to_string(server.Port()) + "/api/large/",
                             .headers = {"Accept-Encoding: gzip"}});
  EXPECT_EQ(reply.Header("content-encoding"), "");
  EXPECT_EQ(reply.body, *large);
}

}  // namespace
}  // namespace api::http
