// NodeMonitor: follows the Lightning node's chain height and reachability off the engine's
// thread, by a bounded GetInfo poll (LND REST: GET /v1/getinfo — block_height). The engine
// reads the cached height cheaply (it must resolve held HTLCs before their expiry − margin,
// DESIGN.md), and is told when it moves. Also the record of when the node was (un)reachable,
// for operators and for deadlines that must not run while the node is away.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "escrow/lightning_node.h"

namespace escrow {

class NodeMonitor {
 public:
  struct Options {
    std::chrono::milliseconds interval{std::chrono::seconds(30)};  // between polls
  };
  // `on_height` runs on the monitor's thread whenever the height changes (not for the first
  // reading given to the constructor); it must not block. `initial_height` is the height read
  // at start.
  NodeMonitor(LightningNode& node, uint32_t initial_height, Options options,
              std::function<void(uint32_t)> on_height = {});
  // Stops and joins the thread.
  ~NodeMonitor();
  NodeMonitor(const NodeMonitor&) = delete;
  NodeMonitor& operator=(const NodeMonitor&) = delete;

  void Start();
  void Stop();
  // Polls once now, on the caller's thread (tests; the thread does the same every interval).
  void PollOnce();

  uint32_t BlockHeight() const { return m_height.load(); }
  bool Reachable() const { return m_reachable.load(); }
  // Unix milliseconds of the last successful poll (0: none yet).
  int64_t LastOkMs() const { return m_last_ok_ms.load(); }
  // Round trip of the last successful GetInfo.
  std::chrono::microseconds LastLatency() const { return std::chrono::microseconds(m_latency_us.load()); }
  uint64_t Polls() const { return m_polls.load(); }

 private:
  void Run();

  LightningNode& m_node;
  Options m_options;
  std::function<void(uint32_t)> m_on_height;
  std::atomic<uint32_t> m_height;
  std::atomic<bool> m_reachable{true};
  std::atomic<int64_t> m_last_ok_ms{0};
  std::atomic<int64_t> m_latency_us{0};
  std::atomic<uint64_t> m_polls{0};
  std::mutex m_mu;
  std::condition_variable m_cv;
  bool m_stopping = false;  // guarded by m_mu
  std::thread m_thread;
};

}  // namespace escrow
