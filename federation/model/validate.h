// The value rules of federation.json entries, beyond the types that parsing checks. Each
// problem names the file label, the entry and the field (see federation_json.h):
//   federation.json: entry "lake": mainnet.onion: "http://x.onion" is not http://<56 base32 characters>.onion
#pragma once

#include <string_view>

#include "federation/model/entry.h"
#include "federation/model/federation_json.h"

namespace federation {

// The rules of one entry stored under `key`:
// - shortAlias: 1..32 of [a-z0-9_-], starting with a letter or digit, equal to `key`;
// - longAlias: not empty; identifier: 1..64 of [a-z0-9_.-];
// - color: "#rgb" or "#rrggbb"; established: a real date "YYYY-MM-DD";
// - nostrHexPubkey: 64 lower-case hex characters;
// - contact: known names only (kContactFields); email with an '@'; website http(s)://;
//   nostr "npub1…"; fingerprint 40 hex characters;
// - badges.donatesToDevFund: 0..100;
// - mainnet/testnet: onion "http://<56 base32>.onion[:port]", clearnet "http(s)://host[:port]",
//   i2p "http(s)://….i2p"; null or "" = none; at least one URL in mainnet or testnet;
// - mainnetNodesPubkeys/testnetNodesPubkeys: 66 hex characters starting 02 or 03, no repeats.
Problems ValidateEntry(const CoordinatorEntry& entry, std::string_view key, std::string_view label);

// Every entry's rules, plus rules across entries: no identifier, nostrHexPubkey or node pubkey
// used by two entries.
Problems ValidateFederation(const FederationFile& file, std::string_view label);

}  // namespace federation
