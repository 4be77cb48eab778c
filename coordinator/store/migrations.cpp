#include "coordinator/store/migrations.h"

namespace coordinator::store {
namespace {

// Version 1: one table per struct of coordinator/model.h, a column per field.
// - Enums are INTEGER with a CHECK on their range; bools are 0/1.
// - Ids are assigned by Store::NewId before the insert (id > 0).
// - References the model writes as "0: none" are NULL here, so that a foreign key can hold
//   on them; every foreign key is DEFERRABLE INITIALLY DEFERRED because the rows of one
//   transaction reference each other (an order and its maker bond) and may be Put in any
//   order: the check happens at COMMIT.
// - Each query of store.h has its index; so does every child column of a foreign key (a
//   parent written after its child makes SQLite look the children up).
constexpr const char kSchemaV1[] = R"sql(
CREATE TABLE robots (
  id                    INTEGER PRIMARY KEY CHECK (id > 0),
  token_sha256          TEXT    NOT NULL UNIQUE,
  hash_id               TEXT    NOT NULL,
  nickname              TEXT    NOT NULL,
  public_key            TEXT    NOT NULL,
  encrypted_private_key TEXT    NOT NULL,
  nostr_pubkey          TEXT    NOT NULL,
  created_at            INTEGER NOT NULL,
  last_seen_at          INTEGER NOT NULL,
  earned_rewards_sat    INTEGER NOT NULL CHECK (earned_rewards_sat >= 0),
  penalty_until         INTEGER NOT NULL,
  active_order_id       INTEGER REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  wants_stealth         INTEGER NOT NULL CHECK (wants_stealth IN (0, 1))
) STRICT;
CREATE INDEX robots_public_key ON robots (public_key);
CREATE INDEX robots_active_order ON robots (active_order_id);

CREATE TABLE orders (
  id                 INTEGER PRIMARY KEY CHECK (id > 0),
  status             INTEGER NOT NULL CHECK (status BETWEEN 0 AND 18),
  type               INTEGER NOT NULL CHECK (type IN (0, 1)),
  currency           INTEGER NOT NULL,
  has_range          INTEGER NOT NULL CHECK (has_range IN (0, 1)),
  amount             TEXT    NOT NULL,
  min_amount         TEXT    NOT NULL,
  max_amount         TEXT    NOT NULL,
  payment_method     TEXT    NOT NULL,
  is_explicit        INTEGER NOT NULL CHECK (is_explicit IN (0, 1)),
  premium            TEXT    NOT NULL,
  satoshis           INTEGER NOT NULL,
  public_duration    INTEGER NOT NULL,
  escrow_duration    INTEGER NOT NULL,
  bond_size          TEXT    NOT NULL,
  latitude           TEXT,
  longitude          TEXT,
  password_hash      TEXT    NOT NULL,
  description        TEXT    NOT NULL,
  maker_id           INTEGER NOT NULL REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  taker_id           INTEGER REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  created_at         INTEGER NOT NULL,
  expires_at         INTEGER NOT NULL,
  last_satoshis      INTEGER NOT NULL,
  trade_satoshis     INTEGER NOT NULL,
  taken_amount       TEXT    NOT NULL,
  contract_price     REAL    NOT NULL,
  maker_bond_id      INTEGER REFERENCES holds (id) DEFERRABLE INITIALLY DEFERRED,
  taker_bond_id      INTEGER REFERENCES holds (id) DEFERRABLE INITIALLY DEFERRED,
  escrow_id          INTEGER REFERENCES holds (id) DEFERRABLE INITIALLY DEFERRED,
  payout_id          INTEGER REFERENCES payouts (id) DEFERRABLE INITIALLY DEFERRED,
  is_fiat_sent       INTEGER NOT NULL CHECK (is_fiat_sent IN (0, 1)),
  maker_asked_cancel INTEGER NOT NULL CHECK (maker_asked_cancel IN (0, 1)),
  taker_asked_cancel INTEGER NOT NULL CHECK (taker_asked_cancel IN (0, 1)),
  is_disputed        INTEGER NOT NULL CHECK (is_disputed IN (0, 1)),
  expiry_reason      INTEGER CHECK (expiry_reason BETWEEN 0 AND 4),
  platform_rating    INTEGER NOT NULL CHECK (platform_rating BETWEEN 0 AND 5)
) STRICT;
-- LiveOrders: the non-terminal statuses (4, 5, 12, 14, 17, 18 are terminal).
CREATE INDEX orders_live ON orders (id) WHERE status NOT IN (4, 5, 12, 14, 17, 18);
CREATE INDEX orders_maker ON orders (maker_id);
CREATE INDEX orders_taker ON orders (taker_id);
CREATE INDEX orders_maker_bond ON orders (maker_bond_id);
CREATE INDEX orders_taker_bond ON orders (taker_bond_id);
CREATE INDEX orders_escrow ON orders (escrow_id);
CREATE INDEX orders_payout ON orders (payout_id);

CREATE TABLE holds (
  id                 INTEGER PRIMARY KEY CHECK (id > 0),
  order_id           INTEGER NOT NULL REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  robot_id           INTEGER NOT NULL REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  take_id            INTEGER REFERENCES takes (id) DEFERRABLE INITIALLY DEFERRED,
  role               INTEGER NOT NULL CHECK (role BETWEEN 0 AND 2),
  amount_sat         INTEGER NOT NULL CHECK (amount_sat >= 0),
  payment_hash       TEXT    NOT NULL UNIQUE,
  preimage           TEXT    NOT NULL,
  payment_request    TEXT    NOT NULL,
  state              INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),
  created_at         INTEGER NOT NULL,
  invoice_expires_at INTEGER NOT NULL,
  cltv_expiry        INTEGER NOT NULL CHECK (cltv_expiry BETWEEN 0 AND 4294967295),
  htlc_expiry_height INTEGER NOT NULL,
  reward_robot_id    INTEGER REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  custody            INTEGER NOT NULL CHECK (custody IN (0, 1))
) STRICT;
CREATE INDEX holds_order ON holds (order_id);
CREATE INDEX holds_robot ON holds (robot_id);
CREATE INDEX holds_reward_robot ON holds (reward_robot_id);
CREATE INDEX holds_take ON holds (take_id);
-- UnresolvedHolds: kPending, kOpen, kAccepted.
CREATE INDEX holds_unresolved ON holds (id) WHERE state IN (0, 1, 2);

CREATE TABLE takes (
  id             INTEGER PRIMARY KEY CHECK (id > 0),
  order_id       INTEGER NOT NULL REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  robot_id       INTEGER NOT NULL REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  amount         TEXT    NOT NULL,
  trade_satoshis INTEGER NOT NULL,
  bond_id        INTEGER REFERENCES holds (id) DEFERRABLE INITIALLY DEFERRED,
  expires_at     INTEGER NOT NULL,
  state          INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4)
) STRICT;
CREATE INDEX takes_order ON takes (order_id);
CREATE INDEX takes_robot ON takes (robot_id);
CREATE INDEX takes_bond ON takes (bond_id);

