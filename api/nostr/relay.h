// The coordinator's NIP-01 relay at /relay/ (the RoboSats client's default "nostr" mode reads
// its book there: REQ {authors: federation keys, kinds: [38383], since: now - 30 h}).
//
// It serves the events the coordinator signed and, from others, only what the federation's
// relays carry. Our order events are not held in memory (their number grows with every order
// ever made): a REQ reads them from the store (options.stored_events, newest first, at most
// max_stored_scan per REQ, the stored columns checked against the filters before any JSON is
// parsed), and each one the engine commits is sent to the open subscriptions it matches
// (PublishStored). Our other events (the info event) are held, via Publish. From others:
//   - kind 38383 signed by a federation key (options.federation_pubkeys);
//   - kind 31986 ratings carrying our /api/review/ token: tags ["p", <our key>] and
//     ["sig", BIP-340 signature by <our key> of (event.pubkey + order id)], the order id being
//     the part after ':' of the d tag (RoboSats frontend/src/utils/nostr.ts
//     verifyCoordinatorToken; our Engine::DoReview signs that message);
//   - kind 1059 gift wraps (NIP-59/NIP-17) whose p tag `gift_wrap_recipient` accepts:
//     coordinatord answers from the engine's snapshot, the nostr keys of the makers and takers of
//     live orders (coordinator::Snapshot::live_robot_nostr_keys), without waiting for the
//     engine's thread. Held in memory like the other foreign events (max_foreign_events).
// Every event from a client is size-checked, parsed, id- and signature-verified first.
//
// Messages (NIP-01): client → relay ["EVENT", <event>], ["REQ", <sub id>, <filter>…],
// ["CLOSE", <sub id>]; relay → client ["EVENT", <sub id>, <event>], ["EOSE", <sub id>],
// ["OK", <event id>, <true|false>, <message>], ["CLOSED", <sub id>, <message>],
// ["NOTICE", <message>]. NIP-01: "OK messages MUST be sent in response to EVENT messages
// received from clients"; prefixes "duplicate:", "blocked:", "rate-limited:", "invalid:",
// "error:". Bad input never closes the socket by itself: it gets a NOTICE or an OK false (the
// server closes oversized frames with 1009, binary ones with 1003, a client that does not read
// with 1008).
//
// Live updates: an event accepted or published after a REQ's EOSE is sent to every open
// subscription it matches. Addressable (30000–39999) and replaceable kinds keep only the
// newest event of each address (NIP-01), so a client never sees a stale state after a newer.
// The store is read without the relay's lock: what is published while a REQ's initial answer
// is being read is queued on that subscription and sent after its EOSE, leaving out what the
// answer already carried and what is older than the answer's event of the same address.
// NIP-40: an event whose expiration has passed is neither accepted nor served; when the
// foreign events fill the relay, the expired ones are dropped first.
//
// Thread-safe: Publish from the engine thread, the handlers on the server's io threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/http/websocket.h"
#include "coordinator/nostr/event.h"

namespace api::nostr {

// One of our events as the store holds it: the columns a filter is checked on before the
// event's JSON is parsed.
struct StoredEvent {
  std::string id;      // the event id
  int kind = 0;
  std::string pubkey;
  std::string d_tag;   // "" for a kind without one
  int64_t created_at = 0;
  std::string json;    // the signed event, wire form
};

struct RelayOptions {
  std::string own_pubkey;                    // the coordinator's key (hex): ratings must carry its token
  std::set<std::string> federation_pubkeys;  // whose kind-38383 events are accepted (own included)
  // Is `pubkey` a robot that may receive a gift wrap here? nullptr: kind 1059 refused.
  std::function<bool(const std::string& pubkey)> gift_wrap_recipient;
  std::function<int64_t()> now;              // Unix seconds
  // Our stored events with since <= created_at <= until, newest first (ties: lowest id first),
  // at most `limit`. Called on a REQ without the relay's lock. nullptr: none; our events are
  // then those given to Publish, and our own events sent by clients are held too.
  std::function<std::vector<StoredEvent>(int64_t since, int64_t until, size_t limit)> stored_events;
  size_t max_stored_scan = 5000;             // stored events read for one REQ
  size_t max_subscriptions = 20;             // per connection
  size_t max_filters = 10;                   // per REQ
  size_t max_subscription_id = 64;           // characters
  size_t max_event_bytes = 32 * 1024;        // one EVENT's serialized event
  int64_t max_future_s = 900;                // created_at at most this far ahead of now
  size_t max_results = 1000;                 // per REQ's initial answer (and the default limit)
  size_t max_foreign_events = 20000;         // events from others held at once
  size_t max_events_per_minute = 30;         // EVENTs accepted from one connection
  size_t max_messages_per_minute = 600;      // any message from one connection; beyond: NOTICE, closed
};

class Relay {
 public:
  explicit Relay(RelayOptions options);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Adds one of our signed events (wire JSON) and sends it to matching subscriptions. Errors:
  // unparsable or unverifiable JSON (logged by the caller; a bug).
  base::Expected<void, std::string> Publish(const std::string& event_json);
  // Sends one of our events, committed to the store that options.stored_events reads, to the
  // matching subscriptions; holds nothing. Not verified again (we signed it). Errors: not an
  // event's JSON.
  base::Expected<void, std::string> PublishStored(const std::string& event_json);

  // For HttpServer::AddWebSocket("/relay/", …).
  http::WebSocketAccept Acceptor();

  // How many events are held (not the stored ones); how many connections are open (tests,
  // metrics).
  size_t EventCount() const;
  size_t ConnectionCount() const;

 private:
  struct Stored;
  struct Subscription;
  struct Connection;
  struct State;
  std::shared_ptr<State> m_state;
};

}  // namespace api::nostr
