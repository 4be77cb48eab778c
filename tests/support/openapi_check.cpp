#include "tests/support/openapi_check.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>

#include "tests/support/test_support.h"

namespace testsupport {
namespace {

using nlohmann::json;

// --- YAML → JSON -------------------------------------------------------------------------

const std::regex kInt("[-+]?[0-9]+");
const std::regex kHexOrOctal("0x[0-9a-fA-F]+|0o[0-7]+");
const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
const std::regex kIdentifier("[A-Za-z_][A-Za-z0-9_]*");

// YAML 1.2 core schema resolution of a plain scalar; quoted and block scalars (tag "!") and
// explicit !!str are strings.
json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return text;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::regex_match(text, kInt)) {
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size()) return v;
    return std::strtod(text.c_str(), nullptr);  // out of int64 range
  }
  if (std::regex_match(text, kHexOrOctal)) {
    int64_t v = 0;
    int base = text[1] == 'x' ? 16 : 8;
    auto [end, ec] = std::from_chars(text.data() + 2, text.data() + text.size(), v, base);
    if (ec == std::errc() && end == text.data() + text.size()) return v;
    return text;
  }
  if (std::regex_match(text, kFloat)) return std::strtod(text.c_str(), nullptr);
  return text;  // .inf/.nan have no JSON form: kept as text
}

json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out.emplace(kv.first.Scalar(), YamlToJson(kv.second));
      return out;
    }
  }
  return nullptr;
}

// --- the checker ---------------------------------------------------------------------------

std::string Child(const std::string& path, const std::string& key) {
  if (std::regex_match(key, kIdentifier)) return path + "." + key;
  return path + "[" + json(key).dump() + "]";
}

std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

const char* TypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    case json::value_t::binary: return "binary";
    case json::value_t::discarded: return "discarded";
  }
  return "?";
}

// "number 0.175", "string \"abc\"" (long values shortened).
std::string Describe(const json& v) {
  std::string text = v.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return std::string(TypeName(v)) + " " + text;
}

