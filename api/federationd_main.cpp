// federationd: the federation's joint order book and its web page. Parse flags, load the
// config and the federation file, wire the fetcher, the view and the HTTP server, run.
#include <chrono>
#include <csignal>
#include <memory>
#include <cstdio>
#include <string>

#include "api/federationd_api.h"
#include "api/federationd_metrics.h"
#include "api/federationd_watchdog.h"
#include "api/http/server.h"
#include "config/base/clock.h"
#include "config/base/log.h"
#include "config/federationd_config.h"
#include "federation/book/federation_view.h"
#include "federation/book/fetcher.h"
#include "federation/book/targets.h"
#include "federation/model/federation_json.h"
#include "federation/model/validate.h"

namespace {

constexpr const char* kUsage =
    "usage: federationd [--config FILE] [--listen HOST:PORT]\n"
    "  Serves the joint order book of the coordinators in the federation file, fetched through\n"
    "  Tor (config/federationd.example.yaml documents every option), as JSON and as a web page,\n"
    "  and Prometheus metrics on metrics_listen.\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "federationd: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, listen_flag;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--config" || a == "--listen") && i + 1 < argc) {
      (a == "--config" ? config_path : listen_flag) = argv[++i];
      continue;
    }
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fputs(kUsage, stderr);
    return 2;
  }
  config::FederationdConfig cfg;
  if (!config_path.empty()) {
    auto loaded = config::LoadFederationdConfig(config_path);
    if (!loaded.ok()) return Fail("invalid config " + loaded.error());
    cfg = loaded.value();
  }
  if (!listen_flag.empty() && !config::ParseHostPort(listen_flag, cfg.listen)) {
    return Fail("--listen: expected HOST:PORT, got \"" + listen_flag + "\"");
  }
  base::SetLogLevel(cfg.log_level);

  auto file = federation::LoadFederation(cfg.federation_file);
  if (!file.ok()) return Fail("federation_file: " + file.error().front());
  if (auto problems = federation::ValidateFederation(*file, cfg.federation_file); !problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += "\n" + p;
    return Fail("federation_file: invalid entries:" + all);
  }
  auto planned = federation::PlanCoordinators(*file, cfg);
  if (!planned.ok()) return Fail(planned.error());

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  base::SystemClock clock;
  std::vector<federation::FetchTarget> targets;
  std::vector<federation::CoordinatorEntry> entries;
  for (auto& p : *planned) {
    targets.push_back(p.target);
    entries.push_back(std::move(p.entry));
  }
  federation::FetcherOptions fo;
  fo.proxy = cfg.proxy;
  fo.interval = std::chrono::milliseconds(cfg.refresh_interval_ms);
  fo.connect_timeout = std::chrono::milliseconds(cfg.connect_timeout_ms);
  fo.request_timeout = std::chrono::milliseconds(cfg.request_timeout_ms);
  fo.max_body_bytes = static_cast<size_t>(cfg.max_body_bytes);
  // Whom the watchdog checks (before the entries move into the view), in slot order.
  std::vector<api::WatchdogCoordinator> watched;
  for (size_t i = 0; i < entries.size(); ++i) {
    watched.push_back({entries[i].short_alias, entries[i].nostr_hex_pubkey, targets[i].base_url, targets[i].direct});
  }
  federation::BookFetcher fetcher(std::move(targets), fo, clock);

  federation::ViewOptions vo;
  vo.testnet = cfg.network == config::FederationNetwork::kTestnet;
  vo.slow_after_ms = cfg.slow_after_ms;
  vo.page_refresh_s = cfg.page_refresh_s;
  // The consistency watchdog: each coordinator's book against its signed events.
  std::unique_ptr<api::ConsistencyWatch> watch;
  if (cfg.watchdog.enabled) {
    api::WatchdogOptions wo;
    wo.coordinators = watched;
    wo.relays = cfg.watchdog.relays;
    // socks5h://host:port → host:port (the relay client resolves names through the proxy too).
    wo.socks5_proxy = cfg.proxy.rfind("socks5h://", 0) == 0 ? cfg.proxy.substr(10) : cfg.proxy;
    wo.interval = std::chrono::milliseconds(cfg.watchdog.interval_ms);
    wo.timeout = std::chrono::milliseconds(cfg.request_timeout_ms);
    wo.grace_ms = cfg.watchdog.grace_ms;
    wo.slow_after_ms = cfg.slow_after_ms;
    wo.slots = [&fetcher] { return fetcher.Slots(); };
    wo.now_ms = [&clock] {
      return static_cast<int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count());
    };
    watch = std::make_unique<api::ConsistencyWatch>(std::move(wo));
  }

  // The joint book: each coordinator's /api/book/, or its signed events (watchdog.book_from_relays).
  const api::BookFromRelays book_mode = cfg.watchdog.book_from_relays == "only"       ? api::BookFromRelays::kOnly
                                        : cfg.watchdog.book_from_relays == "fallback" ? api::BookFromRelays::kFallback
                                                                                      : api::BookFromRelays::kOff;
  federation::FederationView view(
      std::move(entries),
      [&fetcher, &watch, book_mode] {
        return watch ? watch->WithEventBooks(fetcher.Slots(), book_mode) : fetcher.Slots();
      },
      clock, vo);

  auto metrics = std::make_shared<api::FederationdMetrics>([&fetcher] { return fetcher.Slots(); }, clock,
                                                           cfg.slow_after_ms);
  api::http::HttpServer metrics_server;
  if (auto st = api::RegisterFederationdMetricsRoute(metrics_server, metrics); !st.ok()) {
    return Fail("metrics: " + st.message);
  }
  api::http::ServerOptions mo;
  mo.host = cfg.metrics_listen.host;
  mo.port = static_cast<uint16_t>(cfg.metrics_listen.port);
  mo.threads = 1;
  if (auto st = metrics_server.Start(mo); !st.ok()) {
    return Fail("metrics_listen " + cfg.metrics_listen.ToString() + ": " + st.message);
  }

  api::http::HttpServer server;
  if (auto st = api::RegisterFederationdApi(server, view, watch.get()); !st.ok()) return Fail("api: " + st.message);
  api::http::ServerOptions so;
  so.host = cfg.listen.host;
  so.port = static_cast<uint16_t>(cfg.listen.port);
  so.observer = metrics->HttpObserver();
  if (auto st = server.Start(so); !st.ok()) return Fail("listen " + cfg.listen.ToString() + ": " + st.message);
  if (auto st = fetcher.Start(); !st.ok()) return Fail("proxy: " + st.message);
  if (watch) watch->Start();

  std::printf("federationd: serving the joint book on http://%s:%u\n", cfg.listen.host.c_str(),
              static_cast<unsigned>(server.Port()));
  std::printf("federationd: metrics on http://%s:%u/metrics\n", cfg.metrics_listen.host.c_str(),
              static_cast<unsigned>(metrics_server.Port()));
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  base::Log(base::LogLevel::kInfo, "federationd", "stopping", {{"signal", std::to_string(sig)}});
  server.Stop();
  if (watch) watch->Stop();
  metrics_server.Stop();
  fetcher.Stop();
  return 0;
}
