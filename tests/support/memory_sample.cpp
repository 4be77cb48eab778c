#include "tests/support/memory_sample.h"

#include <cstdlib>
#include <fstream>

#include "tests/support/robot_client.h"

namespace testsupport {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

}  // namespace

std::optional<double> ScrapedValue(const std::string& text, const std::string& name_and_labels) {
  const std::string key = "\n" + name_and_labels + " ";
  const size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return std::nullopt;
  // "\n" + text shifted every position by one.
  return std::strtod(text.c_str() + at + key.size() - 1, nullptr);
}

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
  auto mib = [&](const char* name) {
    const auto bytes = ScrapedValue(reply.body, name);
    return bytes ? *bytes / kMiB : -1;
  };
  s.heap_mib = mib("coordinator_malloc_in_use_bytes");
  s.free_mib = mib("coordinator_malloc_free_bytes");
  s.sqlite_mib = mib("coordinator_sqlite_memory_bytes");
  s.threads = static_cast<int>(ScrapedValue(reply.body, "process_threads").value_or(-1));
  return s;
}

}  // namespace testsupport
