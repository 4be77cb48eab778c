// Publishes the coordinator's signed nostr events to outside relays (config nostr.relays), as
// RoboSats' coordinators publish to their strfry relays (api/nostr.py) — but acknowledged and
// healed: every stored event (the engine's kind-38383 order events, the kind-38385 info event)
// goes to every relay; each relay's OK is awaited; a refusal or silence is retried with backoff;
// what each relay acknowledged is kept in the store (coordinator/store/nostr_publications.h),
// so a restart resends exactly what is still owed. A reconciler asks each relay, on every new
// connection and every reconcile_interval, what it holds (REQ {authors: [our key], kinds:
// [38383, 38385]}) and republishes what is missing or stale, including the final state of
// orders that left the book (so no relay keeps a ghost `pending` order).
//
// One thread per relay, each with its own SQLite connection and WebSocket client: the engine
// only commits its rows and calls Notify() (never waits on a relay). Events whose NIP-40
// expiration has passed are not sent (relays drop them) and count as done.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/base/expected.h"

namespace coordinator::store {
class NostrPublications;
}

namespace api::nostr {

struct PublisherOptions {
  std::vector<std::string> relays;  // ws:// / wss:// URLs
  std::string db_path;              // the engine's database (migrated)
  std::string own_pubkey;           // hex: the reconciler asks for this author's events
  std::string socks5_proxy;         // "host:port" or ""
  std::chrono::milliseconds timeout{10000};
  int64_t retry_base_s = 5;
  int64_t retry_max_s = 600;
  std::chrono::milliseconds reconcile_interval{300000};
  std::function<int64_t()> now;  // Unix seconds (the store's timestamps, NIP-40 checks)
};

struct RelayStatus {
  std::string url;
  bool connected = false;
  int64_t events = 0;           // addresses in the store
  int64_t acked = 0;            // whose latest event this relay acknowledged
  int64_t failing = 0;          // refused or unanswered, waiting for a retry
  int64_t published = 0;        // EVENTs acknowledged since start
  int64_t refused = 0;          // EVENTs answered OK false since start (retried later)
  int64_t last_ok_at = 0;       // Unix seconds of the last OK true (0: none since start)
  int64_t reconciliations = 0;  // completed since start
  int64_t healed = 0;           // events the reconciler found missing or stale, since start
  int64_t last_reconcile_at = 0;
  std::string last_error;       // "" after a success
};

class Publisher {
 public:
  static base::Expected<std::unique_ptr<Publisher>, std::string> Open(PublisherOptions options);
  ~Publisher();  // Stop()s
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void Start();
  void Stop();
  // Something new was stored: every relay's thread looks at once.
  void Notify();
  // Stores an event signed outside the engine (the info event: wire JSON) and notifies.
  base::Expected<void, std::string> StoreSideEvent(const std::string& event_json);
  // The created_at of the stored side event at (kind, our key, d), 0 if none.
  int64_t SideEventCreatedAt(int kind, const std::string& d_tag);
  std::vector<RelayStatus> Status();

 private:
  struct Worker;
  explicit Publisher(PublisherOptions options, std::unique_ptr<coordinator::store::NostrPublications> side);
  void Run(Worker& w);

  PublisherOptions m_options;
  std::mutex m_side_mu;
  std::unique_ptr<coordinator::store::NostrPublications> m_side;
  std::vector<std::unique_ptr<Worker>> m_workers;
};

}  // namespace api::nostr