-- One row per invoice: retries of an invoice are attempts on its row, a new invoice is a
-- new row. payment_hash is UNIQUE because it is the key under which the node knows the
-- payment (TrackPayment on recovery): two rows sharing it could not tell whose it was.
CREATE TABLE payouts (
  id                 INTEGER PRIMARY KEY CHECK (id > 0),
  order_id           INTEGER REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  robot_id           INTEGER NOT NULL REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  payment_request    TEXT    NOT NULL,
  payment_hash       TEXT    NOT NULL UNIQUE,
  amount_sat         INTEGER NOT NULL CHECK (amount_sat >= 0),
  routing_budget_ppm INTEGER NOT NULL CHECK (routing_budget_ppm >= 0),
  routing_budget_sat INTEGER NOT NULL CHECK (routing_budget_sat >= 0),
  state              INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),
  attempts           INTEGER NOT NULL CHECK (attempts >= 0),
  next_attempt_at    INTEGER NOT NULL,
  fee_sat            INTEGER NOT NULL CHECK (fee_sat >= 0),
  preimage           TEXT    NOT NULL,
  failure_reason     TEXT    NOT NULL,
  invoice_expires_at INTEGER NOT NULL,
  created_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX payouts_order ON payouts (order_id);
CREATE INDEX payouts_robot ON payouts (robot_id);

