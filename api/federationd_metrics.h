// federationd's metrics: GET /metrics (Prometheus text format, prometheus-cpp's registry and
// serializer, as api/metrics.h does for coordinatord) on federationd's own loopback listener
// (metrics_listen), never on the joint book's. Read at each scrape from the fetcher's slots
// (federation/book/slot.h), plus the book listener's HTTP answers.
//
// Labels are fixed vocabularies: a coordinator's shortAlias from the federation file, status
// names, route patterns. Never a URL (an onion address is public, but a per-coordinator URL
// override may carry credentials), an error text or an order.
//
//   federationd_coordinator_up{coordinator}                            gauge 1/0 (last round good)
//   federationd_coordinator_status{coordinator,status}                 gauge 1 for online|slow|offline
//   federationd_coordinator_last_success_timestamp_seconds{coordinator} gauge (0: never)
//   federationd_coordinator_last_success_age_seconds{coordinator}      gauge (only once one succeeded)
//   federationd_coordinator_fetch_duration_seconds{coordinator}        gauge (the last round)
//   federationd_coordinator_fetch_in_progress_seconds{coordinator}     gauge (0: idle)
//   federationd_coordinator_rounds_total{coordinator,result=ok|failed} counter
//   federationd_coordinator_orders{coordinator}                        gauge (its last good book)
//   federationd_coordinators{status}                                   gauge
//   federationd_http_requests_total{route,method,status}               counter (the book's listener)
//   and the process_* families with federationd_malloc_* (api/process_metrics.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/http/observer.h"
#include "api/http/server.h"
#include "config/base/clock.h"
#include "config/base/status.h"
#include "federation/book/slot.h"

namespace api {

class FederationdMetrics {
 public:
  // `slots` gives the fetcher's current slots (thread-safe); `clock` must outlive this object.
  FederationdMetrics(std::function<std::shared_ptr<const federation::SlotList>()> slots, const base::Clock& clock,
                     int64_t slow_after_ms);
  ~FederationdMetrics();
  FederationdMetrics(const FederationdMetrics&) = delete;
  FederationdMetrics& operator=(const FederationdMetrics&) = delete;

  // Counts the answers of the joint book's listener. Thread-safe.
  std::shared_ptr<http::RequestObserver> HttpObserver();
  // Every metric in the Prometheus text format (version 0.0.4). Thread-safe.
  std::string Scrape() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Registers GET /metrics. REQUIRES: before server.Start(); the server is the metrics listener.
base::Status RegisterFederationdMetricsRoute(http::HttpServer& server, std::shared_ptr<const FederationdMetrics> metrics);

}  // namespace api
