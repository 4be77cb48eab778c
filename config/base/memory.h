// The memory of a long-running daemon under glibc's malloc.
//
// glibc gives each thread that allocates an arena of its own, up to 8 × the core count; a
// daemon with a few hundred threads (coordinatord: one per LND invoice or payment stream it
// follows, besides its HTTP and engine threads) ends up with that many arenas, and the pages freed inside each stay with the process: its RSS climbs
// for minutes under steady traffic although the heap in use is flat. Two remedies, both glibc's
// own (mallopt(3) M_ARENA_MAX, malloc_trim(3)):
//   - LimitMallocArenas: at most one arena per core (threads share them; the lock is rarely
//     contended at our rates);
//   - PeriodicTrim: every interval, malloc_trim(0) hands the free pages of every arena back to
//     the kernel, those between blocks still in use too (MADV_DONTNEED).
// Under another malloc (a sanitizer's) both are harmless no-ops on glibc's unused arenas.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace base {

// Caps glibc's malloc arenas at `max_arenas` (0: the machine's core count). The operator's
// MALLOC_ARENA_MAX, when set, wins (glibc already applied it): nothing is changed. Call first
// in main, before any thread starts. Returns the cap in effect (the operator's value if set).
int LimitMallocArenas(int max_arenas = 0);

// malloc_trim(0) now. True if memory was released.
bool TrimMalloc();

// Calls TrimMalloc every `interval` on a thread of its own, until destroyed.
class PeriodicTrim {
 public:
  explicit PeriodicTrim(std::chrono::milliseconds interval);
  ~PeriodicTrim();
  PeriodicTrim(const PeriodicTrim&) = delete;
  PeriodicTrim& operator=(const PeriodicTrim&) = delete;

  // How many trims have run (tests).
  size_t Trims() const { return m_trims.load(); }

 private:
  const std::chrono::milliseconds m_interval;
  std::atomic<size_t> m_trims{0};
  std::mutex m_mu;
  std::condition_variable m_cv;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace base
