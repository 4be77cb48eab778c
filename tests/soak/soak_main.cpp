// The crash soak (issue "Proof under stress", item 1): randomized trades over HTTP against
// coordinatord (lightning.backend: lnd → the simln daemon, both child processes on loopback),
// the traders paying from their own wallets over LND's REST API, while a killer SIGKILLs and
// restarts coordinatord — and sometimes the simln daemon — at random moments. After the run
// (the killer stopped, every trade driven to its end) the money auditor (tests/support/
// auditor.h) reads the store and the coordinator's node, and the soak checks that no order is
// left in a non-terminal status. It prints trades, kills, the paths covered and every
// violation, and exits 1 on any violation (2 on a setup failure).
//
//   soak [--trades N] [--workers W] [--kill-min-ms A] [--kill-max-ms B] [--simln-kill-one-in K]
//        [--seed S] [--trade-timeout-s T] [--dir DIR] [--keep]
//
// Each worker runs trades one after another with two wallets of its own (its maker's and its
// taker's) and fresh robots per trade (keys made as RoboSats' client makes them, dated a day
// back). A trade's path is drawn at random — success with routing budgets of 1000, 0 and
// 2000 ppm; the maker cancelling; the public order, the taker bond or the escrow left to
// expire; a collaborative cancel; a dispute opened from 9 or 10 and resolved by the operator
// with each outcome; a payout failing (the buyer's node unreachable) and a new invoice; a payout
// invoice expired before the payout — and the worker then follows whatever status the order
// reaches, so that a crash, a moved clock or another trade's expiry only changes the path.
// Rewards are withdrawn into the robots' wallets as they come. The dev tax is on (share 0.2,
// a "devfund" node), so its streaming runs under the kills too.
//
// The coordinator's clock is moved ahead through its test clock file for expiries and
// disputes; every worker sees the same clock, so one trade's jump may expire another's step —
// that is part of the soak.
#include <sqlite3.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <random>

#include "config/base/log.h"
#include "tests/soak/run.h"
#include "tests/soak/worker.h"
#include "tests/support/auditor.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/simln_rest_client.h"
#include "tests/support/test_support.h"

namespace soak {
namespace {

using namespace std::chrono_literals;

// Orders the store holds in a status that is not an end: what the soak left unfinished.
std::vector<std::string> UnfinishedOrders(const std::string& db_path) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return {"cannot open " + db_path};
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT id, status FROM orders WHERE status NOT IN (4, 5, 12, 14, 17, 18) ORDER BY id",
                         -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.push_back("order " + std::to_string(sqlite3_column_int64(st, 0)) + " left in status " +
                    std::to_string(sqlite3_column_int(st, 1)));
    }
  } else {
    out.push_back(std::string("cannot read orders: ") + sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

std::optional<Options> ParseArgs(int argc, char** argv) {
  Options o;
  o.seed = static_cast<uint64_t>(std::random_device{}());
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](auto& field) {
      auto v = value();
      if (!v) return false;
      try {
        field = static_cast<std::remove_reference_t<decltype(field)>>(std::stoll(*v));
      } catch (...) {
        return false;
      }
      return true;
    };
    bool ok = true;
    if (a == "--trades") ok = number(o.trades);
    else if (a == "--workers") ok = number(o.workers);
    else if (a == "--kill-min-ms") ok = number(o.kill_min_ms);
    else if (a == "--kill-max-ms") ok = number(o.kill_max_ms);
    else if (a == "--simln-kill-one-in") ok = number(o.simln_kill_one_in);
    else if (a == "--seed") ok = number(o.seed);
    else if (a == "--trade-timeout-s") ok = number(o.trade_timeout_s);
    else if (a == "--dir") ok = static_cast<bool>((o.dir = value().value_or("")).size());
    else if (a == "--keep") o.keep = true;
    else ok = false;
    if (!ok) {
      std::cerr << "usage: soak [--trades N] [--workers W] [--kill-min-ms A] [--kill-max-ms B]\n"
                   "            [--simln-kill-one-in K] [--seed S] [--trade-timeout-s T] [--dir DIR] [--keep]\n";
      return std::nullopt;
    }
  }
  if (o.trades < 1 || o.workers < 1 || o.workers > 32 || o.kill_min_ms < 100 || o.kill_max_ms < o.kill_min_ms) {
    std::cerr << "soak: --trades ≥ 1, --workers 1..32, 100 ≤ --kill-min-ms ≤ --kill-max-ms\n";
    return std::nullopt;
  }
  return o;
}

