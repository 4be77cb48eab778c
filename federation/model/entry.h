// One coordinator's entry of `federation.json`, in RoboSats' schema, as typed data.
//
// RoboSats: frontend/static/federation.json (v0.8.6), read by frontend/src/models/
// Coordinator.model.ts (the fields below) and Federation.model.ts (the file is an object keyed
// by shortAlias). Fields keep RoboSats' JSON names in comments; JSON null is kept apart from ""
// (the real file has both) so that a file reads and writes back unchanged.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace federation {

// A string field that the file may hold as null.
using NullableString = std::optional<std::string>;

// The empty string for null.
inline const std::string& OrEmpty(const NullableString& s) {
  static const std::string kEmpty;
  return s ? *s : kEmpty;
}

// RoboSats Coordinator.model.ts `Origins`: the coordinator's URL per transport; "" or null =
// none.
struct Origins {
  NullableString onion;     // "http://<56 base32>.onion"
  NullableString clearnet;  // "https://…"
  NullableString i2p;       // "http://….i2p"
  bool operator==(const Origins&) const = default;
};

// RoboSats Coordinator.model.ts `Badges`.
struct Badges {
  bool is_founder = false;        // isFounder: size limit 21 BTC from the start
  int donates_to_dev_fund = 0;    // donatesToDevFund: percent of profit, 0..100 (lottery weight)
  bool has_good_op_sec = false;   // hasGoodOpSec
  bool has_large_limits = false;  // hasLargeLimits
  bool operator==(const Badges&) const = default;
};

// The contact fields RoboSats' client knows (Coordinator.model.ts `Contact`).
inline constexpr const char* kContactFields[] = {"email",   "telegram", "reddit",  "matrix", "simplex",
                                                 "twitter", "website",  "nostr",   "pgp",    "fingerprint"};

struct CoordinatorEntry {
  std::string long_alias;        // longAlias
  std::string short_alias;       // shortAlias: also the entry's key in the file
  std::string identifier;        // identifier
  std::string description;       // description
  std::string motto;             // motto
  std::string color = "#000";    // color (CSS hex)
  std::string established;       // established: "YYYY-MM-DD"
  std::string nostr_hex_pubkey;  // nostrHexPubkey: x-only, 64 hex
  // contact: name → value, in the file's order (entries differ in order; some values are null).
  std::vector<std::pair<std::string, NullableString>> contact;
  Badges badges;
  // policies: title → text, in the file's order.
  std::vector<std::pair<std::string, std::string>> policies;
  Origins mainnet;
  Origins testnet;
  std::vector<std::string> mainnet_nodes_pubkeys;  // mainnetNodesPubkeys
  std::vector<std::string> testnet_nodes_pubkeys;  // testnetNodesPubkeys
  bool federated = true;                           // federated
  // Fields this model does not know, kept in order so that they survive a rewrite.
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();

  bool operator==(const CoordinatorEntry&) const = default;

  // The contact value named `name`, "" if absent or null.
  std::string Contact(const std::string& name) const;
  // mainnet or testnet.
  const Origins& OriginsOf(bool testnet_network) const { return testnet_network ? testnet : mainnet; }
};

// The whole file: entries in file order, each under its key (normally its shortAlias).
struct FederationFile {
  std::vector<std::pair<std::string, CoordinatorEntry>> entries;

  bool operator==(const FederationFile&) const = default;
  // nullptr if no entry has that key.
  const CoordinatorEntry* Find(const std::string& key) const;
};

}  // namespace federation
