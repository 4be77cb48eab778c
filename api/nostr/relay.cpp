#include "api/nostr/relay.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <span>

#include <nlohmann/json.hpp>

#include "config/base/encoding.h"
#include "coordinator/nostr/filter.h"
#include "escrow/crypto/secp256k1.h"

namespace api::nostr {

namespace cn = coordinator::nostr;

struct Relay::Stored {
  cn::Event event;
  std::string json;
  bool foreign = false;
};

struct Relay::Subscription {
  std::vector<cn::Filter> filters;
  // While its initial answer is read from the store: what was published meanwhile, in order.
  bool reading = false;
  std::vector<std::shared_ptr<const Stored>> queued;
};

struct Relay::Connection {
  std::shared_ptr<http::WebSocket> socket;  // reset on close (the handlers hold this object)
  std::map<std::string, Subscription> subscriptions;
  int64_t window_start = 0;  // the current minute of the rate limits
  size_t messages_in_window = 0;
  size_t events_in_window = 0;
};

namespace {

// NIP-01: newest first; "in the case of ties the event with the lowest id (first in lexical
// order) should be first".
struct NewestFirst {
  bool operator()(const std::pair<int64_t, std::string>& a, const std::pair<int64_t, std::string>& b) const {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
  }
};

std::string Quote(std::string_view s) {
  std::string out;
  cn::AppendJsonString(out, s);
  return out;
}

std::string Notice(std::string_view message) { return "[\"NOTICE\"," + Quote(message) + "]"; }
std::string Ok(std::string_view id, bool accepted, std::string_view message) {
  return "[\"OK\"," + Quote(id) + "," + (accepted ? "true" : "false") + "," + Quote(message) + "]";
}
std::string Closed(std::string_view sub, std::string_view message) {
  return "[\"CLOSED\"," + Quote(sub) + "," + Quote(message) + "]";
}
std::string EventMessage(std::string_view sub, const std::string& json) {
  return "[\"EVENT\"," + Quote(sub) + "," + json + "]";
}

// A filter's limit on a REQ's initial answer, within the relay's.
size_t LimitOf(const cn::Filter& f, size_t max_results) {
  return f.limit ? std::min<size_t>(max_results, static_cast<size_t>(*f.limit)) : max_results;
}

bool MatchesAny(const std::vector<cn::Filter>& filters, const cn::Event& e) {
  return std::any_of(filters.begin(), filters.end(), [&](const auto& f) { return cn::Matches(f, e); });
}

// Can `f` match the stored event? Checks the columns only; a yes is confirmed on the parsed event.
bool MayMatch(const cn::Filter& f, const StoredEvent& s) {
  if (f.ids && !f.ids->count(s.id)) return false;
  if (f.authors && !f.authors->count(s.pubkey)) return false;
  if (f.kinds && !f.kinds->count(s.kind)) return false;
  if (f.since && s.created_at < *f.since) return false;
  if (f.until && s.created_at > *f.until) return false;
  if (auto d = f.tags.find('d'); d != f.tags.end() && !d->second.count(s.d_tag)) return false;
  return true;
}

std::string AddressOf(const cn::Event& e) {
  if (cn::IsAddressable(e.kind)) return std::to_string(e.kind) + ":" + e.pubkey + ":" + cn::TagValue(e, "d").value_or("");
  if (cn::IsReplaceable(e.kind)) return std::to_string(e.kind) + ":" + e.pubkey + ":";
  return {};
}

// RoboSats' rating token (frontend/src/utils/nostr.ts verifyCoordinatorToken): the coordinator
// signed (BIP-340 over the raw bytes) event.pubkey followed by the order id of the d tag.
bool HasReviewToken(const cn::Event& e, const std::string& coordinator) {
  std::optional<std::string> p, sig;
  for (const auto& t : e.tags) {
    if (t.size() >= 2 && t[0] == "p" && !p) p = t[1];
    if (t.size() >= 2 && t[0] == "sig" && !sig) sig = t[1];
  }
  if (!p || *p != coordinator || !sig || !cn::IsLowerHex(*sig, 128)) return false;
  const std::string d = cn::TagValue(e, "d").value_or("");
  const size_t colon = d.find(':');
  std::string order_id;
  if (colon != std::string::npos) {
    size_t end = d.find(':', colon + 1);
    order_id = d.substr(colon + 1, end == std::string::npos ? std::string::npos : end - colon - 1);
  }
  const std::string message = e.pubkey + order_id;
  auto key = base::HexDecode(*p);
  auto s = base::HexDecode(*sig);
  if (!key || key->size() != 32 || !s || s->size() != 64) return false;
  escrow::crypto::XOnlyPubKey xonly{};
  std::copy(key->begin(), key->end(), xonly.begin());
  escrow::crypto::SchnorrSig sg{};
  std::copy(s->begin(), s->end(), sg.begin());
  return escrow::crypto::VerifySchnorrMessage(
      xonly, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data()), message.size()), sg);
}

}  // namespace

