#include "config/checks.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace config {

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

bool IsLoopback(const std::string& h) { return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0; }

bool ParseHostPort(std::string_view text, HostPort& out) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return false;  // bare IPv6 needs brackets
  }
  if (host.empty() || port.empty()) return false;
  int value = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) return false;
  out.host = std::string(host);
  out.port = value;
  return true;
}

bool IsRelayUrl(std::string_view url) {
  std::string_view rest;
  if (url.substr(0, 5) == "ws://") rest = url.substr(5);
  else if (url.substr(0, 6) == "wss://") rest = url.substr(6);
  else return false;
  if (url.size() > 512) return false;
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || ch == '?' || ch == '#') return false;
  }
  const bool bracketed = !authority.empty() && authority.front() == '[';
  const size_t close = bracketed ? authority.find(']') : std::string_view::npos;
  if (bracketed && close == std::string_view::npos) return false;
  const bool has_port = bracketed ? close + 1 < authority.size() : authority.find(':') != std::string_view::npos;
  std::string_view host = bracketed ? authority.substr(1, close - 1) : authority;
  if (has_port) {
    HostPort hp;
    if (!ParseHostPort(authority, hp) || hp.port == 0) return false;
    host = bracketed ? host : authority.substr(0, authority.find(':'));
  }
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [bracketed](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return bracketed ? (std::isxdigit(c) || ch == ':' || ch == '.') : (std::isalnum(c) || ch == '.' || ch == '-');
  });
}

void ReadHostPort(MapReader& reader, std::string_view key, HostPort& out) {
  std::string text = out.ToString();
  size_t before = reader.errors().errors().size();
  reader.String(key, text);
  if (reader.errors().errors().size() != before) return;
  if (!ParseHostPort(text, out)) {
    reader.errors().Add(reader.PathOf(key), "'" + text + "' is not host:port (port 0..65535)");
  }
}

bool CheckFile(ErrorList& errors, const std::string& path, const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    errors.Add(path, "file '" + file + "' does not exist or cannot be read");
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    errors.Add(path, "'" + file + "' is not a regular file");
    return false;
  }
  return true;
}

void NormaliseSocks5hProxy(ErrorList& e, const std::string& path, std::string& proxy) {
  if (proxy.empty()) return;
  std::string_view rest = proxy;
  size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "socks5h") {
      e.Add(path, "'" + proxy +
                      "': only socks5h:// is allowed (socks5:// and http proxies resolve names "
                      "locally and leak them to DNS)");
      return;
    }
    rest = rest.substr(scheme_end + 3);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  HostPort hp;
  if (!ParseHostPort(rest, hp) || hp.port == 0) {
    e.Add(path, "'" + proxy + "' is not host:port or socks5h://host:port");
    return;
  }
  proxy = "socks5h://" + hp.ToString();
}

void CheckRange(ErrorList& errors, const std::string& path, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    errors.Add(path, FormatNumber(value) + " is out of range " + FormatNumber(lo) + ".." + FormatNumber(hi));
  }
}

void CheckRange(ErrorList& errors, const std::string& path, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi)) {
    errors.Add(path, FormatNumber(value) + " is out of range " + FormatNumber(lo) + ".." + FormatNumber(hi));
  }
}

}  // namespace config
