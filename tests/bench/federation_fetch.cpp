// Benchmark of the joint book (printed figures, not run by ctest):
//  1. 20 fake coordinators on loopback answer /api/info/, /api/limits/ and /api/book/ after
//     300..1500 ms each: wall time until every slot is filled ÷ the slowest delay (goal ≤ 1.2:
//     the fetches run concurrently in one event loop).
//  2. The same plus one dead coordinator (accepts, never answers): the others are complete as
//     fast as before; the dead one costs only its own request timeout.
//  3. Merging 50 coordinators × 1000 orders into the joint book JSON (goal ≤ 20 ms), and with a
//     currency filter.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "config/base/clock.h"
#include "federation/book/fetcher.h"
#include "federation/book/joint_book.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

json SampleOrder(int64_t id, int currency) {
  return {{"id", id},
          {"created_at", "2026-01-01T00:00:00.000000Z"},
          {"expires_at", "2099-01-01T00:00:00.000000Z"},
          {"type", static_cast<int>(id % 2)},
          {"currency", currency},
          {"amount", id % 3 == 0 ? json(nullptr) : json("100.00")},
          {"has_range", id % 3 == 0},
          {"min_amount", id % 3 == 0 ? json("20.00") : json(nullptr)},
          {"max_amount", id % 3 == 0 ? json("500.00") : json(nullptr)},
          {"payment_method", "Strike Revolut SEPA"},
          {"is_explicit", false},
          {"premium", "1.50"},
          {"satoshis", nullptr},
          {"maker", id},
          {"maker_nick", "GenerousRobot" + std::to_string(id)},
          {"maker_hash_id", std::string(64, 'a')},
          {"maker_status", "Active"},
          {"price", 97000.12},
          {"escrow_duration", 10799},
          {"satoshis_now", 103000},
          {"bond_size", "3.00"},
          {"latitude", nullptr},
          {"longitude", nullptr}};
}

// A fake coordinator: answers every request after `delay` (or never, when `dead`).
class FakeCoordinator {
 public:
  FakeCoordinator(std::chrono::milliseconds delay, bool dead, std::string book)
      : m_delay(delay), m_dead(dead), m_book(std::move(book)) {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(m_fd, 64);
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    if (!m_dead) m_thread = std::thread([this] { Accept(); });
  }
  ~FakeCoordinator() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    std::lock_guard lock(m_mu);
    for (auto& t : m_conns) t.join();
    ::close(m_fd);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

 private:
  void Accept() {
    while (!m_stop) {
      pollfd p{m_fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::lock_guard lock(m_mu);
      m_conns.emplace_back([this, c] { Serve(c); });
    }
  }
  void Serve(int c) {
    std::string in;
    char buf[4096];
    while (!m_stop) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
      size_t end;
      while ((end = in.find("\r\n\r\n")) != std::string::npos) {
        std::string head = in.substr(0, end);
        in.erase(0, end + 4);
        std::this_thread::sleep_for(m_delay);
        std::string body = head.find("/api/book/") != std::string::npos     ? m_book
                           : head.find("/api/limits/") != std::string::npos ? R"({"1":{"code":"USD","price":97000}})"
                                                                             : R"({"num_public_buy_orders":25,"last_day_volume":0.1})";
        std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
        if (::send(c, out.data(), out.size(), MSG_NOSIGNAL) < 0) break;
      }
    }
    ::close(c);
  }

  std::chrono::milliseconds m_delay;
  bool m_dead;
  std::string m_book;
  int m_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  std::mutex m_mu;
  std::vector<std::thread> m_conns;
};

struct FetchRun {
  double complete_ms = -1;  // every live slot filled
  double dead_failed_ms = -1;  // the dead one's failure recorded
};

