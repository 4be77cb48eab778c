// GET /api/book/ with Accept-Encoding: gzip over the real server: the book's gzip body is
// prepared once per snapshot, like its plain body (issue #11, Build 5), not compressed per
// request. Counted with api::http::GzipCount (every compression of this process), not timed.
#include <gtest/gtest.h>

#include "api/http/gzip.h"
#include "tests/support/public_api_stack.h"

namespace apistack {
namespace {

using namespace std::chrono_literals;

class BookGzip : public ::testing::Test {
 protected:
  void SetUp() override {
    StackOptions options;
    options.clock = &m_clock;
    auto stack = PublicApiStack::Start(std::move(options));
    ASSERT_TRUE(stack.ok()) << stack.error();
    m_stack = std::move(stack.value());
  }
  int64_t MakeOrder(const std::string& name, const std::string& wallet) {
    m_robots.push_back(std::make_unique<ApiRobot>(name, wallet));
    ApiClient client(m_stack->port());
    EXPECT_TRUE(Register(client, *m_robots.back()).ok());
    auto id = MakePublic(*m_stack, client, *m_robots.back(), OrderBody(1, "100"));
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error());
    return id.ok() ? *id : 0;
  }
  HttpReply GzipGet(ApiClient& client, const std::string& target) {
    HttpCall call;
    call.target = target;
    call.headers = {"Accept-Encoding: gzip"};
    return client.Send(call);
  }

  ShiftedClock m_clock{13h};
  std::unique_ptr<PublicApiStack> m_stack;
  std::vector<std::unique_ptr<ApiRobot>> m_robots;
};

TEST_F(BookGzip, TheBookIsCompressedOncePerSnapshotNotPerRequest) {
  MakeOrder("alice", "alice");
  MakeOrder("bob", "bob");
  ApiClient client(m_stack->port());
  client.parse_json = false;

  const uint64_t start = api::http::GzipCount();
  const HttpReply plain = client.Get("/api/book/");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
  EXPECT_EQ(api::http::GzipCount(), start) << "a client without Accept-Encoding made the server compress";

  std::string packed;
  for (int i = 0; i < 5; ++i) {
    const HttpReply r = GzipGet(client, "/api/book/");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.count("content-encoding") ? r.headers.at("content-encoding") : "", "gzip");
    EXPECT_LT(r.body.size(), plain.body.size());
    if (i == 0) packed = r.body;
    EXPECT_EQ(r.body, packed) << "request " << i << " got other bytes than the first";
  }
  EXPECT_EQ(api::http::GzipCount() - start, 1u) << "five gzip requests of one snapshot's book";

  // Another book of the same snapshot (one currency) is another body: once too.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(GzipGet(client, "/api/book/?currency=1&type=1").status, 200);
  EXPECT_EQ(api::http::GzipCount() - start, 2u);

  // A new snapshot whose book is unchanged (an order made but its bond not paid: not public)
  // keeps the book's body, and so its gzip form.
  ApiRobot carol("carol", "carol");
  ApiClient carols(m_stack->port());
  auto registered = Register(carols, carol);
  ASSERT_TRUE(registered.ok()) << registered.error();
  const uint64_t version = m_stack->engine().snapshot()->version;
  auto unpaid = Make(carols, carol, OrderBody(1, "100"));
  ASSERT_TRUE(unpaid.ok()) << unpaid.error();
  EXPECT_GT(m_stack->engine().snapshot()->version, version);
  const HttpReply same = GzipGet(client, "/api/book/");
  ASSERT_EQ(same.status, 200);
  EXPECT_EQ(same.body, packed);
  EXPECT_EQ(api::http::GzipCount() - start, 2u);

  // A new order: a new book, compressed once more, whatever the number of requests.
  MakeOrder("dave", "dave");
  const uint64_t after_make = api::http::GzipCount();
  HttpReply fresh;
  for (int i = 0; i < 4; ++i) fresh = GzipGet(client, "/api/book/");
  ASSERT_EQ(fresh.status, 200);
  EXPECT_NE(fresh.body, packed);
  EXPECT_EQ(api::http::GzipCount() - after_make, 1u);

  // The bytes are the plain book's gzip (zlib is deterministic at one level).
  const HttpReply plain_now = client.Get("/api/book/");
  EXPECT_EQ(fresh.body, api::http::Gzip(plain_now.body));
}

}  // namespace
}  // namespace apistack
