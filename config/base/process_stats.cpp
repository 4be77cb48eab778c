#include "config/base/process_stats.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace base {
namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces and parentheses:
// everything up to its last ')'), so that fields[0] is field 3 of proc(5), `state`.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// proc(5) numbers its fields from 1; StatFields starts at field 3.
int64_t Field(const std::vector<std::string>& fields, size_t number) {
  const size_t i = number - 3;
  if (i >= fields.size()) return -1;
  try {
    return std::stoll(fields[i]);
  } catch (...) {
    return -1;
  }
}

// "btime" of /proc/stat: the boot time, Unix seconds.
int64_t BootTime() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      int64_t t = -1;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return -1;
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats s;
  const std::vector<std::string> f = StatFields();
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (const int64_t rss = Field(f, 24); rss >= 0 && page > 0) s.resident_bytes = rss * page;
  s.virtual_bytes = Field(f, 23);
  s.threads = Field(f, 20);
  const int64_t utime = Field(f, 14), stime = Field(f, 15);
  if (utime >= 0 && stime >= 0 && ticks > 0) s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks);
  const int64_t start = Field(f, 22), boot = BootTime();
  if (start >= 0 && boot > 0 && ticks > 0) {
    s.start_time_seconds = static_cast<double>(boot) + static_cast<double>(start) / static_cast<double>(ticks);
  }
  std::error_code ec;
  int64_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++fds;
  if (!ec) s.open_fds = fds;
  if (rlimit r{}; ::getrlimit(RLIMIT_NOFILE, &r) == 0) {
    s.max_fds = r.rlim_cur == RLIM_INFINITY ? -1 : static_cast<int64_t>(r.rlim_cur);
  }
  const struct mallinfo2 m = ::mallinfo2();
  s.malloc_in_use_bytes = static_cast<int64_t>(m.uordblks + m.hblkhd);
  s.malloc_free_bytes = static_cast<int64_t>(m.fordblks);
  return s;
}

}  // namespace base