struct Relay::State {
  explicit State(RelayOptions o) : options(std::move(o)) {}
  const RelayOptions options;
  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<Stored>> by_id;
  std::map<std::string, std::string> by_address;  // address → id
  std::set<std::pair<int64_t, std::string>, NewestFirst> by_time;
  size_t foreign = 0;
  std::set<std::shared_ptr<Connection>> connections;

  int64_t Now() const { return options.now ? options.now() : 0; }

  // REQUIRES: mu held. Returns "" when stored, else the OK message (stored nothing).
  std::string Insert(cn::Event event, std::string json, bool foreign_event) {
    if (by_id.count(event.id)) return "duplicate: already have this event";
    const std::string address = AddressOf(event);
    if (!address.empty()) {
      if (auto it = by_address.find(address); it != by_address.end()) {
        const auto& old = by_id.at(it->second)->event;
        if (old.created_at > event.created_at || (old.created_at == event.created_at && old.id < event.id))
          return "duplicate: have a newer event for this address";
        Erase(it->second);
      }
    }
    if (foreign_event && foreign >= options.max_foreign_events) DropExpiredForeign();
    if (foreign_event && foreign >= options.max_foreign_events) return "error: relay full, try later";
    auto s = std::make_shared<Stored>();
    s->event = std::move(event);
    s->json = std::move(json);
    s->foreign = foreign_event;
    if (foreign_event) ++foreign;
    by_time.emplace(s->event.created_at, s->event.id);
    if (!address.empty()) by_address[address] = s->event.id;
    const std::string id = s->event.id;
    by_id.emplace(id, s);
    Broadcast(s);
    return {};
  }

  // REQUIRES: mu held. NIP-40: the foreign events whose expiration has passed make room.
  void DropExpiredForeign() {
    const int64_t now = Now();
    std::vector<std::string> expired;
    for (const auto& [id, s] : by_id) {
      if (s->foreign && cn::IsExpired(s->event, now)) expired.push_back(id);
    }
    for (const auto& id : expired) {
      const std::string address = AddressOf(by_id.at(id)->event);
      if (!address.empty()) by_address.erase(address);
      Erase(id);
    }
  }

  void Erase(const std::string& id) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return;
    if (it->second->foreign) --foreign;
    by_time.erase({it->second->event.created_at, id});
    by_id.erase(it);
  }

  // REQUIRES: mu held. Live updates to open subscriptions (limit is ignored after EOSE); queued
  // on a subscription whose initial answer is being read.
  void Broadcast(const std::shared_ptr<const Stored>& s) {
    for (const auto& c : connections) {
      if (!c->socket) continue;
      for (auto& [sub, subscription] : c->subscriptions) {
        if (!MatchesAny(subscription.filters, s->event)) continue;
        if (subscription.reading) subscription.queued.push_back(s);
        else c->socket->SendText(EventMessage(sub, s->json));
      }
    }
  }

  void OnText(const std::shared_ptr<Connection>& c, const std::string& text);
  void OnEvent(Connection& c, const nlohmann::json& msg, size_t raw_size);
  void OnReq(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Connection>& c, const nlohmann::json& msg);
  std::vector<std::shared_ptr<const Stored>> ReadStored(const std::vector<cn::Filter>& filters) const;
};

