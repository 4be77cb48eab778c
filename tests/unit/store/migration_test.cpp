// Schema versions, the migration runner, the connection's settings and the file's mode.
#include <sys/stat.h>

#include <fstream>

#include "coordinator/store/db.h"
#include "coordinator/store/migrations.h"
#include "coordinator/store/sqlite_store.h"
#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

using MigrationTest = StoreTest;

std::unique_ptr<store::Db> RawDb(const std::string& path) {
  if (!std::ifstream(path)) std::ofstream(path).flush();  // SQLite reads an empty file as a new database
  auto db = store::Db::Open(path);
  if (!db) {
    ADD_FAILURE() << db.error();
    return nullptr;
  }
  return std::move(*db);
}

int64_t Count(store::Db& db, const std::string& sql) {
  auto n = db.QueryInt(sql);
  EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error());
  return n.ok() ? *n : -1;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST_F(MigrationTest, FreshFileIsAtTheLatestVersion) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion(), static_cast<int>(store::Migrations().size()));
  EXPECT_GE(store->SchemaVersion(), 1);
  store.reset();
  auto db = RawDb(path());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM schema_version"), static_cast<int64_t>(store::Migrations().size()));
  for (const char* table : {"robots", "orders", "holds", "takes", "payouts", "intents", "ledger", "ticks"}) {
    EXPECT_EQ(Count(*db, std::string("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = '") +
                             table + "'"),
              1)
        << table;
  }
}

TEST_F(MigrationTest, ReopenKeepsTheVersionAndAppliesNothingTwice) {
  int version = 0;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    version = store->SchemaVersion();
  }
  auto store = OpenStore();  // version 1's CREATE TABLEs would fail if run again
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion(), version);
  store.reset();
  auto db = RawDb(path());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM schema_version"), version);
}

TEST_F(MigrationTest, NewerSchemaIsRefused) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
  }
  {
    auto db = RawDb(path());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Exec("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)").ok());
  }
  auto store = Store::Open(path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find("newer"), std::string::npos) << store.error();
  EXPECT_NE(store.error().find("99"), std::string::npos) << store.error();
  // The runner refuses it too, without applying anything.
  auto db = RawDb(path());
  ASSERT_NE(db, nullptr);
  auto migrated = store::Migrate(*db, store::Migrations());
  ASSERT_FALSE(migrated.ok());
  EXPECT_NE(migrated.error().find("newer"), std::string::npos) << migrated.error();
  EXPECT_EQ(Count(*db, "SELECT MAX(version) FROM schema_version"), 99);
  EXPECT_FALSE(db->InTransaction());
}

TEST_F(MigrationTest, RunnerAppliesEachScriptOnceInItsOwnTransaction) {
  auto db = RawDb(path());
  ASSERT_NE(db, nullptr);
  const char* two[] = {"CREATE TABLE a (x INTEGER)", "CREATE TABLE b (x INTEGER); INSERT INTO b VALUES (1)"};
  auto first = store::Migrate(*db, two);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(*first, 2);
  auto again = store::Migrate(*db, two);  // would fail on "table a already exists"
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(*again, 2);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM b"), 1);

  // A failing script leaves the database at the version before it, with nothing of it.
  const char* four[] = {two[0], two[1], "CREATE TABLE c (x INTEGER)",
                        "CREATE TABLE d (x INTEGER); INSERT INTO no_such_table VALUES (1)"};
  auto failed = store::Migrate(*db, four);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("version 4"), std::string::npos) << failed.error();
  EXPECT_NE(failed.error().find("no_such_table"), std::string::npos) << failed.error();
  EXPECT_FALSE(db->InTransaction());
  auto version = store::SchemaVersionOf(*db);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 3);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'c'"), 1);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'd'"), 0);
}

