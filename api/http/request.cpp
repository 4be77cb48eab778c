#include "api/http/request.h"

#include <algorithm>
#include <cctype>

namespace api::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view MethodName(Method method) {
  switch (method) {
    case Method::kGet: return "GET";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kPatch: return "PATCH";
    case Method::kDelete: return "DELETE";
    case Method::kHead: return "HEAD";
    case Method::kOptions: return "OPTIONS";
    case Method::kTrace: return "TRACE";
    case Method::kConnect: return "CONNECT";
  }
  return "?";
}

void HeaderMap::Add(std::string_view name, std::string value) {
  if (Has(name)) return;
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  m_fields.emplace_back(std::move(lower), std::move(value));
}

const std::string* HeaderMap::Find(std::string_view name) const {
  for (const auto& [field_name, value] : m_fields) {
    if (EqualsIgnoreCase(field_name, name)) return &value;
  }
  return nullptr;
}

std::string HeaderMap::Get(std::string_view name, std::string_view fallback) const {
  const std::string* value = Find(name);
  return value ? *value : std::string(fallback);
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::BodyParam(std::string_view name) const {
  if (!body.is_object()) return std::nullopt;
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace api::http
