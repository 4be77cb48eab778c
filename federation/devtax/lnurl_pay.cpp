#include "federation/devtax/lnurl_pay.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "escrow/bolt11.h"
#include "escrow/crypto/sha256.h"
#include "federation/prices/http_get.h"

namespace federation {

namespace {

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool V4IsPublic(const uint8_t a[4]) {
  const uint32_t v = (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3];
  struct Net { uint32_t base; int bits; };
  // RFC 6890 special-purpose ranges that are not globally reachable, and multicast/reserved.
  static constexpr Net kBlocked[] = {
      {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},  {0xA9FE0000, 16},
      {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24}, {0xC0A80000, 16}, {0xC6120000, 15},
      {0xC6336400, 24}, {0xCB007100, 24}, {0xE0000000, 4},  {0xF0000000, 4},
  };
  for (const Net& n : kBlocked) {
    const uint32_t mask = n.bits == 0 ? 0 : ~uint32_t{0} << (32 - n.bits);
    if ((v & mask) == n.base) return false;
  }
  return true;
}

struct Target {
  std::string scheme, host;
  long port = 0;
};

base::Expected<Target, std::string> ParseUrl(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return base::Err("not a URL");
  auto part = [&](CURLUPart what, unsigned flags) -> std::string {
    char* out = nullptr;
    if (curl_url_get(u.get(), what, &out, flags) != CURLUE_OK || out == nullptr) return "";
    std::string s(out);
    curl_free(out);
    return s;
  };
  Target t;
  t.scheme = Lower(part(CURLUPART_SCHEME, 0));
  t.host = Lower(part(CURLUPART_HOST, 0));
  if (!t.host.empty() && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  const std::string port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  t.port = port.empty() ? 0 : std::strtol(port.c_str(), nullptr, 10);
  if (!part(CURLUPART_USER, 0).empty()) return base::Err("credentials in the URL are refused");
  if (t.host.empty() || t.port <= 0) return base::Err("no host or port");
  return t;
}

// GETs an LNURL endpoint with every rule, and parses its JSON (an LNURL error answer is an error).
base::Expected<nlohmann::json, std::string> GetLnurlJson(const std::string& url, const LnurlPayOptions& o) {
  auto t = ParseUrl(url);
  if (!t.ok()) return base::Err(url + ": " + t.error());
  const bool onion = EndsWith(t->host, ".onion");
  if (t->scheme != "https" && t->scheme != "http") return base::Err(url + ": only http(s) URLs are followed");
  if (t->scheme == "http" && !onion && !o.test_insecure) {
    return base::Err(url + ": plain http:// refused (https only, except .onion)");
  }
  HttpGetOptions get;
  get.proxy = o.proxy;
  get.timeout = o.timeout;
  get.follow_redirects = false;
  get.max_body_bytes = 64 << 10;
  get.headers = {"Accept: application/json"};
  get.user_agent = "coordinatord-devtax/1";
  if (!onion) {
    // Resolve once, refuse any non-public answer, and pin the connection to the checked address.
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(t->host.c_str(), nullptr, &hints, &res);
    if (rc != 0 || res == nullptr) {
      return base::Err(url + ": cannot resolve " + t->host + ": " + ::gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> hold(res, &::freeaddrinfo);
    std::string pinned;
    bool pinned_v6 = false;
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      char text[INET6_ADDRSTRLEN] = {0};
      const void* raw = a->ai_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                                                : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
      if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
      if (::inet_ntop(a->ai_family, raw, text, sizeof text) == nullptr) continue;
      if (!IsPublicAddress(text) && !o.test_insecure) {
        return base::Err(url + ": " + t->host + " resolves to the non-public address " + text +
                         "; refused (no loopback, private or link-local payees)");
      }
      if (pinned.empty() || (pinned_v6 && a->ai_family == AF_INET)) {
        pinned = text;
        pinned_v6 = a->ai_family == AF_INET6;
      }
    }
    if (pinned.empty()) return base::Err(url + ": " + t->host + " has no IPv4 or IPv6 address");
    const std::string port = std::to_string(t->port);
    get.connect_to = {t->host + ":" + port + ":" + (pinned_v6 ? "[" + pinned + "]" : pinned) + ":" + port};
  }
  auto r = HttpGet(url, get);
  if (!r.ok()) return base::Err(r.error());
  if (r->status >= 300 && r->status < 400) {
    return base::Err(url + ": answered with a redirect (HTTP " + std::to_string(r->status) +
                     "); refused: LNURL endpoints are never followed elsewhere");
  }
  if (r->status != 200) return base::Err(url + ": answered HTTP " + std::to_string(r->status));
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::Err(url + ": the answer is not a JSON object");
  if (j.value("status", std::string()) == "ERROR") {
    std::string reason = j.value("reason", std::string("(no reason)"));
    if (reason.size() > 200) reason.resize(200);
    return base::Err(url + ": the payee answered an error: " + reason);
  }
  return j;
}

std::optional<int64_t> MsatField(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  const auto& v = j[key];
  if (v.is_number_unsigned() || v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d >= 0 && d < 9e15 && d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

bool IsPublicAddress(const std::string& ip) {
  uint8_t b[16];
  if (::inet_pton(AF_INET, ip.c_str(), b) == 1) return V4IsPublic(b);
  if (::inet_pton(AF_INET6, ip.c_str(), b) != 1) return false;
  static constexpr uint8_t kZero[16] = {0};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return false;  // :: and ::1
  if (std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) return V4IsPublic(b + 12);  // v4-mapped
  if (std::memcmp(b, kZero, 12) == 0) return false;  // v4-compatible (deprecated)
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) return V4IsPublic(b + 12);
  if ((b[0] & 0xfe) == 0xfc) return false;                        // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;        // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;        // fec0::/10 site-local
  if (b[0] == 0xff) return false;                                 // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // documentation
  return true;
}

base::Expected<std::string, std::string> LightningAddressUrl(const std::string& address, bool test_insecure) {
  const size_t at = address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size() || address.find('@', at + 1) != std::string::npos) {
    return base::Err("'" + address + "' is not a Lightning address (user@domain)");
  }
  const std::string user = address.substr(0, at);
  const std::string domain = Lower(address.substr(at + 1));
  for (char c : user) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '+')) {
      return base::Err("'" + address + "': the user part allows a-z 0-9 - _ . + only (LUD-16)");
    }
  }
  for (char c : domain) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':')) {
      return base::Err("'" + address + "': not a domain name");
    }
  }
  // LUD-16: https, except onion domains (http). The test opt-in serves a loopback server over http.
  const std::string host = domain.substr(0, domain.find(':'));
  const bool http = EndsWith(host, ".onion") || test_insecure;
  return (http ? "http://" : "https://") + domain + "/.well-known/lnurlp/" + user;
}

