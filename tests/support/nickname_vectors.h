// RoboSats' nickname vectors (tests/unit/identity/fixtures/nickname_vectors.tsv, made with the
// generator of the RoboSats web client, robo-identities-wasm 0.1.0; see the README there), for
// the identity unit test and the API test that registers robots with those tokens.
#pragma once

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace testsupport {

struct NicknameVector {
  std::string token;             // "-": the hash_id comes from no token
  std::string hash_id;           // hex SHA256(hex SHA256(token))
  std::string nickname;          // what the RoboSats web client shows
  std::string backend_nickname;  // what RoboSats' backend names it ("-": not computed)
  std::string note;
};

// Every vector of the file; throws (failing the test) if it is missing, empty or malformed.
inline std::vector<NicknameVector> LoadNicknameVectors() {
  const std::string path = (std::filesystem::path(testsupport::SourceDirOf(__FILE__)) / ".." / "unit" / "identity" /
                            "fixtures" / "nickname_vectors.tsv")
                               .string();
  std::istringstream in(ReadFile(path));
  std::vector<NicknameVector> vectors;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    size_t start = 0;
    for (size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
      cols.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    cols.push_back(line.substr(start));
    if (cols.size() != 5) throw std::runtime_error("bad nickname vector: " + line);
    vectors.push_back({cols[0], cols[1], cols[2], cols[3], cols[4]});
  }
  if (vectors.empty()) throw std::runtime_error("no nickname vectors in " + path);
  return vectors;
}

}  // namespace testsupport
