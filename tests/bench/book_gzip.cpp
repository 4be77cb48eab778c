// bench_book_gzip (issue #11): GET /api/book/ with 100 public orders over real HTTP, with and
// without `Accept-Encoding: gzip` — the book's bytes on the wire (what a Tor circuit carries)
// and requests per second of each — plus how many compressions the server ran meanwhile (the
// gzip body is prepared once per book snapshot: api/http/gzip.h GzipOnce) and what one
// compression of the book costs.
//
// The coordinator is wired as coordinatord wires it (tests/support/public_api_stack.h); 100
// robots each make an order and lock its bond over HTTP first. Clients: several threads, libcurl,
// each with one kept-alive connection; the gzip clients send the header and count the
// compressed bytes (libcurl does not decode them). Interleaved rounds. No asserts: figures only.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <thread>
#include <vector>

#include "api/http/gzip.h"
#include "config/base/log.h"
#include "tests/support/public_api_stack.h"

namespace {

using namespace std::chrono_literals;
using apistack::ApiClient;
using apistack::HttpCall;
using apistack::HttpReply;
using SteadyClock = std::chrono::steady_clock;

constexpr int kOrders = 100;
constexpr int kClientThreads = 4;
constexpr auto kWindow = 3s;
constexpr int kRounds = 2;

struct Run {
  double rps = 0;
  long requests = 0;
  long failures = 0;
};

// `threads` clients GET /api/book/ for `window` (with Accept-Encoding: gzip if `gzip`); every
// answer must be 200 with `expect_bytes` (and Content-Encoding: gzip when asked).
Run Measure(uint16_t port, bool gzip, size_t expect_bytes, int threads, std::chrono::seconds window) {
  std::atomic<long> requests{0}, failures{0};
  std::latch ready(threads), go(1);
  std::vector<std::thread> clients;
  HttpCall call;
  call.target = "/api/book/";
  if (gzip) call.headers = {"Accept-Encoding: gzip"};
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&] {
      ApiClient client(port, true);
      client.parse_json = false;
      for (int i = 0; i < 20; ++i) client.Send(call);  // warm-up
      ready.count_down();
      go.wait();
      const auto end = SteadyClock::now() + window;
      long mine = 0, bad = 0;
      while (SteadyClock::now() < end) {
        HttpReply r = client.Send(call);
        ++mine;
        const bool encoded = r.headers.count("content-encoding") && r.headers.at("content-encoding") == "gzip";
        if (r.status != 200 || r.body.size() != expect_bytes || encoded != gzip) ++bad;
      }
      requests += mine;
      failures += bad;
    });
  }
  ready.wait();
  const auto start = SteadyClock::now();
  go.count_down();
  for (auto& c : clients) c.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return Run{static_cast<double>(requests.load()) / seconds, requests.load(), failures.load()};
}

}  // namespace