CREATE TABLE intents (
  id         INTEGER PRIMARY KEY CHECK (id > 0),
  kind       INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 3),
  order_id   INTEGER REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  target_id  INTEGER NOT NULL,  -- holds.id or payouts.id, by kind
  state      INTEGER NOT NULL CHECK (state IN (0, 1)),
  attempts   INTEGER NOT NULL CHECK (attempts >= 0),
  created_at INTEGER NOT NULL,
  done_at    INTEGER NOT NULL
) STRICT;
-- OpenIntents: kOpen.
CREATE INDEX intents_open ON intents (id) WHERE state = 0;
CREATE INDEX intents_order ON intents (order_id);

CREATE TABLE ledger (
  id         INTEGER PRIMARY KEY CHECK (id > 0),
  order_id   INTEGER REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  robot_id   INTEGER REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  kind       INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 6),
  amount_sat INTEGER NOT NULL CHECK (amount_sat >= 0),
  created_at INTEGER NOT NULL,
  memo       TEXT    NOT NULL
) STRICT;
CREATE INDEX ledger_order ON ledger (order_id);
CREATE INDEX ledger_robot ON ledger (robot_id);

CREATE TABLE ticks (
  id        INTEGER PRIMARY KEY CHECK (id > 0),
  timestamp INTEGER NOT NULL,
  currency  INTEGER NOT NULL,
  volume    TEXT    NOT NULL,
  price     TEXT    NOT NULL,
  premium   TEXT    NOT NULL,
  fee       TEXT    NOT NULL
) STRICT;
CREATE INDEX ticks_timestamp ON ticks (timestamp);
)sql";

// Version 2 (core fixes):
// - robots keep no credential: the token's SHA256 (a bearer credential: whoever holds it is the
//   robot) is no longer stored; robots are looked up by hash_id, its one-way hash. SQLite cannot
//   DROP a UNIQUE column, so the table is rebuilt (SQLite's documented procedure: foreign keys
//   off around the migration, checked with foreign_key_check before COMMIT).
// - orders: when the contract formed and when the order finished (RoboSats' trade summary).
// - robots_last_seen: /api/info/ counts the robots active today.
constexpr const char kSchemaV2[] = R"sql(
CREATE TABLE robots_v2 (
  id                    INTEGER PRIMARY KEY CHECK (id > 0),
  hash_id               TEXT    NOT NULL UNIQUE,
  nickname              TEXT    NOT NULL,
  public_key            TEXT    NOT NULL,
  encrypted_private_key TEXT    NOT NULL,
  nostr_pubkey          TEXT    NOT NULL,
  created_at            INTEGER NOT NULL,
  last_seen_at          INTEGER NOT NULL,
  earned_rewards_sat    INTEGER NOT NULL CHECK (earned_rewards_sat >= 0),
  penalty_until         INTEGER NOT NULL,
  active_order_id       INTEGER REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  wants_stealth         INTEGER NOT NULL CHECK (wants_stealth IN (0, 1))
) STRICT;
INSERT INTO robots_v2 (id, hash_id, nickname, public_key, encrypted_private_key, nostr_pubkey, created_at,
                       last_seen_at, earned_rewards_sat, penalty_until, active_order_id, wants_stealth)
  SELECT id, hash_id, nickname, public_key, encrypted_private_key, nostr_pubkey, created_at,
         last_seen_at, earned_rewards_sat, penalty_until, active_order_id, wants_stealth FROM robots;
DROP TABLE robots;
ALTER TABLE robots_v2 RENAME TO robots;
CREATE INDEX robots_public_key ON robots (public_key);
CREATE INDEX robots_active_order ON robots (active_order_id);
CREATE INDEX robots_last_seen ON robots (last_seen_at);

ALTER TABLE orders ADD COLUMN contract_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN finished_at INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 3 (disputes, chat, rewards, notifications):
// - intents may pay a reward withdrawal (kind 4); the ledger records custody released and reward
//   withdrawals (kinds 7–9): both tables are rebuilt for their CHECKs, which now leave room for
//   kinds to come (intents 0..15, ledger 0..31) so that adding one needs no rebuild.
// - orders remember whether the fiat was ever marked sent (RoboSats' reverted_fiat_sent: no
//   automatic dispute resolution then).
// - one table each for disputes, chat messages (ciphertext only), reward withdrawals and
//   robots' notifications.
constexpr const char kSchemaV3[] = R"sql(
CREATE TABLE intents_v3 (
  id         INTEGER PRIMARY KEY CHECK (id > 0),
  kind       INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 15),
  order_id   INTEGER REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  target_id  INTEGER NOT NULL,  -- holds.id, payouts.id or reward_withdrawals.id, by kind
  state      INTEGER NOT NULL CHECK (state IN (0, 1)),
  attempts   INTEGER NOT NULL CHECK (attempts >= 0),
  created_at INTEGER NOT NULL,
  done_at    INTEGER NOT NULL
) STRICT;
INSERT INTO intents_v3 SELECT id, kind, order_id, target_id, state, attempts, created_at, done_at FROM intents;
DROP TABLE intents;
ALTER TABLE intents_v3 RENAME TO intents;
CREATE INDEX intents_open ON intents (id) WHERE state = 0;
CREATE INDEX intents_order ON intents (order_id);

