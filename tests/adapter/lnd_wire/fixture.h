// Fixture access for the lnd_wire tests: files beside this header, in fixtures/.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace lndwire {

inline std::string FixtureFile(const std::string& name) {
  return (std::filesystem::path(testsupport::SourceDirOf(__FILE__)) / "fixtures" / name).string();
}

// The whole file; fails the calling test (empty result) if it is missing.
inline std::string ReadFixture(const std::string& name) { return testsupport::ReadFile(FixtureFile(name)); }

inline std::vector<std::string> FixtureLines(const std::string& name) {
  std::vector<std::string> lines;
  std::string text = ReadFixture(name);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    if (nl > start) lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

}  // namespace lndwire