FetchRun RunFetch(int live, bool with_dead, std::chrono::milliseconds request_timeout) {
  json book = json::array();
  for (int i = 0; i < 50; ++i) book.push_back(SampleOrder(i + 1, 1));
  const std::string book_text = book.dump();
  std::vector<std::unique_ptr<FakeCoordinator>> fakes;
  std::vector<federation::FetchTarget> targets;
  for (int i = 0; i < live; ++i) {
    auto delay = std::chrono::milliseconds(300 + (1200 * i) / std::max(live - 1, 1));  // 300 … 1500
    fakes.push_back(std::make_unique<FakeCoordinator>(delay, false, book_text));
    targets.push_back({"c" + std::to_string(i), fakes.back()->url(), true});
  }
  if (with_dead) {
    fakes.push_back(std::make_unique<FakeCoordinator>(std::chrono::milliseconds(0), true, ""));
    targets.push_back({"dead", fakes.back()->url(), true});
  }
  federation::FetcherOptions options;
  options.proxy = "";
  options.interval = std::chrono::milliseconds(600'000);
  options.connect_timeout = std::chrono::milliseconds(1'000);
  options.request_timeout = request_timeout;
  base::SystemClock clock;
  federation::BookFetcher fetcher(targets, options, clock);
  FetchRun run;
  std::mutex mu;
  const auto start = Clock::now();
  fetcher.on_update = [&](size_t) {
    auto slots = fetcher.Slots();
    int filled = 0;
    bool dead_failed = false;
    for (const auto& s : *slots) {
      if (s->short_alias == "dead") {
        dead_failed = s->rounds > 0;
      } else {
        filled += s->good_rounds > 0;
      }
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::lock_guard lock(mu);
    if (filled == live && run.complete_ms < 0) run.complete_ms = ms;
    if (dead_failed && run.dead_failed_ms < 0) run.dead_failed_ms = ms;
  };
  if (!fetcher.Start().ok()) return run;
  for (int i = 0; i < 400; ++i) {  // at most 20 s
    {
      std::lock_guard lock(mu);
      if (run.complete_ms >= 0 && (!with_dead || run.dead_failed_ms >= 0)) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  fetcher.Stop();
  return run;
}

void BenchMerge() {
  constexpr int kCoordinators = 50, kOrders = 1000;
  std::vector<std::shared_ptr<federation::CoordinatorSlot>> slots;
  const int64_t now_ms = 1'800'000'000'000;
  for (int c = 0; c < kCoordinators; ++c) {
    json book = json::array();
    for (int i = 0; i < kOrders; ++i) book.push_back(SampleOrder(i + 1, 1 + (i % 5)));
    auto s = std::make_shared<federation::CoordinatorSlot>();
    s->short_alias = "c" + std::to_string(c);
    s->orders = std::make_shared<const std::vector<federation::BookOrder>>(
        federation::ParseBook(200, book.dump(), s->short_alias).value());
    s->updated_ms = now_ms - 1000;
    s->latency_ms = 100;
    slots.push_back(s);
  }
  std::vector<const federation::CoordinatorSlot*> ordered;
  for (const auto& s : slots) ordered.push_back(s.get());
  auto time = [&](const federation::BookFilter& filter, size_t& orders, size_t& bytes) {
    std::vector<double> runs;
    for (int i = 0; i < 30; ++i) {
      auto t0 = Clock::now();
      auto matched = federation::SelectOrders(ordered, filter, now_ms);
      std::string json_text = federation::OrdersJson(matched, now_ms, 10'000);
      runs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      orders = matched.size();
      bytes = json_text.size();
    }
    std::sort(runs.begin(), runs.end());
    return std::pair{runs[runs.size() / 2], runs.back()};
  };
  size_t orders = 0, bytes = 0;
  auto [median, worst] = time({}, orders, bytes);
  std::printf("merge %d coordinators x %d orders: %zu orders, %.1f MB JSON, median %.2f ms, max %.2f ms (goal <= 20 ms)\n",
              kCoordinators, kOrders, orders, bytes / 1e6, median, worst);
  federation::BookFilter usd;
  usd.currency = 1;
  auto [m2, w2] = time(usd, orders, bytes);
  std::printf("merge with currency filter: %zu orders, median %.2f ms, max %.2f ms\n", orders, m2, w2);
}

}  // namespace

int main() {
  std::printf("federationd joint book benchmark (loopback, direct connections)\n");
  auto a = RunFetch(20, false, std::chrono::milliseconds(5'000));
  std::printf("20 coordinators, delays 300..1500 ms: complete joint book in %.0f ms = %.2f x the slowest (goal <= 1.2)\n",
              a.complete_ms, a.complete_ms / 1500.0);
  auto b = RunFetch(20, true, std::chrono::milliseconds(3'000));
  std::printf("20 coordinators + 1 dead (request timeout 3000 ms): live ones complete in %.0f ms = %.2f x the slowest; "
              "the dead one failed after %.0f ms (its timeout)\n",
              b.complete_ms, b.complete_ms / 1500.0, b.dead_failed_ms);
  BenchMerge();
  return 0;
}
