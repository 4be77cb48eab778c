// Pure parsing of the pieces of a request: percent-decoding, form bodies, JSON bodies.
// No I/O; every function returns a reason instead of throwing.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"

namespace api::http {

// Percent-decodes `text` (RFC 3986 §2.1); '+' becomes a space when `plus_is_space` (the
// application/x-www-form-urlencoded rule, which Django also applies to query strings).
// A '%' not followed by two hex digits is kept as it is, as Python's unquote does.
// The result has invalid UTF-8 replaced by U+FFFD.
std::string UrlDecode(std::string_view text, bool plus_is_space = true);

// Replaces every invalid UTF-8 sequence by U+FFFD (as Python's errors="replace").
std::string SanitizeUtf8(std::string_view text);

// Splits "a=1&b=two+words&c" into decoded pairs {a,1} {b,two words} {c,""}; empty pieces
// are skipped. Order and repeats are kept.
std::vector<std::pair<std::string, std::string>> ParseFormUrlEncoded(std::string_view text);

// "Application/JSON; charset=utf-8" → "application/json".
std::string MediaTypeOf(std::string_view content_type);

struct BodyError {
  std::string message;  // safe to show the client: never echoes the body
};

// The body's parameters as a JSON object, by Content-Type:
// - empty body (whatever the type) → {};
// - application/json, or no Content-Type at all → the JSON document, which must be an object;
// - application/x-www-form-urlencoded → {name: "value", …}, the last value of a repeated name
//   (Django's QueryDict.get);
// - anything else → BodyError "Unsupported media type \"…\" in request." (DRF's wording).
base::Expected<nlohmann::json, BodyError> ParseBody(std::string_view content_type, std::string_view body);

}  // namespace api::http
