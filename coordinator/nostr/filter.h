// NIP-01 subscription filters: {"ids", "authors", "kinds", "#<single-letter>", "since",
// "until", "limit"}. Pure.
//
// NIP-01: "The ids, authors, #e and #p filter lists MUST contain exact 64-character lowercase
// hex values." "The since and until properties can be used to specify the time range of
// events returned in the subscription. If a filter includes the since property, events with
// created_at greater than or equal to since are considered to match the filter. The until
// property is similar except that created_at must be less than or equal to until." "All
// conditions of a filter that are specified must match for an event for it to pass the
// filter, i.e., multiple conditions are interpreted as && conditions." "A REQ message may
// contain multiple filters. In this case, events that match any of the filters are to be
// returned, i.e., multiple filters are interpreted as || conditions." "The limit property of
// a filter is only valid for the initial query and MUST be ignored afterwards."
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"
#include "coordinator/nostr/event.h"

namespace coordinator::nostr {

struct Filter {
  std::optional<std::set<std::string>> ids;
  std::optional<std::set<std::string>> authors;
  std::optional<std::set<int>> kinds;
  // "#d" → {"…"}: the event must have a tag named d whose first value is in the set.
  std::map<char, std::set<std::string>> tags;
  std::optional<int64_t> since;
  std::optional<int64_t> until;
  std::optional<int64_t> limit;
};

struct FilterLimits {
  size_t max_values = 1000;  // in each of ids, authors, kinds, a #tag list
};

// Reads one filter. Errors (a reason for NOTICE / CLOSED): not an object; ids/authors/#e/#p
// values not 64 lowercase hex; kinds not integers in [0, 65535]; since/until/limit not
// non-negative integers; a list that is not an array of strings, or longer than
// limits.max_values. Unknown keys (including multi-letter "#xyz") are ignored.
base::Expected<Filter, std::string> ParseFilter(const nlohmann::json& j, const FilterLimits& limits = {});

bool Matches(const Filter& f, const Event& e);

}  // namespace coordinator::nostr
