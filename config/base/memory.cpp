#include "config/base/memory.h"

#include <malloc.h>

#include <cstdlib>
#include <string>

namespace base {

int LimitMallocArenas(int max_arenas) {
  if (const char* set = std::getenv("MALLOC_ARENA_MAX"); set != nullptr && *set != '\0') {
    return std::atoi(set);
  }
  if (max_arenas <= 0) {
    const unsigned cores = std::thread::hardware_concurrency();
    max_arenas = cores == 0 ? 2 : static_cast<int>(cores);
  }
  mallopt(M_ARENA_MAX, max_arenas);
  return max_arenas;
}

bool TrimMalloc() { return malloc_trim(0) == 1; }

PeriodicTrim::PeriodicTrim(std::chrono::milliseconds interval) : m_interval(interval) {
  m_thread = std::thread([this] {
    std::unique_lock lock(m_mu);
    while (!m_cv.wait_for(lock, m_interval, [this] { return m_stop; })) {
      lock.unlock();
      TrimMalloc();
      m_trims.fetch_add(1);
      lock.lock();
    }
  });
}

PeriodicTrim::~PeriodicTrim() {
  {
    std::lock_guard lock(m_mu);
    m_stop = true;
  }
  m_cv.notify_all();
  m_thread.join();
}

}  // namespace base
