#include "api/metrics.h"

#include <algorithm>
#include <array>
#include <optional>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sqlite3.h>

#include "api/process_metrics.h"
#include "config/base/log.h"
#include "coordinator/model.h"

namespace api {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Indexed by coordinator::OrderStatus.
constexpr std::array<const char*, 19> kStatusNames = {
    "waiting_maker_bond", "public",          "paused",           "waiting_taker_bond",
    "cancelled",          "expired",         "waiting_collateral_and_invoice",
    "waiting_collateral", "waiting_invoice", "sending_fiat",     "fiat_sent",
    "in_dispute",         "collaboratively_cancelled",           "sending_sats",
    "success",            "routing_failed",  "waiting_dispute_resolution",
    "maker_lost_dispute", "taker_lost_dispute"};
// coordinator::HoldRole.
constexpr std::array<const char*, 3> kHoldRoleNames = {"maker_bond", "taker_bond", "escrow"};
// coordinator::PayoutState.
constexpr std::array<const char*, 5> kPayoutStateNames = {"pending", "in_flight", "succeeded", "failed", "replaced"};
// coordinator::IntentKind (every kind named: the static_assert below).
constexpr std::array<const char*, 6> kIntentKindNames = {"add_hold", "settle_hold", "cancel_hold", "pay",
                                                         "pay_reward", "pay_dev_tax"};

static_assert(kIntentKindNames.size() == static_cast<size_t>(coordinator::IntentKind::kPayDevTax) + 1,
              "name every IntentKind: only named kinds are exported");

std::string IntentKindName(size_t kind) {
  return kind < kIntentKindNames.size() ? kIntentKindNames[kind] : "kind_" + std::to_string(kind);
}

// Request latency: from 0.5 ms (the pre-serialized book) to 10 s (a reply timeout is 30 s).
const prometheus::Histogram::BucketBoundaries kHttpBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
// Node calls: over loopback a few ms, over Tor or a busy node seconds.
const prometheus::Histogram::BucketBoundaries kNodeBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                              0.25,  0.5,    1,     2.5,  5,     10,   30};

}  // namespace

std::string RelayLabel(const std::string& url) {
  std::string out = url.substr(0, url.find_first_of("?#"));
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t host = scheme + 3;
    const size_t slash = out.find('/', host);
    const size_t at = out.rfind('@', slash == std::string::npos ? std::string::npos : slash);
    if (at != std::string::npos && at >= host && (slash == std::string::npos || at < slash)) out.erase(host, at + 1 - host);
  }
  return out;
}

namespace {

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// Scrape-time families, built by hand (their values are read, not accumulated).
class FamilyBuilder {
 public:
  FamilyBuilder(std::vector<MetricFamily>& out, std::string name, std::string help, MetricType type) : m_out(out) {
    m_out.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
    m_index = m_out.size() - 1;
  }
  void Add(double value, std::vector<ClientMetric::Label> labels = {}) {
    ClientMetric m;
    m.label = std::move(labels);
    MetricFamily& f = m_out[m_index];
    if (f.type == MetricType::Counter) {
      m.counter.value = value;
    } else {
      m.gauge.value = value;
    }
    f.metric.push_back(std::move(m));
  }

 private:
  std::vector<MetricFamily>& m_out;
  size_t m_index;
};

}  // namespace

struct Metrics::Impl {
  MetricsSources sources;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& http_requests =
      prometheus::BuildCounter()
          .Name("coordinator_http_requests_total")
          .Help("HTTP answers by listener, route pattern, method and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& http_latency =
      prometheus::BuildHistogram()
          .Name("coordinator_http_request_duration_seconds")
          .Help("From a request's headers to its answer, by listener, route pattern and method")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& node_latency =
      prometheus::BuildHistogram()
          .Name("coordinator_lightning_call_duration_seconds")
          .Help("Lightning node calls (unary: getinfo, settle_invoice, …) by call and result (ok, error)")
          .Register(*registry);

  void AddLevels(std::vector<MetricFamily>& out) const;
};

namespace {

class HttpCounter final : public http::RequestObserver {
 public:
  HttpCounter(std::string listener, prometheus::Family<prometheus::Counter>& requests,
              prometheus::Family<prometheus::Histogram>& latency)
      : m_listener(std::move(listener)), m_requests(requests), m_latency(latency) {}

  void OnAnswered(const http::AnsweredRequest& a) override {
    const std::string method(http::MethodName(a.method));
    const std::string route(a.route);
    m_requests.Add({{"listener", m_listener}, {"route", route}, {"method", method}, {"status", std::to_string(a.status)}})
        .Increment();
    m_latency.Add({{"listener", m_listener}, {"route", route}, {"method", method}}, kHttpBuckets)
        .Observe(Seconds(a.elapsed));
  }

