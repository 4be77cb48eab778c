#include "federation/model/validate.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace federation {

namespace {

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
bool IsHexAnyCase(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::string Q(std::string_view s) { return nlohmann::json(std::string(s)).dump(); }

bool ValidAlias(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; };
  return std::all_of(s.begin(), s.end(), ok) && s[0] != '_' && s[0] != '-';
}

bool ValidDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0, m = 0, d = 0;
  auto num = [&](size_t at, size_t n, int& out) {
    auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
    return ec == std::errc() && p == s.data() + at + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return false;
  if (y < 2009 || m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[m - 1] + ((m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ? 1 : 0);
  return d <= max;
}

bool ValidColor(std::string_view s) {
  return (s.size() == 4 || s.size() == 7) && s[0] == '#' && IsHexAnyCase(s.substr(1));
}

// "scheme://host[:port]" with nothing after; returns the host, or "" if malformed.
std::string HostOf(std::string_view url, std::initializer_list<std::string_view> schemes) {
  std::string_view rest;
  for (std::string_view scheme : schemes) {
    if (url.substr(0, scheme.size()) == scheme) {
      rest = url.substr(scheme.size());
      break;
    }
  }
  if (rest.empty()) return {};
  std::string_view host = rest;
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find(']') == std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p <= 0 || p > 65535) return {};
    host = rest.substr(0, colon);
  }
  if (host.empty()) return {};
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '[' || c == ']' || c == ':';
    if (!ok) return {};
  }
  return std::string(host);
}

bool IsV3OnionHost(std::string_view host) {
  constexpr std::string_view kSuffix = ".onion";
  if (host.size() != 56 + kSuffix.size() || host.substr(56) != kSuffix) return false;
  return std::all_of(host.begin(), host.begin() + 56, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); });
}

void CheckOrigins(const Origins& o, const std::string& net, std::string_view key, std::string_view label,
                  Problems& out) {
  if (o.onion && !o.onion->empty()) {
    std::string host = HostOf(*o.onion, {"http://"});
    if (!IsV3OnionHost(host)) {
      out.push_back(Problem(label, key, net + ".onion",
                            Q(*o.onion) + " is not http://<56 base32 characters>.onion[:port]"));
    }
  }
  if (o.clearnet && !o.clearnet->empty() && HostOf(*o.clearnet, {"https://", "http://"}).empty()) {
    out.push_back(Problem(label, key, net + ".clearnet", Q(*o.clearnet) + " is not http(s)://host[:port]"));
  }
  if (o.i2p && !o.i2p->empty()) {
    std::string host = HostOf(*o.i2p, {"http://", "https://"});
    if (host.size() < 5 || host.substr(host.size() - 4) != ".i2p") {
      out.push_back(Problem(label, key, net + ".i2p", Q(*o.i2p) + " is not http(s)://<name>.i2p"));
    }
  }
}

bool HasAnyUrl(const Origins& o) {
  return !OrEmpty(o.onion).empty() || !OrEmpty(o.clearnet).empty() || !OrEmpty(o.i2p).empty();
}

void CheckNodePubkeys(const std::vector<std::string>& keys, const std::string& field, std::string_view key,
                      std::string_view label, Problems& out) {
  std::set<std::string> seen;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string& k = keys[i];
    const std::string name = field + "[" + std::to_string(i) + "]";
    if (k.size() != 66 || !IsHex(k) || (k.compare(0, 2, "02") != 0 && k.compare(0, 2, "03") != 0)) {
      out.push_back(Problem(label, key, name, Q(k) + " is not a node public key (66 lower-case hex, 02… or 03…)"));
    } else if (!seen.insert(k).second) {
      out.push_back(Problem(label, key, name, Q(k) + " is listed twice"));
    }
  }
}

}  // namespace

