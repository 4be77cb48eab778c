#include "config/yaml_reader.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <cmath>
#include <limits>
#include <system_error>

namespace config {

namespace {

std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 60;
  // Appends rather than `"'" + …`: GCC 12 at -O3 reports a false -Wrestrict on the latter.
  std::string out = "'";
  out.append(text.substr(0, kMaxShown));
  if (text.size() > kMaxShown) out += "…";
  out += '\'';
  return out;
}

std::string_view KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined: return "nothing";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
  }
  return "an unknown node";
}

}  // namespace

void ErrorList::Add(std::string_view path, std::string_view problem) {
  std::string line(path.empty() ? "(document)" : path);
  line += ": ";
  line += problem;
  m_errors.push_back(std::move(line));
}

std::string ErrorList::Joined() const {
  std::string out;
  for (const std::string& e : m_errors) {
    if (!out.empty()) out += '\n';
    out += e;
  }
  return out;
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string FormatNumber(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "?";
  return std::string(buf, end);
}

std::string FormatNumber(int64_t v) { return std::to_string(v); }

MapReader::MapReader(const YAML::Node& node, std::string path, ErrorList& errors)
    : m_path(std::move(path)), m_errors(errors) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    m_errors.Add(m_path, std::string("expected a mapping, got ") + std::string(KindName(node)));
    m_valid = false;
    return;
  }
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      m_errors.Add(m_path, "a key is not a plain string");
      continue;
    }
    const std::string& key = kv.first.Scalar();
    if (m_entries.find(key) != m_entries.end()) {
      m_errors.Add(JoinPath(m_path, key), "duplicate key");
      continue;
    }
    m_entries.emplace(key, kv.second);
    m_order.push_back(key);
  }
}

const YAML::Node* MapReader::Find(std::string_view key) {
  m_errors.RecordKey(PathOf(key));
  m_used.emplace(key);
  auto it = m_entries.find(key);
  if (it == m_entries.end()) return nullptr;
  return &it->second;
}

bool MapReader::ScalarText(std::string_view key, const YAML::Node& node, std::string_view expected,
                           std::string& text) {
  if (!node.IsScalar()) {
    m_errors.Add(PathOf(key), "expected " + std::string(expected) + ", got " + std::string(KindName(node)));
    return false;
  }
  text = node.Scalar();
  return true;
}

void MapReader::String(std::string_view key, std::string& out) {
  const YAML::Node* node = Find(key);
  if (node == nullptr) return;
  if (node->IsNull()) {
    out.clear();
    return;
  }
  std::string text;
  if (ScalarText(key, *node, "a string", text)) out = std::move(text);
}

void MapReader::Int(std::string_view key, int64_t& out) {
  const YAML::Node* node = Find(key);
  if (node == nullptr) return;
  std::string text;
  if (!ScalarText(key, *node, "an integer", text)) return;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    m_errors.Add(PathOf(key), Quote(text) + " is too large");
    return;
  }
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    m_errors.Add(PathOf(key), "expected an integer, got " + Quote(text));
    return;
  }
  out = value;
}

void MapReader::Int(std::string_view key, int& out) {
  int64_t wide = out;
  size_t errors_before = m_errors.errors().size();
  Int(key, wide);
  if (m_errors.errors().size() != errors_before) return;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    m_errors.Add(PathOf(key), FormatNumber(wide) + " is too large");
    return;
  }
  out = static_cast<int>(wide);
}

void MapReader::Double(std::string_view key, double& out) {
  const YAML::Node* node = Find(key);
  if (node == nullptr) return;
  std::string text;
  if (!ScalarText(key, *node, "a number", text)) return;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(value)) {
    m_errors.Add(PathOf(key), "expected a number, got " + Quote(text));
    return;
  }
  out = value;
}

void MapReader::StringList(std::string_view key, std::vector<std::string>& out) {
  const YAML::Node* node = Find(key);
  if (node == nullptr) return;
  if (node->IsNull()) {
    out.clear();
    return;
  }
  if (!node->IsSequence()) {
    m_errors.Add(PathOf(key), "expected a list, got " + std::string(KindName(*node)));
    return;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (size_t i = 0; i < node->size(); ++i) {
    const YAML::Node item = (*node)[i];
    if (!item.IsScalar()) {
      m_errors.Add(PathOf(key) + "[" + std::to_string(i) + "]",
                   "expected a string, got " + std::string(KindName(item)));
      ok = false;
      continue;
    }
    values.push_back(item.Scalar());
  }
  if (ok) out = std::move(values);
}

MapReader MapReader::Map(std::string_view key) {
  const YAML::Node* node = Find(key);
  if (node == nullptr) return MapReader(YAML::Node(), PathOf(key), m_errors);
  return MapReader(*node, PathOf(key), m_errors);
}

void MapReader::Finish() {
  if (!m_valid) return;
  for (const std::string& key : m_order) {
    if (m_used.find(key) == m_used.end()) m_errors.Add(JoinPath(m_path, key), "unknown key");
  }
}

base::Expected<std::string, std::string> ReadConfigText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Err(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return base::Err(path + ": read error");
  return text.str();
}

base::Expected<YAML::Node, std::string> LoadYamlDocument(std::string_view yaml_text) {
  try {
    return YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& ex) {
    return base::Err("yaml: line " + std::to_string(ex.mark.line + 1) + ", column " +
                     std::to_string(ex.mark.column + 1) + ": " + ex.msg);
  }
}

}  // namespace config
