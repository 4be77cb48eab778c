// coordinatord's memory, for the load generator and the benchmarks: its RSS from /proc, and from
// its /metrics (operator listener) the heap malloc has handed out, the free bytes malloc keeps in
// its arenas, SQLite's memory and the thread count — so that a growing RSS can be told apart
// from a growing heap.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace testsupport {

struct MemorySample {
  int64_t rss_kib = 0;    // VmRSS; 0 if unreadable
  double heap_mib = -1;   // coordinator_malloc_in_use_bytes; -1 if the scrape failed
  double free_mib = -1;   // coordinator_malloc_free_bytes
  double sqlite_mib = -1; // coordinator_sqlite_memory_bytes
  int threads = -1;       // process_threads
};

// The value of the series `name_and_labels` (e.g. `up{job="x"}`, exactly as printed) in a
// Prometheus text scrape; nullopt if absent.
std::optional<double> ScrapedValue(const std::string& text, const std::string& name_and_labels);

// VmRSS of `pid` in KiB (0 if unreadable).
int64_t RssKiB(pid_t pid);

// The RSS of `pid` and the figures of `operator_url`/metrics.
MemorySample SampleMemory(pid_t pid, const std::string& operator_url);

}  // namespace testsupport
