#include "escrow/workers.h"

#include <algorithm>

namespace escrow {

Workers::Workers(size_t threads) {
  for (size_t i = 0; i < threads; ++i) {
    m_threads.emplace_back([this] { Run(); });
    m_ids.push_back(m_threads.back().get_id());
  }
}

Workers::~Workers() {
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
  }
  m_cv.notify_all();
  for (auto& t : m_threads) t.join();
}

bool Workers::Post(std::function<void()> task) {
  {
    std::lock_guard lock(m_mu);
    // A stopping pool whose threads may all have left would keep the task forever, unrun; a
    // pool thread that posts is still there to run it.
    if (m_stopping && !OnPoolThread()) return false;  // `task` is destroyed after the unlock
    m_tasks.push_back(std::move(task));
  }
  m_cv.notify_one();
  return true;
}

bool Workers::OnPoolThread() const {
  const auto me = std::this_thread::get_id();
  return std::find(m_ids.begin(), m_ids.end(), me) != m_ids.end();
}

void Workers::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(m_mu);
      m_cv.wait(lock, [&] { return m_stopping || !m_tasks.empty(); });
      if (m_tasks.empty()) return;  // stopping and drained
      task = std::move(m_tasks.front());
      m_tasks.pop_front();
    }
    task();
  }
}

Scheduler::Scheduler() : m_thread([this] { Run(); }) {}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
  }
  m_cv.notify_all();
  m_thread.join();
}

void Scheduler::PostAfter(std::chrono::milliseconds delay, std::function<void()> task) {
  {
    std::lock_guard lock(m_mu);
    m_tasks.emplace(std::chrono::steady_clock::now() + delay, std::move(task));
  }
  m_cv.notify_all();
}

void Scheduler::Run() {
  std::unique_lock lock(m_mu);
  while (!m_stopping) {
    if (m_tasks.empty()) {
      m_cv.wait(lock);
      continue;
    }
    auto first = m_tasks.begin();
    if (std::chrono::steady_clock::now() < first->first) {
      m_cv.wait_until(lock, first->first);
      continue;
    }
    auto task = std::move(first->second);
    m_tasks.erase(first);
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace escrow
