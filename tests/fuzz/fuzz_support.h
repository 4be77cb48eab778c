// What every fuzz target shares: a property check that aborts (libFuzzer reports it as a crash,
// with the input saved), and the fixtures read once at start.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace fuzzsupport {

// A property every input must keep; failing it is a finding like a sanitizer report.
[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}
#define FUZZ_CHECK(cond)                            \
  do {                                              \
    if (!(cond)) ::fuzzsupport::Fail(#cond);        \
  } while (0)

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A file of the source tree ("tests/unit/identity/fixtures/robot_pub.asc"); aborts if missing.
inline std::string SourceFile(const std::string& relative) {
  std::ifstream in(std::string(FUZZ_SOURCE_DIR) + "/" + relative, std::ios::binary);
  if (!in) Fail(("missing fixture " + relative).c_str());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace fuzzsupport