bool IsType(const json& v, const std::string& type) {
  if (type == "integer") {
    if (v.is_number_integer() || v.is_number_unsigned()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  return true;  // unknown type names constrain nothing
}

size_t CodePoints(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool Flag(const json& schema, const char* key) {
  auto it = schema.find(key);
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

class Checker {
 public:
  Checker(const json& doc, std::vector<std::string>& out) : m_doc(doc), m_out(out) {}

  void Check(const json& schema, const json& value, const std::string& path, int depth) {
    if (depth > 64) return Report(path, "schema nesting deeper than 64 (a $ref cycle?)");
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) Report(path, "no value is allowed here (schema false)");
      return;
    }
    if (!schema.is_object()) return;
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      const json* target = Resolve(*ref, path);
      if (target) Check(*target, value, path, depth + 1);
      return;  // OpenAPI 3.0: siblings of $ref are ignored
    }
    if (value.is_null() && Flag(schema, "nullable")) return;

    if (auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
      for (const auto& member : *all) Check(member, value, path, depth + 1);
    }
    for (const char* key : {"anyOf", "oneOf"}) {
      if (auto alts = schema.find(key); alts != schema.end() && alts->is_array())
        Alternatives(key, *alts, value, path, depth);
    }

    if (auto type = schema.find("type"); type != schema.end() && type->is_string()) {
      if (!IsType(value, type->get<std::string>())) {
        if (value.is_null())
          return Report(path, "null, but the schema (" + type->get<std::string>() + ") is not nullable");
        return Report(path, "expected " + type->get<std::string>() + ", got " + Describe(value));
      }
    }
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      bool found = std::any_of(e->begin(), e->end(), [&](const json& item) { return item == value; });
      if (!found) Report(path, Describe(value) + " is not one of the enum " + e->dump());
    }
    if (value.is_string()) CheckString(schema, value.get<std::string>(), path);
    if (value.is_number()) CheckNumber(schema, value, path);
    if (value.is_object()) CheckObject(schema, value, path, depth);
    if (value.is_array()) CheckArray(schema, value, path, depth);
  }

 private:
  void Report(const std::string& path, const std::string& what) { m_out.push_back(path + ": " + what); }

  const json* Resolve(const json& ref, const std::string& path) {
    if (!ref.is_string() || ref.get<std::string>().rfind("#", 0) != 0) {
      Report(path, "unsupported $ref " + ref.dump() + " (only local references)");
      return nullptr;
    }
    std::string pointer = ref.get<std::string>().substr(1);
    try {
      const json& target = m_doc.at(json::json_pointer(pointer));
      return &target;
    } catch (const json::exception&) {
      Report(path, "$ref " + ref.dump() + " does not exist in the document");
      return nullptr;
    }
  }

  void Alternatives(const char* key, const json& alts, const json& value, const std::string& path,
                    int depth) {
    std::vector<std::string> closest;
    size_t closest_index = 0;
    for (size_t i = 0; i < alts.size(); ++i) {
      std::vector<std::string> mine;
      Checker(m_doc, mine).Check(alts[i], value, path, depth + 1);
      if (mine.empty()) return;
      if (i == 0 || mine.size() < closest.size()) {
        closest = std::move(mine);
        closest_index = i;
      }
    }
    if (alts.empty()) return;
    Report(path, std::string("matches none of the ") + std::to_string(alts.size()) + " " + key +
                     " alternatives; the closest (#" + std::to_string(closest_index + 1) + ") fails with:");
    for (auto& line : closest) m_out.push_back("  " + line);
  }

  void CheckString(const json& schema, const std::string& s, const std::string& path) {
    if (auto n = schema.find("maxLength");
        n != schema.end() && n->is_number() && CodePoints(s) > n->get<double>()) {
      Report(path, "string of " + std::to_string(CodePoints(s)) + " characters, longer than maxLength " +
                       n->dump());
    }
    if (auto n = schema.find("minLength");
        n != schema.end() && n->is_number() && CodePoints(s) < n->get<double>()) {
      Report(path, "string of " + std::to_string(CodePoints(s)) + " characters, shorter than minLength " +
                       n->dump());
    }
    if (auto p = schema.find("pattern"); p != schema.end() && p->is_string()) {
      try {
        // JSON Schema patterns are unanchored ECMAScript regular expressions.
        if (!std::regex_search(s, std::regex(p->get<std::string>(), std::regex::ECMAScript))) {
          Report(path, json(s).dump() + " does not match the pattern " + p->dump());
        }
      } catch (const std::regex_error&) {
        Report(path, "the schema's pattern " + p->dump() + " is not a valid regular expression");
      }
    }
    if (auto f = schema.find("format"); f != schema.end() && f->is_string()) {
      // RFC 3339 date-time, loosely: seconds, their fraction and the offset may be left out.
      static const std::regex kDateTime(
          R"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)");
      static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
      if (*f == "date-time" && !std::regex_match(s, kDateTime))
        Report(path, json(s).dump() + " is not a date-time");
      if (*f == "date" && !std::regex_match(s, kDate)) Report(path, json(s).dump() + " is not a date");
    }
  }

  void CheckNumber(const json& schema, const json& value, const std::string& path) {
    const double v = value.get<double>();
    if (auto n = schema.find("minimum"); n != schema.end() && n->is_number()) {
      double min = n->get<double>();
      if (Flag(schema, "exclusiveMinimum") ? v <= min : v < min) {
        Report(path, value.dump() + " is below the minimum " + n->dump());
      }
    }
    if (auto n = schema.find("maximum"); n != schema.end() && n->is_number()) {
      double max = n->get<double>();
      if (Flag(schema, "exclusiveMaximum") ? v >= max : v > max) {
        Report(path, value.dump() + " is above the maximum " + n->dump());
      }
    }
  }

  void CheckObject(const json& schema, const json& value, const std::string& path, int depth) {
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const auto& name : *req) {
        if (name.is_string() && !value.contains(name.get<std::string>())) {
          Report(Child(path, name.get<std::string>()), "required field missing");
        }
      }
    }
    const json* props = nullptr;
    if (auto p = schema.find("properties"); p != schema.end() && p->is_object()) props = &*p;
    auto extra = schema.find("additionalProperties");
    for (const auto& [key, item] : value.items()) {
      if (props && props->contains(key)) {
        Check(props->at(key), item, Child(path, key), depth + 1);
      } else if (extra != schema.end()) {
        if (extra->is_boolean() && !extra->get<bool>()) {
          Report(Child(path, key), "not a property of the schema (additionalProperties: false)");
        } else if (extra->is_object()) {
          Check(*extra, item, Child(path, key), depth + 1);
        }
      }
    }
  }

  void CheckArray(const json& schema, const json& value, const std::string& path, int depth) {
    if (auto n = schema.find("minItems");
        n != schema.end() && n->is_number() && value.size() < n->get<double>()) {
      Report(path, std::to_string(value.size()) + " items, fewer than minItems " + n->dump());
    }
    if (auto n = schema.find("maxItems");
        n != schema.end() && n->is_number() && value.size() > n->get<double>()) {
      Report(path, std::to_string(value.size()) + " items, more than maxItems " + n->dump());
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (size_t i = 0; i < value.size(); ++i) Check(*items, value[i], Index(path, i), depth + 1);
    }
  }

  const json& m_doc;
  std::vector<std::string>& m_out;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

}  // namespace

