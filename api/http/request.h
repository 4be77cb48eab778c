// What a route handler receives: a request already parsed and checked at the boundary
// (size caps, Content-Type, JSON syntax). Plain data; no Beast type leaks out of api/http.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace api::http {

enum class Method { kGet, kPost, kPut, kPatch, kDelete, kHead, kOptions, kTrace, kConnect };

// "GET", "POST", …
std::string_view MethodName(Method method);

// Header fields with case-insensitive names (RFC 9110 §5.1). Add ignores a name already
// present (the first value stays).
class HeaderMap {
 public:
  void Add(std::string_view name, std::string value);
  // nullptr if absent. The pointer lives as long as the map is not modified.
  const std::string* Find(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  // The value, or `fallback` if absent.
  std::string Get(std::string_view name, std::string_view fallback = {}) const;
  size_t size() const { return m_fields.size(); }
  // The fields, names lower-cased, in no particular order.
  const std::vector<std::pair<std::string, std::string>>& fields() const { return m_fields; }

 private:
  std::vector<std::pair<std::string, std::string>> m_fields;
};

struct Request {
  Method method = Method::kGet;
  // The path as sent, without the query ("/api/book/"); not percent-decoded.
  std::string path;
  // Query parameters, names and values percent-decoded ('+' is a space, as Django reads a
  // query string); invalid UTF-8 is replaced by U+FFFD. A repeated name keeps its first value.
  std::map<std::string, std::string, std::less<>> query;
  HeaderMap headers;
  // The body's parameters, always a JSON object: parsed from application/json (values keep
  // their JSON types), or from application/x-www-form-urlencoded (values are strings, as
  // RoboSats' form parser gives them), or {} for an empty body.
  nlohmann::json body = nlohmann::json::object();
  // The body as received.
  std::string raw_body;
  // The client's IP address as seen by the socket (the Tor daemon's, behind an onion service).
  std::string remote_ip;

  // A query parameter, or nullopt.
  std::optional<std::string> QueryParam(std::string_view name) const;
  // A body parameter as a string, whatever its JSON type: strings as they are, numbers and
  // booleans in their JSON spelling ("3", "2.5", "true"), objects and arrays serialized.
  // nullopt if absent or null. RoboSats' serializers accept "3" and 3 alike; so can callers.
  std::optional<std::string> BodyParam(std::string_view name) const;
};

}  // namespace api::http
