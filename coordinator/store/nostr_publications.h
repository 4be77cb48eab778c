// Where each of the coordinator's nostr events stands on each outside relay (schema v8,
// tables nostr_publications and nostr_side_events), for the publisher (api/nostr/publisher.h).
//
// The events themselves are the engine's nostr_events rows (one per address: kind, pubkey, d)
// plus nostr_side_events: events signed outside the engine's transactions (the kind-38385 info
// event), written here. A publication row per (relay, address) records the event id that relay
// acknowledged last (OK true or "duplicate:"), so an event is owed to a relay while that id
// differs from the store's latest event of the address: a new state of an order is owed at
// once, an acknowledged one never again, and a restart resends exactly what is still owed.
//
// Its own SQLite connection (a second one on the engine's file, WAL): thread-confined to its
// user, never blocks the engine beyond SQLite's write lock of one statement.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/base/expected.h"

namespace coordinator::store {

class Db;

struct OwnEvent {
  int kind = 0;
  std::string pubkey;
  std::string d_tag;
  std::string event_id;
  int64_t created_at = 0;
  std::string json;
};

struct PublicationCounts {
  int64_t events = 0;  // addresses the store holds
  int64_t acked = 0;   // whose latest event this relay acknowledged
  int64_t failing = 0; // whose latest event this relay refused or that timed out (waiting to retry)
};

class NostrPublications {
 public:
  // Opens the engine's database (already created and migrated by Store::Open).
  static base::Expected<std::unique_ptr<NostrPublications>, std::string> Open(const std::string& db_path);
  ~NostrPublications();

  // Events owed to `relay` at `now`, oldest first, at most `limit`: those whose latest event the
  // relay has not acknowledged, except one that failed and waits for its retry time.
  base::Expected<std::vector<OwnEvent>, std::string> Owed(const std::string& relay, int64_t now, size_t limit);
  // Every address's latest event (the reconciler's truth).
  base::Expected<std::vector<OwnEvent>, std::string> Latest();
  // The relay acknowledged `e` (note: e.g. "duplicate: ..." or "not sent: expired").
  base::Expected<void, std::string> Acked(const std::string& relay, const OwnEvent& e, const std::string& note,
                                          int64_t now);
  // The relay refused `e` or did not answer: retry at `next_attempt_at`; failures counts up.
  base::Expected<void, std::string> Failed(const std::string& relay, const OwnEvent& e, const std::string& error,
                                           int64_t now, int64_t retry_base_s, int64_t retry_max_s);
  // The relay does not hold `e` (the reconciler found it missing or stale): owed again now.
  base::Expected<void, std::string> Forget(const std::string& relay, const OwnEvent& e, int64_t now);
  // Stores an event signed outside the engine (the info event), replacing its address's older one.
  base::Expected<void, std::string> PutSideEvent(const OwnEvent& e);
  // The side event at an address, if any.
  std::optional<OwnEvent> SideEventAt(int kind, const std::string& pubkey, const std::string& d_tag);
  PublicationCounts Counts(const std::string& relay);

 private:
  explicit NostrPublications(std::unique_ptr<Db> db);
  std::unique_ptr<Db> m_db;
};

}  // namespace coordinator::store
