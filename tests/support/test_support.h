// Helpers shared by the test binaries.
#pragma once

#include <string>

namespace testsupport {

// ../shared/fixtures/<relative>
std::string FixturePath(const std::string& relative);
// <build>/bin/<name>: the executables multi-process tests start.
std::string BinaryPath(const std::string& name);
// The directory of `file` (a __FILE__): compilers give __FILE__ relative to the build directory
// the file was compiled in when ccache rewrites paths (CCACHE_BASEDIR), so a relative one is
// resolved against the running test binary's directory (tests are built and placed in
// <build>/tests). Lets tests find their fixtures from any working directory.
std::string SourceDirOf(const char* file);
// A fresh empty directory under $TMPDIR, removed by the caller (or left for post-mortems).
std::string MakeTempDir(const std::string& prefix);
std::string ReadFile(const std::string& path);

}  // namespace testsupport
