#include "federation/prices/http_get.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace federation {

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  std::string body;
  size_t max_body_bytes = 0;
  bool too_large = false;
  const std::atomic<bool>* cancel = nullptr;
  bool cancelled = false;
};

size_t OnData(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->body.size() + n > t->max_body_bytes) {
    t->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

// Called often during the transfer, and about once a second while it waits.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancel != nullptr && t->cancel->load()) {
    t->cancelled = true;
    return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

base::Expected<void, std::string> CheckProxyUrl(std::string_view proxy) {
  if (proxy.empty()) return {};
  constexpr std::string_view kScheme = "socks5h://";
  if (proxy.substr(0, kScheme.size()) != kScheme) {
    return base::Err("proxy '" + std::string(proxy) +
                     "' refused: only socks5h:// is allowed (other schemes resolve names locally)");
  }
  std::string_view rest = proxy.substr(kScheme.size());
  size_t colon = rest.rfind(':');
  if (rest.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return base::Err("proxy '" + std::string(proxy) + "' refused: expected socks5h://host:port");
  }
  return {};
}

base::Expected<HttpResponse, std::string> HttpGet(const std::string& url, const HttpGetOptions& options) {
  auto proxy_ok = CheckProxyUrl(options.proxy);
  if (!proxy_ok.ok()) return base::Err(proxy_ok.error());
  GlobalInitOnce();

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return base::Err("GET " + url + ": curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const std::string& h : options.headers) {
    curl_slist* appended = curl_slist_append(headers.get(), h.c_str());
    if (appended == nullptr) return base::Err("GET " + url + ": out of memory");
    headers.release();
    headers.reset(appended);
  }

  Transfer transfer;
  transfer.max_body_bytes = options.max_body_bytes;
  transfer.cancel = options.cancel;
  char error[CURL_ERROR_SIZE] = {0};
  long timeout_ms = static_cast<long>(options.timeout.count());

  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, options.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  // "" disables proxies from the environment too: a direct connection is exactly that.
  curl_easy_setopt(c, CURLOPT_PROXY, options.proxy.c_str());
  curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
  std::unique_ptr<curl_slist, SlistDeleter> connect_to;
  for (const std::string& entry : options.connect_to) {
    curl_slist* appended = curl_slist_append(connect_to.get(), entry.c_str());
    if (appended == nullptr) return base::Err("GET " + url + ": out of memory");
    connect_to.release();
    connect_to.reset(appended);
  }
  if (connect_to) curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to.get());
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

  if (transfer.cancel != nullptr && transfer.cancel->load()) return base::Err("GET " + url + ": interrupted");
  CURLcode rc = curl_easy_perform(c);
  if (transfer.cancelled) return base::Err("GET " + url + ": interrupted");
  if (transfer.too_large) {
    return base::Err("GET " + url + ": body larger than " + std::to_string(options.max_body_bytes) +
                     " bytes");
  }
  if (rc != CURLE_OK) {
    std::string reason = error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc));
    return base::Err("GET " + url + ": " + reason);
  }
  HttpResponse response;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(transfer.body);
  return response;
}

}  // namespace federation
