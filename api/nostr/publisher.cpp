#include "api/nostr/publisher.h"

#include <algorithm>
#include <atomic>
#include <set>

#include <nlohmann/json.hpp>

#include "api/nostr/relay_client.h"
#include "config/base/log.h"
#include "coordinator/nostr/event.h"
#include "coordinator/nostr/info_event.h"
#include "coordinator/nostr/order_event.h"
#include "coordinator/store/nostr_publications.h"

namespace api::nostr {

namespace cn = coordinator::nostr;
using coordinator::store::NostrPublications;
using coordinator::store::OwnEvent;
using Clock = std::chrono::steady_clock;

namespace {

// NIP-40: the event's expiration tag (0: none, or unreadable).
int64_t ExpirationOf(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded()) return 0;
  auto e = cn::ParseEvent(j);
  if (!e) return 0;
  return cn::ExpirationOf(*e).value_or(0);
}

constexpr size_t kBatch = 50;

}  // namespace

struct Publisher::Worker {
  std::string url;
  std::thread thread;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  bool notified = false;
  RelayStatus status;  // guarded by mu
};

Publisher::Publisher(PublisherOptions options, std::unique_ptr<NostrPublications> side)
    : m_options(std::move(options)), m_side(std::move(side)) {
  for (const auto& url : m_options.relays) {
    auto w = std::make_unique<Worker>();
    w->url = url;
    w->status.url = url;
    m_workers.push_back(std::move(w));
  }
}

Publisher::~Publisher() { Stop(); }

base::Expected<std::unique_ptr<Publisher>, std::string> Publisher::Open(PublisherOptions options) {
  for (const auto& url : options.relays) {
    if (!ParseRelayUrl(url)) return base::Err("nostr publisher: '" + url + "' is not a ws:// or wss:// URL");
  }
  auto side = NostrPublications::Open(options.db_path);
  if (!side) return base::Err(side.error());
  return std::unique_ptr<Publisher>(new Publisher(std::move(options), std::move(*side)));
}

void Publisher::Start() {
  for (auto& w : m_workers) {
    Worker* worker = w.get();
    worker->thread = std::thread([this, worker] { Run(*worker); });
  }
}

void Publisher::Stop() {
  for (auto& w : m_workers) {
    {
      std::lock_guard lock(w->mu);
      w->stopping = true;
    }
    w->cv.notify_all();
  }
  for (auto& w : m_workers) {
    if (w->thread.joinable()) w->thread.join();
  }
}

void Publisher::Notify() {
  for (auto& w : m_workers) {
    {
      std::lock_guard lock(w->mu);
      w->notified = true;
    }
    w->cv.notify_all();
  }
}

base::Expected<void, std::string> Publisher::StoreSideEvent(const std::string& event_json) {
  auto j = nlohmann::json::parse(event_json, nullptr, false);
  if (j.is_discarded()) return base::Err(std::string("side event: not JSON"));
  auto e = cn::ParseEvent(j);
  if (!e) return base::Err("side event: " + e.error());
  OwnEvent own;
  own.kind = e->kind;
  own.pubkey = e->pubkey;
  own.d_tag = cn::TagValue(*e, "d").value_or("");
  own.event_id = e->id;
  own.created_at = e->created_at;
  own.json = event_json;
  {
    std::lock_guard lock(m_side_mu);
    if (auto st = m_side->PutSideEvent(own); !st) return base::Err("side event: " + st.error());
  }
  Notify();
  return {};
}

int64_t Publisher::SideEventCreatedAt(int kind, const std::string& d_tag) {
  std::lock_guard lock(m_side_mu);
  auto e = m_side->SideEventAt(kind, m_options.own_pubkey, d_tag);
  return e ? e->created_at : 0;
}

std::vector<RelayStatus> Publisher::Status() {
  std::vector<RelayStatus> out;
  std::vector<coordinator::store::PublicationCounts> counts;
  {
    std::lock_guard lock(m_side_mu);
    for (auto& w : m_workers) counts.push_back(m_side->Counts(w->url));
  }
  for (size_t i = 0; i < m_workers.size(); ++i) {
    std::lock_guard lock(m_workers[i]->mu);
    RelayStatus s = m_workers[i]->status;
    s.events = counts[i].events;
    s.acked = counts[i].acked;
    s.failing = counts[i].failing;
    out.push_back(std::move(s));
  }
  return out;
}

