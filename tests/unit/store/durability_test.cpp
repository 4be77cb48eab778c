// Crashes: a process that commits and dies without closing, and one killed in the middle of
// a transaction. The child processes are forked from the test and only ever killed by it.
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

using DurabilityTest = StoreTest;

constexpr auto kChildTimeout = std::chrono::seconds(60);

// Waits for `pid` to end, at most kChildTimeout; kills it if it outlives that.
// Returns its wait status, or -1 on timeout.
int WaitChild(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + kChildTimeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Reads one byte from `fd`, waiting at most kChildTimeout.
bool ReadSignal(int fd) {
  pollfd p{fd, POLLIN, 0};
  const int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(kChildTimeout).count());
  if (::poll(&p, 1, ms) != 1) return false;
  char byte = 0;
  return ::read(fd, &byte, 1) == 1 && byte == 'k';
}

off_t SizeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// The child's side. Exit codes: 0 done, 10+ a step that failed.
[[noreturn]] void CommitAndExitWithoutClosing(const std::string& path) {
  auto opened = Store::Open(path);
  if (!opened) ::_exit(10);
  Store* store = opened->release();  // never closed, never destroyed
  Graph g = MakeGraph(*store, 1);
  if (!PutAll(*store, g).ok()) ::_exit(11);
  ::_exit(0);
}

TEST_F(DurabilityTest, CommitSurvivesAProcessThatExitsWithoutClosing) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) CommitAndExitWithoutClosing(path());
  const int status = WaitChild(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  ASSERT_EQ(WEXITSTATUS(status), 0);

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  // The child's graph has ids 1 of every table (fresh file); rebuild it to compare.
  Graph expected;
  expected.maker.id = 1;
  expected.taker.id = 2;
  expected.order.id = 1;
  expected.maker_bond.id = 1;
  expected.taker_bond.id = 2;
  expected.escrow.id = 3;
  expected.take.id = expected.payout.id = expected.intent.id = expected.ledger.id = expected.tick.id = 1;
  FillGraph(expected, 1);
  ASSERT_TRUE(store->OrderById(1));
  EXPECT_EQ(Tie(*store->OrderById(1)), Tie(expected.order));
  ASSERT_TRUE(store->RobotById(2));
  EXPECT_EQ(Tie(*store->RobotById(2)), Tie(expected.taker));
  ASSERT_TRUE(store->HoldById(3));
  EXPECT_EQ(Tie(*store->HoldById(3)), Tie(expected.escrow));
  EXPECT_EQ(store->Ledger().size(), 1u);
}

TEST_F(DurabilityTest, KilledInTheMiddleOfATransactionLeavesNothingOfIt) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    auto opened = Store::Open(path());
    if (!opened) ::_exit(10);
    Store& store = **opened;
    Graph committed = MakeGraph(store, 1);
    if (!PutAll(store, committed).ok()) ::_exit(11);
    // A unit big enough that SQLite spills its pages into the WAL before any commit.
    Graph uncommitted = MakeGraph(store, 2);
    if (!store.Begin().ok()) ::_exit(12);
    if (!store.Put(uncommitted.maker).ok()) ::_exit(13);
    Order changed = committed.order;
    changed.status = OrderStatus::kSuccess;
    if (!store.Put(changed).ok()) ::_exit(14);
    for (int i = 0; i < 1500; ++i) {
      LedgerEntry e;
      e.id = store.NewId(Table::kLedger);
      e.memo = std::string(4096, static_cast<char>('a' + i % 26));
      if (!store.Put(e).ok()) ::_exit(15);
    }
    if (::write(pipe_fds[1], "k", 1) != 1) ::_exit(16);
    for (;;) ::pause();  // killed here, transaction open
  }
  ::close(pipe_fds[1]);
  const bool mid_transaction = ReadSignal(pipe_fds[0]);
  ::close(pipe_fds[0]);
  // The uncommitted pages reached the WAL file: recovery has something to discard.
  const off_t wal_size = SizeOf(path() + "-wal");
  ::kill(pid, SIGKILL);
  const int status = WaitChild(pid);
  ASSERT_TRUE(mid_transaction) << "child status " << status;
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_GT(wal_size, 4 << 20);

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CountRobots(), 2);                      // the committed graph
  EXPECT_EQ(store->OrderById(1)->status, OrderStatus::kSendingFiat);  // not the uncommitted change
  EXPECT_FALSE(store->RobotById(3));                       // the uncommitted robot
  EXPECT_EQ(store->Ledger().size(), 1u);                   // only the committed entry
  // And the file takes new units of work.
  ASSERT_TRUE(store->Begin().ok());
  Robot r;
  r.id = store->NewId(Table::kRobot);
  r.hash_id = "after the crash";
  ASSERT_TRUE(store->Put(r).ok());
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(r.id, 3);
}

}  // namespace
}  // namespace coordinator::store_test
