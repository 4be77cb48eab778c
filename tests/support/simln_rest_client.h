// A libcurl client for tests that talk to the simln daemon's LND REST and control APIs on the
// wire: unary calls and streams (newline-delimited JSON read in a background thread).
// Header-only; the including test binary must link libcurl (escrow_lnd brings it).
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

struct HttpOptions {
  std::string ca_file;       // pinned certificate (PEM); empty: the system's CA bundle
  std::string macaroon_hex;  // sent as Grpc-Metadata-macaroon when non-empty
  std::vector<std::string> headers;
  long timeout_ms = 15000;  // whole transfer (unary calls only)
  long connect_timeout_ms = 5000;
  // "socks5h://host:port": every request through this SOCKS5 proxy, names (.onion too)
  // resolved by the proxy. Empty: direct.
  std::string proxy;
};

struct HttpResult {
  CURLcode curl = CURLE_OK;
  long status = 0;
  std::string headers;  // raw response headers
  std::string body;
  long connects = -1;  // new connections this transfer made (0: reused keep-alive)

  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

inline void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace detail {

inline size_t AppendTo(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

inline curl_slist* Prepare(CURL* curl, const std::string& method, const std::string& url,
                           const std::string& body, const HttpOptions& options) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.proxy.empty()) curl_easy_setopt(curl, CURLOPT_PROXY, options.proxy.c_str());
  curl_slist* headers = nullptr;
  if (!options.macaroon_hex.empty()) {
    headers = curl_slist_append(headers, ("Grpc-Metadata-macaroon: " + options.macaroon_hex).c_str());
  }
  for (const auto& h : options.headers) headers = curl_slist_append(headers, h.c_str());
  if (method == "POST") {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, body.c_str());
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  return headers;
}

}  // namespace detail

// One handle = one keep-alive connection pool, so that tests can observe connection reuse.
class HttpClient {
 public:
  HttpClient() {
    CurlGlobalInit();
    m_curl = curl_easy_init();
  }
  ~HttpClient() { curl_easy_cleanup(m_curl); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult Call(const std::string& method, const std::string& url, const std::string& body = "",
                  const HttpOptions& options = {}) {
    curl_easy_reset(m_curl);
    HttpResult r;
    curl_slist* headers = detail::Prepare(m_curl, method, url, body, options);
    curl_easy_setopt(m_curl, CURLOPT_TIMEOUT_MS, options.timeout_ms);
    curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, detail::AppendTo);
    curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(m_curl, CURLOPT_HEADERFUNCTION, detail::AppendTo);
    curl_easy_setopt(m_curl, CURLOPT_HEADERDATA, &r.headers);
    r.curl = curl_easy_perform(m_curl);
    curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(m_curl, CURLINFO_NUM_CONNECTS, &r.connects);
    curl_slist_free_all(headers);
    return r;
  }

 private:
  CURL* m_curl;
};

inline HttpResult HttpCall(const std::string& method, const std::string& url, const std::string& body = "",
                           const HttpOptions& options = {}) {
  HttpClient client;
  return client.Call(method, url, body, options);
}

// A streaming call in a background thread. Lines (without the "\n") are queued as they
// arrive; the destructor aborts the transfer and joins.
class HttpStream {
 public:
  HttpStream(const std::string& method, const std::string& url, const std::string& body, HttpOptions options)
      : m_state(std::make_shared<State>()) {
    CurlGlobalInit();
    auto state = m_state;
    m_thread = std::thread([state, method, url, body, options] {
      CURL* curl = curl_easy_init();
      curl_slist* headers = detail::Prepare(curl, method, url, body, options);
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &HttpStream::OnData);
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, state.get());
      curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &HttpStream::OnHeader);
      curl_easy_setopt(curl, CURLOPT_HEADERDATA, state.get());
      curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &HttpStream::OnProgress);
      curl_easy_setopt(curl, CURLOPT_XFERINFODATA, state.get());
      CURLcode rc = curl_easy_perform(curl);
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      curl_slist_free_all(headers);
      curl_easy_cleanup(curl);
      std::lock_guard lock(state->mu);
      state->result.curl = rc;
      state->result.status = status;
      state->result.headers = state->headers;
      if (!state->partial.empty()) state->lines.push_back(state->partial);
      state->finished = true;
      state->cv.notify_all();
    });
  }
  ~HttpStream() {
    m_state->abort = true;
    if (m_thread.joinable()) m_thread.join();
  }
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  // The next complete line; nullopt on timeout or when the stream has ended with none left.
  std::optional<std::string> NextLine(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_state->mu);
    m_state->cv.wait_for(lock, timeout, [&] { return !m_state->lines.empty() || m_state->finished; });
    if (m_state->lines.empty()) return std::nullopt;
    std::string line = std::move(m_state->lines.front());
    m_state->lines.pop_front();
    return line;
  }

  // Waits for the transfer to end (bounded); returns its result.
  std::optional<HttpResult> WaitFinished(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_state->mu);
    if (!m_state->cv.wait_for(lock, timeout, [&] { return m_state->finished; })) return std::nullopt;
    return m_state->result;
  }

  std::string Headers() {
    std::lock_guard lock(m_state->mu);
    return m_state->headers;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::string> lines;
    std::string partial;
    std::string headers;
    bool finished = false;
    HttpResult result;
    std::atomic<bool> abort{false};
  };

  static size_t OnData(char* data, size_t size, size_t n, void* raw) {
    auto* s = static_cast<State*>(raw);
    std::lock_guard lock(s->mu);
    s->partial.append(data, size * n);
    size_t nl;
    while ((nl = s->partial.find('\n')) != std::string::npos) {
      s->lines.push_back(s->partial.substr(0, nl));
      s->partial.erase(0, nl + 1);
    }
    s->cv.notify_all();
    return size * n;
  }
  static size_t OnHeader(char* data, size_t size, size_t n, void* raw) {
    auto* s = static_cast<State*>(raw);
    std::lock_guard lock(s->mu);
    s->headers.append(data, size * n);
    return size * n;
  }
  static int OnProgress(void* raw, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<State*>(raw)->abort.load() ? 1 : 0;
  }

  std::shared_ptr<State> m_state;
  std::thread m_thread;
};

}  // namespace testsupport
