// Fixtures of the identity tests live beside them (tests/unit/identity/fixtures/, see the
// README there), not in the shared fixtures folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "tests/support/test_support.h"

namespace identity_test {

inline std::string FixturePath(const std::string& name) {
  return (std::filesystem::path(testsupport::SourceDirOf(__FILE__)) / "fixtures" / name).string();
}

// The file's content; throws (failing the test) if it is missing or empty.
inline std::string Fixture(const std::string& name) {
  std::string text = testsupport::ReadFile(FixturePath(name));
  if (text.empty()) throw std::runtime_error("missing fixture " + FixturePath(name));
  return text;
}

// Creation time of every backdated gpg fixture key: 2024-01-01T00:00:00Z.
inline constexpr int64_t kFixtureKeysCreated = 1704067200;
inline constexpr int64_t kHour = 3600;
inline constexpr int64_t kDay = 24 * kHour;

}  // namespace identity_test