void Relay::State::OnText(const std::shared_ptr<Connection>& c, const std::string& text) {
  std::unique_lock lock(mu);
  if (!c->socket) return;
  const int64_t minute = Now() / 60;
  if (minute != c->window_start) {
    c->window_start = minute;
    c->messages_in_window = 0;
    c->events_in_window = 0;
  }
  if (++c->messages_in_window > options.max_messages_per_minute) {
    c->socket->SendText(Notice("rate-limited: too many messages; closing"));
    c->socket->Close(1008, "rate-limited");
    return;
  }
  nlohmann::json msg = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded() || !msg.is_array() || msg.empty() || !msg[0].is_string()) {
    c->socket->SendText(Notice("error: could not parse message: expected a JSON array starting with a message type"));
    return;
  }
  const std::string type = msg[0].get<std::string>();
  if (type == "EVENT") {
    OnEvent(*c, msg, text.size());
  } else if (type == "REQ") {
    OnReq(lock, c, msg);
  } else if (type == "CLOSE") {
    if (msg.size() != 2 || !msg[1].is_string()) {
      c->socket->SendText(Notice("error: CLOSE takes one subscription id"));
      return;
    }
    c->subscriptions.erase(msg[1].get<std::string>());
  } else {
    c->socket->SendText(Notice("error: unknown message type: " + type.substr(0, 32)));
  }
}

void Relay::State::OnEvent(Connection& c, const nlohmann::json& msg, size_t raw_size) {
  std::string id;
  if (msg.size() >= 2 && msg[1].is_object()) {
    if (auto it = msg[1].find("id"); it != msg[1].end() && it->is_string() && it->get_ref<const std::string&>().size() <= 64)
      id = it->get<std::string>();
  }
  auto refuse = [&](std::string_view why) { c.socket->SendText(Ok(id, false, why)); };
  if (msg.size() != 2 || !msg[1].is_object()) return refuse("invalid: EVENT takes one event object");
  if (raw_size > options.max_event_bytes) return refuse("invalid: event too large");
  auto parsed = cn::ParseEvent(msg[1]);
  if (!parsed) return refuse(parsed.error());
  cn::Event& e = *parsed;
  if (e.kind != 38383 && e.kind != 31986 && e.kind != 1059)
    return refuse("blocked: this relay accepts kinds 38383 (federation orders), 31986 (ratings), 1059 (gift wraps)");
  if (e.created_at > Now() + options.max_future_s) return refuse("invalid: created_at is too far in the future");
  if (cn::IsExpired(e, Now())) return refuse("invalid: this event has expired (NIP-40)");
  if (by_id.count(e.id)) {
    c.socket->SendText(Ok(id, true, "duplicate: already have this event"));
    return;
  }
  if (auto v = cn::Verify(e); !v) return refuse(v.error());
  if (e.kind == 38383 && !options.federation_pubkeys.count(e.pubkey))
    return refuse("blocked: order events are accepted from the federation's coordinators only");
  if (e.kind == 31986 && !HasReviewToken(e, options.own_pubkey))
    return refuse("blocked: a rating must carry this coordinator's review token (p and sig tags)");
  if (e.kind == 1059) {
    auto p = cn::TagValue(e, "p");
    if (!p || !options.gift_wrap_recipient || !options.gift_wrap_recipient(*p))
      return refuse("blocked: gift wraps are accepted for robots of live orders only");
  }
  if (++c.events_in_window > options.max_events_per_minute) return refuse("rate-limited: too many events");
  const bool own = e.pubkey == options.own_pubkey;
  // Ours are served from the store: a copy from a client is not held (its id was checked, so it
  // is one we signed).
  if (own && options.stored_events) {
    c.socket->SendText(Ok(id, true, "duplicate: this coordinator's events are served from its store"));
    return;
  }
  std::string json = cn::ToJson(e);
  std::string why = Insert(std::move(e), std::move(json), !own);
  if (why.empty()) c.socket->SendText(Ok(id, true, ""));
  else c.socket->SendText(Ok(id, why.rfind("duplicate:", 0) == 0, why));
}