base::Expected<OpenApiDocument, std::string> OpenApiDocument::Parse(const std::string& yaml_text) {
  json doc;
  try {
    doc = YamlToJson(YAML::Load(yaml_text));
  } catch (const YAML::Exception& e) {
    return base::Err(std::string("not YAML: ") + e.what());
  }
  return FromJson(std::move(doc));
}

base::Expected<OpenApiDocument, std::string> OpenApiDocument::FromJson(json doc) {
  if (!doc.is_object() || !doc.contains("paths") || !doc["paths"].is_object()) {
    return base::Err(std::string("not an OpenAPI document: no \"paths\" mapping"));
  }
  return OpenApiDocument(std::move(doc));
}

base::Expected<OpenApiDocument, std::string> OpenApiDocument::Load(const std::string& path) {
  std::string text = ReadFile(path);
  if (text.empty()) return base::Err("cannot read " + path);
  auto parsed = Parse(text);
  if (!parsed.ok()) return base::Err(path + ": " + parsed.error());
  return parsed;
}

std::vector<std::string> OpenApiDocument::Check(const json& schema, const json& value) const {
  std::vector<std::string> out;
  Checker(m_doc, out).Check(schema, value, "$", 0);
  return out;
}

std::vector<std::string> OpenApiDocument::CheckSchema(const std::string& name, const json& value) const {
  const json* schemas = nullptr;
  if (auto c = m_doc.find("components"); c != m_doc.end() && c->is_object()) {
    if (auto s = c->find("schemas"); s != c->end() && s->is_object()) schemas = &*s;
  }
  if (!schemas || !schemas->contains(name))
    return {"$: no schema " + json(name).dump() + " in components/schemas"};
  return Check(schemas->at(name), value);
}

std::vector<std::string> OpenApiDocument::CheckResponse(const std::string& method, const std::string& path,
                                                        int status, const json& body) const {
  const std::string what = Upper(method) + " " + path;
  const json& paths = m_doc.at("paths");
  if (!paths.contains(path)) return {"$: " + what + ": the document has no path " + json(path).dump()};
  const json& item = paths.at(path);
  const std::string m = Lower(method);
  if (!item.is_object() || !item.contains(m) || !item.at(m).is_object()) {
    return {"$: " + what + ": the document has no such operation"};
  }
  const json& op = item.at(m);
  if (!op.contains("responses") || !op.at("responses").is_object())
    return {"$: " + what + ": no responses documented"};
  const json& responses = op.at("responses");
  const std::string code = std::to_string(status);
  const std::string range = code.substr(0, 1) + "XX";
  const json* response = nullptr;
  for (const std::string& key : {code, range, std::string("default")}) {
    if (responses.contains(key)) {
      response = &responses.at(key);
      break;
    }
  }
  if (!response) {
    std::string documented;
    for (const auto& entry : responses.items()) documented += (documented.empty() ? "" : ", ") + entry.key();
    return {"$: " + what + " answered HTTP " + code +
            ", which the document does not list (documented: " + documented + ")"};
  }
  const json* schema = nullptr;
  if (auto content = response->find("content"); content != response->end() && content->is_object()) {
    if (auto media = content->find("application/json"); media != content->end() && media->is_object()) {
      if (auto s = media->find("schema"); s != media->end()) schema = &*s;
    }
  }
  if (!schema) return {};
  return Check(*schema, body);
}

}  // namespace testsupport