CREATE TABLE ledger_v3 (
  id         INTEGER PRIMARY KEY CHECK (id > 0),
  order_id   INTEGER REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  robot_id   INTEGER REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  kind       INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 31),
  amount_sat INTEGER NOT NULL CHECK (amount_sat >= 0),
  created_at INTEGER NOT NULL,
  memo       TEXT    NOT NULL
) STRICT;
INSERT INTO ledger_v3 SELECT id, order_id, robot_id, kind, amount_sat, created_at, memo FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_v3 RENAME TO ledger;
CREATE INDEX ledger_order ON ledger (order_id);
CREATE INDEX ledger_robot ON ledger (robot_id);
CREATE INDEX ledger_created ON ledger (created_at);

ALTER TABLE orders ADD COLUMN fiat_sent_ever INTEGER NOT NULL DEFAULT 0 CHECK (fiat_sent_ever IN (0, 1));
CREATE INDEX orders_status ON orders (status);

CREATE TABLE disputes (
  id                 INTEGER PRIMARY KEY CHECK (id > 0),
  order_id           INTEGER NOT NULL UNIQUE REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  cause              INTEGER NOT NULL CHECK (cause BETWEEN 0 AND 2),
  opened_by          INTEGER REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  opened_at          INTEGER NOT NULL,
  deadline_at        INTEGER NOT NULL,
  maker_statement    TEXT    NOT NULL CHECK (length(maker_statement) <= 50000),
  taker_statement    TEXT    NOT NULL CHECK (length(taker_statement) <= 50000),
  maker_statement_at INTEGER NOT NULL,
  taker_statement_at INTEGER NOT NULL,
  outcome            INTEGER NOT NULL CHECK (outcome BETWEEN 0 AND 6),
  resolved_at        INTEGER NOT NULL,
  resolved_by        TEXT    NOT NULL,
  note               TEXT    NOT NULL
) STRICT;
CREATE INDEX disputes_opened_by ON disputes (opened_by);
CREATE INDEX disputes_open ON disputes (id) WHERE outcome = 0;

CREATE TABLE chat_messages (
  id         INTEGER PRIMARY KEY CHECK (id > 0),
  order_id   INTEGER NOT NULL REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  "index"    INTEGER NOT NULL CHECK ("index" > 0),
  robot_id   INTEGER NOT NULL REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  created_at INTEGER NOT NULL,
  message    TEXT    NOT NULL CHECK (length(message) <= 5000),
  UNIQUE (order_id, "index")
) STRICT;
CREATE INDEX chat_messages_robot ON chat_messages (robot_id);

-- payment_hash: unique among withdrawals; the engine also refuses a hash a payout used.
CREATE TABLE reward_withdrawals (
  id                 INTEGER PRIMARY KEY CHECK (id > 0),
  robot_id           INTEGER NOT NULL REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  payment_request    TEXT    NOT NULL,
  payment_hash       TEXT    NOT NULL UNIQUE,
  debited_sat        INTEGER NOT NULL CHECK (debited_sat > 0),
  amount_sat         INTEGER NOT NULL CHECK (amount_sat > 0 AND amount_sat <= debited_sat),
  routing_budget_ppm INTEGER NOT NULL CHECK (routing_budget_ppm >= 0),
  routing_budget_sat INTEGER NOT NULL CHECK (routing_budget_sat >= 0),
  state              INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),
  fee_sat            INTEGER NOT NULL CHECK (fee_sat >= 0),
  preimage           TEXT    NOT NULL,
  failure_reason     TEXT    NOT NULL,
  invoice_expires_at INTEGER NOT NULL,
  created_at         INTEGER NOT NULL,
  finished_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX reward_withdrawals_robot ON reward_withdrawals (robot_id);

