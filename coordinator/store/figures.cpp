#include "coordinator/store/figures.h"

#include <functional>

#include "coordinator/store/db.h"

namespace coordinator {
namespace {

using store::Db;
using store::Statement;
using store::Use;

// Runs `sql` and hands each row to `row`. Out-of-range enum values (a newer schema's kinds)
// are the row callback's to skip.
base::Expected<void, std::string> ForEachRow(Db& db, const std::string& sql,
                                             const std::function<void(Statement&)>& row) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  for (;;) {
    auto more = use->Step();
    if (!more) return base::Err(more.error());
    if (!*more) return {};
    row(*use);
  }
}

template <size_t N>
void Set(std::array<int64_t, N>& out, int64_t index, int64_t value) {
  if (index >= 0 && index < static_cast<int64_t>(N)) out[static_cast<size_t>(index)] = value;
}

// The integer of a single-value query (0 if it returns no row).
base::Expected<int64_t, std::string> Scalar(Db& db, const std::string& sql) {
  int64_t value = 0;
  if (auto r = ForEachRow(db, sql, [&](Statement& s) { value = s.Int(0); }); !r) return base::Err(r.error());
  return value;
}

// Orders by status (see FiguresReader::m_terminal_through): the live orders through the partial
// index orders_live; the terminal orders up to the oldest live one from `through`/`counts`
// (extended here when the oldest live order moved on); the terminal orders after them by
// primary-key range. Costs the live orders plus those made since the oldest live one, not the
// whole history.
base::Expected<void, std::string> CountOrders(Db& db, std::array<int64_t, 19>& out, int64_t& through,
                                              std::array<int64_t, 19>& counts) {
  constexpr const char* kLive = "status NOT IN (4, 5, 12, 14, 17, 18)";  // orders_live's condition
  std::array<int64_t, 19> live{};
  if (auto r = ForEachRow(db, std::string("SELECT status, COUNT(*) FROM orders WHERE ") + kLive + " GROUP BY status",
                          [&](Statement& s) { Set(live, s.Int(0), s.Int(1)); });
      !r)
    return r;
  // Every order with an id up to `settled` is terminal for good.
  auto oldest_live = Scalar(db, std::string("SELECT COALESCE(MIN(id), 0) FROM orders WHERE ") + kLive);
  if (!oldest_live) return base::Err(oldest_live.error());
  int64_t settled = *oldest_live - 1;
  if (*oldest_live == 0) {
    auto last = Scalar(db, "SELECT COALESCE(MAX(id), 0) FROM orders");
    if (!last) return base::Err(last.error());
    settled = *last;
  }
  if (settled < through) {  // cannot happen while ids only grow; recount rather than trust the mark
    through = 0;
    counts = {};
  }
  if (settled > through) {
    auto stmt = db.Prepare("SELECT status, COUNT(*) FROM orders WHERE id > ?1 AND id <= ?2 GROUP BY status");
    if (!stmt) return base::Err(stmt.error());
    Use use(**stmt);
    use->BindInt(1, through);
    use->BindInt(2, settled);
    for (;;) {
      auto more = use->Step();
      if (!more) return base::Err(more.error());
      if (!*more) break;
      const int64_t status = use->Int(0);
      if (status >= 0 && status < 19) counts[static_cast<size_t>(status)] += use->Int(1);
    }
    through = settled;
  }
  std::array<int64_t, 19> recent{};
  {
    auto stmt = db.Prepare(std::string("SELECT status, COUNT(*) FROM orders WHERE id > ?1 AND NOT (") + kLive +
                           ") GROUP BY status");
    if (!stmt) return base::Err(stmt.error());
    Use use(**stmt);
    use->BindInt(1, through);
    for (;;) {
      auto more = use->Step();
      if (!more) return base::Err(more.error());
      if (!*more) break;
      Set(recent, use->Int(0), use->Int(1));
    }
  }
  for (size_t i = 0; i < out.size(); ++i) out[i] = live[i] + counts[i] + recent[i];
  return {};
}

// The dev tax without summing every accrual: the latest payment (any state) carries
// accrued_msat_through, the sum of every accrual up to its range's end, so only the accruals
// after it are added (primary-key ranges). The payments table holds one row per keysend (a batch
// of accruals, min_payment_sat apart): grouped by state, with the fees.
base::Expected<void, std::string> ReadDevTax(Db& db, OpsFigures& f) {
  int64_t through_id = 0, through_msat = 0;
  if (auto r = ForEachRow(db, "SELECT last_accrual_id, accrued_msat_through FROM dev_tax_payments ORDER BY id DESC LIMIT 1",
                          [&](Statement& s) {
                            through_id = s.Int(0);
                            through_msat = s.Int(1);
                          });
      !r)
    return r;
  auto after = db.Prepare("SELECT COALESCE(SUM(accrued_msat), 0) FROM dev_tax_accruals WHERE id > ?1");
  if (!after) return base::Err(after.error());
  {
    Use use(**after);
    use->BindInt(1, through_id);
    auto row = use->Step();
    if (!row) return base::Err(row.error());
    f.dev_tax_accrued_msat = through_msat + (*row ? use->Int(0) : 0);
  }
  if (auto r = ForEachRow(db,
                          "SELECT state, COUNT(*), COALESCE(SUM(amount_sat), 0), COALESCE(SUM(fee_sat), 0) "
                          "FROM dev_tax_payments GROUP BY state",
                          [&](Statement& s) {
                            Set(f.dev_tax_payments_by_state, s.Int(0), s.Int(1));
                            if (s.Int(0) == 2) {  // succeeded
                              f.dev_tax_paid_sat = s.Int(2);
                              f.dev_tax_fees_sat = s.Int(3);
                            }
                          });
      !r)
    return r;
  f.dev_tax_pending_msat = f.dev_tax_accrued_msat - f.dev_tax_paid_sat * 1000;
  return {};
}

}  // namespace

