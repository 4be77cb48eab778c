#include "federation/entry/own_entry.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>

#include "coordinator/dev_tax.h"

namespace federation {

std::string DeriveShortAlias(const std::string& alias) {
  std::string out;
  for (unsigned char c : alias) {
    if (std::isalnum(c) && c < 0x80) out += static_cast<char>(std::tolower(c));
  }
  if (out.size() > 32) out.resize(32);
  return out;
}

base::Expected<std::string, std::string> ReadOnionHostname(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  if (!in) return base::Err(key + ": cannot read Tor's hostname file '" + path + "'");
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  const bool ok = line.size() == 62 && line.compare(56, 6, ".onion") == 0 &&
                  std::all_of(line.begin(), line.begin() + 56, [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
                  });
  if (!ok) return base::Err(key + ": '" + path + "' does not hold a v3 onion hostname");
  return line;
}

CoordinatorEntry BuildOwnEntry(const config::CoordinatorConfig& config, const OwnEntryFacts& facts) {
  const config::CoordinatorInfo& c = config.coordinator;
  CoordinatorEntry e;
  e.long_alias = c.alias;
  e.short_alias = c.short_alias.empty() ? DeriveShortAlias(c.alias) : c.short_alias;
  e.identifier = c.identifier.empty() ? e.short_alias : c.identifier;
  e.description = c.description;
  e.motto = c.motto;
  e.color = c.color;
  e.established = c.established.empty() ? facts.today : c.established;
  e.nostr_hex_pubkey = facts.nostr_pubkey_hex;
  auto contact = [&](const char* name, const std::string& value) {
    if (!value.empty()) e.contact.emplace_back(name, value);
  };
  contact("email", c.contact_email);
  contact("telegram", c.contact.telegram);
  contact("simplex", c.contact.simplex);
  contact("matrix", c.contact.matrix);
  contact("website", c.contact.website);
  contact("nostr", c.contact.nostr);
  contact("pgp", c.contact.pgp);
  contact("fingerprint", c.contact.fingerprint);
  contact("reddit", c.contact.reddit);
  contact("twitter", c.contact.twitter);
  // A whole percent, rounded down from the share in millionths that the statements sign: the
  // badge never claims more than is paid (devfund reports a badge above the signed share).
  e.badges.donates_to_dev_fund = static_cast<int>(coordinator::DevTaxShareToPpm(config.dev_tax.share) / 10000);
  e.policies = c.policies;
  Origins own;
  own.onion = facts.onion_hostname.empty() ? "" : "http://" + facts.onion_hostname;
  own.clearnet = c.clearnet_url;
  own.i2p = c.i2p_url;
  Origins none{"", "", ""};
  const bool mainnet = facts.node_network == "mainnet";
  e.mainnet = mainnet ? own : none;
  e.testnet = mainnet ? none : own;
  if (!facts.node_pubkey.empty()) {
    (mainnet ? e.mainnet_nodes_pubkeys : e.testnet_nodes_pubkeys).push_back(facts.node_pubkey);
  }
  e.federated = true;
  return e;
}

}  // namespace federation
