#include "federation/book/fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <cassert>
#include <mutex>

#include "config/base/log.h"
#include "federation/prices/http_get.h"

namespace federation {

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

enum Kind { kInfo = 0, kLimits = 1, kBook = 2 };
constexpr const char* kPaths[] = {"/api/info/", "/api/limits/", "/api/book/"};
constexpr int kKinds = 3;

// The host of "scheme://host[:port][/…]", lower-cased.
std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of(":/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  return host;
}

bool IsOnion(const std::string& url) {
  std::string host = HostOf(url);
  return host.size() > 6 && host.compare(host.size() - 6, 6, ".onion") == 0;
}

}  // namespace

struct BookFetcher::Request {
  size_t index = 0;
  int kind = 0;
  CURL* easy = nullptr;
  std::string body;
  size_t max_body = 0;
  bool too_big = false;
  char error[CURL_ERROR_SIZE] = {0};

  static size_t Write(char* data, size_t size, size_t n, void* user) {
    auto* r = static_cast<Request*>(user);
    const size_t bytes = size * n;
    if (r->body.size() + bytes > r->max_body) {
      r->too_big = true;
      return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
    }
    r->body.append(data, bytes);
    return bytes;
  }
};

struct BookFetcher::Round {
  std::chrono::steady_clock::time_point started;
  int64_t started_ms = 0;
  int pending = 0;
  long status[kKinds] = {0, 0, 0};
  std::string body[kKinds];
  std::string error[kKinds];
  std::vector<std::unique_ptr<Request>> requests;
};

BookFetcher::BookFetcher(std::vector<FetchTarget> targets, FetcherOptions options, const base::Clock& clock)
    : m_targets(std::move(targets)), m_options(std::move(options)), m_clock(clock) {
  auto slots = std::make_shared<SlotList>();
  for (const auto& t : m_targets) {
    auto s = std::make_shared<CoordinatorSlot>();
    s->short_alias = t.short_alias;
    s->url = t.base_url;
    slots->push_back(std::move(s));
  }
  m_slots = std::move(slots);
  m_rounds.resize(m_targets.size());
  m_due.assign(m_targets.size(), std::chrono::steady_clock::time_point{});
}

BookFetcher::~BookFetcher() { Stop(); }

int64_t BookFetcher::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.Now().time_since_epoch()).count();
}

std::shared_ptr<const SlotList> BookFetcher::Slots() const {
  std::lock_guard lock(m_mu);
  return m_slots;
}

base::Status BookFetcher::Start() {
  if (m_started) return base::Status::Error(base::Status::kInvalid, "the fetcher already started");
  if (auto ok = CheckProxyUrl(m_options.proxy); !ok.ok()) {
    return base::Status::Error(base::Status::kInvalid, ok.error());
  }
  GlobalInitOnce();
  m_multi = curl_multi_init();
  if (!m_multi) return base::Status::Error(base::Status::kInternal, "curl_multi_init failed");
  // Tor circuits are costly: keep connections to each coordinator open between rounds.
  curl_multi_setopt(m_multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
  m_started = true;
  m_thread = std::thread([this] { Loop(); });
  return base::Status::Ok();
}

void BookFetcher::Stop() {
  if (!m_started) return;
  m_stop = true;
  curl_multi_wakeup(m_multi);
  if (m_thread.joinable()) m_thread.join();
  for (auto& round : m_rounds) {
    if (!round) continue;
    for (auto& r : round->requests) {
      if (!r->easy) continue;
      curl_multi_remove_handle(m_multi, r->easy);
      curl_easy_cleanup(r->easy);
      r->easy = nullptr;
    }
    round.reset();
  }
  curl_multi_cleanup(m_multi);
  m_multi = nullptr;
  m_started = false;
}

void BookFetcher::Publish(size_t index, std::shared_ptr<const CoordinatorSlot> slot) {
  {
    std::lock_guard lock(m_mu);
    auto next = std::make_shared<SlotList>(*m_slots);
    (*next)[index] = std::move(slot);
    m_slots = std::move(next);
  }
  if (on_update) on_update(index);
}

void BookFetcher::AddRequest(size_t index, int kind) {
  Round& round = *m_rounds[index];
  const FetchTarget& target = m_targets[index];
  auto r = std::make_unique<Request>();
  r->index = index;
  r->kind = kind;
  r->max_body = m_options.max_body_bytes;
  r->easy = curl_easy_init();
  if (!r->easy) {
    round.error[kind] = "curl_easy_init failed";
    return;
  }
  const std::string url = target.base_url + kPaths[kind];
  CURL* e = r->easy;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, r.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Request::Write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, r.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(m_options.request_timeout.count()));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "federationd");
  if (target.direct) {
    curl_easy_setopt(e, CURLOPT_PROXY, "");  // "" disables proxies, environment ones included
  } else {
    // The one place a request meets the proxy: socks5h only (names resolved by the proxy).
    assert(m_options.proxy.rfind("socks5h://", 0) == 0);
    curl_easy_setopt(e, CURLOPT_PROXY, m_options.proxy.c_str());
  }
  if (curl_multi_add_handle(m_multi, e) != CURLM_OK) {
    round.error[kind] = "curl_multi_add_handle failed";
    curl_easy_cleanup(e);
    r->easy = nullptr;
    return;
  }
  ++round.pending;
  round.requests.push_back(std::move(r));
}

