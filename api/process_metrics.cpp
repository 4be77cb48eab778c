#include "api/process_metrics.h"

#include "config/base/process_stats.h"

namespace api {

void AppendProcessFamilies(std::vector<prometheus::MetricFamily>& out, const std::string& prefix) {
  using prometheus::MetricType;
  const base::ProcessStats s = base::ReadProcessStats();
  auto add = [&out](std::string name, std::string help, MetricType type, double value) {
    if (value < 0) return;
    prometheus::ClientMetric m;
    if (type == MetricType::Counter) {
      m.counter.value = value;
    } else {
      m.gauge.value = value;
    }
    out.push_back(prometheus::MetricFamily{std::move(name), std::move(help), type, {std::move(m)}});
  };
  auto d = [](int64_t v) { return static_cast<double>(v); };
  add("process_resident_memory_bytes", "Resident memory size in bytes", MetricType::Gauge, d(s.resident_bytes));
  add("process_virtual_memory_bytes", "Virtual memory size in bytes", MetricType::Gauge, d(s.virtual_bytes));
  add("process_cpu_seconds_total", "User and system CPU time spent, in seconds", MetricType::Counter, s.cpu_seconds);
  add("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds", MetricType::Gauge,
      s.start_time_seconds);
  add("process_open_fds", "Open file descriptors", MetricType::Gauge, d(s.open_fds));
  add("process_max_fds", "Maximum number of open file descriptors (soft limit)", MetricType::Gauge, d(s.max_fds));
  add("process_threads", "Threads of the process", MetricType::Gauge, d(s.threads));
  add(prefix + "_malloc_in_use_bytes", "Bytes in blocks malloc has handed out and not yet had back (glibc mallinfo2)",
      MetricType::Gauge, d(s.malloc_in_use_bytes));
  add(prefix + "_malloc_free_bytes", "Free bytes malloc keeps inside its arenas (part of the resident memory)",
      MetricType::Gauge, d(s.malloc_free_bytes));
}

}  // namespace api