int Main(int argc, char** argv) {
  auto parsed = ParseArgs(argc, argv);
  if (!parsed) return 2;
  // The wallets' LND clients log every stream the kills interrupt; the soak reports itself.
  base::SetLogLevel(base::LogLevel::kError);
  Run run(*parsed);
  const Options& o = run.options;
  run.dir = o.dir.empty() ? testsupport::MakeTempDir("soak") : o.dir;
  std::filesystem::create_directories(run.dir);
  run.clock_file = run.dir + "/clock";
  run.resolver_file = run.dir + "/resolver.token";
  run.simln_state = run.dir + "/simln";
  std::ofstream(run.clock_file) << 0;
  std::ofstream(run.resolver_file) << kResolverToken << "\n";
  ::chmod(run.resolver_file.c_str(), 0600);
  std::cout << "soak: seed " << o.seed << ", " << o.trades << " trades, " << o.workers << " workers, kills every "
            << o.kill_min_ms << ".." << o.kill_max_ms << " ms, in " << run.dir << std::endl;

  std::vector<std::string> wallets;
  for (int w = 0; w < o.workers; ++w) {
    wallets.push_back("maker" + std::to_string(w));
    wallets.push_back("taker" + std::to_string(w));
  }
  wallets.push_back("devfund");
  auto simln = testsupport::SimlnDaemon::Start(run.dir, wallets, kChannelSat);
  if (!simln.ok()) {
    std::cerr << "soak: " << simln.error() << "\n";
    return 2;
  }
  testsupport::CoordinatordOptions copts;
  copts.clock_file = run.clock_file;
  // The offline rates re-read once a day and counting for 1000 days: the soak's clock jumps
  // (hours, several workers at once) must never leave the coordinator without a price.
  copts.price_interval_s = 86400;
  copts.resolver_token_files = {run.resolver_file};
  copts.extra_yaml = "dev_tax: {share: 0.2, min_payment_sat: 1, interval_s: 60, retry_base_s: 1, retry_max_s: 5, "
                     "node_pubkey: \"" + (*simln)->Node("devfund")->pubkey + "\"}\n";
  const testsupport::LndEndpoint coordinator_node = *(*simln)->Node("coordinator");
  auto started = testsupport::Coordinatord::Start(run.dir, coordinator_node, copts);
  if (!started.ok()) {
    std::cerr << "soak: " << started.error() << "\n";
    return 2;
  }
  std::unique_ptr<testsupport::Coordinatord> coordinatord = std::move(started.value());
  run.SetUrls(coordinatord->api_url(), coordinatord->operator_url());

  std::vector<std::unique_ptr<testsupport::Wallet>> wallet_clients;
  for (const auto& name : wallets) {
    auto node = (*simln)->Connect(name);
    if (!node.ok()) {
      std::cerr << "soak: " << node.error() << "\n";
      return 2;
    }
    wallet_clients.push_back(std::make_unique<testsupport::Wallet>(name, std::move(node.value())));
  }

  // The killer: SIGKILL at random moments, restart on the same files.
  int coordinatord_kills = 0, simln_kills = 0;
  std::thread killer([&] {
    std::mt19937_64 rng(o.seed ^ 0x5eedULL);
    while (!run.stop_killing) {
      const int wait_ms = std::uniform_int_distribution<int>(o.kill_min_ms, o.kill_max_ms)(rng);
      for (int slept = 0; slept < wait_ms && !run.stop_killing; slept += 50) std::this_thread::sleep_for(50ms);
      if (run.stop_killing) break;
      const bool node = o.simln_kill_one_in > 0 && std::uniform_int_distribution<int>(0, o.simln_kill_one_in - 1)(rng) == 0;
      if (node) {
        (*simln)->Kill();
        ++simln_kills;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1500)(rng)));
        if (auto r = (*simln)->Restart(); !r) {
          run.Violation("simln did not restart: " + r.error());
          run.stop_killing = true;
        }
        continue;
      }
      ::kill(coordinatord->pid(), SIGKILL);
      coordinatord->Wait(30s);
      ++coordinatord_kills;
      for (int attempt = 0;; ++attempt) {
        auto again = testsupport::Coordinatord::Start(run.dir, coordinator_node, copts);
        if (again.ok()) {
          coordinatord = std::move(again.value());
          run.SetUrls(coordinatord->api_url(), coordinatord->operator_url());
          break;
        }
        if (attempt == 5) {
          run.Violation("coordinatord did not restart: " + again.error());
          run.stop_killing = true;
          break;
        }
      }
    }
  });

  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < o.workers; ++w) {
    threads.emplace_back([&, w] {
      RunWorker(run, w, *wallet_clients[static_cast<size_t>(2 * w)], *wallet_clients[static_cast<size_t>(2 * w + 1)]);
    });
  }
  // Kills stop when the last trades start, so that every trade can be driven to its end.
  while (run.next_trade.load() < o.trades && !run.stop_killing) std::this_thread::sleep_for(100ms);
  run.stop_killing = true;
  killer.join();
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  // Quiet now: the coordinator settles what is in flight (dev tax included), then the audit.
  auto coordinator_client = (*simln)->Connect("coordinator");
  std::this_thread::sleep_for(3s);
  for (const auto& u : UnfinishedOrders(run.dir + "/data/coordinator.db")) run.Violation(u);
  testsupport::AuditReport report;
  if (coordinator_client.ok()) {
    auto& node = *coordinator_client.value();
    report = testsupport::AuditStoreAgainstNode(run.dir + "/data/coordinator.db", node, 20s);
    for (const auto& v : report.violations) run.Violation("audit: " + v);
  } else {
    run.Violation("cannot reach the coordinator's node for the audit: " + coordinator_client.error());
  }

  const int stopped = coordinatord->Stop(60s).value_or(-1);
  if (stopped != 0) run.Violation("coordinatord did not stop cleanly (" + std::to_string(stopped) + ")");
  wallet_clients.clear();
  if (coordinator_client.ok()) coordinator_client.value().reset();
  (*simln)->Stop(60s);

  const auto counts = run.Counts();
  const auto violations = run.Violations();
  std::cout << "\nsoak: " << o.trades << " trades in " << static_cast<int>(seconds) << " s, "
            << coordinatord_kills << " kills of coordinatord, " << simln_kills << " of simln, seed " << o.seed
            << "\n";
  std::cout << "audit: " << report.Describe() << "\n";
  std::cout << "paths and events:\n";
  for (const auto& [what, n] : counts) std::printf("  %6d  %s\n", n, what.c_str());
  std::cout << "violations: " << violations.size() << "\n";
  for (const auto& v : violations) std::cout << "  " << v << "\n";
  if (violations.empty() && !o.keep && o.dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(run.dir, ec);
  } else {
    std::cout << "logs and state kept in " << run.dir << "\n";
  }
  return violations.empty() ? 0 : 1;
}

}  // namespace
}  // namespace soak

int main(int argc, char** argv) { return soak::Main(argc, argv); }
