#include "tests/support/memory_sample.h"

#include <cstdlib>
#include <fstream>

#include "tests/support/robot_client.h"

namespace testsupport {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// The value of the unlabelled series `name` in a Prometheus text scrape; -1 if absent.
double Series(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + key.size() - 1, nullptr);
}

}  // namespace

int64_t RssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

MemorySample SampleMemory(pid_t pid, const std::string& operator_url) {
  MemorySample s;
  s.rss_kib = RssKiB(pid);
  const auto reply = RobotClient::Anonymous(operator_url + "/metrics", 5000);
  if (reply.status != 200) return s;
  auto mib = [](double bytes) { return bytes < 0 ? -1 : bytes / kMiB; };
  s.heap_mib = mib(Series(reply.body, "coordinator_malloc_in_use_bytes"));
  s.free_mib = mib(Series(reply.body, "coordinator_malloc_free_bytes"));
  s.sqlite_mib = mib(Series(reply.body, "coordinator_sqlite_memory_bytes"));
  s.threads = static_cast<int>(Series(reply.body, "process_threads"));
  return s;
}

}  // namespace testsupport
