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
  auto run = [&]() -> base::Expected<void, std::string> {
    if (auto r = ForEachRow(db, "SELECT status, COUNT(*) FROM orders GROUP BY status",
                            [&](Statement& s) { Set(f.orders_by_status, s.Int(0), s.Int(1)); });
        !r)
      return r;
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
    // intents_open covers state = 0; kind 3 = kPay, payout state 1 = kInFlight.
    if (auto r = ForEachRow(db,
                            "SELECT i.created_at FROM intents i JOIN payouts p ON p.id = i.target_id "
                            "WHERE i.state = 0 AND i.kind = 3 AND p.state = 1 ORDER BY i.created_at",
                            [&](Statement& s) { f.payouts_in_flight_since.push_back(s.Int(0)); });
        !r)
      return r;
    return ForEachRow(db, "SELECT kind, COUNT(*), MIN(created_at) FROM intents WHERE state = 0 GROUP BY kind",
                      [&](Statement& s) {
                        Set(f.open_intents, s.Int(0), s.Int(1));
                        Set(f.oldest_open_intent_at, s.Int(0), s.Int(2));
                      });
  };
  auto result = run();
  (void)db.Exec("COMMIT");  // a read transaction: nothing to lose; ends the snapshot either way
  if (!result) {
    if (db.InTransaction()) (void)db.Exec("ROLLBACK");
    return base::Err(result.error());
  }
  return f;
}

}  // namespace coordinator