 private:
  const std::string m_listener;
  prometheus::Family<prometheus::Counter>& m_requests;
  prometheus::Family<prometheus::Histogram>& m_latency;
};

}  // namespace

Metrics::Metrics(MetricsSources sources) : m_impl(std::make_unique<Impl>()) { m_impl->sources = std::move(sources); }
Metrics::~Metrics() = default;

std::shared_ptr<http::RequestObserver> Metrics::HttpObserver(const std::string& listener) {
  return std::make_shared<HttpCounter>(listener, m_impl->http_requests, m_impl->http_latency);
}

void Metrics::ObserveLightningCall(std::string_view call, bool ok, std::chrono::nanoseconds elapsed) {
  m_impl->node_latency.Add({{"call", std::string(call)}, {"result", ok ? "ok" : "error"}}, kNodeBuckets)
      .Observe(Seconds(elapsed));
}

void Metrics::Impl::AddLevels(std::vector<MetricFamily>& out) const {
  const MetricsSources& s = sources;
  if (s.engine_queue_depth) {
    FamilyBuilder(out, "coordinator_engine_queue_depth", "Items waiting for the engine thread", MetricType::Gauge)
        .Add(static_cast<double>(s.engine_queue_depth()));
  }
  if (s.node) {
    FamilyBuilder(out, "coordinator_lightning_up", "1 if the last poll of the Lightning node (GetInfo) succeeded",
                  MetricType::Gauge)
        .Add(s.node->Reachable() ? 1 : 0);
    FamilyBuilder(out, "coordinator_lightning_last_success_timestamp_seconds",
                  "Unix time of the last successful poll of the Lightning node (0: none yet)", MetricType::Gauge)
        .Add(static_cast<double>(s.node->LastOkMs()) / 1000.0);
    FamilyBuilder(out, "coordinator_block_height", "The chain height the Lightning node reports", MetricType::Gauge)
        .Add(s.node->BlockHeight());
  }
  if (s.prices && s.clock) {
    const auto now = s.clock->Now();
    FamilyBuilder ages(out, "coordinator_price_source_age_seconds", "Age of each price source's last good table",
                       MetricType::Gauge);
    std::optional<double> freshest;
    for (const auto& src : s.prices->Sources(now)) {
      if (!src.has_table) continue;
      const double age = std::max(0.0, std::chrono::duration<double>(now - src.fetched_at).count());
      ages.Add(age, {{"source", src.name}});
      if (!freshest || age < *freshest) freshest = age;
    }
    if (freshest) {
      FamilyBuilder(out, "coordinator_price_feed_age_seconds", "Age of the freshest price table", MetricType::Gauge)
          .Add(*freshest);
    }
  }
  if (s.nostr_relays) {
    const std::vector<nostr::RelayStatus> relays = s.nostr_relays();
    FamilyBuilder connected(out, "coordinator_nostr_relay_connected",
                            "1 while the publisher holds a WebSocket connection to the relay", MetricType::Gauge);
    FamilyBuilder events(out, "coordinator_nostr_relay_events",
                         "Event addresses in the store the relay should hold (orders, info)", MetricType::Gauge);
    FamilyBuilder pending(out, "coordinator_nostr_relay_events_pending",
                          "Event addresses whose latest event the relay has not acknowledged yet", MetricType::Gauge);
    FamilyBuilder failing(out, "coordinator_nostr_relay_events_failing",
                          "Events the relay refused or did not answer, waiting for a retry", MetricType::Gauge);
    FamilyBuilder published(out, "coordinator_nostr_relay_published_total",
                            "EVENTs the relay acknowledged (OK true) since start", MetricType::Counter);
    FamilyBuilder refused(out, "coordinator_nostr_relay_refused_total",
                          "EVENTs the relay refused (OK false) since start", MetricType::Counter);
    FamilyBuilder last_ok(out, "coordinator_nostr_relay_last_ok_timestamp_seconds",
                          "Unix time of the relay's last OK true (0: none since start)", MetricType::Gauge);
    FamilyBuilder rounds(out, "coordinator_nostr_relay_reconciliations_total",
                         "Reconciliations of the relay with the store completed since start", MetricType::Counter);
    FamilyBuilder healed(out, "coordinator_nostr_relay_healed_total",
                         "Events the reconciler found missing or stale on the relay, since start", MetricType::Counter);
    FamilyBuilder last_round(out, "coordinator_nostr_relay_last_reconcile_timestamp_seconds",
                             "Unix time of the relay's last completed reconciliation (0: none since start)",
                             MetricType::Gauge);
    for (const auto& r : relays) {
      const std::vector<ClientMetric::Label> l = {{"relay", RelayLabel(r.url)}};
      connected.Add(r.connected ? 1 : 0, l);
      events.Add(static_cast<double>(r.events), l);
      pending.Add(static_cast<double>(std::max<int64_t>(0, r.events - r.acked)), l);
      failing.Add(static_cast<double>(r.failing), l);
      published.Add(static_cast<double>(r.published), l);
      refused.Add(static_cast<double>(r.refused), l);
      last_ok.Add(static_cast<double>(r.last_ok_at), l);
      rounds.Add(static_cast<double>(r.reconciliations), l);
      healed.Add(static_cast<double>(r.healed), l);
      last_round.Add(static_cast<double>(r.last_reconcile_at), l);
    }
  }
  if (!s.figures) return;
  auto figures = s.figures->Read();
  FamilyBuilder(out, "coordinator_store_read_ok", "1 if the store's figures could be read at this scrape",
                MetricType::Gauge)
      .Add(figures.ok() ? 1 : 0);
  if (!figures.ok()) {
    base::Log(base::LogLevel::kWarn, "metrics", "cannot read the store's figures", {{"error", figures.error()}});
    return;
  }
  const coordinator::OpsFigures& f = *figures;
  FamilyBuilder orders(out, "coordinator_orders", "Orders by status", MetricType::Gauge);
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    orders.Add(static_cast<double>(f.orders_by_status[i]), {{"status", kStatusNames[i]}});
  }
  FamilyBuilder locked(out, "coordinator_locked_sats", "Sats in accepted hold invoices (HTLCs held), by kind",
                       MetricType::Gauge);
  FamilyBuilder held(out, "coordinator_locked_invoices", "Accepted hold invoices (HTLCs held), by kind",
                     MetricType::Gauge);
  for (size_t i = 0; i < kHoldRoleNames.size(); ++i) {
    locked.Add(static_cast<double>(f.held_sats[i]), {{"kind", kHoldRoleNames[i]}});
    held.Add(static_cast<double>(f.held_invoices[i]), {{"kind", kHoldRoleNames[i]}});
  }
  FamilyBuilder payouts(out, "coordinator_payouts", "Buyer payouts by state", MetricType::Gauge);
  for (size_t i = 0; i < kPayoutStateNames.size(); ++i) {
    payouts.Add(static_cast<double>(f.payouts_by_state[i]), {{"state", kPayoutStateNames[i]}});
  }
  FamilyBuilder attempts(out, "coordinator_payout_attempts_total", "Buyer payout attempts ended, by result",
                         MetricType::Counter);
  attempts.Add(static_cast<double>(f.payout_attempts_succeeded), {{"result", "succeeded"}});
  attempts.Add(static_cast<double>(f.payout_attempts_failed), {{"result", "failed"}});
  FamilyBuilder intents(out, "coordinator_open_intents", "Money side effects decided but not yet confirmed by the node",
                        MetricType::Gauge);
  FamilyBuilder ages(out, "coordinator_oldest_open_intent_age_seconds",
                     "Age of the oldest open intent of each kind (0: none open)", MetricType::Gauge);
  const int64_t now = s.clock ? s.clock->NowSeconds() : 0;
  for (size_t i = 0; i < kIntentKindNames.size(); ++i) {
    intents.Add(static_cast<double>(f.open_intents[i]), {{"kind", IntentKindName(i)}});
    const int64_t at = f.oldest_open_intent_at[i];
    ages.Add(f.open_intents[i] > 0 && at > 0 ? static_cast<double>(std::max<int64_t>(0, now - at)) : 0,
             {{"kind", IntentKindName(i)}});
  }
  // The dev tax (coordinator/dev_tax.h): exported whatever the share (zeros without one).
  FamilyBuilder(out, "coordinator_dev_tax_accrued_msat_total",
                "Millisats of trade proceeds accrued to the dev fund (floor(proceeds x share) per event)",
                MetricType::Counter)
      .Add(static_cast<double>(f.dev_tax_accrued_msat));
  FamilyBuilder(out, "coordinator_dev_tax_paid_sat_total", "Sats the dev fund received (succeeded keysends)",
                MetricType::Counter)
      .Add(static_cast<double>(f.dev_tax_paid_sat));
  FamilyBuilder(out, "coordinator_dev_tax_routing_fees_sat_total",
                "Routing fees of the succeeded dev-tax payments, paid by the coordinator", MetricType::Counter)
      .Add(static_cast<double>(f.dev_tax_fees_sat));
  FamilyBuilder dev_payments(out, "coordinator_dev_tax_payments_total", "Dev-tax payments ended, by result",
                             MetricType::Counter);
  dev_payments.Add(static_cast<double>(f.dev_tax_payments_by_state[2]), {{"result", "succeeded"}});
  dev_payments.Add(static_cast<double>(f.dev_tax_payments_by_state[3]), {{"result", "failed"}});
  FamilyBuilder(out, "coordinator_dev_tax_payments_in_flight", "Dev-tax payments under way (0 or 1)",
                MetricType::Gauge)
      .Add(static_cast<double>(f.dev_tax_payments_by_state[1]));
  FamilyBuilder(out, "coordinator_dev_tax_pending_msat",
                "Millisats accrued to the dev fund and not paid yet (accrued - paid x 1000)", MetricType::Gauge)
      .Add(static_cast<double>(f.dev_tax_pending_msat));
  // Outage-aware deadlines (coordinator/engine_outage.cpp).
  constexpr std::array<const char*, 2> kOutageReasons = {"coordinator_down", "node_unreachable"};
  FamilyBuilder outage_s(out, "coordinator_outage_seconds_total",
                         "Seconds the traders could not act (ended outages), by reason", MetricType::Counter);
  FamilyBuilder extended(out, "coordinator_deadlines_extended_total",
                         "Trade deadlines moved for an outage, by the outage's reason", MetricType::Counter);
  for (size_t i = 0; i < kOutageReasons.size(); ++i) {
    outage_s.Add(static_cast<double>(f.outage_seconds[i]), {{"reason", kOutageReasons[i]}});
    extended.Add(static_cast<double>(f.deadlines_extended[i]), {{"reason", kOutageReasons[i]}});
  }
  FamilyBuilder(out, "coordinator_deadlines_capped_total",
                "Outage extensions cut short at a held HTLC's margin (the trade then ends without penalty)",
                MetricType::Counter)
      .Add(static_cast<double>(f.deadlines_capped));
  FamilyBuilder(out, "coordinator_outage_ongoing", "1 while an outage is going on (the node is unreachable now)",
                MetricType::Gauge)
      .Add(f.outage_open ? 1 : 0);
  // A payout never sits silent (coordinator/payouts_in_flight.h).
  int64_t overdue = 0, oldest_age = 0;
  for (int64_t since : f.payouts_in_flight_since) {
    const int64_t age = std::max<int64_t>(0, now - since);
    oldest_age = std::max(oldest_age, age);
    if (age > s.payout_in_flight_budget_s) ++overdue;
  }
  FamilyBuilder(out, "coordinator_payouts_in_flight", "Buyer payouts sent to the node and not yet ended",
                MetricType::Gauge)
      .Add(static_cast<double>(f.payouts_in_flight_since.size()));
  FamilyBuilder(out, "coordinator_payout_in_flight_oldest_age_seconds",
                "Age of the oldest buyer payout in flight (0: none)", MetricType::Gauge)
      .Add(static_cast<double>(oldest_age));
  FamilyBuilder(out, "coordinator_payouts_in_flight_overdue",
                "Buyer payouts in flight for longer than their budget (trade.payout.in_flight_alert_s)",
                MetricType::Gauge)
      .Add(static_cast<double>(overdue));
  if (f.nearest_htlc_expiry_height > 0) {
    FamilyBuilder(out, "coordinator_htlc_nearest_expiry_height",
                  "The lowest expiry height of an HTLC held for a hold invoice", MetricType::Gauge)
        .Add(static_cast<double>(f.nearest_htlc_expiry_height));
    if (s.node) {
      FamilyBuilder(out, "coordinator_htlc_nearest_expiry_blocks",
                    "Blocks left before the nearest held HTLC expires (the node would cancel it)",
                    MetricType::Gauge)
          .Add(static_cast<double>(f.nearest_htlc_expiry_height - static_cast<int64_t>(s.node->BlockHeight())));
    }
  }
}

std::string Metrics::Scrape() const {
  std::vector<MetricFamily> families = m_impl->registry->Collect();
  m_impl->AddLevels(families);
  AppendProcessFamilies(families, "coordinator");
  FamilyBuilder(families, "coordinator_sqlite_memory_bytes",
                "Memory SQLite holds now, every connection's page cache and statements (sqlite3_memory_used)",
                MetricType::Gauge)
      .Add(static_cast<double>(sqlite3_memory_used()));
  return prometheus::TextSerializer().Serialize(families);
}

base::Status RegisterMetricsRoute(http::HttpServer& server, std::shared_ptr<const Metrics> metrics) {
  return server.Add(http::Method::kGet, "/metrics", [metrics](http::Request, http::Responder out) {
    // A few indexed aggregate queries on the store's read connection: fine on the operator's
    // listener (scraped every 15 s), which the public API never waits behind.
    out.Send(200, metrics->Scrape(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace api