CREATE TABLE notifications (
  id          INTEGER PRIMARY KEY CHECK (id > 0),
  robot_id    INTEGER NOT NULL REFERENCES robots (id) DEFERRABLE INITIALLY DEFERRED,
  order_id    INTEGER NOT NULL REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  status      INTEGER NOT NULL CHECK (status BETWEEN 0 AND 18),
  title       TEXT    NOT NULL,
  description TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX notifications_robot ON notifications (robot_id, created_at);
CREATE INDEX notifications_order ON notifications (order_id);
)sql";

// Version 4 (dev tax): one accrual per proceeds ledger row (millisats), and the payments that
// stream them to the dev fund (keysend; preimage kept: it is the proof published in statements).
// A payment in flight is unique (state 1), so two can never pay the same range.
constexpr const char kSchemaV4[] = R"sql(
CREATE TABLE dev_tax_accruals (
  id           INTEGER PRIMARY KEY CHECK (id > 0),
  ledger_id    INTEGER NOT NULL UNIQUE REFERENCES ledger (id) DEFERRABLE INITIALLY DEFERRED,
  order_id     INTEGER REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  proceeds_sat INTEGER NOT NULL CHECK (proceeds_sat >= 0),
  share_ppm    INTEGER NOT NULL CHECK (share_ppm BETWEEN 0 AND 1000000),
  accrued_msat INTEGER NOT NULL CHECK (accrued_msat >= 0),
  created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX dev_tax_accruals_created ON dev_tax_accruals (created_at);

CREATE TABLE dev_tax_payments (
  id                   INTEGER PRIMARY KEY CHECK (id > 0),
  first_accrual_id     INTEGER NOT NULL CHECK (first_accrual_id > 0),
  last_accrual_id      INTEGER NOT NULL CHECK (last_accrual_id >= first_accrual_id),
  accrued_msat_through INTEGER NOT NULL CHECK (accrued_msat_through >= 0),
  amount_sat           INTEGER NOT NULL CHECK (amount_sat > 0),
  payee                TEXT    NOT NULL,
  payment_hash         TEXT    NOT NULL UNIQUE,
  preimage             TEXT    NOT NULL,
  state                INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
  attempt              INTEGER NOT NULL CHECK (attempt >= 1),
  fee_limit_sat        INTEGER NOT NULL CHECK (fee_limit_sat >= 0),
  fee_sat              INTEGER NOT NULL CHECK (fee_sat >= 0),
  failure_reason       TEXT    NOT NULL,
  created_at           INTEGER NOT NULL,
  finished_at          INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX dev_tax_payments_in_flight ON dev_tax_payments (state) WHERE state = 1;
CREATE INDEX dev_tax_payments_created ON dev_tax_payments (created_at);
)sql";

// Version 5 (nostr): the nostr events the coordinator signs (kind-38383 orders, its info event), one row per
// address (kind, pubkey, d): the relay serves them, the publisher sends them.
constexpr const char kSchemaV5[] = R"sql(
CREATE TABLE nostr_events (
  id         INTEGER PRIMARY KEY CHECK (id > 0),
  event_id   TEXT    NOT NULL UNIQUE CHECK (length(event_id) = 64),
  kind       INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 65535),
  pubkey     TEXT    NOT NULL CHECK (length(pubkey) = 64),
  d_tag      TEXT    NOT NULL,
  order_id   INTEGER NOT NULL CHECK (order_id >= 0),
  created_at INTEGER NOT NULL,
  json       TEXT    NOT NULL,
  UNIQUE (kind, pubkey, d_tag)
) STRICT;
CREATE INDEX nostr_events_order ON nostr_events (order_id);
)sql";

// Version 6 (outage-aware deadlines, issue #12): the coordinator's heartbeat (one row), the
// stretches the traders could not act in (the coordinator down, the node unreachable), and on
// each order how far its deadlines were moved for them.
constexpr const char kSchemaV6[] = R"sql(
CREATE TABLE heartbeat (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  beat_at INTEGER NOT NULL
) STRICT;

CREATE TABLE outages (
  id                 INTEGER PRIMARY KEY CHECK (id > 0),
  reason             INTEGER NOT NULL CHECK (reason IN (0, 1)),
  started_at         INTEGER NOT NULL,
  ended_at           INTEGER NOT NULL CHECK (ended_at = 0 OR ended_at >= started_at),
  deadlines_extended INTEGER NOT NULL CHECK (deadlines_extended >= 0),
  deadlines_capped   INTEGER NOT NULL CHECK (deadlines_capped >= 0 AND deadlines_capped <= deadlines_extended)
) STRICT;
CREATE INDEX outages_open ON outages (reason) WHERE ended_at = 0;

