// The process_* families Prometheus' client libraries export (prometheus-cpp has none), plus the
// heap glibc's malloc has handed out, read at each scrape (config/base/process_stats.h). Both
// daemons' /metrics append them:
//   process_resident_memory_bytes, process_virtual_memory_bytes       gauge
//   process_cpu_seconds_total                                         counter
//   process_start_time_seconds, process_open_fds, process_max_fds     gauge
//   process_threads                                                   gauge
//   <prefix>_malloc_in_use_bytes, <prefix>_malloc_free_bytes           gauge
// A figure that cannot be read is left out.
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace api {

void AppendProcessFamilies(std::vector<prometheus::MetricFamily>& out, const std::string& prefix);

}  // namespace api
