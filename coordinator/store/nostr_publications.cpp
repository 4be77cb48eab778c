#include "coordinator/store/nostr_publications.h"

#include <algorithm>

#include "coordinator/store/db.h"

namespace coordinator::store {

namespace {

// The store's latest event of every address: the engine's and the side events.
constexpr const char kAllEvents[] =
    "SELECT kind, pubkey, d_tag, event_id, created_at, json FROM nostr_events "
    "UNION ALL SELECT kind, pubkey, d_tag, event_id, created_at, json FROM nostr_side_events";

OwnEvent ReadEvent(Statement& s, int first = 0) {
  OwnEvent e;
  e.kind = static_cast<int>(s.Int(first + 0));
  e.pubkey = s.Text(first + 1);
  e.d_tag = s.Text(first + 2);
  e.event_id = s.Text(first + 3);
  e.created_at = s.Int(first + 4);
  e.json = s.Text(first + 5);
  return e;
}

// Every row of a statement bound and ready, read as events.
base::Expected<std::vector<OwnEvent>, std::string> ReadEvents(Statement& s) {
  std::vector<OwnEvent> out;
  for (;;) {
    auto row = s.Step();
    if (!row) return base::Err(row.error());
    if (!*row) return out;
    out.push_back(ReadEvent(s));
  }
}

void BindAddress(Statement& s, int first, const std::string& relay, const OwnEvent& e) {
  s.BindText(first, relay);
  s.BindInt(first + 1, e.kind);
  s.BindText(first + 2, e.pubkey);
  s.BindText(first + 3, e.d_tag);
}

}  // namespace

NostrPublications::NostrPublications(std::unique_ptr<Db> db) : m_db(std::move(db)) {}
NostrPublications::~NostrPublications() = default;

base::Expected<std::unique_ptr<NostrPublications>, std::string> NostrPublications::Open(const std::string& db_path) {
  auto db = Db::Open(db_path);
  if (!db) return base::Err("nostr publications: " + db.error());
  auto has = (*db)->QueryInt("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'nostr_publications'");
  if (!has) return base::Err("nostr publications: " + has.error());
  if (*has == 0) return base::Err(std::string("nostr publications: the database is not migrated (no nostr_publications)"));
  return std::unique_ptr<NostrPublications>(new NostrPublications(std::move(*db)));
}

base::Expected<std::vector<OwnEvent>, std::string> NostrPublications::Owed(const std::string& relay, int64_t now,
                                                                          size_t limit) {
  static const std::string kSql = std::string("SELECT e.kind, e.pubkey, e.d_tag, e.event_id, e.created_at, e.json FROM (") +
                                  kAllEvents +
                                  ") e LEFT JOIN nostr_publications p ON p.relay = ?1 AND p.kind = e.kind AND "
                                  "p.pubkey = e.pubkey AND p.d_tag = e.d_tag "
                                  "WHERE p.relay IS NULL OR (p.acked_event_id != e.event_id AND "
                                  "(p.failed_event_id != e.event_id OR p.next_attempt_at <= ?2)) "
                                  "ORDER BY e.created_at, e.event_id LIMIT ?3";
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  use->BindText(1, relay);
  use->BindInt(2, now);
  use->BindInt(3, static_cast<int64_t>(std::min<size_t>(limit, 1'000'000)));
  return ReadEvents(*use);
}

base::Expected<std::vector<OwnEvent>, std::string> NostrPublications::Latest() {
  static const std::string kSql = std::string(kAllEvents) + " ORDER BY created_at";
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  return ReadEvents(*use);
}

base::Expected<void, std::string> NostrPublications::Acked(const std::string& relay, const OwnEvent& e,
                                                          const std::string& note, int64_t now) {
  static const std::string kSql =
      "INSERT INTO nostr_publications (relay, kind, pubkey, d_tag, acked_event_id, failed_event_id, failures, "
      "next_attempt_at, note, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, '', 0, 0, ?6, ?7) "
      "ON CONFLICT (relay, kind, pubkey, d_tag) DO UPDATE SET acked_event_id = excluded.acked_event_id, "
      "failed_event_id = '', failures = 0, next_attempt_at = 0, note = excluded.note, updated_at = excluded.updated_at";
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  BindAddress(*use, 1, relay, e);
  use->BindText(5, e.event_id);
  use->BindText(6, note.substr(0, 200));
  use->BindInt(7, now);
  if (auto r = use->Step(); !r) return base::Err(r.error());
  return {};
}

base::Expected<void, std::string> NostrPublications::Failed(const std::string& relay, const OwnEvent& e,
                                                           const std::string& error, int64_t now,
                                                           int64_t retry_base_s, int64_t retry_max_s) {
  // failures counts the attempts at this event (a new event of the address starts at 1 again).
  static const std::string kRead =
      "SELECT failed_event_id, failures FROM nostr_publications WHERE relay = ?1 AND kind = ?2 AND pubkey = ?3 AND "
      "d_tag = ?4";
  int64_t failures = 1;
  {
    auto stmt = m_db->Prepare(kRead);
    if (!stmt) return base::Err(stmt.error());
    Use use(**stmt);
    BindAddress(*use, 1, relay, e);
    auto row = use->Step();
    if (!row) return base::Err(row.error());
    if (*row && use->Text(0) == e.event_id) failures = use->Int(1) + 1;
  }
  int64_t wait = retry_base_s;
  for (int64_t i = 1; i < failures && wait < retry_max_s; ++i) wait *= 2;
  wait = std::min(wait, retry_max_s);
  static const std::string kSql =
      "INSERT INTO nostr_publications (relay, kind, pubkey, d_tag, acked_event_id, failed_event_id, failures, "
      "next_attempt_at, note, updated_at) VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (relay, kind, pubkey, d_tag) DO UPDATE SET failed_event_id = excluded.failed_event_id, "
      "failures = excluded.failures, next_attempt_at = excluded.next_attempt_at, note = excluded.note, "
      "updated_at = excluded.updated_at";
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  BindAddress(*use, 1, relay, e);
  use->BindText(5, e.event_id);
  use->BindInt(6, failures);
  use->BindInt(7, now + wait);
  use->BindText(8, error.substr(0, 200));
  use->BindInt(9, now);
  if (auto r = use->Step(); !r) return base::Err(r.error());
  return {};
}

base::Expected<void, std::string> NostrPublications::Forget(const std::string& relay, const OwnEvent& e, int64_t now) {
  static const std::string kSql =
      "UPDATE nostr_publications SET acked_event_id = '', failed_event_id = '', failures = 0, next_attempt_at = 0, "
      "note = 'missing or stale on the relay', updated_at = ?5 WHERE relay = ?1 AND kind = ?2 AND pubkey = ?3 AND "
      "d_tag = ?4";
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  BindAddress(*use, 1, relay, e);
  use->BindInt(5, now);
  if (auto r = use->Step(); !r) return base::Err(r.error());
  return {};
}

base::Expected<void, std::string> NostrPublications::PutSideEvent(const OwnEvent& e) {
  static const std::string kSql =
      "INSERT INTO nostr_side_events (kind, pubkey, d_tag, event_id, created_at, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT (kind, pubkey, d_tag) DO UPDATE SET event_id = excluded.event_id, "
      "created_at = excluded.created_at, json = excluded.json WHERE excluded.created_at > nostr_side_events.created_at";
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  use->BindInt(1, e.kind);
  use->BindText(2, e.pubkey);
  use->BindText(3, e.d_tag);
  use->BindText(4, e.event_id);
  use->BindInt(5, e.created_at);
  use->BindText(6, e.json);
  if (auto r = use->Step(); !r) return base::Err(r.error());
  return {};
}

std::optional<OwnEvent> NostrPublications::SideEventAt(int kind, const std::string& pubkey, const std::string& d_tag) {
  static const std::string kSql =
      "SELECT kind, pubkey, d_tag, event_id, created_at, json FROM nostr_side_events WHERE kind = ?1 AND pubkey = ?2 "
      "AND d_tag = ?3";
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return std::nullopt;
  Use use(**stmt);
  use->BindInt(1, kind);
  use->BindText(2, pubkey);
  use->BindText(3, d_tag);
  auto row = use->Step();
  if (!row || !*row) return std::nullopt;
  return ReadEvent(*use);
}

PublicationCounts NostrPublications::Counts(const std::string& relay) {
  PublicationCounts c;
  static const std::string kSql = std::string("SELECT COUNT(*), COALESCE(SUM(p.acked_event_id = e.event_id), 0), "
                                              "COALESCE(SUM(p.failed_event_id = e.event_id AND p.acked_event_id != e.event_id), 0) FROM (") +
                                  kAllEvents +
                                  ") e LEFT JOIN nostr_publications p ON p.relay = ?1 AND p.kind = e.kind AND "
                                  "p.pubkey = e.pubkey AND p.d_tag = e.d_tag";
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return c;
  Use use(**stmt);
  use->BindText(1, relay);
  auto row = use->Step();
  if (!row || !*row) return c;
  c.events = use->Int(0);
  c.acked = use->Int(1);
  c.failing = use->Int(2);
  return c;
}

}  // namespace coordinator::store
