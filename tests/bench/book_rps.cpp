// bench_book_rps (P1): requests per second of GET /api/book/ with 100 public orders, against
// GET of a static body of the same size served by a test-only route of the same server — the
// book's cost above the cost of HTTP itself.
//
// The coordinator is wired as coordinatord wires it (tests/support/public_api_stack.h): the
// server's default io threads (or argv[1]), the engine's pre-serialized snapshot on the book route. 100
// robots each make an order and lock its bond over HTTP first. Clients: several threads,
// libcurl, each with one kept-alive connection (the bench checks that connections really are
// reused and says so), then the same with one connection per request ("Connection: close":
// the server shuts the connection down after the answer). Prints req/s of both routes and their
// ratio. No asserts: figures only.
#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <latch>
#include <thread>
#include <vector>

#include "config/base/log.h"
#include "tests/support/public_api_stack.h"

namespace {

using namespace std::chrono_literals;
using apistack::ApiClient;
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
  long new_connections = 0;
};

// `threads` clients GET `target` for `window`; every answer must be 200 with `expect_bytes`.
Run Measure(uint16_t port, const std::string& target, size_t expect_bytes, bool keep_alive, int threads,
            std::chrono::seconds window) {
  std::atomic<long> requests{0}, failures{0}, connections{0};
  std::latch ready(threads), go(1);  // no client spins while the others warm up
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&] {
      ApiClient client(port, keep_alive);
      client.parse_json = false;  // the client only counts bytes: the cores are shared
      for (int i = 0; i < 20; ++i) client.Get(target);  // warm-up
      ready.count_down();
      go.wait();
      const auto end = SteadyClock::now() + window;
      long mine = 0, bad = 0, fresh = 0;
      while (SteadyClock::now() < end) {
        HttpReply r = client.Get(target);
        ++mine;
        if (r.status != 200 || r.body.size() != expect_bytes) ++bad;
        if (r.new_connection) ++fresh;
      }
      requests += mine;
      failures += bad;
      connections += fresh;
    });
  }
  ready.wait();
  const auto start = SteadyClock::now();
  go.count_down();
  for (auto& c : clients) c.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  Run run;
  run.requests = requests.load();
  run.failures = failures.load();
  run.new_connections = connections.load();
  run.rps = static_cast<double>(run.requests) / seconds;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  base::SetLogLevel(base::LogLevel::kWarn);
  // Optional: the server's io threads (default: ServerOptions' default, as coordinatord).
  const int io_threads = argc > 1 ? std::atoi(argv[1]) : api::http::ServerOptions().threads;
  if (io_threads < 1) {
    std::fprintf(stderr, "usage: bench_book_rps [io_threads]\n");
    return 2;
  }
  apistack::ShiftedClock clock(13h);  // robots' keys are made now; the coordinator wants ≥ 12 h
  // The static body: filled once the book exists, read by the test-only route.
  auto static_body = std::make_shared<std::shared_ptr<const std::string>>();
  apistack::StackOptions options;
  options.clock = &clock;
  options.params.max_public_orders = kOrders;
  options.tick_interval = 1s;  // the engine's default, as coordinatord runs it
  options.server.threads = io_threads;
  options.extra_routes = [static_body](api::http::HttpServer& server) {
    (void)server.Add(api::http::Method::kGet, "/bench/static/",
                     [static_body](api::http::Request, api::http::Responder out) {
                       out.Send(200, std::atomic_load(static_body.get()));
                     });
  };
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
    // Varied orders, as a real book: both sides, two currencies, amounts, premiums, methods.
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
  HttpReply book = setup.Get("/api/book/");
  if (book.status != 200 || !book.json.is_array() || book.json.size() != static_cast<size_t>(kOrders)) {
    std::fprintf(stderr, "book: HTTP %ld, %zu entries\n", book.status, book.json.size());
    return 1;
  }
  std::atomic_store(static_body.get(), std::shared_ptr<const std::string>(
                                           std::make_shared<const std::string>(book.body.size(), ' ')));
  HttpReply probe = setup.Get("/bench/static/");
  if (probe.body.size() != book.body.size()) return 1;

  std::printf("book: %d orders, %zu bytes; server: %d io threads (coordinatord: %d); %d client threads; "
              "%d interleaved rounds of %lld s per figure\n",
              kOrders, book.body.size(), io_threads, api::http::ServerOptions().threads, kClientThreads, kRounds,
              static_cast<long long>(kWindow.count()));
  std::printf("%-22s %-16s %12s %10s %14s %9s\n", "connections", "route", "req/s", "requests", "new conns",
              "failures");
  for (bool keep_alive : {true, false}) {
    // Interleaved rounds (book, static, book, static), summed: drift of the machine's load
    // hits both routes alike.
    Run dynamic, fixed;
    for (int round = 0; round < kRounds; ++round) {
      for (bool is_book : {true, false}) {
        const Run r = Measure(stack.port(), is_book ? "/api/book/" : "/bench/static/", book.body.size(), keep_alive,
                              kClientThreads, kWindow);
        Run& sum = is_book ? dynamic : fixed;
        sum.rps += r.rps / kRounds;
        sum.requests += r.requests;
        sum.failures += r.failures;
        sum.new_connections += r.new_connections;
      }
    }
    const char* mode = keep_alive ? "keep-alive" : "one per request";
    std::printf("%-22s %-16s %12.0f %10ld %14ld %9ld\n", mode, "/api/book/", dynamic.rps, dynamic.requests,
                dynamic.new_connections, dynamic.failures);
    std::printf("%-22s %-16s %12.0f %10ld %14ld %9ld\n", mode, "static, same size", fixed.rps, fixed.requests,
                fixed.new_connections, fixed.failures);
    std::printf("%-22s book / static = %.3f\n", mode, dynamic.rps / fixed.rps);
    if (keep_alive) {
      std::printf("%-22s keep-alive %s (%ld new connections for %ld requests)\n", "",
                  dynamic.new_connections <= kClientThreads * 2 ? "works: connections were reused"
                                                                : "did NOT hold: connections were re-opened",
                  dynamic.new_connections + fixed.new_connections, dynamic.requests + fixed.requests);
    }
  }
  return 0;
}
