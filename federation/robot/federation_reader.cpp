#include "federation/robot/federation_reader.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace federation::robot {

base::Expected<std::vector<CoordinatorRef>, std::string> ReadFederationFile(const std::string& path, Network network,
                                                                           Transport transport) {
  std::ifstream in(path);
  if (!in) return base::Err("cannot read the federation file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  // ordered_json keeps the file's order (the order the user sees the coordinators in).
  auto doc = nlohmann::ordered_json::parse(ss.str(), nullptr, false);
  if (!doc.is_object()) return base::Err(path + ": not a JSON object of coordinators");
  const char* net = network == Network::kMainnet ? "mainnet" : "testnet";
  const char* via = transport == Transport::kOnion ? "onion" : "clearnet";
  std::vector<CoordinatorRef> out;
  for (const auto& [key, entry] : doc.items()) {
    if (!entry.is_object()) return base::Err(path + ": the entry '" + key + "' is not an object");
    CoordinatorRef ref;
    ref.short_alias = key;
    if (entry.contains("shortAlias") && entry["shortAlias"].is_string() &&
        entry["shortAlias"].get<std::string>() != key) {
      return base::Err(path + ": the entry '" + key + "' has shortAlias '" + entry["shortAlias"].get<std::string>() +
                       "'");
    }
    if (entry.contains("longAlias") && entry["longAlias"].is_string()) ref.long_alias = entry["longAlias"];
    if (entry.contains("federated") && entry["federated"].is_boolean()) ref.federated = entry["federated"];
    if (!entry.contains(net) || !entry[net].is_object()) continue;
    const auto& urls = entry[net];
    if (!urls.contains(via) || !urls[via].is_string()) continue;
    ref.url = urls[via].get<std::string>();
    while (!ref.url.empty() && ref.url.back() == '/') ref.url.pop_back();
    if (ref.url.empty()) continue;
    out.push_back(std::move(ref));
  }
  return out;
}

}  // namespace federation::robot
