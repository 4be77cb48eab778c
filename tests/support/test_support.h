// Helpers shared by the test binaries.
#pragma once

#include <string>

namespace testsupport {

// ../shared/fixtures/<relative>
std::string FixturePath(const std::string& relative);
// <build>/bin/<name>: the executables multi-process tests start.
std::string BinaryPath(const std::string& name);
// A fresh empty directory under $TMPDIR, removed by the caller (or left for post-mortems).
std::string MakeTempDir(const std::string& prefix);
std::string ReadFile(const std::string& path);

}  // namespace testsupport