Problems ValidateEntry(const CoordinatorEntry& e, std::string_view key, std::string_view label) {
  Problems out;
  auto bad = [&](std::string_view field, const std::string& what) { out.push_back(Problem(label, key, field, what)); };
  if (!ValidAlias(e.short_alias)) {
    bad("shortAlias", Q(e.short_alias) + " is not 1..32 of a-z 0-9 _ - (starting with a letter or digit)");
  } else if (e.short_alias != key) {
    bad("shortAlias", Q(e.short_alias) + " differs from the entry's key " + Q(key));
  }
  if (e.long_alias.empty()) bad("longAlias", "must not be empty");
  {
    auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'; };
    if (e.identifier.empty() || e.identifier.size() > 64 || !std::all_of(e.identifier.begin(), e.identifier.end(), ok)) {
      bad("identifier", Q(e.identifier) + " is not 1..64 of a-z 0-9 _ - .");
    }
  }
  if (!ValidColor(e.color)) bad("color", Q(e.color) + " is not a CSS colour #rgb or #rrggbb");
  if (!ValidDate(e.established)) bad("established", Q(e.established) + " is not a date YYYY-MM-DD");
  if (e.nostr_hex_pubkey.size() != 64 || !IsHex(e.nostr_hex_pubkey)) {
    bad("nostrHexPubkey", Q(e.nostr_hex_pubkey) + " is not 64 lower-case hex characters");
  }
  std::set<std::string> contact_seen;
  for (const auto& [name, value] : e.contact) {
    const std::string field = "contact." + name;
    bool known = std::any_of(std::begin(kContactFields), std::end(kContactFields),
                             [&name = name](const char* k) { return name == k; });
    if (!known) {
      std::string names;
      for (const char* k : kContactFields) names += (names.empty() ? "" : ", ") + std::string(k);
      bad(field, "unknown contact (known: " + names + ")");
      continue;
    }
    if (!contact_seen.insert(name).second) bad(field, "listed twice");
    const std::string v = OrEmpty(value);
    if (v.empty()) continue;
    if (name == "email" && (v.find('@') == std::string::npos || v.front() == '@' || v.back() == '@')) {
      bad(field, Q(v) + " is not an e-mail address");
    } else if (name == "website" && HostOf(v.substr(0, v.find('/', 8)), {"https://", "http://"}).empty()) {
      bad(field, Q(v) + " is not an http(s):// URL");
    } else if (name == "nostr" && v.rfind("npub1", 0) != 0) {
      bad(field, Q(v) + " is not an npub1… key");
    } else if (name == "fingerprint" && (v.size() != 40 || !IsHexAnyCase(v))) {
      bad(field, Q(v) + " is not an OpenPGP fingerprint (40 hex characters)");
    }
  }
  if (e.badges.donates_to_dev_fund < 0 || e.badges.donates_to_dev_fund > 100) {
    bad("badges.donatesToDevFund", std::to_string(e.badges.donates_to_dev_fund) + " is out of range 0..100");
  }
  CheckOrigins(e.mainnet, "mainnet", key, label, out);
  CheckOrigins(e.testnet, "testnet", key, label, out);
  if (!HasAnyUrl(e.mainnet) && !HasAnyUrl(e.testnet)) {
    bad("mainnet", "no URL: neither mainnet nor testnet has an onion, clearnet or i2p address");
  }
  CheckNodePubkeys(e.mainnet_nodes_pubkeys, "mainnetNodesPubkeys", key, label, out);
  CheckNodePubkeys(e.testnet_nodes_pubkeys, "testnetNodesPubkeys", key, label, out);
  return out;
}

Problems ValidateFederation(const FederationFile& file, std::string_view label) {
  Problems out;
  std::map<std::string, std::string> identifiers, nostr_keys, node_keys;
  auto unique = [&](std::map<std::string, std::string>& seen, const std::string& value, const std::string& key,
                    const std::string& field) {
    if (value.empty()) return;
    auto [it, inserted] = seen.emplace(value, key);
    if (!inserted && it->second != key) {
      out.push_back(Problem(label, key, field, Q(value) + " is also entry " + Q(it->second) + "'s"));
    }
  };
  for (const auto& [key, entry] : file.entries) {
    Problems p = ValidateEntry(entry, key, label);
    out.insert(out.end(), p.begin(), p.end());
    unique(identifiers, entry.identifier, key, "identifier");
    unique(nostr_keys, entry.nostr_hex_pubkey, key, "nostrHexPubkey");
    for (size_t i = 0; i < entry.mainnet_nodes_pubkeys.size(); ++i) {
      unique(node_keys, entry.mainnet_nodes_pubkeys[i], key, "mainnetNodesPubkeys[" + std::to_string(i) + "]");
    }
    for (size_t i = 0; i < entry.testnet_nodes_pubkeys.size(); ++i) {
      unique(node_keys, entry.testnet_nodes_pubkeys[i], key, "testnetNodesPubkeys[" + std::to_string(i) + "]");
    }
  }
  return out;
}

}  // namespace federation
