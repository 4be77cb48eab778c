// Fixtures of the robot CLI's unit tests: beside them (tests/unit/robot/fixtures/, README
// there), plus the identity tests' keys (tests/unit/identity/fixtures/).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "tests/support/test_support.h"

namespace robot_test {

inline std::string FixturePath(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path() / "fixtures" / name).string();
}
inline std::string IdentityFixturePath(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "identity" / "fixtures" / name).string();
}

// The file's content; throws (failing the test) if it is missing or empty.
inline std::string Read(const std::string& path) {
  std::string text = testsupport::ReadFile(path);
  if (text.empty()) throw std::runtime_error("missing fixture " + path);
  return text;
}
inline std::string Fixture(const std::string& name) { return Read(FixturePath(name)); }
inline std::string IdentityFixture(const std::string& name) { return Read(IdentityFixturePath(name)); }
inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

inline constexpr int64_t kDay = 24 * 3600;

}  // namespace robot_test