TEST_F(MigrationTest, ConnectionSettings) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto* sqlite = dynamic_cast<store::SqliteStore*>(store.get());
  ASSERT_NE(sqlite, nullptr);
  store::Db& db = sqlite->db();
  auto mode = db.QueryText("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "wal");
  EXPECT_EQ(Count(db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(Count(db, "PRAGMA foreign_keys"), 1);
  EXPECT_GT(Count(db, "PRAGMA busy_timeout"), 0);
}

TEST_F(MigrationTest, FilesAreOwnerOnly) {
  const mode_t old_umask = ::umask(0);  // even with a permissive umask
  auto store = OpenStore();
  ::umask(old_umask);
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(PutAll(*store, g).ok());  // the -wal and -shm files exist now
  EXPECT_EQ(ModeOf(path()), 0600u);
  EXPECT_EQ(ModeOf(path() + "-wal"), 0600u);
  EXPECT_EQ(ModeOf(path() + "-shm"), 0600u);
}

TEST_F(MigrationTest, ExistingFileIsTightened) {
  std::ofstream(path()).flush();
  ASSERT_EQ(::chmod(path().c_str(), 0644), 0);
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ModeOf(path()), 0600u);
}

// Version 2 removes the robots' stored credential (SHA256 of the token) and keeps every robot,
// its references and its lookup by hash_id: a v1 file with a live trade migrates whole.
TEST_F(MigrationTest, VersionTwoDropsTheStoredTokenAndKeepsEveryRobot) {
  {
    auto db = RawDb(path());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Exec("PRAGMA foreign_keys = ON").ok());
    const char* v1[] = {store::Migrations()[0]};
    auto migrated = store::Migrate(*db, v1);
    ASSERT_TRUE(migrated.ok()) << migrated.error();
    auto inserted = db->Exec(
        "BEGIN; INSERT INTO robots (id, token_sha256, hash_id, nickname, public_key, encrypted_private_key, nostr_pubkey,"
        " created_at, last_seen_at, earned_rewards_sat, penalty_until, active_order_id, wants_stealth)"
        " VALUES (1, 'SECRET-TOKEN-a', 'hash-a', 'A', 'pub-a', 'priv-a', '', 10, 11, 5, 0, 1, 1),"
        "        (2, 'SECRET-TOKEN-b', 'hash-b', 'B', 'pub-b', 'priv-b', '', 20, 21, 0, 0, NULL, 0);"
        "INSERT INTO orders (id, status, type, currency, has_range, amount, min_amount, max_amount, payment_method,"
        " is_explicit, premium, satoshis, public_duration, escrow_duration, bond_size, password_hash, description,"
        " maker_id, taker_id, created_at, expires_at, last_satoshis, trade_satoshis, taken_amount, contract_price,"
        " is_fiat_sent, maker_asked_cancel, taker_asked_cancel, is_disputed, platform_rating)"
        " VALUES (1, 9, 1, 1, 0, '100', '', '', 'x', 0, '0', 0, 3600, 3600, '3', '', '', 1, 2, 1, 2, 100000,"
        "         100000, '100', 1.0, 0, 0, 0, 0, 0); COMMIT");
    ASSERT_TRUE(inserted.ok()) << inserted.error();
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion(), static_cast<int>(store::Migrations().size()));
  auto* sqlite = dynamic_cast<store::SqliteStore*>(store.get());
  ASSERT_NE(sqlite, nullptr);
  EXPECT_EQ(Count(sqlite->db(), "SELECT COUNT(*) FROM pragma_table_info('robots') WHERE name = 'token_sha256'"), 0);
  EXPECT_EQ(Count(sqlite->db(), "SELECT COUNT(*) FROM robots WHERE nickname || public_key LIKE '%SECRET%'"), 0);
  EXPECT_EQ(Count(sqlite->db(), "PRAGMA foreign_keys"), 1);  // back on after the rebuild
  auto a = store->RobotByHashId("hash-a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, 1);
  EXPECT_EQ(a->active_order_id, 1);
  EXPECT_EQ(a->earned_rewards_sat, 5);
  ASSERT_TRUE(store->RobotByHashId("hash-b"));
  auto order = store->OrderById(1);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->taker_id, 2);
  EXPECT_EQ(order->contract_at, 0);
  EXPECT_EQ(store->LastOrderIdOf(2), std::optional<int64_t>(1));
  // The references still hold: a robot that owns an order cannot be dropped.
  EXPECT_FALSE(sqlite->db().Exec("DELETE FROM robots WHERE id = 1").ok());
}

TEST_F(MigrationTest, NotADatabaseIsAnError) {
  std::ofstream(path()) << std::string(4096, 'x');
  auto store = Store::Open(path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find(path()), std::string::npos) << store.error();
  auto missing_dir = Store::Open(dir() + "/no/such/dir/db");
  EXPECT_FALSE(missing_dir.ok());
}

}  // namespace
}  // namespace coordinator::store_test
