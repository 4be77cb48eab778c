// Opening the store a second time in one process (coordinatord does: the engine's store, the
// market history's, the dev-fund statements') must not drop the first connection's locks: a
// closed descriptor of a file drops every POSIX lock the process holds on it. Without its lock
// on the -shm file, another process's connection takes itself for the first, truncates the
// shared memory, and the coordinator dies of SIGBUS at its next transaction (seen once in the
// crash soak: "coordinatord did not stop cleanly (135)" after the auditor opened the store).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

// Whether another process holds a lock on SQLite's "dead man switch" byte of the -shm file
// (unix VFS: UNIX_SHM_BASE 120 + SQLITE_SHM_NLOCK 8 = byte 128), which every open WAL
// connection holds shared: asked from a child, since F_GETLK never reports the caller's own.
bool ShmIsLockedByAnotherProcess(const std::string& db_path) {
  const pid_t child = ::fork();
  if (child == 0) {
    int fd = ::open((db_path + "-shm").c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) ::_exit(2);
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = 128;
    probe.l_len = 1;
    if (::fcntl(fd, F_GETLK, &probe) != 0) ::_exit(3);
    ::_exit(probe.l_type == F_UNLCK ? 1 : 0);
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return false;
  EXPECT_LE(WEXITSTATUS(status), 1) << "the probe could not open or ask the -shm file";
  return WEXITSTATUS(status) == 0;
}

class StoreLocks : public StoreTest {};

TEST_F(StoreLocks, OpeningTheStoreAgainInTheSameProcessKeepsTheFirstConnectionsSharedMemoryLock) {
  auto first = OpenStore();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(PutAll(*first, MakeGraph(*first, 1)).ok());  // the -wal and -shm files are in use
  ASSERT_TRUE(ShmIsLockedByAnotherProcess(path())) << "the probe does not see an open connection";

  auto second = Store::Open(path());  // as MarketHistory::Open does
  ASSERT_TRUE(second.ok()) << second.error();
  second.value().reset();
  EXPECT_TRUE(ShmIsLockedByAnotherProcess(path())) << "opening the store again dropped the first connection's lock";

  // The first connection still writes after another process opened and closed the store.
  const pid_t child = ::fork();
  if (child == 0) {
    auto other = Store::Open(path());
    ::_exit(other.ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(PutAll(*first, MakeGraph(*first, 2)).ok());
}

}  // namespace
}  // namespace coordinator::store_test
