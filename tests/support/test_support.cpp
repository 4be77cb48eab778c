#include "tests/support/test_support.h"

#include <filesystem>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace testsupport {

std::string FixturePath(const std::string& relative) {
  return std::string(SHARED_DIR) + "/fixtures/" + relative;
}

std::string BinaryPath(const std::string& name) { return std::string(BIN_DIR) + "/" + name; }

std::string SourceDirOf(const char* file) {
  std::filesystem::path p(file);
  if (p.is_relative()) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    p = (ec ? std::filesystem::current_path() : exe.parent_path()) / p;
  }
  return p.lexically_normal().parent_path().string();
}

std::string MakeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
  return tmpl;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace testsupport
