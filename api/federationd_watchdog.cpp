#include "api/federationd_watchdog.h"

#include "api/nostr/relay_client.h"
#include "config/base/log.h"
#include "coordinator/nostr/event.h"
#include "coordinator/prices/currencies.h"
#include "federation/watchdog/event_book.h"

namespace api {

namespace cn = coordinator::nostr;

namespace {

// http://host[:port][/…] → ws://host[:port]/relay/ (https → wss).
std::string RelayUrlOf(const std::string& base_url) {
  std::string rest;
  std::string scheme;
  if (base_url.rfind("http://", 0) == 0) {
    scheme = "ws://";
    rest = base_url.substr(7);
  } else if (base_url.rfind("https://", 0) == 0) {
    scheme = "wss://";
    rest = base_url.substr(8);
  } else {
    return "";
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  return scheme + rest + "/relay/";
}

// Every verified kind-38383 event by `pubkey` that `url` holds (REQ, until EOSE).
base::Expected<std::vector<cn::Event>, std::string> ReadEvents(const std::string& url, const std::string& proxy,
                                                               std::chrono::milliseconds timeout,
                                                               const std::string& pubkey, int64_t since) {
  nostr::RelayClient client(url, proxy, timeout);
  if (auto st = client.Connect(); !st) return base::Err(url + ": " + st.error());
  nlohmann::json filter = {{"authors", {pubkey}}, {"kinds", {38383}}, {"since", since}, {"limit", 5000}};
  if (auto st = client.Send(nlohmann::json::array({"REQ", "watchdog", filter}).dump()); !st) {
    return base::Err(url + ": " + st.error());
  }
  std::vector<cn::Event> events;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = client.Read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!m) return base::Err(url + ": " + m.error());
    if (!*m) break;
    auto j = nlohmann::json::parse(**m, nullptr, false);
    if (!j.is_array() || j.size() < 2 || !j[0].is_string()) continue;
    if (j[0] == "EOSE") {
      client.Close();
      return events;
    }
    if (j[0] == "CLOSED") return base::Err(url + ": the relay closed the REQ");
    if (j[0] != "EVENT" || j.size() < 3) continue;
    auto e = cn::ParseEvent(j[2]);
    // A relay may carry anything: only what the coordinator's key signed counts.
    if (!e || e->pubkey != pubkey || e->kind != 38383 || !cn::Verify(*e)) continue;
    events.push_back(std::move(*e));
  }
  return base::Err(url + ": no EOSE within the timeout");
}

}  // namespace

ConsistencyWatch::ConsistencyWatch(WatchdogOptions options)
    : m_options(std::move(options)), m_watchdog(m_options.grace_ms), m_event_books(m_options.coordinators.size()) {}

ConsistencyWatch::~ConsistencyWatch() { Stop(); }

void ConsistencyWatch::Start() {
  m_thread = std::thread([this] {
    std::unique_lock lock(m_mu);
    while (!m_stopping) {
      lock.unlock();
      RunOnce();
      lock.lock();
      m_cv.wait_for(lock, m_options.interval, [this] { return m_stopping; });
    }
  });
}

void ConsistencyWatch::Stop() {
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void ConsistencyWatch::RunOnce() {
  auto slots = m_options.slots ? m_options.slots() : nullptr;
  if (!slots) return;
  const auto& currencies = coordinator::CurrencyTable::Bundled();
  auto code = [&currencies](int id) {
    auto c = currencies.Code(id);
    return c ? std::string(*c) : std::string();
  };
  auto id_of = [&currencies](const std::string& code) { return currencies.Id(code); };
  for (size_t i = 0; i < m_options.coordinators.size() && i < slots->size(); ++i) {
    const WatchdogCoordinator& c = m_options.coordinators[i];
    const auto& slot = (*slots)[i];
    if (c.pubkey.empty()) continue;  // no key to verify its events by
    const int64_t book_at_ms = slot ? slot->updated_ms : 0;
    std::vector<std::string> urls = m_options.relays;
    if (urls.empty()) {
      const std::string own = RelayUrlOf(c.base_url);
      if (own.empty()) continue;
      urls.push_back(own);
    }
    const int64_t now_ms = m_options.now_ms();
    std::vector<cn::Event> events;
    std::string error;
    bool any = false;
    for (const auto& url : urls) {
      // RoboSats' client asks for the last 30 hours; so do we.
      auto got = ReadEvents(url, c.direct ? "" : m_options.socks5_proxy, m_options.timeout, c.pubkey,
                            now_ms / 1000 - 108000);
      if (!got) {
        error = got.error();
        continue;
      }
      any = true;
      for (auto& e : *got) events.push_back(std::move(e));
    }
    std::shared_ptr<const std::vector<federation::BookOrder>> event_orders;
    if (any) {
      event_orders = std::make_shared<const std::vector<federation::BookOrder>>(
          federation::BookFromEvents(events, c.short_alias, now_ms / 1000, id_of));
    }
    std::lock_guard lock(m_mu);
    m_coordinators[c.short_alias] = {{"checked_at_ms", now_ms}, {"events", events.size()}, {"error", error},
                                     {"book_at_ms", book_at_ms}};
    if (!any) continue;  // no relay answered: no opinion this round
    m_event_books[i] = {event_orders, now_ms};
    if (!slot || !slot->orders) continue;  // no book fetched yet: nothing to compare
    auto seen = federation::Compare(c.short_alias, *slot->orders, events, now_ms / 1000, code);
    for (const auto& d : m_watchdog.Observe(c.short_alias, std::move(seen), now_ms)) {
      base::Log(base::LogLevel::kWarn, "watchdog", "coordinator's book and signed events disagree",
                {{"coordinator", d.coordinator},
                 {"order_id", std::to_string(d.order_id)},
                 {"kind", d.kind},
                 {"detail", d.detail}});
    }
  }
  std::lock_guard lock(m_mu);
  ++m_rounds;
}

std::shared_ptr<const federation::SlotList> ConsistencyWatch::WithEventBooks(
    std::shared_ptr<const federation::SlotList> slots, BookFromRelays mode) const {
  if (!slots || mode == BookFromRelays::kOff) return slots;
  const int64_t now_ms = m_options.now_ms();
  std::lock_guard lock(m_mu);
  std::shared_ptr<federation::SlotList> out;
  for (size_t i = 0; i < slots->size() && i < m_event_books.size(); ++i) {
    const EventBook& book = m_event_books[i];
    const auto& slot = (*slots)[i];
    if (!slot) continue;
    // "only": a coordinator whose events were not read yet has no orders, not its API's.
    if (!book.orders && (mode == BookFromRelays::kFallback || !slot->orders)) continue;
    if (mode == BookFromRelays::kFallback &&
        (federation::StatusOf(*slot, now_ms, m_options.slow_after_ms) != federation::SlotStatus::kOffline ||
         book.read_ms <= slot->updated_ms)) {
      continue;
    }
    if (!out) out = std::make_shared<federation::SlotList>(*slots);
    auto replaced = std::make_shared<federation::CoordinatorSlot>(*slot);
    replaced->orders = book.orders;
    (*out)[i] = std::move(replaced);
  }
  if (!out) return slots;
  return out;
}

nlohmann::json ConsistencyWatch::Json() const {
  std::lock_guard lock(m_mu);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : m_watchdog.Reported(m_options.now_ms())) list.push_back(d.ToJson());
  return {{"grace_ms", m_options.grace_ms},
          {"rounds", m_rounds},
          {"coordinators", m_coordinators},
          {"discrepancies", list}};
}

}  // namespace api
