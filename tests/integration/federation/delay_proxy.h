// A TCP relay on loopback that makes one coordinator slow: every chunk a client sends is held
// `delay` before it reaches the upstream, so each HTTP request (kept-alive or not) is answered
// that much later. Answers flow back at once. A thread per connection; Stop joins them all.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace federation_test {

class DelayProxy {
 public:
  // Listens on 127.0.0.1 (ephemeral port) and relays to 127.0.0.1:upstream_port. nullptr if
  // the socket cannot be bound.
  static std::unique_ptr<DelayProxy> Start(int upstream_port, std::chrono::milliseconds delay);
  ~DelayProxy();
  DelayProxy(const DelayProxy&) = delete;
  DelayProxy& operator=(const DelayProxy&) = delete;

  int port() const { return m_port; }
  // Closes the listener and every relayed connection; joins the threads. Idempotent.
  void Stop();

 private:
  DelayProxy() = default;
  void Accept();
  void Relay(int client);
  bool Wait(std::chrono::milliseconds d);  // false if stopped meanwhile

  int m_listen = -1;
  int m_port = 0;
  int m_upstream_port = 0;
  std::chrono::milliseconds m_delay{0};
  std::atomic<bool> m_stop{false};
  std::thread m_acceptor;
  std::mutex m_mu;
  std::vector<std::thread> m_relays;  // guarded by m_mu
};

}  // namespace federation_test
