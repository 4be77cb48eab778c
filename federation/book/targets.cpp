#include "federation/book/targets.h"

namespace federation {

base::Expected<std::vector<PlannedCoordinator>, std::string> PlanCoordinators(const FederationFile& file,
                                                                             const config::FederationdConfig& config) {
  std::string errors;
  for (const auto& [alias, o] : config.coordinators) {
    if (!file.Find(alias)) {
      errors += "coordinators." + alias + ": no entry \"" + alias + "\" in " + config.federation_file + "\n";
    }
  }
  std::vector<PlannedCoordinator> out;
  const bool testnet = config.network == config::FederationNetwork::kTestnet;
  for (const auto& [key, entry] : file.entries) {
    config::CoordinatorOverride o;
    if (auto it = config.coordinators.find(key); it != config.coordinators.end()) o = it->second;
    if (!o.enabled) continue;
    std::string origin = o.origin.empty() ? std::string(config::CoordinatorOriginName(config.origin)) : o.origin;
    const Origins& urls = entry.OriginsOf(testnet);
    std::string url = o.url;
    if (url.empty()) url = OrEmpty(origin == "onion" ? urls.onion : origin == "clearnet" ? urls.clearnet : urls.i2p);
    while (!url.empty() && url.back() == '/') url.pop_back();
    const bool onion = url.find(".onion") != std::string::npos;
    bool direct = o.direct || (config.direct_clearnet && origin == "clearnet" && !onion);
    if (direct && onion) {
      errors += "coordinators." + key + ".direct: " + url + " is an onion service: only through the socks5h proxy\n";
      continue;
    }
    PlannedCoordinator p;
    p.entry = entry;
    p.target = {key, url, direct};
    out.push_back(std::move(p));
  }
  if (!errors.empty()) {
    errors.pop_back();
    return base::Err(errors);
  }
  return out;
}

}  // namespace federation