void Relay::State::OnReq(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Connection>& conn,
                         const nlohmann::json& msg) {
  Connection& c = *conn;
  if (msg.size() < 2 || !msg[1].is_string()) {
    c.socket->SendText(Notice("error: REQ takes a subscription id and filters"));
    return;
  }
  const std::string sub = msg[1].get<std::string>();
  if (sub.empty() || sub.size() > options.max_subscription_id) {
    c.socket->SendText(Notice("error: subscription id must have 1 to " + std::to_string(options.max_subscription_id) +
                              " characters"));
    return;
  }
  if (msg.size() < 3) {
    c.socket->SendText(Closed(sub, "invalid: REQ needs at least one filter"));
    return;
  }
  if (msg.size() - 2 > options.max_filters) {
    c.socket->SendText(Closed(sub, "invalid: too many filters"));
    return;
  }
  if (!c.subscriptions.count(sub) && c.subscriptions.size() >= options.max_subscriptions) {
    c.socket->SendText(Closed(sub, "error: too many subscriptions"));
    return;
  }
  std::vector<cn::Filter> filters;
  for (size_t i = 2; i < msg.size(); ++i) {
    auto f = cn::ParseFilter(msg[i]);
    if (!f) {
      c.subscriptions.erase(sub);
      c.socket->SendText(Closed(sub, f.error()));
      return;
    }
    filters.push_back(std::move(*f));
  }
  // From here on, what is published goes to this subscription's queue (a REQ with the id of an
  // open subscription replaces it, NIP-01).
  c.subscriptions[sub] = Subscription{filters, /*reading=*/true, {}};

  // The candidates: per filter its newest `limit` events of what is held and of the store.
  const int64_t now = Now();
  std::map<std::pair<int64_t, std::string>, std::shared_ptr<const Stored>, NewestFirst> candidates;
  for (const auto& f : filters) {
    const size_t limit = LimitOf(f, options.max_results);
    size_t n = 0;
    for (const auto& key : by_time) {
      if (n >= limit) break;
      if (f.until && key.first > *f.until) continue;
      if (f.since && key.first < *f.since) break;
      const auto& s = by_id.at(key.second);
      if (cn::Matches(f, s->event) && !cn::IsExpired(s->event, now)) {
        candidates.emplace(key, s);
        ++n;
      }
    }
  }
  if (options.stored_events) {
    lock.unlock();
    auto stored = ReadStored(filters);
    lock.lock();
    for (auto& s : stored) candidates.emplace(std::make_pair(s->event.created_at, s->event.id), std::move(s));
  }
  auto it = c.subscriptions.find(sub);
  if (!c.socket || it == c.subscriptions.end()) return;  // closed meanwhile
  Subscription& subscription = it->second;

  // The answer: per filter its newest `limit` candidates, the union newest first, at most
  // max_results, one event per address (the newest).
  std::set<std::pair<int64_t, std::string>, NewestFirst> chosen;
  for (const auto& f : filters) {
    const size_t limit = LimitOf(f, options.max_results);
    size_t n = 0;
    for (const auto& [key, s] : candidates) {
      if (n >= limit) break;
      if (cn::Matches(f, s->event)) {
        chosen.insert(key);
        ++n;
      }
    }
  }
  std::set<std::string> sent;
  std::map<std::string, int64_t> sent_addresses;  // address → created_at
  for (const auto& key : chosen) {
    if (sent.size() >= options.max_results) break;
    const auto& s = candidates.at(key);
    const std::string address = AddressOf(s->event);
    if (!address.empty() && !sent_addresses.emplace(address, s->event.created_at).second) continue;
    sent.insert(s->event.id);
    if (!c.socket->SendText(EventMessage(sub, s->json))) {
      c.subscriptions.erase(it);  // nothing more is queued on it
      return;
    }
  }
  c.socket->SendText("[\"EOSE\"," + Quote(sub) + "]");
  // What was published during the read, unless the answer carried it or a newer state of it.
  for (const auto& s : subscription.queued) {
    if (sent.count(s->event.id)) continue;
    const std::string address = AddressOf(s->event);
    if (!address.empty()) {
      auto a = sent_addresses.find(address);
      if (a != sent_addresses.end() && a->second >= s->event.created_at) continue;
    }
    if (!c.socket->SendText(EventMessage(sub, s->json))) {
      c.subscriptions.erase(it);
      return;
    }
  }
  subscription.queued.clear();
  subscription.reading = false;
}

