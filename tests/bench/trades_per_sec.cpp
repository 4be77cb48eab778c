// bench_trades_per_sec (P3): complete trades per second over HTTP, N trades at a time.
//
// The coordinator is wired as coordinatord wires it (tests/support/public_api_stack.h) on an
// in-process simln network; every step is a RoboSats client's HTTP request, with the wallets
// paying through simln. One trade: the maker (seller) makes, pays its bond, the order is
// public; the taker (buyer) takes and pays its bond; the seller pays the escrow; the buyer
// submits a PGP-signed invoice; the buyer confirms fiat sent, the seller confirms fiat
// received; the coordinator pays the buyer; status 14. Clients wait on events, not in a sleep
// loop: a waiting client asks GET /api/order/ again only when the engine has committed a write
// of that order (Engine::Deps::on_orders_written → apistack::OrderWatch), or after 250 ms for
// what changes without an order write; the table shows how many waits each ended. (RoboSats'
// client polls every few seconds, which would measure the poll interval; a tight poll would
// load the server with the polls.) N client threads run trades back to back, each with its own
// robots and wallets, for a fixed window; trades/s = trades completed / wall time.
// Everything — server, engine, simln, clients — shares this machine's cores. No asserts.
#include <atomic>
#include <cstdio>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "config/base/log.h"
#include "tests/support/public_api_stack.h"

namespace {

using namespace std::chrono_literals;
using apistack::ApiClient;
using apistack::ApiRobot;
using apistack::PublicApiStack;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kWindow = 10s;

// One whole trade; "" on success, else the step that failed.
std::string Trade(PublicApiStack& stack, ApiClient& client, const ApiRobot& seller, const ApiRobot& buyer) {
  auto id = apistack::MakePublic(stack, client, seller, apistack::OrderBody(1, "25"));
  if (!id.ok()) return id.error();
  if (auto r = apistack::TakeAndLock(stack, client, buyer, *id); !r.ok()) return r.error();
  if (auto r = apistack::LockEscrow(stack, client, seller, *id, 8); !r.ok()) return r.error();
  if (auto r = apistack::SubmitInvoice(stack, client, buyer, *id); !r.ok()) return r.error();
  if (auto r = apistack::Action(client, buyer, *id, "confirm"); !r.ok()) return r.error();
  if (auto r = apistack::Action(client, seller, *id, "confirm"); !r.ok()) return r.error();
  if (auto r = apistack::WaitStatus(client, buyer, *id, 14); !r.ok()) return r.error();
  return {};
}

struct Result {
  long trades = 0;
  long failures = 0;
  double seconds = 0;
  uint64_t woken = 0, timed_out = 0;  // waits ended by an order write / by the fallback
  std::string first_error;
};

Result RunConcurrent(int concurrent) {
  apistack::ShiftedClock clock(13h);  // robots' keys are made now; the coordinator wants ≥ 12 h
  apistack::StackOptions options;
  options.clock = &clock;
  options.tick_interval = 1s;  // the engine's default, as coordinatord runs it
  options.wallets.clear();
  for (int i = 0; i < concurrent; ++i) {
    options.wallets.push_back("seller" + std::to_string(i));
    options.wallets.push_back("buyer" + std::to_string(i));
  }
  options.channel_sat = 100'000'000;
  Result result;
  auto started = PublicApiStack::Start(std::move(options));
  if (!started.ok()) {
    result.first_error = started.error();
    return result;
  }
  PublicApiStack& stack = *started.value();

  std::atomic<long> trades{0}, failures{0};
  std::mutex error_mu;
  std::latch ready(concurrent), go(1);  // no thread spins while the others register
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrent; ++t) {
    threads.emplace_back([&, t] {
      ApiClient client(stack.port());
      client.watch = &stack.watch();
      ApiRobot seller("seller" + std::to_string(t), "seller" + std::to_string(t));
      ApiRobot buyer("buyer" + std::to_string(t), "buyer" + std::to_string(t));
      std::string error;
      if (auto r = apistack::Register(client, seller); !r.ok()) error = r.error();
      if (auto r = apistack::Register(client, buyer); !r.ok()) error = r.error();
      ready.count_down();
      go.wait();
      const auto end = SteadyClock::now() + kWindow;
      while (error.empty() && SteadyClock::now() < end) {
        error = Trade(stack, client, seller, buyer);
        if (error.empty()) ++trades;
      }
      if (!error.empty()) {
        ++failures;
        std::lock_guard lock(error_mu);
        if (result.first_error.empty()) result.first_error = error;
      }
    });
  }
  ready.wait();
  const auto start = SteadyClock::now();
  go.count_down();
  for (auto& th : threads) th.join();
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  result.trades = trades.load();
  result.failures = failures.load();
  result.woken = stack.watch().woken();
  result.timed_out = stack.watch().timed_out();
  return result;
}

}  // namespace

int main() {
  base::SetLogLevel(base::LogLevel::kError);
  std::printf("complete trades over HTTP (make, 2 bonds, take, escrow, signed invoice, 2 confirms, payout), "
              "%lld s per row, %u hardware threads\n",
              static_cast<long long>(kWindow.count()), std::thread::hardware_concurrency());
  std::printf("%-12s %8s %10s %12s %10s %12s %12s\n", "concurrent", "trades", "seconds", "trades/s", "failures",
              "waits:event", "waits:250ms");
  for (int n : {1, 4, 16, 64}) {
    Result r = RunConcurrent(n);
    std::printf("%-12d %8ld %10.1f %12.2f %10ld %12llu %12llu\n", n, r.trades, r.seconds,
                r.seconds > 0 ? static_cast<double>(r.trades) / r.seconds : 0.0, r.failures,
                static_cast<unsigned long long>(r.woken), static_cast<unsigned long long>(r.timed_out));
    if (!r.first_error.empty()) std::printf("  first failure: %s\n", r.first_error.substr(0, 400).c_str());
    std::fflush(stdout);
  }
  return 0;
}