ALTER TABLE orders ADD COLUMN outage_extended_s INTEGER NOT NULL DEFAULT 0 CHECK (outage_extended_s >= 0);
ALTER TABLE orders ADD COLUMN outage_capped INTEGER NOT NULL DEFAULT 0 CHECK (outage_capped IN (0, 1));
)sql";

// Schema version 7 (dev tax to a Lightning address): a payment
// may go to a LUD-16 Lightning address, whose invoice is fetched (LNURL-pay) as a step of the
// payment's intent. Until it is fetched the payment has no hash (''), so the hash is unique only
// once known; the fetched invoice is kept in payment_request before anything is paid, so that a
// restart tracks the payment by that hash instead of fetching (and paying) another invoice.
constexpr const char kSchemaV7[] = R"sql(
CREATE TABLE dev_tax_payments_new (
  id                   INTEGER PRIMARY KEY CHECK (id > 0),
  first_accrual_id     INTEGER NOT NULL CHECK (first_accrual_id > 0),
  last_accrual_id      INTEGER NOT NULL CHECK (last_accrual_id >= first_accrual_id),
  accrued_msat_through INTEGER NOT NULL CHECK (accrued_msat_through >= 0),
  amount_sat           INTEGER NOT NULL CHECK (amount_sat > 0),
  payee                TEXT    NOT NULL,
  payment_hash         TEXT    NOT NULL,
  payment_request      TEXT    NOT NULL,
  preimage             TEXT    NOT NULL,
  state                INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
  attempt              INTEGER NOT NULL CHECK (attempt >= 1),
  fee_limit_sat        INTEGER NOT NULL CHECK (fee_limit_sat >= 0),
  fee_sat              INTEGER NOT NULL CHECK (fee_sat >= 0),
  failure_reason       TEXT    NOT NULL,
  created_at           INTEGER NOT NULL,
  finished_at          INTEGER NOT NULL
) STRICT;
INSERT INTO dev_tax_payments_new (id, first_accrual_id, last_accrual_id, accrued_msat_through, amount_sat, payee,
  payment_hash, payment_request, preimage, state, attempt, fee_limit_sat, fee_sat, failure_reason, created_at,
  finished_at)
SELECT id, first_accrual_id, last_accrual_id, accrued_msat_through, amount_sat, payee, payment_hash, '', preimage,
  state, attempt, fee_limit_sat, fee_sat, failure_reason, created_at, finished_at FROM dev_tax_payments;
DROP TABLE dev_tax_payments;
ALTER TABLE dev_tax_payments_new RENAME TO dev_tax_payments;
CREATE UNIQUE INDEX dev_tax_payments_in_flight ON dev_tax_payments (state) WHERE state = 1;
CREATE INDEX dev_tax_payments_created ON dev_tax_payments (created_at);
CREATE UNIQUE INDEX dev_tax_payments_hash ON dev_tax_payments (payment_hash) WHERE payment_hash <> '';
)sql";

// Version 8 (nostr publishing): where each own event stands on each outside relay, and the events
// signed outside the engine's transactions (the info event). Self-contained: depends only on v5.
// See coordinator/store/nostr_publications.h.
constexpr const char kSchemaV8[] = R"sql(
CREATE TABLE nostr_publications (
  relay           TEXT    NOT NULL CHECK (length(relay) BETWEEN 1 AND 512),
  kind            INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 65535),
  pubkey          TEXT    NOT NULL CHECK (length(pubkey) = 64),
  d_tag           TEXT    NOT NULL,
  acked_event_id  TEXT    NOT NULL CHECK (acked_event_id = '' OR length(acked_event_id) = 64),
  failed_event_id TEXT    NOT NULL CHECK (failed_event_id = '' OR length(failed_event_id) = 64),
  failures        INTEGER NOT NULL CHECK (failures >= 0),
  next_attempt_at INTEGER NOT NULL,
  note            TEXT    NOT NULL,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (relay, kind, pubkey, d_tag)
) STRICT;
CREATE TABLE nostr_side_events (
  kind       INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 65535),
  pubkey     TEXT    NOT NULL CHECK (length(pubkey) = 64),
  d_tag      TEXT    NOT NULL,
  event_id   TEXT    NOT NULL UNIQUE CHECK (length(event_id) = 64),
  created_at INTEGER NOT NULL,
  json       TEXT    NOT NULL,
  PRIMARY KEY (kind, pubkey, d_tag)
) STRICT;
)sql";

