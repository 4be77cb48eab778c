// coordinatord: parse flags, load config, wire the parts, run. See README.md.
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>

#include "api/admin_api.h"
#include "api/chat_socket.h"
#include "api/federation_entry_command.h"
#include "api/http/server.h"
#include "api/metrics.h"
#include "api/nostr/info_publisher.h"
#include "api/nostr/publisher.h"
#include "coordinator/nostr/info_event.h"
#include "api/nostr/relay.h"
#include "api/payout_preflight.h"
#include "api/public_api.h"
#include "config/base/log.h"
#include "config/base/memory.h"
#include "config/coordinator_config.h"
#include "coordinator/dev_tax.h"
#include "federation/devtax/lnurl_pay.h"
#include "coordinator/engine.h"
#include "coordinator/prices/currencies.h"
#include "coordinator/prices/offline_source.h"
#include "coordinator/prices/price_book.h"
#include "coordinator/store/backup.h"
#include "coordinator/store/figures.h"
#include "coordinator/store/store.h"
#include "escrow/hold_desk.h"
#include "escrow/lnd/lnd_node.h"
#include "escrow/node_monitor.h"
#include "coordinator/market_history.h"
#include "escrow/payout_desk.h"
#include "escrow/simln/embedded.h"
#include "escrow/timed_node.h"
#include "federation/keys/nostr_key.h"
#include "federation/prices/http_price_source.h"
#include "federation/prices/price_fetcher.h"

namespace {

constexpr const char* kUsage =
    "usage: coordinatord [--config FILE] [--data-dir DIR] [--listen HOST:PORT] [--restore FILE]\n"
    "       coordinatord federation-entry --config FILE [--data-dir DIR]\n"
    "  Runs the coordinator. Without --config, the embedded defaults: a SQLite file and an\n"
    "  in-process simulated Lightning network under the data dir (./data).\n"
    "  --restore FILE: first checks FILE (a `coordctl backup`), puts it in place as the data dir's\n"
    "  database (which must not exist yet), then starts and reconciles every open intent and\n"
    "  hold invoice with the node.\n";

// The engine's view of prices: the median book, by RoboSats currency id.
class BookRates final : public coordinator::RateSource {
 public:
  BookRates(const coordinator::PriceBook& book, const coordinator::CurrencyTable& currencies, const base::Clock& clock)
      : m_book(book), m_currencies(currencies), m_clock(clock) {}
  std::optional<double> Rate(int currency) const override {
    auto code = m_currencies.Code(currency);
    if (!code) return std::nullopt;
    auto quote = m_book.Price(*code, m_clock.Now());
    if (!quote || !(quote->price > 0)) return std::nullopt;
    return quote->price;
  }

 private:
  const coordinator::PriceBook& m_book;
  const coordinator::CurrencyTable& m_currencies;
  const base::Clock& m_clock;
};

// Test-only (like COORDINATORD_CRASH_AT): COORDINATORD_TEST_CLOCK_FILE names a file holding a
// number of seconds added to the real time, re-read at most every 50 ms, so that a
// multi-process test can move the coordinator a day ahead. Unset in production.
class OffsetFileClock final : public base::Clock {
 public:
  explicit OffsetFileClock(std::string path) : m_path(std::move(path)) {}
  base::TimePoint Now() const override {
    const auto real = std::chrono::system_clock::now();
    std::lock_guard lock(m_mu);
    if (real - m_read_at > std::chrono::milliseconds(50)) {
      std::ifstream in(m_path);
      long long offset = 0;
      if (in >> offset) m_offset = std::chrono::seconds(offset);
      m_read_at = real;
    }
    return real + m_offset;
  }

