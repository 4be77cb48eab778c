#include "federation/web/html.h"

#include <cmath>
#include <cstdio>

namespace federation::html {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Age(int64_t s) {
  if (s < 0) return "never";
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  if (s < 172'800) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86'400) + " d";
}

std::string Number(double v, int decimals) {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, std::fabs(v));
  std::string s = buf;
  std::string frac;
  if (auto dot = s.find('.'); dot != std::string::npos) {
    frac = s.substr(dot);
    s.erase(dot);
    while (!frac.empty() && (frac.back() == '0' || frac.back() == '.')) frac.pop_back();
  }
  std::string grouped;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) grouped += ',';
    grouped += s[i];
  }
  return (v < 0 ? "-" : "") + grouped + frac;
}

std::string Percent(double fraction) { return Number(fraction * 100, 4) + " %"; }

}  // namespace federation::html
