#include "tests/adapter/public_api/store_dump.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace apistack {
namespace {

std::string ColumnText(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_BLOB: {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, i));
      const int n = sqlite3_column_bytes(stmt, i);
      std::string out = "x'";
      for (int k = 0; k < n; ++k) {
        out += kHex[data[k] >> 4];
        out += kHex[data[k] & 15];
      }
      return out + "'";
    }
    default: {
      const auto* text = sqlite3_column_text(stmt, i);
      return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt, i)))
                  : std::string();
    }
  }
}

struct Db {
  sqlite3* handle = nullptr;
  ~Db() {
    if (handle) sqlite3_close(handle);
  }
};

struct Stmt {
  sqlite3_stmt* handle = nullptr;
  ~Stmt() {
    if (handle) sqlite3_finalize(handle);
  }
};

}  // namespace

std::vector<std::string> DumpStore(const std::string& db_path) {
  std::vector<std::string> lines;
  Db db;
  if (sqlite3_open_v2(db_path.c_str(), &db.handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return {"error: cannot open " + db_path + ": " + (db.handle ? sqlite3_errmsg(db.handle) : "out of memory")};
  }
  sqlite3_busy_timeout(db.handle, 5000);
  std::vector<std::string> tables;
  {
    Stmt list;
    if (sqlite3_prepare_v2(db.handle, "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'heartbeat' ORDER BY name", -1,
                           &list.handle, nullptr) != SQLITE_OK) {
      return {std::string("error: ") + sqlite3_errmsg(db.handle)};
    }
    while (sqlite3_step(list.handle) == SQLITE_ROW) tables.push_back(ColumnText(list.handle, 0));
  }
  if (tables.empty()) return {"error: no tables in " + db_path};
  // One read transaction: every table as of one moment.
  sqlite3_exec(db.handle, "BEGIN", nullptr, nullptr, nullptr);
  for (const auto& table : tables) {
    Stmt rows;
    const std::string sql = "SELECT * FROM \"" + table + "\" ORDER BY rowid";
    if (sqlite3_prepare_v2(db.handle, sql.c_str(), -1, &rows.handle, nullptr) != SQLITE_OK) {
      lines.push_back("error: " + table + ": " + sqlite3_errmsg(db.handle));
      continue;
    }
    const int columns = sqlite3_column_count(rows.handle);
    int rc;
    while ((rc = sqlite3_step(rows.handle)) == SQLITE_ROW) {
      std::string line = table;
      for (int i = 0; i < columns; ++i) {
        line += '|';
        line += sqlite3_column_name(rows.handle, i);
        line += '=';
        line += ColumnText(rows.handle, i);
      }
      lines.push_back(std::move(line));
    }
    if (rc != SQLITE_DONE) lines.push_back("error: " + table + ": " + sqlite3_errmsg(db.handle));
  }
  sqlite3_exec(db.handle, "COMMIT", nullptr, nullptr, nullptr);
  return lines;
}

std::string FirstDifference(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  const size_t n = std::min(before.size(), after.size());
  for (size_t i = 0; i < n; ++i) {
    if (before[i] != after[i]) return "row " + std::to_string(i) + " was:\n  " + before[i] + "\nis now:\n  " + after[i];
  }
  if (before.size() < after.size()) return "new row:\n  " + after[n];
  if (before.size() > after.size()) return "row gone:\n  " + before[n];
  return {};
}

void WaitUntilStoreIsStill(const std::function<void()>& drain, const std::string& db_path) {
  std::vector<std::string> last;
  for (int i = 0; i < 100; ++i) {
    drain();
    auto now = DumpStore(db_path);
    if (now == last) return;
    last = std::move(now);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace apistack