// Version 9: the relay at /relay/ reads the order events newest first from the store (it holds
// none in memory): Store::NostrEventsNewestFirst.
constexpr const char kSchemaV9[] = R"sql(
CREATE INDEX nostr_events_created ON nostr_events (created_at DESC, event_id);
)sql";

constexpr const char* kMigrations[] = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5,
                                       kSchemaV6, kSchemaV7, kSchemaV8, kSchemaV9};

constexpr const char kCreateVersionTable[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY CHECK (version > 0),"
    " applied_at INTEGER NOT NULL) STRICT";

base::Expected<void, std::string> Apply(Db& db, const char* script, int version) {
  if (auto r = db.Exec(script); !r) return r;
  auto insert = db.Prepare(
      "INSERT INTO schema_version (version, applied_at) "
      "VALUES (?1, CAST(strftime('%s', 'now') AS INTEGER))");
  if (!insert) return base::Err(insert.error());
  Use use(**insert);
  use->BindInt(1, version);
  if (auto r = use->Step(); !r) return base::Err(r.error());
  return {};
}

}  // namespace

std::span<const char* const> Migrations() { return kMigrations; }

base::Expected<int, std::string> SchemaVersionOf(Db& db) {
  auto exists = db.QueryInt(
      "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  if (!exists) return base::Err(exists.error());
  if (*exists == 0) return 0;
  auto version = db.QueryInt("SELECT MAX(version) FROM schema_version");
  if (!version) return base::Err(version.error());
  return static_cast<int>(*version);
}

base::Expected<int, std::string> Migrate(Db& db, std::span<const char* const> scripts) {
  const int known = static_cast<int>(scripts.size());
  // SQLite's procedure for schema changes that rebuild a table: foreign keys off (a no-op
  // inside a transaction, so before BEGIN), PRAGMA foreign_key_check before COMMIT, on again
  // after. The caller's setting is restored whatever happens.
  auto fk_was = db.QueryInt("PRAGMA foreign_keys");
  if (!fk_was) return base::Err("migration: " + fk_was.error());
  if (auto r = db.Exec("PRAGMA foreign_keys = OFF"); !r) return base::Err("migration: " + r.error());
  struct RestoreFk {
    Db& db;
    bool on;
    ~RestoreFk() { (void)db.Exec(on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF"); }
  } restore{db, *fk_was == 1};
  for (;;) {
    // IMMEDIATE: take the write lock before reading the version, so that two processes
    // opening the same file never apply a script twice.
    if (auto r = db.Exec("BEGIN IMMEDIATE"); !r) return base::Err("migration: " + r.error());
    auto step = [&]() -> base::Expected<int, std::string> {
      if (auto r = db.Exec(kCreateVersionTable); !r) return base::Err(r.error());
      auto version = SchemaVersionOf(db);
      if (!version) return version;
      if (*version > known) {
        return base::Err("database schema version " + std::to_string(*version) +
                         " is newer than this build knows (" + std::to_string(known) +
                         "): refusing to open it");
      }
      if (*version == known) return *version;
      if (auto r = Apply(db, scripts[*version], *version + 1); !r) {
        return base::Err("migration to version " + std::to_string(*version + 1) + ": " + r.error());
      }
      // One row per violation; the first names its table.
      auto dangling = db.QueryText("PRAGMA foreign_key_check");
      if (!dangling) return base::Err("migration to version " + std::to_string(*version + 1) + ": " + dangling.error());
      if (!dangling->empty()) {
        return base::Err("migration to version " + std::to_string(*version + 1) + ": rows of " + *dangling +
                         " break a foreign key");
      }
      return *version + 1;
    };
    auto reached = step();
    if (!reached) {
      (void)db.Exec("ROLLBACK");
      return reached;
    }
    if (auto r = db.Exec("COMMIT"); !r) {
      (void)db.Exec("ROLLBACK");
      return base::Err("migration: " + r.error());
    }
    if (*reached == known) return known;
  }
}

}  // namespace coordinator::store
