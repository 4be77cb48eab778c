#include "coordinator/store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "coordinator/store/migrations.h"

namespace coordinator {
namespace {

// A connection closed on scope exit.
struct Conn {
  sqlite3* db = nullptr;
  ~Conn() { sqlite3_close_v2(db); }
  std::string Error() const { return db ? sqlite3_errmsg(db) : "out of memory"; }
};

base::Expected<void, std::string> OpenConn(Conn& c, const std::string& path, int flags) {
  if (sqlite3_open_v2(path.c_str(), &c.db, flags | SQLITE_OPEN_NOFOLLOW, nullptr) != SQLITE_OK) {
    return base::Err("cannot open " + path + ": " + c.Error());
  }
  sqlite3_busy_timeout(c.db, 5000);
  return {};
}

// The rows of a one-column query, as text.
base::Expected<std::vector<std::string>, std::string> Column(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) return base::Err(std::string(sqlite3_errmsg(db)));
  std::vector<std::string> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    rows.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return base::Err(std::string(sqlite3_errmsg(db)));
  return rows;
}

}  // namespace

base::Expected<DatabaseCheck, std::string> CheckDatabase(const std::string& path) {
  Conn c;
  if (auto opened = OpenConn(c, path, SQLITE_OPEN_READONLY); !opened) return base::Err(opened.error());
  auto integrity = Column(c.db, "PRAGMA integrity_check");
  if (!integrity) return base::Err(path + ": integrity check failed: " + integrity.error());
  if (integrity->size() != 1 || integrity->front() != "ok") {
    return base::Err(path + ": integrity check failed: " + (integrity->empty() ? "" : integrity->front()));
  }
  auto dangling = Column(c.db, "PRAGMA foreign_key_check");
  if (!dangling) return base::Err(path + ": foreign key check failed: " + dangling.error());
  if (!dangling->empty()) return base::Err(path + ": foreign key check failed: rows of " + dangling->front() +
                                           " reference missing rows");
  auto version = Column(c.db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!version) return base::Err(path + ": not a coordinator database (no schema_version): " + version.error());
  DatabaseCheck check;
  check.schema_version = version->empty() ? 0 : std::atoi(version->front().c_str());
  const int latest = static_cast<int>(store::Migrations().size());
  if (check.schema_version < 1 || check.schema_version > latest) {
    return base::Err(path + ": schema version " + std::to_string(check.schema_version) +
                     " is not one this coordinatord knows (1.." + std::to_string(latest) + ")");
  }
  auto pages = Column(c.db, "PRAGMA page_count");
  if (pages && !pages->empty()) check.pages = std::atoll(pages->front().c_str());
  return check;
}

base::Expected<DatabaseCheck, std::string> BackupDatabase(const std::string& source, const std::string& dest) {
  // The copy holds preimages: owner-only from its first byte, and never over another file.
  const int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return base::Err("backup file " + dest + ": " + std::strerror(errno) + " (it must not exist yet)");
  ::close(fd);
  auto fail = [&](const std::string& why) -> base::Expected<DatabaseCheck, std::string> {
    ::unlink(dest.c_str());
    return base::Err(why);
  };
  {
    Conn src, dst;
    if (auto opened = OpenConn(src, source, SQLITE_OPEN_READONLY); !opened) return fail(opened.error());
    if (auto opened = OpenConn(dst, dest, SQLITE_OPEN_READWRITE); !opened) return fail(opened.error());
    sqlite3_backup* backup = sqlite3_backup_init(dst.db, "main", src.db, "main");
    if (backup == nullptr) return fail("backup of " + source + ": " + dst.Error());
    // All pages in one step: one read transaction on the source, so one committed state. A
    // busy source (a checkpoint holding a lock) is retried, bounded.
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 100; ++attempt) {
      rc = sqlite3_backup_step(backup, -1);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) return fail("backup of " + source + ": " + std::string(sqlite3_errstr(rc)));
    // The copy is a self-contained file: no WAL left beside it.
    sqlite3_exec(dst.db, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
  }
  auto check = CheckDatabase(dest);
  if (!check) return fail(check.error());
  return check;
}

}  // namespace coordinator
