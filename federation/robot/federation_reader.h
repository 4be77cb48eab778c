// The coordinators of a federation file, as the robot needs them: alias and URL. Reads
// RoboSats' schema (frontend/static/federation.json; fixtures/robosats/federation.json):
//
//   { "<shortAlias>": { "longAlias": …, "shortAlias": …, "federated": true,
//                       "mainnet": {"onion": "http://….onion", "clearnet": "https://…", "i2p": …},
//                       "testnet": {"onion": …, "clearnet": …, "i2p": …}, … }, … }
//
// A small reader of the robot's own until the federation model (federation.json types) lands.
#pragma once

#include <string>
#include <vector>

#include "config/base/expected.h"

namespace federation::robot {

struct CoordinatorRef {
  std::string short_alias;
  std::string long_alias;
  std::string url;  // without a trailing slash
  bool federated = true;
};

enum class Network { kMainnet, kTestnet };
enum class Transport { kOnion, kClearnet };

// Every coordinator of the file with a URL for `network`/`transport` (null or "" URLs are
// skipped), in the file's order. Errors: unreadable file, not a JSON object, an entry that is
// not an object or whose shortAlias disagrees with its key.
base::Expected<std::vector<CoordinatorRef>, std::string> ReadFederationFile(const std::string& path, Network network,
                                                                           Transport transport);

}  // namespace federation::robot