// Without the lock: the store's rows in the filters' widest time window, newest first; each
// row's columns checked against the filters before its JSON is parsed; per filter at most
// its limit.
std::vector<std::shared_ptr<const Relay::Stored>> Relay::State::ReadStored(
    const std::vector<cn::Filter>& filters) const {
  int64_t since = std::numeric_limits<int64_t>::max();
  int64_t until = 0;
  for (const auto& f : filters) {
    since = std::min(since, f.since.value_or(0));
    until = std::max(until, f.until.value_or(std::numeric_limits<int64_t>::max()));
  }
  std::vector<size_t> counts(filters.size(), 0);
  std::vector<std::shared_ptr<const Stored>> out;
  if (since > until) return out;
  const int64_t now = Now();
  for (auto& row : options.stored_events(since, until, options.max_stored_scan)) {
    std::vector<size_t> may;
    for (size_t i = 0; i < filters.size(); ++i) {
      const cn::Filter& f = filters[i];
      if (counts[i] < LimitOf(f, options.max_results) && MayMatch(f, row)) may.push_back(i);
    }
    if (may.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(row.json, nullptr, /*allow_exceptions=*/false);
    auto e = cn::ParseEvent(j);
    if (!e || cn::IsExpired(*e, now)) continue;
    bool matched = false;
    for (size_t i : may) {
      if (cn::Matches(filters[i], *e)) {
        ++counts[i];
        matched = true;
      }
    }
    if (!matched) continue;
    auto s = std::make_shared<Stored>();
    s->event = std::move(*e);
    s->json = std::move(row.json);
    out.push_back(std::move(s));
  }
  return out;
}

Relay::Relay(RelayOptions options) : m_state(std::make_shared<State>(std::move(options))) {}

Relay::~Relay() {
  std::lock_guard lock(m_state->mu);
  for (const auto& c : m_state->connections) c->socket.reset();
  m_state->connections.clear();
}

namespace {
// One of our events as Publish and PublishStored get it (wire JSON).
base::Expected<cn::Event, std::string> ParseOwn(const std::string& event_json) {
  nlohmann::json j = nlohmann::json::parse(event_json, nullptr, false);
  if (j.is_discarded()) return base::Err(std::string("relay: publish: not JSON"));
  auto e = cn::ParseEvent(j);
  if (!e) return base::Err("relay: publish: " + e.error());
  return e;
}
}  // namespace

base::Expected<void, std::string> Relay::Publish(const std::string& event_json) {
  auto e = ParseOwn(event_json);
  if (!e) return base::Err(e.error());
  if (auto v = cn::Verify(*e); !v) return base::Err("relay: publish: " + v.error());
  std::lock_guard lock(m_state->mu);
  std::string json = cn::ToJson(*e);
  std::string why = m_state->Insert(std::move(*e), std::move(json), /*foreign_event=*/false);
  if (!why.empty() && why.rfind("duplicate:", 0) != 0) return base::Err("relay: publish: " + why);
  return {};
}

base::Expected<void, std::string> Relay::PublishStored(const std::string& event_json) {
  // Called on the engine's thread right after the commit of an event it signed in that
  // transaction: parsed, not verified again.
  auto e = ParseOwn(event_json);
  if (!e) return base::Err(e.error());
  auto s = std::make_shared<Stored>();
  s->json = cn::ToJson(*e);
  s->event = std::move(*e);
  std::lock_guard lock(m_state->mu);
  m_state->Broadcast(s);
  return {};
}

http::WebSocketAccept Relay::Acceptor() {
  std::weak_ptr<State> weak = m_state;
  return [weak](const http::Request&, const std::shared_ptr<http::WebSocket>& socket)
             -> base::Expected<http::WebSocketHandlers, http::WebSocketRefusal> {
    auto state = weak.lock();
    if (!state) return base::Err(http::WebSocketRefusal{503, 1028, "The relay is shutting down"});
    auto c = std::make_shared<Connection>();
    c->socket = socket;
    {
      std::lock_guard lock(state->mu);
      state->connections.insert(c);
    }
    http::WebSocketHandlers h;
    h.on_text = [weak, c](std::string text) {
      if (auto s = weak.lock()) s->OnText(c, text);
    };
    h.on_close = [weak, c] {
      auto s = weak.lock();
      if (!s) return;
      std::lock_guard lock(s->mu);
      c->socket.reset();
      c->subscriptions.clear();
      s->connections.erase(c);
    };
    return h;
  };
}

size_t Relay::EventCount() const {
  std::lock_guard lock(m_state->mu);
  return m_state->by_id.size();
}

size_t Relay::ConnectionCount() const {
  std::lock_guard lock(m_state->mu);
  return m_state->connections.size();
}

}  // namespace api::nostr