void Publisher::Run(Worker& w) {
  auto store_or = NostrPublications::Open(m_options.db_path);
  if (!store_or) {
    base::Log(base::LogLevel::kError, "nostr-publisher", "cannot open the store", {{"relay", w.url}, {"error", store_or.error()}});
    return;
  }
  NostrPublications& store = **store_or;
  RelayClient client(w.url, m_options.socks5_proxy, m_options.timeout);
  int connect_failures = 0;
  Clock::time_point retry_at{};
  Clock::time_point next_reconcile{};
  uint64_t sub_counter = 0;
  std::string logged_error;

  auto set_error = [&](const std::string& error) {
    {
      std::lock_guard lock(w.mu);
      w.status.last_error = error;
      w.status.connected = client.Connected();
    }
    if (error != logged_error) {  // once per change, not once per retry
      base::Log(base::LogLevel::kWarn, "nostr-publisher", "relay trouble", {{"relay", w.url}, {"error", error}});
      logged_error = error;
    }
  };
  auto backoff = [&] {
    ++connect_failures;
    int64_t wait = m_options.retry_base_s;
    for (int i = 1; i < connect_failures && wait < m_options.retry_max_s; ++i) wait *= 2;
    retry_at = Clock::now() + std::chrono::seconds(std::min(wait, m_options.retry_max_s));
  };
  // Waits for a notification, the stop, or `until`. Returns false when stopping.
  auto wait = [&](Clock::time_point until) {
    std::unique_lock lock(w.mu);
    w.cv.wait_until(lock, until, [&] { return w.stopping || w.notified; });
    w.notified = false;
    return !w.stopping;
  };
  auto stopping = [&] {
    std::lock_guard lock(w.mu);
    return w.stopping;
  };

  // Reads until the relay's OK for `id`. Returns {accepted, message}, or an error (time-out,
  // connection lost).
  auto await_ok = [&](const std::string& id) -> base::Expected<std::pair<bool, std::string>, std::string> {
    const auto deadline = Clock::now() + m_options.timeout;
    while (Clock::now() < deadline) {
      auto m = client.Read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      if (!m) return base::Err(m.error());
      if (!*m) break;
      auto j = nlohmann::json::parse(**m, nullptr, false);
      if (!j.is_array() || j.size() < 3 || !j[0].is_string() || j[0] != "OK" || !j[1].is_string() || j[1] != id) continue;
      const bool ok = j[2].is_boolean() && j[2].get<bool>();
      const std::string msg = j.size() > 3 && j[3].is_string() ? j[3].get<std::string>() : "";
      return std::make_pair(ok, msg);
    }
    return base::Err(std::string("no OK within the timeout"));
  };

  auto reconcile = [&]() -> base::Expected<void, std::string> {
    const std::string sub = "reconcile-" + std::to_string(++sub_counter);
    nlohmann::json filter = {{"authors", {m_options.own_pubkey}},
                             {"kinds", {cn::kOrderEventKind, cn::kInfoEventKind}},
                             {"limit", 5000}};
    if (auto st = client.Send(nlohmann::json::array({"REQ", sub, filter}).dump()); !st) return st;
    std::set<std::string> held;
    const auto deadline = Clock::now() + m_options.timeout;
    bool eose = false;
    while (!eose && Clock::now() < deadline) {
      auto m = client.Read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      if (!m) return base::Err(m.error());
      if (!*m) break;
      auto j = nlohmann::json::parse(**m, nullptr, false);
      if (!j.is_array() || j.size() < 2 || !j[0].is_string() || !j[1].is_string() || j[1] != sub) continue;
      if (j[0] == "EVENT" && j.size() >= 3 && j[2].is_object() && j[2].contains("id") && j[2]["id"].is_string()) {
        held.insert(j[2]["id"].get<std::string>());
      } else if (j[0] == "EOSE") {
        eose = true;
      } else if (j[0] == "CLOSED") {
        return base::Err("reconcile: the relay closed the REQ: " + (j.size() > 2 && j[2].is_string() ? j[2].get<std::string>() : ""));
      }
    }
    (void)client.Send(nlohmann::json::array({"CLOSE", sub}).dump());
    if (!eose) return base::Err(std::string("reconcile: no EOSE within the timeout"));
    auto latest = store.Latest();
    if (!latest) return base::Err("reconcile: " + latest.error());
    const int64_t now = m_options.now();
    int64_t healed = 0;
    for (const auto& e : *latest) {
      if (e.pubkey != m_options.own_pubkey || held.count(e.event_id)) continue;
      const int64_t exp = ExpirationOf(e.json);
      if (exp != 0 && exp <= now) continue;  // NIP-40: the relay may rightly have dropped it
      if (auto st = store.Forget(w.url, e, now); !st) return base::Err("reconcile: " + st.error());
      ++healed;
    }
    if (healed > 0) {
      base::Log(base::LogLevel::kWarn, "nostr-publisher", "relay misses events: republishing",
                {{"relay", w.url}, {"events", std::to_string(healed)}});
    }
    std::lock_guard lock(w.mu);
    w.status.reconciliations++;
    w.status.healed += healed;
    w.status.last_reconcile_at = now;
    return {};
  };

  while (!stopping()) {
    if (!client.Connected()) {
      if (Clock::now() < retry_at) {
        if (!wait(retry_at)) break;
        continue;
      }
      if (auto st = client.Connect(); !st) {
        backoff();
        set_error("connect: " + st.error());
        continue;
      }
      connect_failures = 0;
      next_reconcile = Clock::now();  // a (re)connected relay may have lost anything: ask it
      {
        std::lock_guard lock(w.mu);
        w.status.connected = true;
      }
    }
    if (Clock::now() >= next_reconcile) {
      if (auto st = reconcile(); !st) {
        client.Close();
        backoff();
        set_error(st.error());
        continue;
      }
      next_reconcile = Clock::now() + m_options.reconcile_interval;
    }
    const int64_t now = m_options.now();
    auto owed = store.Owed(w.url, now, kBatch);
    if (!owed) {
      set_error("store: " + owed.error());
      if (!wait(Clock::now() + std::chrono::seconds(1))) break;
      continue;
    }
    bool broken = false;
    for (const auto& e : *owed) {
      if (stopping()) break;
      const int64_t exp = ExpirationOf(e.json);
      if (exp != 0 && exp <= now) {
        (void)store.Acked(w.url, e, "not sent: expired (NIP-40)", now);
        continue;
      }
      if (auto st = client.Send("[\"EVENT\"," + e.json + "]"); !st) {
        set_error(st.error());
        broken = true;  // reconnect at once (an idle connection the relay dropped)
        break;
      }
      auto ok = await_ok(e.event_id);
      if (!ok) {
        (void)store.Failed(w.url, e, ok.error(), m_options.now(), m_options.retry_base_s, m_options.retry_max_s);
        set_error(ok.error());
        client.Close();
        backoff();
        broken = true;
        break;
      }
      if (ok->first || ok->second.rfind("duplicate:", 0) == 0) {
        (void)store.Acked(w.url, e, ok->second, m_options.now());
        std::lock_guard lock(w.mu);
        w.status.published++;
        w.status.last_ok_at = m_options.now();
        w.status.last_error.clear();
      } else {
        (void)store.Failed(w.url, e, "refused: " + ok->second, m_options.now(), m_options.retry_base_s,
                           m_options.retry_max_s);
        {
          std::lock_guard lock(w.mu);
          w.status.refused++;
        }
        set_error("refused: " + ok->second);
      }
    }
    if (broken) continue;
    if (owed->size() == kBatch) continue;
    {
      std::lock_guard lock(w.mu);
      w.status.connected = client.Connected();
    }
    // Idle: until something new, the next reconciliation, or a second (failed events' retry
    // times are in the store).
    if (!wait(std::min(next_reconcile, Clock::now() + std::chrono::seconds(1)))) break;
  }
  client.Close();
}

}  // namespace api::nostr
