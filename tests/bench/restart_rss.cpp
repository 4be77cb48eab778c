// bench_restart_rss (P5, P6): coordinatord as a process (lightning.backend: lnd → the simln
// daemon), with a store grown over HTTP the way traders grow it.
//   P5: coordinatord's resident memory (VmRSS of its /proc entry) at start, with `stored`
//       finished orders (made, then cancelled by their makers), and with `public` public orders
//       on top (made, bond locked, in the book).
//   P6: seconds to reconcile `public` in-flight trades after a restart: the public orders are made
//       (status 0, maker bond invoices issued), coordinatord is SIGKILLed, every wallet pays its
//       bond while it is down (the holds are ACCEPTED at the node), and coordinatord starts
//       again; the figure is from its start until /api/info/ counts every order public — that
//       is, until recovery re-watched every hold and the engine moved each order.
//
//   bench_restart_rss [stored=9000] [public=1000]
//
// Printed, not asserted. Robots are fresh per public order (one active order each) and 50 robots
// make and cancel the stored ones; keys are made as RoboSats' client makes them, a day back.
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "federation/robot/pgp_keys.h"
#include "federation/robot/token.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/memory_sample.h"
#include "tests/support/robot_client.h"
#include "tests/support/test_support.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::unique_ptr<testsupport::RobotClient> NewRobot(const std::string& url) {
  const std::string token = federation::robot::GenerateToken();
  auto keys = federation::robot::GenerateRobotKeys(token, federation::robot::DeriveFromToken(token).hash_id,
                                                   static_cast<int64_t>(std::time(nullptr)));
  if (!keys) throw std::runtime_error(keys.error());
  return std::make_unique<testsupport::RobotClient>(
      url, testsupport::RobotKeys{token, keys->public_armored, keys->encrypted_private_armored});
}

json OrderBody(int i) {
  return {{"type", i % 2},
          {"currency", 1},
          {"amount", std::to_string(30 + (i * 7) % 150)},
          {"payment_method", i % 3 ? "Strike" : "SEPA Instant"},
          {"premium", std::to_string(i % 7 - 3)}};
}

int PublicOrders(const std::string& url) {
  auto info = testsupport::RobotClient::Anonymous(url + "/api/info/", 10000);
  if (!info.ok()) return -1;
  return info.json.value("num_public_buy_orders", 0) + info.json.value("num_public_sell_orders", 0);
}

}  // namespace

