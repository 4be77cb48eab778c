// Online backup and restore of the coordinator's SQLite database.
//
// BackupDatabase copies a live database with SQLite's online backup API (sqlite3_backup_*):
// a consistent snapshot of one committed state, taken while the coordinator runs (WAL: its
// writer is never blocked; a write that lands during the copy makes SQLite restart it, bounded
// here). CheckDatabase is what a restore trusts before it puts a file in place.
#pragma once

#include <string>

#include "config/base/expected.h"

namespace coordinator {

struct DatabaseCheck {
  int schema_version = 0;
  int64_t pages = 0;
};

// Copies the database at `source` into a new file `dest` (created 0600; an existing `dest` is
// refused, never overwritten), then checks the copy (CheckDatabase). Errors name the file.
base::Expected<DatabaseCheck, std::string> BackupDatabase(const std::string& source, const std::string& dest);

// Opens `path` read-only: PRAGMA integrity_check must say "ok", foreign_key_check must find
// nothing, and its schema version must be one this build knows (1..latest). Errors name the
// file and what failed.
base::Expected<DatabaseCheck, std::string> CheckDatabase(const std::string& path);

}  // namespace coordinator
