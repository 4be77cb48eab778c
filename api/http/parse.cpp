#include "api/http/parse.h"

#include <cctype>
#include <cstdint>

namespace api::http {
namespace {

// Deeper documents are refused: nothing in the RoboSats API nests beyond 3 levels, and a
// 64 KiB body of '[' must not cost recursion further down (dump, handlers).
constexpr int kMaxJsonDepth = 32;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one (RFC 3629 §4).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // ≤ U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

struct TooDeep {};

}  // namespace

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string UrlDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return SanitizeUtf8(out);
}

std::vector<std::pair<std::string, std::string>> ParseFormUrlEncoded(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view piece = text.substr(start, end - start);
    if (!piece.empty()) {
      const size_t eq = piece.find('=');
      if (eq == std::string_view::npos) {
        pairs.emplace_back(UrlDecode(piece), std::string());
      } else {
        pairs.emplace_back(UrlDecode(piece.substr(0, eq)), UrlDecode(piece.substr(eq + 1)));
      }
    }
    start = end + 1;
  }
  return pairs;
}

std::string MediaTypeOf(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  std::string_view type = content_type.substr(0, semicolon);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) type.remove_prefix(1);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.remove_suffix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

base::Expected<nlohmann::json, BodyError> ParseBody(std::string_view content_type, std::string_view body) {
  if (body.empty()) return nlohmann::json::object();
  const std::string media_type = MediaTypeOf(content_type);

  if (media_type.empty() || media_type == "application/json") {
    nlohmann::json parsed;
    try {
      parsed = nlohmann::json::parse(
          body.begin(), body.end(),
          [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
            if (depth > kMaxJsonDepth) throw TooDeep{};
            return true;
          });
    } catch (const nlohmann::json::parse_error& e) {
      // Not e.what(): it quotes the offending input.
      return base::Err(BodyError{"JSON parse error at byte " + std::to_string(e.byte)});
    } catch (const nlohmann::json::out_of_range&) {
      // A number beyond a double (1e400): nlohmann throws out_of_range (406), not parse_error.
      return base::Err(BodyError{"JSON parse error: a number out of range"});
    } catch (const TooDeep&) {
      return base::Err(BodyError{"JSON parse error: nested deeper than " + std::to_string(kMaxJsonDepth)});
    }
    if (!parsed.is_object()) return base::Err(BodyError{"JSON body must be an object"});
    return parsed;
  }

  if (media_type == "application/x-www-form-urlencoded") {
    nlohmann::json params = nlohmann::json::object();
    for (auto& [name, value] : ParseFormUrlEncoded(body)) params[name] = std::move(value);
    return params;
  }

  return base::Err(BodyError{"Unsupported media type \"" + SanitizeUtf8(media_type.substr(0, 100)) + "\" in request."});
}

}  // namespace api::http