FiguresReader::FiguresReader(std::unique_ptr<store::Db> db) : m_db(std::move(db)) {}
FiguresReader::~FiguresReader() = default;

base::Expected<std::unique_ptr<FiguresReader>, std::string> FiguresReader::Open(const std::string& db_path) {
  auto db = Db::Open(db_path);
  if (!db) return base::Err(db.error());
  if (auto ro = (*db)->Exec("PRAGMA query_only = ON"); !ro) return base::Err(ro.error());
  return std::unique_ptr<FiguresReader>(new FiguresReader(std::move(*db)));
}

base::Expected<OpsFigures, std::string> FiguresReader::Read() {
  std::lock_guard lock(m_mu);
  Db& db = *m_db;
  // One read transaction: every figure from the same committed state.
  if (auto begin = db.Exec("BEGIN"); !begin) return base::Err(begin.error());
  OpsFigures f;
  // The terminal orders' mark moves only if the whole reading succeeds.
  int64_t terminal_through = m_terminal_through;
  std::array<int64_t, 19> terminal_counts = m_terminal_counts;
  auto run = [&]() -> base::Expected<void, std::string> {
    if (auto r = CountOrders(db, f.orders_by_status, terminal_through, terminal_counts); !r) return r;
    // holds_unresolved covers state IN (0, 1, 2); 2 = kAccepted.
    if (auto r = ForEachRow(db,
                            "SELECT role, COUNT(*), COALESCE(SUM(amount_sat), 0) FROM holds "
                            "WHERE state IN (0, 1, 2) AND state = 2 GROUP BY role",
                            [&](Statement& s) {
                              Set(f.held_invoices, s.Int(0), s.Int(1));
                              Set(f.held_sats, s.Int(0), s.Int(2));
                            });
        !r)
      return r;
    if (auto r = ForEachRow(db,
                            "SELECT COALESCE(MIN(htlc_expiry_height), 0) FROM holds "
                            "WHERE state IN (0, 1, 2) AND state = 2 AND htlc_expiry_height > 0",
                            [&](Statement& s) { f.nearest_htlc_expiry_height = s.Int(0); });
        !r)
      return r;
    // An attempt is counted in `attempts` when it starts; in flight (1) and succeeded (2) rows
    // each have exactly one attempt that did not fail.
    if (auto r = ForEachRow(db,
                            "SELECT state, COUNT(*), COALESCE(SUM(attempts), 0) FROM payouts GROUP BY state",
                            [&](Statement& s) {
                              const int64_t state = s.Int(0), rows = s.Int(1), attempts = s.Int(2);
                              Set(f.payouts_by_state, state, rows);
                              const int64_t unfailed = (state == 1 || state == 2) ? rows : 0;
                              f.payout_attempts_failed += attempts - unfailed;
                              if (state == 2) f.payout_attempts_succeeded += rows;
                            });
        !r)
      return r;
    if (auto r = ForEachRow(db,
                            "SELECT reason, COALESCE(SUM(CASE WHEN ended_at > 0 THEN ended_at - started_at ELSE 0 END), 0), "
                            "COALESCE(SUM(deadlines_extended), 0), COALESCE(SUM(deadlines_capped), 0), "
                            "COALESCE(SUM(ended_at = 0), 0) FROM outages GROUP BY reason",
                            [&](Statement& s) {
                              Set(f.outage_seconds, s.Int(0), s.Int(1));
                              Set(f.deadlines_extended, s.Int(0), s.Int(2));
                              f.deadlines_capped += s.Int(3);
                              f.outage_open |= s.Int(4) > 0;
                            });
        !r)
      return r;
    // intents_open covers state = 0; kind 3 = kPay, payout state 1 = kInFlight.
    if (auto r = ForEachRow(db,
                            "SELECT i.created_at FROM intents i JOIN payouts p ON p.id = i.target_id "
                            "WHERE i.state = 0 AND i.kind = 3 AND p.state = 1 ORDER BY i.created_at",
                            [&](Statement& s) { f.payouts_in_flight_since.push_back(s.Int(0)); });
        !r)
      return r;
    if (auto r = ForEachRow(db, "SELECT kind, COUNT(*), MIN(created_at) FROM intents WHERE state = 0 GROUP BY kind",
                            [&](Statement& s) {
                              Set(f.open_intents, s.Int(0), s.Int(1));
                              Set(f.oldest_open_intent_at, s.Int(0), s.Int(2));
                            });
        !r)
      return r;
    return ReadDevTax(db, f);
  };
  auto result = run();
  (void)db.Exec("COMMIT");  // a read transaction: nothing to lose; ends the snapshot either way
  if (!result) {
    if (db.InTransaction()) (void)db.Exec("ROLLBACK");
    return base::Err(result.error());
  }
  m_terminal_through = terminal_through;
  m_terminal_counts = terminal_counts;
  return f;
}

}  // namespace coordinator
