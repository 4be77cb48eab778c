// Test peers on 127.0.0.1 for the price clients: a tiny HTTP/1.1 server that serves canned
// replies (and can hold a reply until released, or fail), and a SOCKS5 proxy that records the
// destination names it is asked for and connects every request to 127.0.0.1.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pricetest {

class LocalHttpServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    bool hold = false;  // answer only after ReleaseHeld() (or close at Stop)
  };
  struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names lowercased
  };

  LocalHttpServer();  // listening on 127.0.0.1:<ephemeral>
  ~LocalHttpServer();

  void Route(const std::string& path, Reply reply);
  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  int port() const { return m_port; }
  std::vector<Request> Requests() const;
  size_t HeldCount() const;
  // Sends every held reply, and later ones for held routes at once.
  void ReleaseHeld();
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);

  int m_listen_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stopping{false};
  mutable std::mutex m_mutex;
  std::condition_variable m_released_cv;
  bool m_released = false;
  size_t m_held = 0;
  std::map<std::string, Reply> m_routes;
  std::vector<Request> m_requests;
  std::vector<std::thread> m_threads;  // guarded by m_mutex (connections); m_accept separately
  std::thread m_accept;
};

class LocalSocks5Proxy {
 public:
  LocalSocks5Proxy();
  ~LocalSocks5Proxy();
  std::string Url() const { return "socks5h://127.0.0.1:" + std::to_string(m_port); }
  // "domain:<name>:<port>" or "ipv4:<a.b.c.d>:<port>" per CONNECT received.
  std::vector<std::string> Destinations() const;
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);

  int m_listen_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stopping{false};
  mutable std::mutex m_mutex;
  std::vector<std::string> m_destinations;
  std::vector<std::thread> m_threads;
  std::thread m_accept;
};

// Polls `done` every few ms until it holds or `limit` passes; returns whether it held.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(20));

// tests/adapter/prices_http/fixtures/<name>
std::string Fixture(const std::string& name);

}  // namespace pricetest
