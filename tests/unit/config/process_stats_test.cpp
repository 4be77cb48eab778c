// config/base/process_stats.h: the process_* figures of /metrics follow what the process does —
// memory it touches, files it opens, threads it starts, CPU it burns.
#include "config/base/process_stats.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "tests/unit/config/glibc_malloc.h"

namespace {

using testconfig::kGlibcMalloc;

constexpr int64_t kMiB = 1024 * 1024;

TEST(ProcessStats, ResidentMemoryAndTheHeapInUseFollowWhatTheProcessTouches) {
  const base::ProcessStats before = base::ReadProcessStats();
  ASSERT_GT(before.resident_bytes, 0);
  EXPECT_GE(before.virtual_bytes, before.resident_bytes);
  constexpr size_t kSize = 64 * kMiB;
  char* block = static_cast<char*>(std::malloc(kSize));
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kSize);
  const base::ProcessStats after = base::ReadProcessStats();
  EXPECT_GE(after.resident_bytes - before.resident_bytes, 48 * kMiB);
  if (kGlibcMalloc) {
    EXPECT_GE(after.malloc_in_use_bytes - before.malloc_in_use_bytes, 64 * kMiB);
  }
  std::free(block);
  if (kGlibcMalloc) {
    EXPECT_LT(base::ReadProcessStats().malloc_in_use_bytes, after.malloc_in_use_bytes - 32 * kMiB);
  }
}

TEST(ProcessStats, OpenDescriptorsAndThreadsAreCounted) {
  const base::ProcessStats before = base::ReadProcessStats();
  ASSERT_GT(before.open_fds, 0);
  ASSERT_GT(before.threads, 0);
  EXPECT_GT(before.max_fds, before.open_fds);
  int fds[3];
  for (int& fd : fds) fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread waiting([&] {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return stop; });
  });
  const base::ProcessStats during = base::ReadProcessStats();
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  cv.notify_all();
  waiting.join();
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(during.open_fds, before.open_fds + 3);
  EXPECT_EQ(during.threads, before.threads + 1);
  EXPECT_EQ(base::ReadProcessStats().open_fds, before.open_fds);
}

TEST(ProcessStats, CpuTimeGrowsWithWorkAndTheStartTimeIsInThePast) {
  const base::ProcessStats before = base::ReadProcessStats();
  ASSERT_GE(before.cpu_seconds, 0);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(before.start_time_seconds, now + 1);
  EXPECT_GT(before.start_time_seconds, now - 3600) << "this test process started over an hour ago?";
  // Burn CPU until the counter moves (clock ticks are 10 ms); a deadline only guards against a
  // counter that never moves, it asserts no speed.
  volatile uint64_t sink = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  double cpu = before.cpu_seconds;
  while (cpu < before.cpu_seconds + 0.05 && std::chrono::steady_clock::now() < give_up) {
    for (int i = 0; i < 1'000'000; ++i) sink = sink + static_cast<uint64_t>(i);
    cpu = base::ReadProcessStats().cpu_seconds;
  }
  EXPECT_GE(cpu, before.cpu_seconds + 0.05);
}

}  // namespace
