// This coordinator's own federation.json entry, from its config and live facts (its node's
// public key and network, its onion address, its nostr key). `coordinatord federation-entry`
// prints it; the federation's maintainers add it with `federation add`.
#pragma once

#include <string>

#include "config/base/expected.h"
#include "config/coordinator_config.h"
#include "federation/model/entry.h"

namespace federation {

struct OwnEntryFacts {
  std::string node_pubkey;       // the Lightning node's identity key (GetInfo)
  std::string node_network;      // GetInfo's network: "mainnet" → mainnet; anything else → testnet
  std::string onion_hostname;    // "<56 base32>.onion", "" = none
  std::string nostr_pubkey_hex;  // x-only, hex
  std::string today;             // "YYYY-MM-DD": `established` when the config leaves it empty
};

// The entry (RoboSats' schema):
// - longAlias = coordinator.alias; shortAlias = coordinator.short_alias, or the alias
//   lower-cased with letters and digits only; identifier = coordinator.identifier or the
//   short alias; description, motto, color, established, policies from the config;
// - contact: email (contact_email) and coordinator.contact's non-empty fields;
// - badges.donatesToDevFund = round(dev_tax.share × 100); the other badges are the
//   federation's to grant, false here;
// - the node's network block (mainnet or testnet) gets onion "http://<hostname>",
//   clearnet_url and i2p_url ("" for none), and the node pubkey in its NodesPubkeys; the other
//   block is empty.
CoordinatorEntry BuildOwnEntry(const config::CoordinatorConfig& config, const OwnEntryFacts& facts);

// "Temple of Sats" → "templeofsats"; "" if nothing is left.
std::string DeriveShortAlias(const std::string& alias);

// Reads Tor's hostname file: one line "<56 base32>.onion". Errors name `key` and the file.
base::Expected<std::string, std::string> ReadOnionHostname(const std::string& path, const std::string& key);

}  // namespace federation