int main(int argc, char** argv) {
  const int stored = argc > 1 ? std::atoi(argv[1]) : 9000;
  const int public_orders = argc > 2 ? std::atoi(argv[2]) : 1000;
  if (stored < 0 || public_orders < 1 || public_orders > 5000) {
    std::fprintf(stderr, "usage: bench_restart_rss [stored=9000] [public=1000 (1..5000)]\n");
    return 2;
  }
  const std::string dir = testsupport::MakeTempDir("bench-restart");
  const std::vector<std::string> wallets = {"w0", "w1", "w2", "w3"};
  auto simln = testsupport::SimlnDaemon::Start(dir, wallets, 500'000'000);
  if (!simln.ok()) {
    std::fprintf(stderr, "simln: %s\n", simln.error().c_str());
    return 1;
  }
  const testsupport::LndEndpoint node = *(*simln)->Node("coordinator");
  // The config as an operator writes it for a big book (the cluster's writer keeps its own
  // when the file exists).
  {
    std::ofstream out(dir + "/coordinatord.yaml");
    out << "data_dir: \"" << dir << "/data\"\nlisten: \"127.0.0.1:0\"\noperator_listen: \"127.0.0.1:0\"\n"
        << "lightning:\n  backend: lnd\n  network: regtest\n  lnd:\n"
        << "    rest_url: \"" << node.rest_url << "\"\n    tls_cert_path: \"" << node.tls_cert_path
        << "\"\n    macaroon_path: \"" << node.macaroon_path << "\"\n"
        << "prices: {source: offline}\n"
        << "trade: {max_public_orders: " << public_orders + 10 << "}\n"
        << "limits: {robot_requests_per_second: 100000, robot_burst: 100000}\n"
        << "log_level: warn\n";
  }
  auto started = testsupport::Coordinatord::Start(dir, node, testsupport::CoordinatordOptions{});
  if (!started.ok()) {
    std::fprintf(stderr, "coordinatord: %s\n", started.error().c_str());
    return 1;
  }
  auto coordinatord = std::move(started.value());
  std::this_thread::sleep_for(1s);
  const long rss_start = testsupport::RssKiB(coordinatord->pid());

  // Stored orders: 50 robots, each making and cancelling in turn.
  std::printf("making %d stored (cancelled) orders over HTTP...\n", stored);
  std::fflush(stdout);
  const auto t_stored = Clock::now();
  {
    std::atomic<int> next{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        std::vector<std::unique_ptr<testsupport::RobotClient>> robots;
        for (int r = 0; r < 12; ++r) robots.push_back(NewRobot(coordinatord->api_url()));
        for (int i = next++, k = 0; i < stored; i = next++, ++k) {
          auto& robot = *robots[static_cast<size_t>(k) % robots.size()];
          auto made = robot.Post("/api/make/", OrderBody(i));
          const int64_t id = made.json.value("id", int64_t{0});
          if (!made.ok() || id == 0 ||
              !robot.Post("/api/order/?order_id=" + std::to_string(id), {{"action", "cancel"}}).ok()) {
            if (failures++ < 3) std::fprintf(stderr, "stored order %d: %s\n", i, made.Describe().c_str());
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    if (failures > 0) std::fprintf(stderr, "%d stored orders failed\n", failures.load());
  }
  const double stored_s = std::chrono::duration<double>(Clock::now() - t_stored).count();
  const long rss_stored = testsupport::RssKiB(coordinatord->pid());

  // Public orders: made (status 0) while the coordinator runs.
  std::printf("making %d orders waiting for their bonds...\n", public_orders);
  std::fflush(stdout);
  std::vector<std::string> bonds(static_cast<size_t>(public_orders));
  {
    std::atomic<int> next{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < public_orders; i = next++) {
          auto robot = NewRobot(coordinatord->api_url());
          auto made = robot->Post("/api/make/", OrderBody(i));
          const int64_t id = made.json.value("id", int64_t{0});
          std::string bond;
          for (int attempt = 0; id > 0 && bond.empty() && attempt < 200; ++attempt) {
            bond = robot->Get("/api/order/?order_id=" + std::to_string(id)).json.value("bond_invoice", "");
            if (bond.empty()) std::this_thread::sleep_for(10ms);
          }
          if (bond.empty() && failures++ < 3) std::fprintf(stderr, "order %d: %s\n", i, made.Describe().c_str());
          bonds[static_cast<size_t>(i)] = bond;
        }
      });
    }
    for (auto& t : threads) t.join();
    if (failures > 0) {
      std::fprintf(stderr, "%d orders got no bond invoice\n", failures.load());
      return 1;
    }
  }

  // The crash, and every bond paid while coordinatord is down.
  ::kill(coordinatord->pid(), SIGKILL);
  coordinatord->Wait(30s);
  std::printf("coordinatord killed; %d bonds paid while it is down...\n", public_orders);
  std::fflush(stdout);
  {
    std::vector<std::unique_ptr<testsupport::Wallet>> payers;
    for (const auto& w : wallets) {
      auto client = (*simln)->Connect(w);
      if (!client.ok()) return 1;
      payers.push_back(std::make_unique<testsupport::Wallet>(w, std::move(client.value())));
    }
    std::vector<std::thread> threads;
    for (size_t w = 0; w < payers.size(); ++w) {
      threads.emplace_back([&, w] {
        for (size_t i = w; i < bonds.size(); i += payers.size()) payers[w]->Pay(bonds[i]);
        for (size_t i = w; i < bonds.size(); i += payers.size()) {
          testsupport::WaitUntil([&] { return payers[w]->PaymentState(bonds[i]) == "IN_FLIGHT"; }, 60s, 5ms);
        }
      });
    }
    for (auto& t : threads) t.join();
    // The payers' streams end with them; the HTLCs stay ACCEPTED at the node.
  }

  const auto t_restart = Clock::now();
  auto again = testsupport::Coordinatord::Start(dir, node, testsupport::CoordinatordOptions{});
  if (!again.ok()) {
    std::fprintf(stderr, "restart: %s\n", again.error().c_str());
    return 1;
  }
  coordinatord = std::move(again.value());
  const double serving_s = std::chrono::duration<double>(Clock::now() - t_restart).count();
  int seen = 0;
  testsupport::WaitUntil([&] { return (seen = PublicOrders(coordinatord->api_url())) >= public_orders; }, 600s, 20ms);
  const double reconcile_s = std::chrono::duration<double>(Clock::now() - t_restart).count();
  std::this_thread::sleep_for(2s);
  for (int i = 0; i < 3; ++i) testsupport::RobotClient::Anonymous(coordinatord->api_url() + "/api/book/");
  const testsupport::MemorySample full = testsupport::SampleMemory(coordinatord->pid(), coordinatord->operator_url());
  const long rss_full = static_cast<long>(full.rss_kib);

  std::printf("\nP5 coordinatord RSS: %ld KiB at start; %ld KiB with %d stored orders (made in %.0f s); "
              "%ld KiB with %d stored + %d public\n",
              rss_start, rss_stored, stored, stored_s, rss_full, stored + public_orders, public_orders);
  std::printf("P5 with %d public: heap in use %.1f MiB, free in malloc's arenas %.1f MiB, SQLite %.1f MiB, %d threads\n",
              public_orders, full.heap_mib, full.free_mib, full.sqlite_mib, full.threads);
  std::printf("P6 restart with %d in-flight trades (bonds ACCEPTED while down): serving after %.2f s, "
              "all %d public after %.2f s%s\n",
              public_orders, serving_s, seen, reconcile_s, seen >= public_orders ? "" : " (NOT ALL: gave up)");
  coordinatord->Stop(60s);
  (*simln)->Stop(60s);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return seen >= public_orders ? 0 : 1;
}
