// Which coordinators federationd fetches, and where: the federation file's entries (file order)
// with the URL of the configured network and origin, and the per-coordinator overrides of
// federationd's config (config/federationd_config.h).
#pragma once

#include <string>
#include <vector>

#include "config/base/expected.h"
#include "config/federationd_config.h"
#include "federation/book/fetcher.h"
#include "federation/model/entry.h"

namespace federation {

struct PlannedCoordinator {
  CoordinatorEntry entry;
  FetchTarget target;  // base_url "" when the entry has no URL for the network and origin
};

// Errors (each naming the config key): an override for a shortAlias the file lacks; a direct
// connection to an .onion URL. Disabled coordinators are left out.
base::Expected<std::vector<PlannedCoordinator>, std::string> PlanCoordinators(
    const FederationFile& file, const config::FederationdConfig& config);

}  // namespace federation