void BookFetcher::StartRound(size_t index) {
  auto round = std::make_unique<Round>();
  round->started = std::chrono::steady_clock::now();
  round->started_ms = NowMs();
  m_rounds[index] = std::move(round);
  m_due[index] = m_rounds[index]->started + m_options.interval;
  const FetchTarget& target = m_targets[index];
  const bool onion = IsOnion(target.base_url);
  const bool proxied = !target.direct && !m_options.proxy.empty();
  if (target.base_url.empty()) {
    for (int k = 0; k < kKinds; ++k) m_rounds[index]->error[k] = "no URL for this network in the federation file";
  } else if (onion && !proxied) {
    for (int k = 0; k < kKinds; ++k) {
      m_rounds[index]->error[k] = "an .onion URL is only fetched through the socks5h:// proxy";
    }
  } else if (!target.direct && m_options.proxy.empty()) {
    for (int k = 0; k < kKinds; ++k) m_rounds[index]->error[k] = "no proxy configured for a proxied coordinator";
  } else {
    for (int k = 0; k < kKinds; ++k) AddRequest(index, k);
  }
  auto current = Slots();
  auto slot = std::make_shared<CoordinatorSlot>(*(*current)[index]);
  slot->in_flight_since_ms = m_rounds[index]->started_ms;
  if (m_rounds[index]->pending == 0) {
    EndRound(index);
    return;
  }
  Publish(index, std::move(slot));
}

void BookFetcher::Finish(Request* r, int curl_code) {
  Round& round = *m_rounds[r->index];
  const int k = r->kind;
  long status = 0;
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
  round.status[k] = status;
  if (curl_code == CURLE_OK) {
    round.body[k] = std::move(r->body);
  } else if (r->too_big) {
    round.error[k] = std::string(kPaths[k]) + ": body over " + std::to_string(m_options.max_body_bytes) + " bytes";
  } else {
    // Tor's extended SOCKS errors (0xF0–0xF7: onion descriptor not found, …) arrive as
    // CURLE_PROXY (97) with the reply code in the message.
    std::string reason = r->error[0] ? r->error : curl_easy_strerror(static_cast<CURLcode>(curl_code));
    round.error[k] = std::string(kPaths[k]) + ": " + reason;
  }
  curl_multi_remove_handle(m_multi, r->easy);
  curl_easy_cleanup(r->easy);
  r->easy = nullptr;
  if (--round.pending == 0) EndRound(r->index);
}

void BookFetcher::EndRound(size_t index) {
  std::unique_ptr<Round> round = std::move(m_rounds[index]);
  const auto now = std::chrono::steady_clock::now();
  auto current = Slots();
  auto slot = std::make_shared<CoordinatorSlot>(*(*current)[index]);
  slot->in_flight_since_ms = 0;
  slot->rounds++;
  slot->attempted_ms = NowMs();
  slot->latency_us = std::chrono::duration_cast<std::chrono::microseconds>(now - round->started).count();
  slot->latency_ms = slot->latency_us / 1000;
  // The next round: `interval` after this one started, or now if this one took longer.
  m_due[index] = std::max(m_due[index], now);

  std::string error;
  for (int k = 0; k < kKinds && error.empty(); ++k) error = round->error[k];
  nlohmann::json info, limits;
  std::vector<BookOrder> orders;
  if (error.empty()) {
    for (int k : {kInfo, kLimits}) {
      if (round->status[k] != 200) {
        error = std::string(kPaths[k]) + ": HTTP " + std::to_string(round->status[k]);
        break;
      }
      auto parsed = nlohmann::json::parse(round->body[k], nullptr, false);
      if (!parsed.is_object()) {
        error = std::string(kPaths[k]) + ": not a JSON object";
        break;
      }
      (k == kInfo ? info : limits) = std::move(parsed);
    }
  }
  if (error.empty()) {
    auto book = ParseBook(round->status[kBook], round->body[kBook], m_targets[index].short_alias);
    if (book.ok()) {
      orders = std::move(book.value());
    } else {
      error = book.error();
    }
  }
  if (error.empty()) {
    slot->orders = std::make_shared<const std::vector<BookOrder>>(std::move(orders));
    slot->info = std::make_shared<const nlohmann::json>(std::move(info));
    slot->limits = std::make_shared<const nlohmann::json>(std::move(limits));
    slot->updated_ms = slot->attempted_ms;
    slot->last_error.clear();
    slot->good_rounds++;
  } else {
    if (slot->last_error != error) {
      base::Log(base::LogLevel::kWarn, "federationd", "coordinator unreachable",
                {{"coordinator", slot->short_alias}, {"error", error}});
    }
    slot->last_error = std::move(error);
  }
  Publish(index, std::move(slot));
}

void BookFetcher::Loop() {
  CURLM* multi = static_cast<CURLM*>(m_multi);
  while (!m_stop) {
    auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < m_targets.size(); ++i) {
      if (!m_rounds[i] && now >= m_due[i]) StartRound(i);
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Request* r = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&r));
      if (r) Finish(r, msg->data.result);
    }
    // Sleep until a socket is ready, the next round is due, or Stop wakes us.
    now = std::chrono::steady_clock::now();
    auto wait = std::chrono::milliseconds(1000);
    for (size_t i = 0; i < m_targets.size(); ++i) {
      if (m_rounds[i]) continue;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m_due[i] - now);
      wait = std::min(wait, std::max(left, std::chrono::milliseconds(0)));
    }
    if (running > 0 || wait.count() > 0) {
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::max<int64_t>(wait.count(), 1)), nullptr);
    }
  }
}

}  // namespace federation
