#include "coordinator/store/db.h"

#include <sqlite3.h>

namespace coordinator::store {
namespace {

// How long a statement waits for another connection's lock (a migration, a checkpoint)
// before failing with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Statement::~Statement() { sqlite3_finalize(m_stmt); }

// Binding can only fail on an out-of-range index or out of memory: programmer bugs, which
// surface as SQLITE_RANGE / SQLITE_NOMEM on the next Step().
void Statement::BindInt(int index, int64_t value) { sqlite3_bind_int64(m_stmt, index, value); }
void Statement::BindReal(int index, double value) { sqlite3_bind_double(m_stmt, index, value); }
void Statement::BindNull(int index) { sqlite3_bind_null(m_stmt, index); }
void Statement::BindText(int index, const std::string& value) {
  sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

base::Expected<bool, std::string> Statement::Step() {
  switch (sqlite3_step(m_stmt)) {
    case SQLITE_ROW: return true;
    case SQLITE_DONE: return false;
    default: return base::Err(std::string(sqlite3_errmsg(m_db)));
  }
}

bool Statement::IsNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
int64_t Statement::Int(int column) const { return sqlite3_column_int64(m_stmt, column); }
double Statement::Real(int column) const { return sqlite3_column_double(m_stmt, column); }
std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(m_stmt, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(m_stmt, column));
}

void Statement::Reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

std::string Statement::Sql() const { return sqlite3_sql(m_stmt); }

base::Expected<std::unique_ptr<Db>, std::string> Db::Open(const std::string& path) {
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(handle);
    return base::Err("cannot open " + path + ": " + message);
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  return std::unique_ptr<Db>(new Db(handle));
}

Db::~Db() {
  m_statements.clear();  // finalize before closing
  sqlite3_close_v2(m_db);
}

base::Expected<void, std::string> Db::Exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message ? message : sqlite3_errmsg(m_db);
    sqlite3_free(message);
    return base::Err(std::move(error));
  }
  return {};
}

base::Expected<Statement*, std::string> Db::Prepare(const std::string& sql) {
  if (auto it = m_statements.find(sql); it != m_statements.end()) return it->second.get();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(m_db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return base::Err(std::string(sqlite3_errmsg(m_db)));
  }
  return m_statements.emplace(sql, std::make_unique<Statement>(m_db, stmt)).first->second.get();
}

base::Expected<int64_t, std::string> Db::QueryInt(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  auto row = use->Step();
  if (!row) return base::Err(row.error());
  return *row ? use->Int(0) : 0;
}

base::Expected<std::string, std::string> Db::QueryText(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return base::Err(stmt.error());
  Use use(**stmt);
  auto row = use->Step();
  if (!row) return base::Err(row.error());
  return *row ? use->Text(0) : std::string();
}

int64_t Db::Changes() const { return sqlite3_changes64(m_db); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(m_db) == 0; }

std::vector<std::string> Db::CachedSql() const {
  std::vector<std::string> out;
  for (const auto& [sql, stmt] : m_statements) out.push_back(sql);
  return out;
}

}  // namespace coordinator::store