 private:
  std::string m_path;
  mutable std::mutex m_mu;
  mutable std::chrono::system_clock::time_point m_read_at{};
  mutable std::chrono::seconds m_offset{0};
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "coordinatord: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "federation-entry") return api::RunFederationEntry(argc - 1, argv + 1);
  // Before any thread: a few hundred threads would otherwise each get a malloc arena whose free
  // pages stay with the process (config/base/memory.h; the load test's RSS over time).
  base::LimitMallocArenas();
  std::string config_path, data_dir_flag, listen_flag, restore_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--config" && value(config_path)) continue;
    if (a == "--data-dir" && value(data_dir_flag)) continue;
    if (a == "--listen" && value(listen_flag)) continue;
    if (a == "--restore" && value(restore_path)) continue;
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fputs(kUsage, stderr);
    return 2;
  }

  // Config: the file (validated, errors name the key), then the flags.
  config::CoordinatorConfig cfg;
  if (!config_path.empty()) {
    auto loaded = config::LoadCoordinatorConfig(config_path);
    if (!loaded.ok()) return Fail("invalid config " + config_path + ":\n" + loaded.error());
    cfg = loaded.value();
  }
  if (!data_dir_flag.empty()) cfg.data_dir = data_dir_flag;
  if (!listen_flag.empty()) {
    auto colon = listen_flag.rfind(':');
    char* end = nullptr;
    long port = colon == std::string::npos ? -1 : std::strtol(listen_flag.c_str() + colon + 1, &end, 10);
    if (colon == std::string::npos || port < 0 || port > 65535 || (end && *end != '\0')) {
      return Fail("--listen: expected HOST:PORT, got \"" + listen_flag + "\"");
    }
    cfg.listen.host = listen_flag.substr(0, colon);
    cfg.listen.port = static_cast<int>(port);
  }
  if (auto refusal = config::ListenRefusal(cfg); !refusal.empty()) return Fail("listen: " + refusal);
  base::SetLogLevel(cfg.log_level);
  // The data dir holds the database (preimages), the nostr key and the simln state: a
  // world-writable one would let any local user swap them. Refused, not silently fixed.
  if (struct stat st {}; ::stat(cfg.data_dir.c_str(), &st) == 0 && (st.st_mode & S_IWOTH) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail("data_dir " + cfg.data_dir + " has mode " + mode +
                ": it is writable by every user of this machine, who could replace the database or the keys; "
                "chmod 700 " + cfg.data_dir + " (systemd's StateDirectory= makes it 0700)");
  }
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) return Fail("data_dir " + cfg.data_dir + ": " + ec.message());
  ::chmod(cfg.data_dir.c_str(), 0700);

  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  base::SystemClock system_clock;
  std::unique_ptr<OffsetFileClock> test_clock;
  if (const char* path = std::getenv("COORDINATORD_TEST_CLOCK_FILE")) test_clock = std::make_unique<OffsetFileClock>(path);
  const base::Clock& clock = test_clock ? static_cast<const base::Clock&>(*test_clock) : system_clock;

  // Lightning.
  std::unique_ptr<escrow::simln::EmbeddedNetwork> embedded;
  std::unique_ptr<escrow::LightningNode> node;
  if (cfg.lightning.backend == config::LightningBackend::kSimln) {
    std::string state_dir = config::SimlnStateDir(cfg);
    auto started = escrow::simln::EmbeddedNetwork::Start(state_dir, clock);
    if (!started.ok()) return Fail("embedded simln: " + started.error());
    embedded = std::move(started.value());
    node = embedded->network().Node("coordinator");
    base::Log(base::LogLevel::kInfo, "coordinatord", "embedded simulated Lightning network ready",
              {{"nodes_json", embedded->nodes_json_path()}});
  } else {
    escrow::lnd::LndConfig lc;
    lc.rest_url = cfg.lightning.lnd.rest_url;
    lc.tls_cert_path = cfg.lightning.lnd.tls_cert_path;
    lc.macaroon_path = cfg.lightning.lnd.macaroon_path;
    auto created = escrow::lnd::CreateLndNode(lc);
    if (!created.ok()) return Fail("lightning.lnd: " + created.error().message);
    node = std::move(created.value());
  }
  auto info = node->GetInfo();
  if (!info.ok()) return Fail(std::string("the Lightning node is unreachable: ") + info.error().message);
  if (cfg.lightning.backend == config::LightningBackend::kLnd && info->network != cfg.lightning.network) {
    // LND REST: GET /v1/getinfo — chains[0].network.
    return Fail("lightning.network is \"" + cfg.lightning.network + "\" but the node at " + cfg.lightning.lnd.rest_url +
                " is on \"" + info->network + "\" (its getinfo chains): point lightning.lnd at a " +
                cfg.lightning.network + " node, or set lightning.network: " + info->network);
  }

  // Store (restored first from a backup if asked: checked, then copied into place).
  if (!restore_path.empty()) {
    const std::string db_path = cfg.data_dir + "/coordinator.db";
    auto check = coordinator::CheckDatabase(restore_path);
    if (!check.ok()) return Fail("--restore: " + check.error());
    if (std::filesystem::exists(db_path)) {
      return Fail("--restore: " + db_path +
                  " exists; a restore never overwrites a database: move it and its -wal and -shm files aside first");
    }
    auto copied = coordinator::BackupDatabase(restore_path, db_path);
    if (!copied.ok()) return Fail("--restore: " + copied.error());
    base::Log(base::LogLevel::kInfo, "coordinatord", "database restored; open intents and hold invoices are reconciled with the node at start",
              {{"from", restore_path}, {"schema_version", std::to_string(copied->schema_version)}});
  }
  auto store = coordinator::Store::Open(cfg.data_dir + "/coordinator.db");
  if (!store.ok()) return Fail("store: " + store.error());

  // The coordinator's nostr identity (review tokens now; events and statements later). The
  // default file is made at first start.
  const bool default_nostr_key = cfg.coordinator.nostr_secret_key_file.empty();
  const std::string nostr_key_path =
      default_nostr_key ? cfg.data_dir + "/nostr.key" : cfg.coordinator.nostr_secret_key_file;
  auto nostr_key = federation::LoadNostrKey(nostr_key_path, default_nostr_key);
  if (!nostr_key.ok()) return Fail(nostr_key.error());

  // The operator's figures (metrics) on a read connection of their own.
  auto figures = coordinator::FiguresReader::Open(cfg.data_dir + "/coordinator.db");
  if (!figures.ok()) return Fail("store: " + figures.error());

  // Anonymous market reads (/api/ticks/, /api/historical/) on a connection of their own.
  auto history = coordinator::MarketHistory::Open(cfg.data_dir + "/coordinator.db");
  if (!history.ok()) return Fail("store: " + history.error());
  federation::DevFundStatements::Options devfund_options;
  devfund_options.period_s = cfg.dev_tax.statement_period_s;
  devfund_options.share_ppm = coordinator::DevTaxShareToPpm(cfg.dev_tax.share);
  auto devfund = federation::DevFundStatements::Open(cfg.data_dir + "/coordinator.db", nostr_key.value(), devfund_options);
  if (!devfund.ok()) return Fail("store: " + devfund.error());

  // Prices.
  const auto& currencies = coordinator::CurrencyTable::Bundled();
  coordinator::PriceBook book(std::chrono::seconds(cfg.prices.http.interval_s * cfg.prices.http.stale_after_intervals));
  std::vector<std::unique_ptr<coordinator::PriceSource>> sources;
  if (cfg.prices.source == config::PriceSourceKind::kOffline) {
    sources.push_back(std::make_unique<coordinator::OfflinePriceSource>(cfg.prices.offline_rates_file, clock));
  } else {
    auto http = federation::MakeHttpPriceSources(cfg.prices.http.providers, cfg.prices.http.socks5h_proxy,
                                                 std::chrono::seconds(cfg.prices.http.timeout_s), clock);
    if (!http.ok()) return Fail("prices.http: " + http.error());
    sources = std::move(http.value());
  }
  federation::PriceFetcher fetcher(std::move(sources), book, clock, std::chrono::seconds(cfg.prices.http.interval_s));
  fetcher.FetchAllOnce();
  fetcher.Start();
  BookRates rates(book, currencies, clock);

  // The engine and the money desks. They post into the engine: they are stopped (and their
  // threads joined) before it is destroyed — see the end of main.
  // Every node call of the desks and the monitor is timed for metrics (set before any runs).
  std::shared_ptr<api::Metrics> metrics;
  escrow::TimedNode timed_node(*node, [&metrics](std::string_view call, bool ok, std::chrono::nanoseconds elapsed) {
    if (metrics) metrics->ObserveLightningCall(call, ok, elapsed);
  });
  auto holds = std::make_unique<escrow::HoldDesk>(timed_node);
  auto payouts = std::make_unique<escrow::PayoutDesk>(timed_node);
  // The chain height, followed off the engine's thread (held HTLCs are resolved before their
  // expiry − margin: the engine must see the height move, with lnd as with simln).
  std::atomic<coordinator::Engine*> engine_ptr{nullptr};
  escrow::NodeMonitor::Options mo;
  mo.interval = std::chrono::seconds(cfg.lightning.chain_poll_interval_s);
  escrow::NodeMonitor monitor(timed_node, info->block_height, mo, [&engine_ptr](uint32_t) {
    if (auto* e = engine_ptr.load()) e->Tick();
  });
  coordinator::Engine::Deps deps;
  deps.store = store.value().get();
  deps.holds = holds.get();
  deps.payouts = payouts.get();
  deps.clock = &clock;
  deps.rates = &rates;
  deps.block_height = [&monitor] { return monitor.BlockHeight(); };
  // Outage-aware deadlines: the node's reachability as the monitor last saw it.
  deps.node_reachable = [&monitor] { return monitor.Reachable(); };
  deps.outage.extend_deadlines = cfg.outages.extend_deadlines;
  deps.outage.heartbeat_interval_s = cfg.outages.heartbeat_interval_s;
  deps.outage.min_gap_s = cfg.outages.min_gap_s;
  const auto& t = cfg.trade;
  coordinator::TradeParams& p = deps.params;
  p.fee = t.fee;
  p.maker_fee_share = t.maker_fee_share;
  p.min_order_sat = t.min_order_size_sat;
  p.max_order_sat = t.max_order_size_sat;
  p.max_public_orders = t.max_public_orders;
  p.bond_default = t.bond_size.default_value;
  p.bond_min = t.bond_size.min;
  p.bond_max = t.bond_size.max;
  p.public_duration_default = t.public_duration_s.default_value;
  p.public_duration_min = t.public_duration_s.min;
  p.public_duration_max = t.public_duration_s.max;
  p.escrow_duration_default = t.escrow_duration_s.default_value;
  p.escrow_duration_min = t.escrow_duration_s.min;
  p.escrow_duration_max = t.escrow_duration_s.max;
  p.maker_bond_expiry_s = t.maker_bond_expiry_s;
  p.taker_bond_expiry_s = t.taker_bond_expiry_s;
  p.fiat_exchange_duration_s = t.fiat_exchange_duration_s;
  p.penalty_timeout_s = t.penalty_timeout_s;
  p.cltv_safety_factor = t.cltv_safety_factor;
  p.block_time_s = t.block_time_s;
  p.payout_max_attempts = t.payout.max_attempts;
  p.payout_retry_interval_s = t.payout.retry_interval_s;
  p.max_routing_budget_ppm = t.payout.max_routing_budget_ppm;
  p.payout_cltv_limit_blocks = static_cast<int32_t>(t.payout.cltv_limit_blocks);
  p.payout_expiry_covers_fiat_window = t.payout.invoice_expiry == config::PayoutExpiryRule::kCoverFiatWindow;
  p.preflight_max_route_time_lock =
      t.payout.preflight.enabled ? static_cast<int32_t>(t.payout.preflight.max_final_cltv) : 0;
  p.payout_in_flight_budget_s = t.payout.in_flight_alert_s;
  p.reward_share = t.rewards_share_of_forfeited_bond;
  p.dispute_resolution_s = cfg.disputes.resolution_deadline_hours * 3600;
  deps.node.alias = info->alias;
  deps.node.pubkey = info->identity_pubkey;
  deps.node.network = info->network;
  deps.node.lnd_version = info->version;
  deps.node.block_height = info->block_height;
  deps.facts.alias = cfg.coordinator.alias;
  deps.facts.notice_message = cfg.coordinator.notice_message;
  deps.facts.notice_severity = std::string(config::NoticeSeverityName(cfg.coordinator.notice_severity));
  deps.facts.commit_hash = COORDINATORD_COMMIT;
  if (cfg.prices.source == config::PriceSourceKind::kOffline) {
    deps.facts.market_price_apis = "offline rates";
  } else {
    for (const auto& provider : cfg.prices.http.providers) {
      if (!deps.facts.market_price_apis.empty()) deps.facts.market_price_apis += ", ";
      deps.facts.market_price_apis += provider;
    }
  }
  deps.currency_code = [&currencies](int id) -> std::string {
    auto code = currencies.Code(id);
    return code ? std::string(*code) : std::string();
  };
  coordinator::DevTaxParams& dt = deps.dev_tax;
  dt.share_ppm = coordinator::DevTaxShareToPpm(cfg.dev_tax.share);
  dt.node_pubkey = cfg.dev_tax.node_pubkey;
  dt.min_payment_sat = cfg.dev_tax.min_payment_sat;
  dt.interval_s = cfg.dev_tax.interval_s;
  dt.routing_budget_ppm = cfg.dev_tax.routing_budget_ppm;
  dt.routing_budget_min_sat = cfg.dev_tax.routing_budget_min_sat;
  dt.retry_base_s = cfg.dev_tax.retry_base_s;
  dt.retry_max_s = cfg.dev_tax.retry_max_s;
  dt.coordinator_name = cfg.coordinator.alias;
  dt.lightning_address = cfg.dev_tax.lightning_address;
  // A Lightning-address payee: its invoices are fetched (LNURL-pay, through the SOCKS5h proxy)
  // on a thread of their own; stopped after the engine, before it is destroyed.
  std::unique_ptr<federation::LnurlInvoiceSource> lnurl;
  if (!cfg.dev_tax.lightning_address.empty()) {
    federation::LnurlPayOptions lo;
    lo.proxy = cfg.dev_tax.socks5h_proxy;
    lo.timeout = std::chrono::seconds(cfg.dev_tax.lightning_address_timeout_s);
    lo.test_insecure = cfg.dev_tax.lightning_address_test_insecure;
    if (lo.test_insecure) {
      base::Log(base::LogLevel::kWarn, "devtax",
                "dev_tax.lightning_address_test_insecure is on: http and private addresses are accepted (tests only)");
    }
    lnurl = std::make_unique<federation::LnurlInvoiceSource>(cfg.dev_tax.lightning_address, lo);
    deps.dev_tax_invoices = lnurl.get();
  }
  if (const char* crash = std::getenv("COORDINATORD_CRASH_AT")) deps.crash_point = crash;
  deps.nostr_key = &nostr_key.value();
  // Nostr: kind-38383 order events are signed in the engine's transitions and stored; the relay
  // at /relay/ serves them (every stored one from the start, then each new one as committed).
  const std::string nostr_pubkey = federation::NostrPubkeyHex(nostr_key.value());
  deps.nostr_facts.alias = cfg.coordinator.alias;
  deps.nostr_facts.host_name = cfg.coordinator.host_name.empty() ? cfg.listen.ToString() : cfg.coordinator.host_name;
  deps.nostr_facts.network = info->network;
  api::nostr::RelayOptions relay_options;
  relay_options.own_pubkey = nostr_pubkey;
  relay_options.federation_pubkeys = {nostr_pubkey};
  relay_options.now = [&clock] { return clock.NowSeconds(); };
  // NIP-59 gift wraps (kind 1059) only for the robots of live orders: the set the engine
  // publishes with each snapshot (rebuilt on order transitions), read without waiting for the
  // engine's thread, so a flood of gift wraps cannot slow trading down.
  relay_options.gift_wrap_recipient = [&engine_ptr](const std::string& pubkey) {
    auto* e = engine_ptr.load();
    if (e == nullptr) return false;
    auto snap = e->snapshot();
    return snap && snap->live_robot_nostr_keys && snap->live_robot_nostr_keys->count(pubkey) > 0;
  };
  // The order events are read from the store for each REQ (none is held in memory: their number
  // grows with every order): a connection of its own, one reader at a time.
  auto relay_store = coordinator::Store::Open(cfg.data_dir + "/coordinator.db");
  if (!relay_store.ok()) return Fail("relay: " + relay_store.error());
  auto relay_store_mu = std::make_shared<std::mutex>();
  relay_options.stored_events = [rs = relay_store.value().get(), relay_store_mu](int64_t since, int64_t until,
                                                                                  size_t limit) {
    std::vector<coordinator::NostrEventRecord> rows;
    {
      std::lock_guard lock(*relay_store_mu);
      rows = rs->NostrEventsNewestFirst(since, until, limit);
    }
    std::vector<api::nostr::StoredEvent> out;
    out.reserve(rows.size());
    for (auto& r : rows) {
      out.push_back({std::move(r.event_id), r.kind, std::move(r.pubkey), std::move(r.d_tag), r.created_at,
                     std::move(r.json)});
    }
    return out;
  };
  auto relay = std::make_unique<api::nostr::Relay>(relay_options);
  // Outside relays (nostr.relays): every stored event, acknowledged, retried, reconciled; the
  // engine only notifies (the publisher's threads read the rows it committed).
  std::unique_ptr<api::nostr::Publisher> publisher;
  if (!cfg.nostr.relays.empty()) {
    api::nostr::PublisherOptions po;
    po.relays = cfg.nostr.relays;
    po.db_path = cfg.data_dir + "/coordinator.db";
    po.own_pubkey = nostr_pubkey;
    po.socks5_proxy = cfg.nostr.socks5_proxy;
    po.timeout = std::chrono::seconds(cfg.nostr.publish_timeout_s);
    po.retry_base_s = cfg.nostr.retry_base_s;
    po.retry_max_s = cfg.nostr.retry_max_s;
    po.reconcile_interval = std::chrono::seconds(cfg.nostr.reconcile_interval_s);
    po.now = [&clock] { return clock.NowSeconds(); };
    auto opened = api::nostr::Publisher::Open(std::move(po));
    if (!opened) return Fail(opened.error());
    publisher = std::move(*opened);
  }
  deps.on_nostr_event = [relay = relay.get(), pub = publisher.get()](const coordinator::NostrEventRecord& record) {
    if (auto st = relay->PublishStored(record.json); !st) {
      base::Log(base::LogLevel::kError, "coordinatord", "nostr event not served", {{"error", st.error()}});
    }
    if (pub) pub->Notify();
  };
  std::unique_ptr<api::ChatSockets> chat_sockets;  // set before the engine starts
  deps.on_chat_message = [&chat_sockets](int64_t order_id, const nlohmann::json& message) {
    chat_sockets->OnMessage(order_id, message);
  };
  auto engine = std::make_unique<coordinator::Engine>(std::move(deps));
  engine->max_queued = static_cast<size_t>(cfg.limits.engine_queue);
  // Metrics before any thread calls the node (the engine's recovery does, through the desks).
  api::MetricsSources ms;
  ms.engine_queue_depth = [e = engine.get()] { return e->QueueDepth(); };
  ms.figures = figures.value().get();
  ms.node = &monitor;
  ms.prices = &book;
  ms.clock = &clock;
  ms.payout_in_flight_budget_s = cfg.trade.payout.in_flight_alert_s;
  if (publisher) ms.nostr_relays = [pub = publisher.get()] { return pub->Status(); };
  metrics = std::make_shared<api::Metrics>(std::move(ms));
  chat_sockets = std::make_unique<api::ChatSockets>(
      api::ChatSocketOptions{engine.get(), [&clock] { return clock.NowSeconds(); }});
  engine->Start();  // re-drives open intents, re-watches unresolved hold invoices
  // After a restore the node may be ahead of the file: look every unresolved hold up now
  // rather than at the first periodic sweep.
  if (!restore_path.empty()) engine->Reconcile();
  engine_ptr.store(engine.get());
  monitor.Start();

  // The public API.
  api::http::HttpServer server;
  api::PublicApiDeps api_deps;
  api_deps.engine = engine.get();
  api_deps.history = history.value().get();
  api_deps.devfund = devfund.value().get();
  api_deps.robot_rate = {cfg.limits.robot_requests_per_second, static_cast<double>(cfg.limits.robot_burst), 100000};
  api_deps.anonymous_rate = {cfg.limits.anonymous_requests_per_second, static_cast<double>(cfg.limits.anonymous_burst),
                             100000};
  api_deps.rates = &rates;
  api_deps.currencies = &currencies;
  api_deps.params = p;
  api_deps.now = [&clock] { return clock.NowSeconds(); };
  api_deps.chat_peer_live = [chat = chat_sockets.get()](int64_t order_id, const std::string& hash_id) {
    return chat->PeerConnected(order_id, hash_id);
  };
  // Payout preflight: payout and reward invoices are probed on the node before the engine
  // sees them. Destroyed after the server stopped and before the engine (its probes submit).
  std::unique_ptr<api::PayoutPreflight> preflight;
  if (cfg.trade.payout.preflight.enabled) {
    api::PayoutPreflight::Options po;
    po.timeout = std::chrono::milliseconds(cfg.trade.payout.preflight.timeout_ms);
    preflight = std::make_unique<api::PayoutPreflight>(timed_node, po);
    api_deps.probe_invoice = [pf = preflight.get()](std::string payment_request,
                                                    std::function<void(coordinator::RouteProbe)> done) {
      pf->Probe(std::move(payment_request), std::move(done));
    };
  }
  auto registered = api::RegisterPublicApi(server, std::move(api_deps));
  if (!registered.ok()) return Fail("api: " + registered.message);
  // The RoboSats client's default mode: the book from /relay/, the chat over /ws/chat/.
  // nostr.embedded_relay false: a reverse proxy sends /relay/ to a full relay (ops/nostr/).
  if (cfg.nostr.embedded_relay) {
    if (auto st = server.AddWebSocket("/relay/", relay->Acceptor()); !st.ok()) return Fail("relay: " + st.message);
  }
  if (auto st = server.AddWebSocket("/ws/chat/", chat_sockets->Acceptor()); !st.ok())
    return Fail("chat: " + st.message);
  api::http::ServerOptions so;
  so.host = cfg.listen.host;
  so.port = static_cast<uint16_t>(cfg.listen.port);
  so.max_request_bytes = static_cast<size_t>(cfg.limits.max_request_bytes);
  so.max_body_bytes = static_cast<size_t>(cfg.limits.max_body_bytes);
  so.observer = metrics->HttpObserver("public");
  auto started = server.Start(so);
  if (!started.ok()) return Fail("listen " + cfg.listen.ToString() + ": " + started.message);
  const std::string api_url = "http://" + cfg.listen.host + ":" + std::to_string(server.Port());
  // The signed info event (kind 38385) on the relay: now, on a change of /api/info/'s
  // parameters, and every few minutes.
  api::nostr::InfoPublisherOptions info_options;
  info_options.info = [&engine] {
    auto snap = engine->snapshot();
    return snap && snap->info ? *snap->info : std::string("{}");
  };
  info_options.now = [&clock] { return clock.NowSeconds(); };
  info_options.alias = cfg.coordinator.alias;
  info_options.host = cfg.coordinator.host_name.empty() ? cfg.listen.host + ":" + std::to_string(server.Port())
                                                        : cfg.coordinator.host_name;
  if (publisher) {
    // Stored, so that the outside relays get it too; its successor is dated after it.
    info_options.on_published = [pub = publisher.get()](const std::string& json) {
      if (auto st = pub->StoreSideEvent(json); !st) {
        base::Log(base::LogLevel::kError, "coordinatord", "info event not stored", {{"error", st.error()}});
      }
    };
    info_options.last_created_at = publisher->SideEventCreatedAt(coordinator::nostr::kInfoEventKind, nostr_pubkey);
  }
  api::nostr::InfoPublisher info_publisher(std::move(info_options), nostr_key.value(), *relay);
  info_publisher.Start();
  if (publisher) publisher->Start();

  // The operator's listener: the admin API (coordctl).
  auto tokens = api::LoadAdminTokens(cfg.admin.solver_token_files, cfg.admin.resolver_token_files);
  if (!tokens.ok()) return Fail(tokens.error());
  api::http::HttpServer operator_server;
  if (auto st = api::RegisterAdminApi(operator_server, *engine, std::move(tokens.value()), devfund.value().get(),
                                   publisher.get()); !st.ok()) {
    return Fail("admin api: " + st.message);
  }
  if (auto st = api::RegisterMetricsRoute(operator_server, metrics); !st.ok()) return Fail("metrics: " + st.message);
  api::http::ServerOptions oo;
  oo.host = cfg.operator_listen.host;
  oo.port = static_cast<uint16_t>(cfg.operator_listen.port);
  oo.observer = metrics->HttpObserver("operator");
  if (auto st = operator_server.Start(oo); !st.ok()) {
    return Fail("operator_listen " + cfg.operator_listen.ToString() + ": " + st.message);
  }
  const std::string operator_url = "http://" + cfg.operator_listen.host + ":" + std::to_string(operator_server.Port());
  {
    // Where tools and tests find the coordinator (the ports may have been ephemeral).
    std::ofstream out(cfg.data_dir + "/coordinatord.json.tmp");
    out << "{\"api_url\": \"" << api_url << "\", \"operator_url\": \"" << operator_url
        << "\", \"pid\": " << ::getpid() << "}\n";
    out.close();
    std::filesystem::rename(cfg.data_dir + "/coordinatord.json.tmp", cfg.data_dir + "/coordinatord.json", ec);
  }
  std::printf("coordinatord: serving the RoboSats API on %s\n", api_url.c_str());
  std::printf("coordinatord: operator API (coordctl) on %s\n", operator_url.c_str());
  if (embedded) std::printf("coordinatord: trader wallets in %s\n", embedded->nodes_json_path().c_str());
  std::fflush(stdout);

  const base::PeriodicTrim trim(std::chrono::seconds(30));
  int sig = 0;
  sigwait(&stop_signals, &sig);
  base::Log(base::LogLevel::kInfo, "coordinatord", "stopping", {{"signal", std::to_string(sig)}});
  // Shutdown, in dependency order: no more requests; no more height ticks; the engine's thread
  // stops (queued commands are answered "unavailable"); then the desks, whose node callbacks
  // post into the engine, are destroyed (joining their threads) while the engine object still
  // exists; only then the engine.
  info_publisher.Stop();
  if (publisher) publisher->Stop();
  server.Stop();
  operator_server.Stop();
  monitor.Stop();
  preflight.reset();  // its last probes still reach the engine (answered "unavailable" once stopped)
  engine_ptr.store(nullptr);
  engine->Stop();
  lnurl.reset();
  payouts.reset();
  holds.reset();
  chat_sockets.reset();
  engine.reset();
  fetcher.Stop();
  return 0;
}