int main() {
  base::SetLogLevel(base::LogLevel::kWarn);
  apistack::ShiftedClock clock(13h);  // robots' keys are made now; the coordinator wants ≥ 12 h
  apistack::StackOptions options;
  options.clock = &clock;
  options.params.max_public_orders = kOrders;
  options.tick_interval = 1s;  // the engine's default, as coordinatord runs it
  auto started = apistack::PublicApiStack::Start(std::move(options));
  if (!started.ok()) {
    std::fprintf(stderr, "stack: %s\n", started.error().c_str());
    return 1;
  }
  auto& stack = *started.value();
  ApiClient setup(stack.port());

  std::printf("making %d public orders over HTTP...\n", kOrders);
  std::fflush(stdout);
  const char* wallets[] = {"alice", "bob", "carol", "dave"};
  std::vector<std::unique_ptr<apistack::ApiRobot>> makers;
  for (int i = 0; i < kOrders; ++i) {
    makers.push_back(std::make_unique<apistack::ApiRobot>("maker" + std::to_string(i), wallets[i % 4]));
    auto& maker = *makers.back();
    if (auto r = apistack::Register(setup, maker); !r.ok()) {
      std::fprintf(stderr, "%s\n", r.error().c_str());
      return 1;
    }
    // Varied orders, as bench_book_rps makes them.
    apistack::Json body = apistack::OrderBody(i % 2, std::to_string(25 + (i * 7) % 300));
    body["currency"] = i % 5 == 0 ? 2 : 1;
    body["premium"] = std::to_string(i % 11 - 5);
    body["payment_method"] = i % 3 == 0 ? "Revolut Strike" : "SEPA Instant";
    if (i % 10 == 0) body["description"] = "Face to face in the town square, evenings only";
    if (auto id = apistack::MakePublic(stack, setup, maker, body); !id.ok()) {
      std::fprintf(stderr, "order %d: %s\n", i, id.error().c_str());
      return 1;
    }
  }
  setup.parse_json = true;
  HttpReply book = setup.Get("/api/book/");
  if (book.status != 200 || !book.json.is_array() || book.json.size() != static_cast<size_t>(kOrders)) {
    std::fprintf(stderr, "book: HTTP %ld, %zu entries\n", book.status, book.json.size());
    return 1;
  }
  setup.parse_json = false;
  HttpCall gzip_call;
  gzip_call.target = "/api/book/";
  gzip_call.headers = {"Accept-Encoding: gzip"};
  const HttpReply packed = setup.Send(gzip_call);
  if (packed.status != 200 || !packed.headers.count("content-encoding")) {
    std::fprintf(stderr, "book with gzip: HTTP %ld, no Content-Encoding\n", packed.status);
    return 1;
  }

  // One compression of the book, for scale (what a per-request gzip would cost each request).
  constexpr int kCompressions = 50;
  const auto t0 = SteadyClock::now();
  size_t sink = 0;
  for (int i = 0; i < kCompressions; ++i) sink += api::http::Gzip(book.body).size();
  const double gzip_us =
      std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count() / kCompressions;
  if (sink == 0) return 1;

  std::printf("book: %d public orders; %zu bytes plain, %zu bytes gzip (%.1f %%, %.1fx smaller); "
              "one compression of the book: %.0f us\n",
              kOrders, book.body.size(), packed.body.size(), 100.0 * static_cast<double>(packed.body.size()) /
              static_cast<double>(book.body.size()),
              static_cast<double>(book.body.size()) / static_cast<double>(packed.body.size()), gzip_us);
  std::printf("server: %d io threads; %d client threads, keep-alive; %d interleaved rounds of %lld s\n",
              api::http::ServerOptions().threads, kClientThreads, kRounds, static_cast<long long>(kWindow.count()));
  std::printf("%-24s %12s %10s %9s %14s\n", "GET /api/book/", "req/s", "requests", "failures", "bytes/answer");
  const uint64_t compressions_before = api::http::GzipCount();
  Run plain, gz;
  for (int round = 0; round < kRounds; ++round) {
    for (bool gzip : {false, true}) {
      const Run r = Measure(stack.port(), gzip, gzip ? packed.body.size() : book.body.size(), kClientThreads, kWindow);
      Run& sum = gzip ? gz : plain;
      sum.rps += r.rps / kRounds;
      sum.requests += r.requests;
      sum.failures += r.failures;
    }
  }
  const uint64_t compressions = api::http::GzipCount() - compressions_before;
  std::printf("%-24s %12.0f %10ld %9ld %14zu\n", "identity", plain.rps, plain.requests, plain.failures,
              book.body.size());
  std::printf("%-24s %12.0f %10ld %9ld %14zu\n", "Accept-Encoding: gzip", gz.rps, gz.requests, gz.failures,
              packed.body.size());
  std::printf("gzip / identity req/s = %.3f; compressions by the server during the %ld gzip requests: %llu "
              "(the book did not change: it was compressed once, before)\n",
              gz.rps / plain.rps, gz.requests, static_cast<unsigned long long>(compressions));
  return 0;
}
