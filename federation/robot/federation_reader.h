// The coordinators of a federation file, as the robot needs them: alias and URL. The file is
// read by the project's one federation.json model (federation/model/federation_json.h, RoboSats'
// schema: frontend/static/federation.json); this is only the robot's view of it.
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
// skipped), in the file's order. Errors: the model's problems (unreadable file, not a JSON
// object, a missing or mistyped field — each names the entry and field), or an entry whose
// shortAlias disagrees with its key; several problems one per line.
base::Expected<std::vector<CoordinatorRef>, std::string> ReadFederationFile(const std::string& path, Network network,
                                                                           Transport transport);

}  // namespace federation::robot
