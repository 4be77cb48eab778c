// OpsFigures: what an operator watches, read from the store in one read transaction on a
// connection of its own (never the engine's): orders by status, sats locked in hold invoices,
// payouts, open intents, the nearest HTLC deadline and the dev tax. The metrics endpoint reads it at each
// scrape (api/metrics.h); SQLite's WAL lets it read while the engine writes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/base/expected.h"

namespace coordinator {

namespace store {
class Db;
}

struct OpsFigures {
  // Indexed by OrderStatus (0..18): how many orders are in each status, terminal ones included.
  std::array<int64_t, 19> orders_by_status{};
  // Indexed by HoldRole (maker bond, taker bond, escrow): accepted hold invoices (HTLCs held
  // by the node for us) and their sats.
  std::array<int64_t, 3> held_invoices{};
  std::array<int64_t, 3> held_sats{};
  // The lowest HTLC expiry height among accepted hold invoices; 0 when none is held.
  int64_t nearest_htlc_expiry_height = 0;
  // Indexed by PayoutState (pending, in flight, succeeded, failed, replaced).
  std::array<int64_t, 5> payouts_by_state{};
  // Payout attempts ever made that failed / succeeded (monotonic: payout rows are never
  // deleted). An in-flight attempt counts in neither.
  int64_t payout_attempts_failed = 0;
  int64_t payout_attempts_succeeded = 0;
  // Indexed by IntentKind (0..15, room for kinds to come): open intents and the created_at
  // (Unix s) of the oldest open one (0: none open).
  std::array<int64_t, 16> open_intents{};
  std::array<int64_t, 16> oldest_open_intent_at{};
  // The dev tax (coordinator/dev_tax.h): millisats accrued ever; sats the dev fund received
  // (succeeded payments) and their routing fees; payments by state (indexed by PayoutState:
  // in flight 1, succeeded 2, failed 3); accrued but not paid yet (accrued − paid × 1000).
  int64_t dev_tax_accrued_msat = 0;
  int64_t dev_tax_paid_sat = 0;
  int64_t dev_tax_fees_sat = 0;
  std::array<int64_t, 5> dev_tax_payments_by_state{};
  int64_t dev_tax_pending_msat = 0;
  // Outages (issue #12), indexed by OutageReason (coordinator down, node unreachable): the
  // seconds of every ended one, and the deadlines they extended (monotonic). An outage going on
  // now counts once it ends; `outage_open` says the node is unreachable now.
  std::array<int64_t, 2> outage_seconds{};
  std::array<int64_t, 2> deadlines_extended{};
  int64_t deadlines_capped = 0;
  bool outage_open = false;
  // Buyer payouts in flight (payout in flight, its Pay intent open): when each attempt was
  // decided (Unix s), oldest first (coordinator/payouts_in_flight.h).
  std::vector<int64_t> payouts_in_flight_since;
};

// Thread-safe (one connection, one mutex).
class FiguresReader {
 public:
  // Opens `db_path` (the engine's database, already created and migrated by Store::Open).
  static base::Expected<std::unique_ptr<FiguresReader>, std::string> Open(const std::string& db_path);
  ~FiguresReader();
  FiguresReader(const FiguresReader&) = delete;
  FiguresReader& operator=(const FiguresReader&) = delete;

  // One consistent reading. Errors carry SQLite's message (never a row's value).
  base::Expected<OpsFigures, std::string> Read();

 private:
  explicit FiguresReader(std::unique_ptr<store::Db> db);
  std::mutex m_mu;
  std::unique_ptr<store::Db> m_db;  // guarded by m_mu
  // Orders by status without counting every order at each scrape: an order in a terminal status
  // (4, 5, 12, 14, 17, 18) never changes again, so every order with an id up to the oldest
  // live one is counted once and remembered here; each Read counts the live orders (partial
  // index orders_live) and the terminal ones after this mark.
  int64_t m_terminal_through = 0;                 // guarded by m_mu
  std::array<int64_t, 19> m_terminal_counts{};   // orders with id <= m_terminal_through; guarded by m_mu
};

}  // namespace coordinator
