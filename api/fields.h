// Typed reads of a request's body and query fields, with RoboSats-style errors: a field that
// is present but malformed (wrong type, negative, fractional, too long, out of the schema's
// range) is refused with 400 {"error_code": 1049, "bad_request": "<field>: <problem>"}.
// Values may come as JSON types or as strings (form bodies), as RoboSats' serializers accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/http/request.h"

namespace api {

class Fields {
 public:
  explicit Fields(const http::Request& r) : m_r(r) {}

  // Each returns nullopt when the field is absent or null; on a bad value, records the first
  // error (see ok()/error()) and returns nullopt.
  std::optional<int64_t> Int(std::string_view name, int64_t min, int64_t max);
  std::optional<bool> Bool(std::string_view name);
  // A decimal string with at most `int_digits` and `decimals` digits; `allow_negative`.
  std::optional<std::string> Decimal(std::string_view name, int int_digits, int decimals, bool allow_negative);
  // Decimal(name, int_digits, decimals, min < 0) whose value must also lie in [min, max] (the
  // model validators of RoboSats' serializers, e.g. latitude −90…90).
  std::optional<std::string> DecimalBetween(std::string_view name, int int_digits, int decimals, double min,
                                            double max);
  std::optional<std::string> Text(std::string_view name, size_t max_length);
  std::optional<int64_t> QueryInt(std::string_view name, int64_t min, int64_t max);

  bool ok() const { return m_error.empty(); }
  const std::string& error() const { return m_error; }
  void Fail(std::string_view name, std::string_view problem);

 private:
  std::optional<std::string> Raw(std::string_view name);
  const http::Request& m_r;
  std::string m_error;
};

}  // namespace api
