// Small helpers for writing HTML text: escaping and human-readable numbers and durations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace federation::html {

// Escapes & < > " ' for text and attribute values.
std::string Escape(std::string_view text);
// "42 s", "5 min", "3 h", "2 d".
std::string Age(int64_t seconds);
// 1234567.8 → "1,234,567.8" (at most `decimals` decimals, trailing zeros dropped).
std::string Number(double value, int decimals);
// A fraction as a percent: 0.00025 → "0.025 %".
std::string Percent(double fraction);

}  // namespace federation::html