base::Expected<std::string, std::string> FetchLnurlInvoice(const std::string& address, int64_t amount_msat,
                                                           const LnurlPayOptions& options) {
  auto url = LightningAddressUrl(address, options.test_insecure);
  if (!url.ok()) return base::Err(url.error());
  auto pay = GetLnurlJson(*url, options);
  if (!pay.ok()) return base::Err(pay.error());
  const nlohmann::json& p = *pay;
  // LUD-06: {"tag": "payRequest", "callback", "minSendable", "maxSendable", "metadata"}.
  if (p.value("tag", std::string()) != "payRequest") {
    return base::Err(*url + ": tag is '" + p.value("tag", std::string()) + "', not payRequest");
  }
  const std::string callback = p.value("callback", std::string());
  const std::string metadata = p.contains("metadata") && p["metadata"].is_string() ? p["metadata"].get<std::string>() : "";
  const auto min = MsatField(p, "minSendable");
  const auto max = MsatField(p, "maxSendable");
  if (callback.empty() || metadata.empty() || !min || !max) {
    return base::Err(*url + ": a payRequest needs callback, metadata, minSendable and maxSendable");
  }
  if (amount_msat < *min || amount_msat > *max) {
    return base::Err(*url + ": the amount " + std::to_string(amount_msat) + " msat is outside the payee's bounds [" +
                     std::to_string(*min) + ", " + std::to_string(*max) + "] msat");
  }
  if (callback.find('#') != std::string::npos) return base::Err(*url + ": the callback URL has a fragment");
  const std::string invoice_url =
      callback + (callback.find('?') == std::string::npos ? "?" : "&") + "amount=" + std::to_string(amount_msat);
  auto answer = GetLnurlJson(invoice_url, options);
  if (!answer.ok()) return base::Err(answer.error());
  const std::string pr = answer->contains("pr") && (*answer)["pr"].is_string() ? (*answer)["pr"].get<std::string>() : "";
  if (pr.empty()) return base::Err(callback + ": the answer has no invoice (pr)");
  auto inv = escrow::bolt11::Decode(pr);
  if (!inv.ok()) return base::Err(callback + ": the invoice does not decode: " + inv.error());
  if (!inv->amount_msat || static_cast<int64_t>(*inv->amount_msat) != amount_msat) {
    return base::Err(callback + ": the invoice is for " +
                     (inv->amount_msat ? std::to_string(*inv->amount_msat) + " msat" : std::string("any amount")) +
                     ", not the " + std::to_string(amount_msat) + " msat asked");
  }
  const auto expected = escrow::crypto::Sha256(reinterpret_cast<const uint8_t*>(metadata.data()), metadata.size());
  if (!inv->description_hash || *inv->description_hash != expected) {
    return base::Err(callback + ": the invoice's description hash is not sha256(metadata) (LUD-06); refused");
  }
  return pr;
}

LnurlInvoiceSource::LnurlInvoiceSource(std::string address, LnurlPayOptions options)
    : m_address(std::move(address)), m_options(std::move(options)) {
  m_thread = std::thread([this] { Run(); });
}

LnurlInvoiceSource::~LnurlInvoiceSource() { Stop(); }

void LnurlInvoiceSource::Stop() {
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
    m_queue.clear();
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void LnurlInvoiceSource::FetchInvoice(int64_t amount_msat,
                                      std::function<void(base::Expected<std::string, std::string>)> done) {
  {
    std::lock_guard lock(m_mu);
    if (m_stopping) return;
    m_queue.emplace_back(amount_msat, std::move(done));
  }
  m_cv.notify_one();
}

void LnurlInvoiceSource::Run() {
  for (;;) {
    std::pair<int64_t, std::function<void(base::Expected<std::string, std::string>)>> job;
    {
      std::unique_lock lock(m_mu);
      m_cv.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
      if (m_stopping) return;
      job = std::move(m_queue.front());
      m_queue.pop_front();
    }
    auto r = FetchLnurlInvoice(m_address, job.first, m_options);
    job.second(std::move(r));
  }
}

}  // namespace federation
