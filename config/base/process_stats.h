// The process's own figures, read from /proc/self and glibc's malloc: what Prometheus' client
// libraries export as process_* (resident and virtual memory, CPU time, start time, open and
// maximum file descriptors, threads), plus the heap in use, so that an operator (and the load
// generator) can tell memory the program holds from pages the allocator merely kept.
#pragma once

#include <cstdint>

namespace base {

struct ProcessStats {
  // -1 (or a negative value): could not be read.
  int64_t resident_bytes = -1;      // VmRSS (/proc/self/stat rss × page size)
  int64_t virtual_bytes = -1;       // vsize
  double cpu_seconds = -1;          // user + system time
  double start_time_seconds = -1;   // Unix time the process started (boot time + starttime)
  int64_t open_fds = -1;            // entries of /proc/self/fd
  int64_t max_fds = -1;             // RLIMIT_NOFILE (soft)
  int64_t threads = -1;             // num_threads
  int64_t malloc_in_use_bytes = -1; // glibc mallinfo2: bytes in blocks handed out (arenas + mmap)
  int64_t malloc_free_bytes = -1;   // bytes free inside the arenas, kept by the allocator
};

// Reads the figures of the calling process now. Never throws; a figure it cannot read stays -1.
ProcessStats ReadProcessStats();

}  // namespace base
