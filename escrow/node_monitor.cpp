#include "escrow/node_monitor.h"

#include "config/base/log.h"

namespace escrow {

NodeMonitor::NodeMonitor(LightningNode& node, uint32_t initial_height, Options options,
                         std::function<void(uint32_t)> on_height)
    : m_node(node), m_options(options), m_on_height(std::move(on_height)), m_height(initial_height) {}

NodeMonitor::~NodeMonitor() { Stop(); }

void NodeMonitor::Start() {
  std::lock_guard lock(m_mu);
  if (m_thread.joinable() || m_stopping) return;
  m_thread = std::thread([this] { Run(); });
}

void NodeMonitor::Stop() {
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void NodeMonitor::PollOnce() {
  const auto start = std::chrono::steady_clock::now();
  auto info = m_node.GetInfo();
  m_polls.fetch_add(1);
  if (!info.ok()) {
    if (m_reachable.exchange(false)) {
      base::Log(base::LogLevel::kWarn, "node", "the Lightning node is unreachable",
                {{"error", LnErrorCodeName(info.error().code)}});
    }
    return;
  }
  const auto took = std::chrono::steady_clock::now() - start;
  m_latency_us.store(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  m_last_ok_ms.store(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
  if (!m_reachable.exchange(true)) base::Log(base::LogLevel::kInfo, "node", "the Lightning node is reachable again");
  const uint32_t before = m_height.exchange(info->block_height);
  if (before != info->block_height) {
    base::Log(base::LogLevel::kDebug, "node", "block height",
              {{"height", std::to_string(info->block_height)}});
    if (m_on_height) m_on_height(info->block_height);
  }
}

void NodeMonitor::Run() {
  std::unique_lock lock(m_mu);
  while (!m_stopping) {
    if (m_cv.wait_for(lock, m_options.interval, [this] { return m_stopping; })) break;
    lock.unlock();
    PollOnce();
    lock.lock();
  }
}

}  // namespace escrow
