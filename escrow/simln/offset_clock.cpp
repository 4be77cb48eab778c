#include "escrow/simln/offset_clock.h"

#include <charconv>
#include <fstream>
#include <mutex>
#include <sstream>

#include "escrow/simln/tls_material.h"

namespace escrow::simln {

base::Expected<std::unique_ptr<OffsetClock>, std::string> OffsetClock::Open(const std::string& offset_path) {
  int64_t offset = 0;
  if (!offset_path.empty()) {
    std::ifstream in(offset_path);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || offset < 0) {
        return base::Err("malformed clock offset file " + offset_path);
      }
    }
  }
  return std::unique_ptr<OffsetClock>(new OffsetClock(offset_path, offset));
}

base::TimePoint OffsetClock::Now() const {
  return std::chrono::system_clock::now() + std::chrono::seconds(m_offset_s.load());
}

base::Expected<void, std::string> OffsetClock::Advance(std::chrono::seconds by) {
  static std::mutex mu;  // serialises the file writes
  std::lock_guard lock(mu);
  int64_t next = m_offset_s.load() + by.count();
  if (!m_path.empty()) {
    if (auto w = WriteFileAtomic(m_path, std::to_string(next) + "\n", 0644); !w) return w;
  }
  m_offset_s = next;
  return {};
}

}  // namespace escrow::simln
