// Value checks shared by the config schemas (coordinatord's, federationd's): addresses, files,
// ranges and the SOCKS5h proxy rule. Every error goes to an ErrorList under its key path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/yaml_reader.h"

namespace config {

struct HostPort {
  std::string host;
  int port = 0;                  // 0..65535; 0 = an ephemeral port (tests)
  std::string ToString() const;  // "127.0.0.1:12596", "[::1]:80"
  bool operator==(const HostPort&) const = default;
};

// "host:port" or "[v6]:port".
bool ParseHostPort(std::string_view text, HostPort& out);
// A host only this machine reaches: localhost, ::1, 127.x.y.z.
bool IsLoopback(const std::string& host);
// A nostr relay URL: ws:// or wss://, a host name or address ([v6] bracketed), an optional port
// 1..65535, an optional path; no user info, query, fragment or spaces; at most 512 characters.
bool IsRelayUrl(std::string_view url);
// Reads `key` as host:port into `out` (kept on error).
void ReadHostPort(MapReader& reader, std::string_view key, HostPort& out);

// The file must exist and be a regular file. Returns false (with an error under `path`) if not.
bool CheckFile(ErrorList& errors, const std::string& path, const std::string& file);

// "host:port" or "socks5h://host:port" → "socks5h://host:port"; "" stays "". socks5:// and
// other schemes are refused: they resolve names locally and leak them (.onion too) to DNS.
void NormaliseSocks5hProxy(ErrorList& errors, const std::string& path, std::string& proxy);

// value in lo..hi, else "path: V is out of range LO..HI".
void CheckRange(ErrorList& errors, const std::string& path, int64_t value, int64_t lo, int64_t hi);
void CheckRange(ErrorList& errors, const std::string& path, double value, double lo, double hi);

}  // namespace config
