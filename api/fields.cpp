#include "api/fields.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace api {

void Fields::Fail(std::string_view name, std::string_view problem) {
  if (m_error.empty()) m_error = std::string(name) + ": " + std::string(problem);
}

std::optional<std::string> Fields::Raw(std::string_view name) {
  auto it = m_r.body.find(std::string(name));
  if (it == m_r.body.end() || it->is_null()) return std::nullopt;
  if (it->is_object() || it->is_array()) {
    Fail(name, "must be a single value");
    return std::nullopt;
  }
  return m_r.BodyParam(name);
}

// "90", "-180", "0.5": a bound as Django prints it in its messages.
static std::string FormatBound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

static std::optional<int64_t> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> Fields::Int(std::string_view name, int64_t min, int64_t max) {
  auto raw = Raw(name);
  if (!raw) return std::nullopt;
  auto v = ParseInt(*raw);
  if (!v) {
    Fail(name, "A valid integer is required.");
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    Fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ".");
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> Fields::QueryInt(std::string_view name, int64_t min, int64_t max) {
  auto raw = m_r.QueryParam(name);
  if (!raw) return std::nullopt;
  auto v = ParseInt(*raw);
  if (!v || *v < min || *v > max) {
    Fail(name, "must be an integer between " + std::to_string(min) + " and " + std::to_string(max) + ".");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Fields::Bool(std::string_view name) {
  auto raw = Raw(name);
  if (!raw) return std::nullopt;
  // Django REST framework's BooleanField (TRUE_VALUES / FALSE_VALUES) accepts these spellings;
  // form bodies from RoboSats-compatible clients may send any of them.
  static constexpr std::string_view kTrue[] = {"t", "T", "y", "Y", "yes", "Yes", "YES", "true",
                                               "True", "TRUE", "on", "On", "ON", "1"};
  static constexpr std::string_view kFalse[] = {"f", "F", "n", "N", "no", "No", "NO", "false",
                                                "False", "FALSE", "off", "Off", "OFF", "0"};
  for (std::string_view t : kTrue) {
    if (*raw == t) return true;
  }
  for (std::string_view f : kFalse) {
    if (*raw == f) return false;
  }
  Fail(name, "Must be a valid boolean.");
  return std::nullopt;
}

std::optional<std::string> Fields::Decimal(std::string_view name, int int_digits, int decimals, bool allow_negative) {
  auto raw = Raw(name);
  if (!raw) return std::nullopt;
  std::string_view s = *raw;
  size_t i = 0;
  if (allow_negative && !s.empty() && s[0] == '-') i = 1;
  int before = 0, after = 0;
  bool dot = false, bad = s.size() == i;
  for (; i < s.size() && !bad; ++i) {
    if (s[i] == '.' && !dot) {
      dot = true;
    } else if (s[i] >= '0' && s[i] <= '9') {
      (dot ? after : before)++;
    } else {
      bad = true;
    }
  }
  if (bad || before + after == 0) {
    Fail(name, "A valid number is required.");
    return std::nullopt;
  }
  if (before > int_digits || after > decimals) {
    Fail(name, "Ensure that there are no more than " + std::to_string(int_digits) + " digits before and " +
                   std::to_string(decimals) + " after the decimal point.");
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<std::string> Fields::DecimalBetween(std::string_view name, int int_digits, int decimals, double min,
                                                  double max) {
  auto text = Decimal(name, int_digits, decimals, min < 0);
  if (!text) return std::nullopt;
  // The digits were checked above: strtod reads the whole string.
  const double value = std::strtod(text->c_str(), nullptr);
  if (value < min) {
    Fail(name, "Ensure this value is greater than or equal to " + FormatBound(min) + ".");
    return std::nullopt;
  }
  if (value > max) {
    Fail(name, "Ensure this value is less than or equal to " + FormatBound(max) + ".");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> Fields::Text(std::string_view name, size_t max_length) {
  auto raw = Raw(name);
  if (!raw) return std::nullopt;
  if (raw->size() > max_length) {
    Fail(name, "Ensure this field has no more than " + std::to_string(max_length) + " characters.");
    return std::nullopt;
  }
  return raw;
}

}  // namespace api
