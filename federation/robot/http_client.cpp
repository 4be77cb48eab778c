#include "federation/robot/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "federation/prices/http_get.h"

namespace federation::robot {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  std::string body;
  size_t max_body_bytes = 0;
  bool too_large = false;
};

size_t OnData(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->body.size() + n > t->max_body_bytes) {
    t->too_large = true;
    return 0;
  }
  t->body.append(data, n);
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// The host of "scheme://[userinfo@]host[:port][/…]", lower-cased.
std::string HostOf(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  std::string_view rest = url.substr(start);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    rest = rest.substr(0, rest.find(']') + 1);
  } else {
    rest = rest.substr(0, rest.find(':'));
  }
  std::string host(rest);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  return host;
}

}  // namespace

base::Expected<std::string, std::string> ProxyFor(std::string_view url, std::string_view configured) {
  if (!configured.empty()) {
    if (auto ok = federation::CheckProxyUrl(configured); !ok) return base::Err(ok.error());
    return std::string(configured);
  }
  const std::string host = HostOf(url);
  if (host.size() > 6 && host.ends_with(".onion")) return std::string(kDefaultTorProxy);
  return std::string();
}

base::Expected<HttpResponse, std::string> HttpCall(const std::string& method, const std::string& url,
                                                   const std::vector<std::string>& headers, const std::string& body,
                                                   const HttpOptions& options) {
  const std::string what = method + " " + url;
  auto proxy = ProxyFor(url, options.proxy);
  if (!proxy) return base::Err(what + ": " + proxy.error());
  GlobalInitOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return base::Err(what + ": curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> list;
  for (const std::string& h : headers) {
    curl_slist* appended = curl_slist_append(list.get(), h.c_str());
    if (appended == nullptr) return base::Err(what + ": out of memory");
    list.release();
    list.reset(appended);
  }
  Transfer transfer;
  transfer.max_body_bytes = options.max_body_bytes;
  char error[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(options.timeout.count());
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  // "" also disables proxies from the environment: a direct connection is exactly that.
  curl_easy_setopt(c, CURLOPT_PROXY, proxy->c_str());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "robot/1");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(c);
  if (transfer.too_large) {
    return base::Err(what + ": answer larger than " + std::to_string(options.max_body_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    std::string reason = error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc));
    if (!proxy->empty()) reason += " (through " + *proxy + ")";
    return base::Err(what + ": " + reason);
  }
  HttpResponse response;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(transfer.body);
  return response;
}

}  // namespace federation::robot
