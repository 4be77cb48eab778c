// base::Log, the structured log every daemon writes (issue #11, Build 6): one line of JSON per
// event on stderr — whatever the fields hold (newlines, quotes, control bytes) — with its level,
// and a threshold that drops what is below it (debug is off unless log_level says debug).
#include "config/base/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "tests/support/test_support.h"

namespace {

// Runs `body` with stderr sent to a file; returns what was written.
template <class Body>
std::string CaptureStderr(Body body) {
  const std::string path = testsupport::MakeTempDir("log") + "/stderr.txt";
  const int file = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  EXPECT_GE(file, 0);
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(file, STDERR_FILENO);
  body();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(file);
  return testsupport::ReadFile(path);
}

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not one JSON object per line: " << line;
    out.push_back(j);
  }
  return out;
}

TEST(StructuredLog, EachEventIsOneJsonLineWithItsLevelWhateverTheFieldsHold) {
  base::SetLogLevel(base::LogLevel::kInfo);
  const std::string nasty = "two\nlines \"quoted\" \\ tab\t cr\r bell\x07 end";
  const std::string text = CaptureStderr([&] {
    base::Log(base::LogLevel::kInfo, "engine", "first event", {{"order", "12"}, {"why", nasty}});
    base::Log(base::LogLevel::kWarn, "node", "second\nevent", {});
    base::Log(base::LogLevel::kError, "store", "third", {{"error", "disk I/O error"}});
  });
  auto lines = Lines(text);
  ASSERT_EQ(lines.size(), 3u) << text;
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["component"], "engine");
  EXPECT_EQ(lines[0]["msg"], "first event");
  EXPECT_EQ(lines[0]["order"], "12");
  EXPECT_EQ(lines[0]["why"], nasty);  // kept intact, escaped on one line
  EXPECT_EQ(lines[1]["level"], "warn");
  EXPECT_EQ(lines[1]["msg"], "second\nevent");
  EXPECT_EQ(lines[2]["level"], "error");
  for (const auto& l : lines) {
    ASSERT_TRUE(l.contains("ts"));
    EXPECT_EQ(l["ts"].get<std::string>().size(), 24u) << l.dump();  // 2026-01-01T00:00:00.000Z
  }
}

TEST(StructuredLog, DebugLinesAppearOnlyAtDebugLevel) {
  base::SetLogLevel(base::LogLevel::kInfo);
  std::string text = CaptureStderr([] {
    base::Log(base::LogLevel::kDebug, "engine", "hidden", {});
    base::Log(base::LogLevel::kInfo, "engine", "shown", {});
  });
  auto lines = Lines(text);
  ASSERT_EQ(lines.size(), 1u) << text;
  EXPECT_EQ(lines[0]["msg"], "shown");

  base::SetLogLevel(base::LogLevel::kDebug);
  text = CaptureStderr([] { base::Log(base::LogLevel::kDebug, "engine", "now shown", {}); });
  lines = Lines(text);
  ASSERT_EQ(lines.size(), 1u) << text;
  EXPECT_EQ(lines[0]["level"], "debug");

  base::SetLogLevel(base::LogLevel::kError);
  text = CaptureStderr([] { base::Log(base::LogLevel::kWarn, "engine", "dropped", {}); });
  EXPECT_EQ(text, "");
  base::SetLogLevel(base::LogLevel::kInfo);
}

}  // namespace
