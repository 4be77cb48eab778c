#include "api/federationd_metrics.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "api/process_metrics.h"

namespace api {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr std::array<federation::SlotStatus, 3> kStatuses = {
    federation::SlotStatus::kOnline, federation::SlotStatus::kSlow, federation::SlotStatus::kOffline};

// One series of a family whose values are read at scrape time.
void Add(MetricFamily& family, double value, std::vector<ClientMetric::Label> labels) {
  ClientMetric m;
  m.label = std::move(labels);
  if (family.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family.metric.push_back(std::move(m));
}

class HttpCounter final : public http::RequestObserver {
 public:
  explicit HttpCounter(prometheus::Family<prometheus::Counter>& requests) : m_requests(requests) {}
  void OnAnswered(const http::AnsweredRequest& a) override {
    m_requests
        .Add({{"route", std::string(a.route)},
              {"method", std::string(http::MethodName(a.method))},
              {"status", std::to_string(a.status)}})
        .Increment();
  }

 private:
  prometheus::Family<prometheus::Counter>& m_requests;
};

}  // namespace

struct FederationdMetrics::Impl {
  std::function<std::shared_ptr<const federation::SlotList>()> slots;
  const base::Clock* clock = nullptr;
  int64_t slow_after_ms = 0;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& http_requests =
      prometheus::BuildCounter()
          .Name("federationd_http_requests_total")
          .Help("Answers of the joint book's listener by route pattern, method and status")
          .Register(*registry);
};

FederationdMetrics::FederationdMetrics(std::function<std::shared_ptr<const federation::SlotList>()> slots,
                                       const base::Clock& clock, int64_t slow_after_ms)
    : m_impl(std::make_unique<Impl>()) {
  m_impl->slots = std::move(slots);
  m_impl->clock = &clock;
  m_impl->slow_after_ms = slow_after_ms;
}
FederationdMetrics::~FederationdMetrics() = default;

std::shared_ptr<http::RequestObserver> FederationdMetrics::HttpObserver() {
  return std::make_shared<HttpCounter>(m_impl->http_requests);
}

std::string FederationdMetrics::Scrape() const {
  std::vector<MetricFamily> out = m_impl->registry->Collect();
  const std::shared_ptr<const federation::SlotList> current = m_impl->slots();
  const federation::SlotList empty;
  const federation::SlotList& slots = current ? *current : empty;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(m_impl->clock->Now().time_since_epoch()).count();
  // Built apart, then appended (those without a series left out).
  MetricFamily up{"federationd_coordinator_up", "1 if the last fetch round of the coordinator succeeded",
                  MetricType::Gauge, {}};
  MetricFamily status{"federationd_coordinator_status",
                      "The coordinator's status as the joint book shows it (1 for the current one)", MetricType::Gauge,
                      {}};
  MetricFamily last_ok{"federationd_coordinator_last_success_timestamp_seconds",
                       "Unix time the last good round of the coordinator ended (0: none yet)", MetricType::Gauge, {}};
  MetricFamily age{"federationd_coordinator_last_success_age_seconds",
                   "Age of the coordinator's last good data (absent until one round succeeded)", MetricType::Gauge,
                   {}};
  MetricFamily latency{"federationd_coordinator_fetch_duration_seconds",
                       "Duration of the coordinator's last fetch round (info, limits and book)", MetricType::Gauge, {}};
  MetricFamily in_progress{"federationd_coordinator_fetch_in_progress_seconds",
                           "How long the round under way has been running (0: idle)", MetricType::Gauge, {}};
  MetricFamily rounds{"federationd_coordinator_rounds_total", "Fetch rounds ended, by result", MetricType::Counter,
                      {}};
  MetricFamily orders{"federationd_coordinator_orders", "Orders in the coordinator's last good book",
                      MetricType::Gauge, {}};
  MetricFamily totals{"federationd_coordinators", "Coordinators by status", MetricType::Gauge, {}};
  std::map<federation::SlotStatus, int> by_status;
  for (const auto& slot_ptr : slots) {
    if (!slot_ptr) continue;
    const federation::CoordinatorSlot& slot = *slot_ptr;
    const std::string& alias = slot.short_alias;
    const auto current = federation::StatusOf(slot, now_ms, m_impl->slow_after_ms);
    ++by_status[current];
    const bool good = slot.rounds > 0 && slot.last_error.empty();
    Add(up, good ? 1 : 0, {{"coordinator", alias}});
    for (auto s : kStatuses) {
      Add(status, s == current ? 1 : 0, {{"coordinator", alias}, {"status", std::string(federation::SlotStatusName(s))}});
    }
    Add(last_ok, static_cast<double>(slot.updated_ms) / 1000.0, {{"coordinator", alias}});
    if (slot.updated_ms > 0) {
      Add(age, static_cast<double>(std::max<int64_t>(0, now_ms - slot.updated_ms)) / 1000.0, {{"coordinator", alias}});
    }
    if (slot.latency_us >= 0) Add(latency, static_cast<double>(slot.latency_us) / 1e6, {{"coordinator", alias}});
    Add(in_progress,
        slot.in_flight_since_ms > 0 ? static_cast<double>(std::max<int64_t>(0, now_ms - slot.in_flight_since_ms)) / 1000.0
                                    : 0.0,
        {{"coordinator", alias}});
    Add(rounds, static_cast<double>(slot.good_rounds), {{"coordinator", alias}, {"result", "ok"}});
    Add(rounds, static_cast<double>(slot.rounds - slot.good_rounds), {{"coordinator", alias}, {"result", "failed"}});
    Add(orders, slot.orders ? static_cast<double>(slot.orders->size()) : 0.0, {{"coordinator", alias}});
  }
  for (auto s : kStatuses) Add(totals, by_status[s], {{"status", std::string(federation::SlotStatusName(s))}});
  for (auto* f : {&up, &status, &last_ok, &age, &latency, &in_progress, &rounds, &orders, &totals}) {
    if (!f->metric.empty()) out.push_back(std::move(*f));
  }
  AppendProcessFamilies(out, "federationd");
  return prometheus::TextSerializer().Serialize(out);
}

base::Status RegisterFederationdMetricsRoute(http::HttpServer& server, std::shared_ptr<const FederationdMetrics> metrics) {
  return server.Add(http::Method::kGet, "/metrics", [metrics](http::Request, http::Responder out) {
    out.Send(200, metrics->Scrape(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace api
