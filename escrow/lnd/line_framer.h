// LineFramer: the framing of LND's REST streams (grpc-gateway writes one JSON object per line,
// "\n"-terminated). Bytes arrive in arbitrary chunks; complete lines come out in order, with a
// trailing "\r" removed and blank lines (spaces and tabs only) skipped. A line longer than
// `max_line` without its newline makes Append return false (the stream is then refused).
// Used by HttpClient::Stream (http_client.cpp); tests/fuzz/lnd_stream.cpp fuzzes it.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace escrow::lnd {

class LineFramer {
 public:
  explicit LineFramer(size_t max_line) : m_max_line(max_line) {}

  // Adds a chunk; the complete lines it ends go to lines(). False once the incomplete line
  // held is over max_line (nothing more should be appended).
  bool Append(std::string_view chunk) {
    m_pending.append(chunk);
    size_t start = 0;
    for (size_t nl = m_pending.find('\n'); nl != std::string::npos; nl = m_pending.find('\n', start)) {
      Push(std::string_view(m_pending).substr(start, nl - start));
      start = nl + 1;
    }
    m_pending.erase(0, start);
    return m_pending.size() <= m_max_line;
  }

  // The end of the stream: the last line may lack its newline.
  void Finish() {
    Push(m_pending);
    m_pending.clear();
  }

  // The complete lines so far, not yet taken.
  std::vector<std::string> TakeLines() {
    std::vector<std::string> out = std::move(m_lines);
    m_lines.clear();
    return out;
  }
  const std::vector<std::string>& lines() const { return m_lines; }

 private:
  void Push(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    m_lines.emplace_back(line);
  }

  size_t m_max_line;
  std::string m_pending;  // an incomplete line
  std::vector<std::string> m_lines;
};

}  // namespace escrow::lnd
