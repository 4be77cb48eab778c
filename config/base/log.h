// Structured logs: one line of JSON per event on stderr, {"ts","level","component","msg",...}.
// Never pass a secret (token, macaroon, key, unrevealed preimage) as a field: there is no
// redaction layer behind this, by design the caller decides what is public.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace base {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using LogField = std::pair<std::string_view, std::string>;

void SetLogLevel(LogLevel level);
// Thread-safe; one write(2) per line so lines of concurrent threads never interleave.
void Log(LogLevel level, std::string_view component, std::string_view msg,
         std::initializer_list<LogField> fields = {});

}  // namespace base
