// A strict reader of YAML mappings for config files: every key read is known, every other key
// is an error, every type or range mistake is reported with its key path ("trade.fee: …").
// Readers never throw; they collect errors in a shared ErrorList and leave the output untouched
// when a key is absent or wrong, so the caller's defaults stay in place.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/base/expected.h"

namespace config {

// Errors in document order, each "path: problem". Also records every key path a reader asked
// for, so that a schema can list its own options (ListCoordinatorConfigKeys).
class ErrorList {
 public:
  void Add(std::string_view path, std::string_view problem);
  bool empty() const { return m_errors.empty(); }
  const std::vector<std::string>& errors() const { return m_errors; }
  // All errors, one per line.
  std::string Joined() const;

  void RecordKey(const std::string& path) { m_known_keys.push_back(path); }
  const std::vector<std::string>& known_keys() const { return m_known_keys; }

 private:
  std::vector<std::string> m_errors;
  std::vector<std::string> m_known_keys;
};

// "a.b" + "c" → "a.b.c"; "" + "c" → "c".
std::string JoinPath(std::string_view parent, std::string_view key);
// Shortest decimal text that reads back as `v` ("20", "0.002").
std::string FormatNumber(double v);
std::string FormatNumber(int64_t v);

// Reads one mapping. A null node (absent section, or `key:` with nothing) is an empty mapping.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string path, ErrorList& errors);

  // Each reader marks `key` as known. If the key is absent, `out` keeps its value. If the value
  // has the wrong type, an error is added and `out` keeps its value.
  // A string may be null (`key:` or `key: ~`), which reads as "".
  void String(std::string_view key, std::string& out);
  void Int(std::string_view key, int64_t& out);
  void Int(std::string_view key, int& out);
  void Double(std::string_view key, double& out);
  void StringList(std::string_view key, std::vector<std::string>& out);
  // One of `names` (exact, case-sensitive).
  template <class E>
  void Enum(std::string_view key, E& out, std::initializer_list<std::pair<std::string_view, E>> names);

  // A nested mapping; absent → an empty reader whose reads all keep the defaults.
  MapReader Map(std::string_view key);

  // Reports every key present in the document that no reader asked for. Call once, after all
  // reads of this mapping.
  void Finish();

  std::string PathOf(std::string_view key) const { return JoinPath(m_path, key); }
  // The keys present in the document, in document order (for mappings keyed by name, whose
  // entries the caller then reads with Map(key)).
  const std::vector<std::string>& keys() const { return m_order; }
  ErrorList& errors() { return m_errors; }

 private:
  // The value of `key` if present; marks the key known either way.
  const YAML::Node* Find(std::string_view key);
  bool ScalarText(std::string_view key, const YAML::Node& node, std::string_view expected, std::string& text);

  std::string m_path;
  ErrorList& m_errors;
  bool m_valid = true;  // false when the node is not a mapping (already reported)
  std::map<std::string, YAML::Node, std::less<>> m_entries;
  std::vector<std::string> m_order;  // keys in document order
  std::set<std::string, std::less<>> m_used;
};

template <class E>
void MapReader::Enum(std::string_view key, E& out,
                     std::initializer_list<std::pair<std::string_view, E>> names) {
  std::string text;
  bool present = false;
  {
    const YAML::Node* node = Find(key);
    if (node == nullptr) return;
    present = ScalarText(key, *node, "a string", text);
  }
  if (!present) return;
  std::string allowed;
  for (const auto& [name, value] : names) {
    if (name == text) {
      out = value;
      return;
    }
    if (!allowed.empty()) allowed += '|';
    allowed += name;
  }
  m_errors.Add(PathOf(key), "'" + text + "' is not one of " + allowed);
}

// A config file's text, or "<path>: cannot be read" / "<path>: read error".
base::Expected<std::string, std::string> ReadConfigText(const std::string& path);

// The YAML document of a config's text, or "yaml: line L, column C: problem".
base::Expected<YAML::Node, std::string> LoadYamlDocument(std::string_view yaml_text);

// A config schema's whole reading: the YAML text → read(root, errors, config) (every key, into
// the defaults) → if nothing was wrong, validate(errors, config) (values, cross-field rules).
// Every problem in one message, a line each.
template <class Config, class Read, class Validate>
base::Expected<Config, std::string> ParseConfigDocument(std::string_view yaml_text, Read read, Validate validate) {
  auto root = LoadYamlDocument(yaml_text);
  if (!root.ok()) return base::Err(root.error());
  ErrorList errors;
  Config config;
  try {
    read(root.value(), errors, config);
  } catch (const YAML::Exception& ex) {  // not expected: the readers only use non-throwing calls
    errors.Add("(document)", std::string("yaml: ") + ex.msg);
  }
  if (!errors.empty()) return base::Err(errors.Joined());
  validate(errors, config);
  if (!errors.empty()) return base::Err(errors.Joined());
  return config;
}

// The same, from the file at `path` (errors prefixed with the path).
template <class Config, class Read, class Validate>
base::Expected<Config, std::string> LoadConfigFile(const std::string& path, Read read, Validate validate) {
  auto text = ReadConfigText(path);
  if (!text.ok()) return base::Err(text.error());
  auto parsed = ParseConfigDocument<Config>(text.value(), read, validate);
  if (!parsed.ok()) return base::Err(path + ":\n" + parsed.error());
  return std::move(parsed).value();
}

}  // namespace config
