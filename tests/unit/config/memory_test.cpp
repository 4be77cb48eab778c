// config/base/memory.h: coordinatord's malloc arenas capped at the core count, and the free
// pages trimmed back to the kernel (what kept its RSS climbing for minutes under the load test).
// glibc's malloc only: under a sanitizer's malloc the effects cannot be seen, and the tests skip.
#include "config/base/memory.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/config/glibc_malloc.h"

namespace {

using testconfig::kGlibcMalloc;

// Resident pages of this process (/proc/self/statm, second field), in KiB.
long ResidentKib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// The arenas glibc has made so far: malloc_info(3)'s <heap nr="…"> elements.
int Arenas() {
  char* buffer = nullptr;
  size_t length = 0;
  FILE* out = open_memstream(&buffer, &length);
  malloc_info(0, out);
  std::fclose(out);
  std::string xml(buffer, length);
  std::free(buffer);
  int heaps = 0;
  for (size_t at = xml.find("<heap nr="); at != std::string::npos; at = xml.find("<heap nr=", at + 1)) ++heaps;
  return heaps;
}

// In a child process (its own malloc state): 8 threads allocate at once, with the arenas capped
// at `cap` (0: glibc's default). Returns the arenas glibc made, or -1.
int ArenasAfterEightThreads(int cap) {
  const pid_t pid = fork();
  if (pid == 0) {
    unsetenv("MALLOC_ARENA_MAX");
    if (cap > 0) base::LimitMallocArenas(cap);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([] {
        std::vector<void*> blocks;
        for (int i = 0; i < 2000; ++i) blocks.push_back(std::malloc(64 + i % 512));
        for (void* b : blocks) std::free(b);
      });
    }
    for (auto& t : threads) t.join();
    _exit(std::min(Arenas(), 100));
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(Memory, TheArenasAreCappedAtTheCoreCountUnlessTheOperatorSetsThem) {
  if (!kGlibcMalloc) GTEST_SKIP() << "a sanitizer's malloc";
  EXPECT_EQ(ArenasAfterEightThreads(1), 1);
  EXPECT_EQ(ArenasAfterEightThreads(2), 2);
  EXPECT_GT(ArenasAfterEightThreads(0), 2);  // glibc's default: an arena per thread here
}

TEST(Memory, TheOperatorsMallocArenaMaxWins) {
  const char* saved = std::getenv("MALLOC_ARENA_MAX");
  const std::string saved_value = saved ? saved : "";
  setenv("MALLOC_ARENA_MAX", "3", 1);
  EXPECT_EQ(base::LimitMallocArenas(2), 3);
  unsetenv("MALLOC_ARENA_MAX");
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  EXPECT_EQ(base::LimitMallocArenas(0), cores == 0 ? 2 : cores);
  if (saved) setenv("MALLOC_ARENA_MAX", saved_value.c_str(), 1);
}

TEST(Memory, TrimGivesBackTheFreePagesBetweenBlocksStillInUse) {
  if (!kGlibcMalloc) GTEST_SKIP() << "a sanitizer's malloc";
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // glibc trims the heap's top by itself; not in between
  // 64 MiB in 4 KiB blocks (below the mmap threshold: on the heap), touched.
  std::vector<char*> blocks;
  for (int i = 0; i < 16384; ++i) {
    char* b = static_cast<char*>(std::malloc(4000));
    for (int j = 0; j < 4000; j += 512) b[j] = static_cast<char>(j);
    blocks.push_back(b);
  }
  // Free all but every 64th: the heap cannot shrink from its top, the pages between stay.
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i % 64 != 63) {
      std::free(blocks[i]);
      blocks[i] = nullptr;
    }
  }
  const long before = ResidentKib();
  EXPECT_TRUE(base::TrimMalloc());
  const long after = ResidentKib();
  for (char* b : blocks) std::free(b);
  EXPECT_GT(before - after, 32 * 1024) << "before " << before << " KiB, after " << after << " KiB";
}

TEST(Memory, PeriodicTrimRunsUntilDestroyed) {
  size_t at_stop = 0;
  {
    base::PeriodicTrim trim(std::chrono::milliseconds(5));
    for (int i = 0; i < 2000 && trim.Trims() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_GE(trim.Trims(), 3u);
    at_stop = trim.Trims();
  }  // joined here
  EXPECT_GE(at_stop, 3u);
}

}  // namespace
