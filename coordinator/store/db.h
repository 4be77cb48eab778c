// coordinator::store::Db: the RAII owner of one sqlite3 connection and of its prepared
// statements (prepared once, cached by SQL text). Internal to coordinator/store/.
//
// Errors are values carrying SQLite's message and nothing else: every value reaches SQLite
// through a bound parameter, never through SQL text, so a message can name a table or a
// column but never quote a row (preimages, keys, tokens stay out of errors and logs).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/base/expected.h"

struct sqlite3;
struct sqlite3_stmt;

namespace coordinator::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  void BindInt(int index, int64_t value);
  void BindReal(int index, double value);
  void BindText(int index, const std::string& value);
  void BindNull(int index);

  // One step. true: a row is ready for the column getters; false: the statement is done.
  base::Expected<bool, std::string> Step();

  // Columns are 0-based. REQUIRES: the last Step() returned true.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;

  // Makes the statement ready for its next use: resets it and clears its bindings.
  void Reset();
  std::string Sql() const;

 private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt;
};

// Resets a statement when the scope ends, so that no statement keeps a read snapshot open
// (which would pin the WAL) or carries stale bindings into its next use.
class Use {
 public:
  explicit Use(Statement& s) : m_s(s) {}
  ~Use() { m_s.Reset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  Statement* operator->() { return &m_s; }
  Statement& operator*() { return m_s; }

 private:
  Statement& m_s;
};

class Db {
 public:
  // Opens an existing file read-write (it does not create it; symlinks are refused), with
  // extended result codes and a 5 s busy timeout.
  static base::Expected<std::unique_ptr<Db>, std::string> Open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs SQL without results: one or several statements (scripts, PRAGMAs, BEGIN, COMMIT).
  base::Expected<void, std::string> Exec(const std::string& sql);
  // The cached statement for `sql`, prepared on first use; owned by the Db. Use it under a
  // `Use` guard.
  base::Expected<Statement*, std::string> Prepare(const std::string& sql);
  // Runs a query that yields one integer (PRAGMAs, COUNT, MAX). NULL reads as 0.
  base::Expected<int64_t, std::string> QueryInt(const std::string& sql);
  // Runs a query that yields one text value.
  base::Expected<std::string, std::string> QueryText(const std::string& sql);

  // True while an explicit transaction is open on this connection.
  bool InTransaction() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  // The SQL text of every cached statement (for query-plan tests and tooling).
  std::vector<std::string> CachedSql() const;
  sqlite3* handle() const { return m_db; }

 private:
  explicit Db(sqlite3* db) : m_db(db) {}

  sqlite3* m_db;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> m_statements;
};

}  // namespace coordinator::store
