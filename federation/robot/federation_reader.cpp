#include "federation/robot/federation_reader.h"

#include "federation/model/federation_json.h"

namespace federation::robot {

base::Expected<std::vector<CoordinatorRef>, std::string> ReadFederationFile(const std::string& path, Network network,
                                                                           Transport transport) {
  auto file = LoadFederation(path);
  if (!file) {
    std::string text;
    for (const auto& p : file.error()) text += (text.empty() ? "" : "\n") + p;
    return base::Err(text);
  }
  std::vector<CoordinatorRef> out;
  for (const auto& [key, entry] : file->entries) {
    if (entry.short_alias != key) {
      return base::Err(Problem(path, key, "shortAlias", "\"" + entry.short_alias + "\" is not the entry's key"));
    }
    const Origins& origins = entry.OriginsOf(network == Network::kTestnet);
    CoordinatorRef ref;
    ref.short_alias = key;
    ref.long_alias = entry.long_alias;
    ref.federated = entry.federated;
    ref.url = OrEmpty(transport == Transport::kOnion ? origins.onion : origins.clearnet);
    while (!ref.url.empty() && ref.url.back() == '/') ref.url.pop_back();
    if (ref.url.empty()) continue;
    out.push_back(std::move(ref));
  }
  return out;
}

}  // namespace federation::robot
