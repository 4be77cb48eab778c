// Metrics: the coordinator's Prometheus registry (prometheus-cpp) and GET /metrics in the text
// exposition format, on the operator's listener only (never the public API).
//
// Events are counted as they happen (HTTP answers through api::http::RequestObserver, Lightning
// calls); levels are read at each scrape, off the engine's thread: the store's figures on a
// connection of their own (coordinator/store/figures.h), the node monitor's cached height and
// reachability, the price book, the engine's queue depth. A source left null is not exported.
//
// Labels are fixed vocabularies (route patterns, methods, statuses, enum names, price source
// names from the config): never a path, query, token, hash or key.
//
//   coordinator_http_requests_total{listener,route,method,status}       counter
//   coordinator_http_request_duration_seconds{listener,route,method}    histogram
//   coordinator_orders{status}                                          gauge (every status)
//   coordinator_locked_sats{kind=maker_bond|taker_bond|escrow}          gauge (accepted HTLCs)
//   coordinator_locked_invoices{kind}                                   gauge
//   coordinator_payouts{state}                                          gauge
//   coordinator_payout_attempts_total{result=succeeded|failed}          counter
//   coordinator_open_intents{kind}                                      gauge
//   coordinator_oldest_open_intent_age_seconds{kind}                    gauge (0: none open)
//   coordinator_payouts_in_flight                                       gauge (sent, not yet ended)
//   coordinator_payout_in_flight_oldest_age_seconds                     gauge (0: none)
//   coordinator_payouts_in_flight_overdue                               gauge (past payout_in_flight_budget_s)
//   coordinator_lightning_up                                            gauge 1/0 (last poll)
//   coordinator_lightning_last_success_timestamp_seconds                gauge
//   coordinator_lightning_call_duration_seconds{call,result}            histogram (escrow/timed_node.h)
//   coordinator_block_height                                            gauge
//   coordinator_htlc_nearest_expiry_height                              gauge (only while held)
//   coordinator_htlc_nearest_expiry_blocks                              gauge (only while held)
//   coordinator_price_source_age_seconds{source}                        gauge
//   coordinator_price_feed_age_seconds                                  gauge (freshest source)
//   coordinator_engine_queue_depth                                      gauge
//   coordinator_store_read_ok                                           gauge 1/0
//   coordinator_dev_tax_accrued_msat_total                              counter
//   coordinator_dev_tax_paid_sat_total                                  counter (succeeded keysends)
//   coordinator_dev_tax_routing_fees_sat_total                          counter
//   coordinator_dev_tax_payments_total{result=succeeded|failed}         counter
//   coordinator_dev_tax_payments_in_flight                              gauge
//   coordinator_dev_tax_pending_msat                                    gauge (accrued, not paid yet)
//   coordinator_sqlite_memory_bytes                                     gauge (sqlite3_memory_used)
// and the process_* families with coordinator_malloc_* (api/process_metrics.h).
// The publisher to outside relays (nostr.relays, api/nostr/publisher.h), one series per relay
// (label relay = its configured URL without user info, query or fragment):
//   coordinator_nostr_relay_connected{relay}                            gauge 1/0
//   coordinator_nostr_relay_events{relay}                               gauge (addresses in the store)
//   coordinator_nostr_relay_events_pending{relay}                       gauge (latest event not yet acknowledged)
//   coordinator_nostr_relay_events_failing{relay}                       gauge (refused or unanswered, retrying)
//   coordinator_nostr_relay_published_total{relay}                      counter (OK true, since start)
//   coordinator_nostr_relay_refused_total{relay}                        counter (OK false, since start)
//   coordinator_nostr_relay_last_ok_timestamp_seconds{relay}            gauge (0: none since start)
//   coordinator_nostr_relay_reconciliations_total{relay}                counter
//   coordinator_nostr_relay_healed_total{relay}                         counter (missing/stale events found)
//   coordinator_nostr_relay_last_reconcile_timestamp_seconds{relay}     gauge (0: none since start)
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/http/observer.h"
#include "api/http/server.h"
#include "api/nostr/publisher.h"
#include "config/base/clock.h"
#include "config/base/status.h"
#include "coordinator/prices/price_book.h"
#include "coordinator/store/figures.h"
#include "escrow/node_monitor.h"

namespace api {

struct MetricsSources {
  std::function<size_t()> engine_queue_depth;
  coordinator::FiguresReader* figures = nullptr;
  const escrow::NodeMonitor* node = nullptr;
  const coordinator::PriceBook* prices = nullptr;
  const base::Clock* clock = nullptr;  // REQUIRED when figures or prices are set
  int64_t payout_in_flight_budget_s = 300;  // trade.payout.in_flight_alert_s
  // The publisher's per-relay status (nostr.relays); empty: no coordinator_nostr_* metrics.
  std::function<std::vector<nostr::RelayStatus>()> nostr_relays;
};

class Metrics {
 public:
  // The sources must outlive this object (or the last Scrape).
  explicit Metrics(MetricsSources sources);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // An observer counting the answers of one listener ("public", "operator"). Thread-safe.
  std::shared_ptr<http::RequestObserver> HttpObserver(const std::string& listener);
  // One Lightning call ("getinfo", …) and how it ended. Thread-safe.
  void ObserveLightningCall(std::string_view call, bool ok, std::chrono::nanoseconds elapsed);

  // Every metric in the Prometheus text format (version 0.0.4). Thread-safe.
  std::string Scrape() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// A relay URL as shown in metrics and the admin API: without user info (ws://user:pass@host),
// query or fragment.
std::string RelayLabel(const std::string& url);

// Registers GET /metrics (Content-Type text/plain; version=0.0.4). REQUIRES: before
// server.Start(); the server is the operator's (loopback) listener.
base::Status RegisterMetricsRoute(http::HttpServer& server, std::shared_ptr<const Metrics> metrics);

}  // namespace api
