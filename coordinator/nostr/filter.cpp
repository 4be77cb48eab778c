#include "coordinator/nostr/filter.h"

namespace coordinator::nostr {
namespace {

base::Expected<std::set<std::string>, std::string> StringSet(const nlohmann::json& v, const std::string& key,
                                                             bool hex64, const FilterLimits& limits) {
  if (!v.is_array()) return base::Err("invalid: " + key + " must be an array");
  if (v.size() > limits.max_values) return base::Err("invalid: " + key + " has too many values");
  std::set<std::string> out;
  for (const auto& x : v) {
    if (!x.is_string()) return base::Err("invalid: " + key + " values must be strings");
    const auto& s = x.get_ref<const std::string&>();
    if (hex64 && !IsLowerHex(s, 64)) return base::Err("invalid: " + key + " values must be 64 lowercase hex characters");
    out.insert(s);
  }
  return out;
}

base::Expected<int64_t, std::string> Time(const nlohmann::json& v, const char* key) {
  if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
      (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)))
    return base::Err(std::string("invalid: ") + key + " must be a non-negative integer");
  return v.get<int64_t>();
}

}  // namespace

base::Expected<Filter, std::string> ParseFilter(const nlohmann::json& j, const FilterLimits& limits) {
  if (!j.is_object()) return base::Err(std::string("invalid: a filter must be an object"));
  Filter f;
  for (const auto& [key, v] : j.items()) {
    if (key == "ids" || key == "authors") {
      auto s = StringSet(v, key, true, limits);
      if (!s) return base::Err(s.error());
      (key == "ids" ? f.ids : f.authors) = std::move(*s);
    } else if (key == "kinds") {
      if (!v.is_array()) return base::Err(std::string("invalid: kinds must be an array"));
      if (v.size() > limits.max_values) return base::Err(std::string("invalid: kinds has too many values"));
      std::set<int> kinds;
      for (const auto& k : v) {
        if (!k.is_number_integer() || k.get<int64_t>() < 0 || k.get<int64_t>() > 65535 ||
            (k.is_number_unsigned() && k.get<uint64_t>() > 65535))
          return base::Err(std::string("invalid: kinds must be integers between 0 and 65535"));
        kinds.insert(k.get<int>());
      }
      f.kinds = std::move(kinds);
    } else if (key.size() == 2 && key[0] == '#' &&
               ((key[1] >= 'a' && key[1] <= 'z') || (key[1] >= 'A' && key[1] <= 'Z'))) {
      auto s = StringSet(v, key, key[1] == 'e' || key[1] == 'p', limits);
      if (!s) return base::Err(s.error());
      f.tags[key[1]] = std::move(*s);
    } else if (key == "since" || key == "until" || key == "limit") {
      auto t = Time(v, key.c_str());
      if (!t) return base::Err(t.error());
      (key == "since" ? f.since : key == "until" ? f.until : f.limit) = *t;
    }
  }
  return f;
}

bool Matches(const Filter& f, const Event& e) {
  if (f.ids && !f.ids->count(e.id)) return false;
  if (f.authors && !f.authors->count(e.pubkey)) return false;
  if (f.kinds && !f.kinds->count(e.kind)) return false;
  if (f.since && e.created_at < *f.since) return false;
  if (f.until && e.created_at > *f.until) return false;
  for (const auto& [name, values] : f.tags) {
    bool any = false;
    for (const auto& t : e.tags) {
      if (t.size() >= 2 && t[0].size() == 1 && t[0][0] == name && values.count(t[1])) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace coordinator::nostr
