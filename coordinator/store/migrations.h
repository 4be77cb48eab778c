// Versioned schema migrations. Internal to coordinator/store/.
//
// The schema is an ordered list of SQL scripts; script i (0-based) takes the database from
// version i to version i+1. The `schema_version` table holds one row per applied version.
// Each script runs once, in its own transaction together with its version row, so a crash
// or an error leaves the database at the previous version, never between two.
#pragma once

#include <span>
#include <string>

#include "config/base/expected.h"
#include "coordinator/store/db.h"

namespace coordinator::store {

// The coordinator's schema, oldest first. Append only: never edit a released script.
std::span<const char* const> Migrations();

// The version the database is at (0: empty). Fails if it cannot be read.
base::Expected<int, std::string> SchemaVersionOf(Db& db);

// Applies the scripts the database has not seen yet and returns the version reached
// (scripts.size()). Fails, without touching anything, if the database is at a version newer
// than scripts.size() (written by a newer build); fails if a script fails (that script is
// rolled back, the ones before it stay applied).
// REQUIRES: no transaction open on `db`.
base::Expected<int, std::string> Migrate(Db& db, std::span<const char* const> scripts);

}  // namespace coordinator::store
