// Workers: a small fixed pool of threads running posted tasks in FIFO order. Used by the
// desks so that node calls never run on the engine's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace escrow {

class Workers {
 public:
  explicit Workers(size_t threads);
  // Runs every task already posted, and those they post, then joins.
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  // Queues `task`. Once the destructor has begun, only a task running on the pool may post
  // (its follow-up runs before the destructor returns); any other caller is refused: false,
  // and `task` is destroyed unrun before Post returns. Never call it after the destructor
  // returned: an owner whose callbacks post must stop them first (see CallbackGate).
  bool Post(std::function<void()> task);

 private:
  void Run();
  bool OnPoolThread() const;
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::deque<std::function<void()>> m_tasks;
  bool m_stopping = false;
  std::vector<std::thread> m_threads;
  std::vector<std::thread::id> m_ids;  // of m_threads; written before any task is posted
};

// Scheduler: runs each task on its one thread once its delay has passed (steady clock).
// Tasks still waiting when it is destroyed are dropped, not run.
class Scheduler {
 public:
  Scheduler();
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void PostAfter(std::chrono::milliseconds delay, std::function<void()> task);

 private:
  void Run();
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> m_tasks;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace escrow
