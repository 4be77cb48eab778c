// federation: checks a federation.json and adds, replaces or removes one coordinator's entry.
// Thin: the model, its rules and the atomic write live in federation/model/.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "federation/model/federation_json.h"
#include "federation/model/validate.h"

namespace {

constexpr const char* kUsage =
    "usage: federation validate FILE\n"
    "       federation add FILE ENTRY.json        (ENTRY.json: one entry object; - reads stdin)\n"
    "       federation replace FILE ENTRY.json    (the entry with the same shortAlias)\n"
    "       federation remove FILE SHORTALIAS\n"
    "  FILE is a federation.json in RoboSats' schema. add/replace/remove check the result\n"
    "  and write FILE atomically; nothing is written when a problem is found. `coordinatord\n"
    "  federation-entry --config FILE` prints this coordinator's entry.\n";

int Problems(const federation::Problems& problems) {
  for (const auto& p : problems) std::fprintf(stderr, "%s\n", p.c_str());
  return 1;
}

int Usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

base::Expected<federation::CoordinatorEntry, federation::Problems> ReadEntry(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return base::Err(federation::Problems{path + ": cannot be read"});
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  const std::string label = path == "-" ? "stdin" : path;
  auto json = nlohmann::ordered_json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return base::Err(federation::Problems{label + ": not a JSON object (one federation.json entry)"});
  }
  std::string key = json.value("shortAlias", "");
  federation::Problems problems;
  auto entry = federation::EntryFromJson(json, label, key, problems);
  if (!problems.empty()) return base::Err(std::move(problems));
  return entry;
}

// Checks the whole new file, then writes it.
int Commit(const std::string& path, const federation::FederationFile& file, const std::string& done) {
  auto problems = federation::ValidateFederation(file, path);
  if (!problems.empty()) return Problems(problems);
  auto written = federation::WriteFileAtomically(path, federation::SerializeFederation(file));
  if (!written.ok()) {
    std::fprintf(stderr, "%s\n", written.error().c_str());
    return 1;
  }
  std::printf("%s: %s (%zu entries)\n", path.c_str(), done.c_str(), file.entries.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string& command = args[0];
  if (command == "validate") {
    if (args.size() != 2) return Usage();
    auto file = federation::LoadFederation(args[1]);
    if (!file.ok()) return Problems(file.error());
    auto problems = federation::ValidateFederation(*file, args[1]);
    if (!problems.empty()) return Problems(problems);
    std::printf("%s: valid (%zu entries)\n", args[1].c_str(), file->entries.size());
    return 0;
  }
  if (command == "add" || command == "replace") {
    if (args.size() != 3) return Usage();
    auto file = federation::LoadFederation(args[1]);
    if (!file.ok()) return Problems(file.error());
    auto entry = ReadEntry(args[2]);
    if (!entry.ok()) return Problems(entry.error());
    const std::string key = entry->short_alias;
    auto& entries = file->entries;
    auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
    if (command == "add") {
      if (it != entries.end()) {
        return Problems({federation::Problem(args[1], key, "", "already present (use `federation replace`)")});
      }
      entries.emplace_back(key, std::move(entry.value()));
      return Commit(args[1], *file, "added \"" + key + "\"");
    }
    if (it == entries.end()) {
      return Problems({federation::Problem(args[1], key, "", "not present (use `federation add`)")});
    }
    it->second = std::move(entry.value());
    return Commit(args[1], *file, "replaced \"" + key + "\"");
  }
  if (command == "remove") {
    if (args.size() != 3) return Usage();
    auto file = federation::LoadFederation(args[1]);
    if (!file.ok()) return Problems(file.error());
    auto& entries = file->entries;
    auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == args[2]; });
    if (it == entries.end()) return Problems({federation::Problem(args[1], args[2], "", "not present")});
    entries.erase(it);
    return Commit(args[1], *file, "removed \"" + args[2] + "\"");
  }
  return Usage();
}
