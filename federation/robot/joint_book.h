// The joint order book as a trader sees it: every coordinator's public orders with the
// coordinator each belongs to. Read either directly from each coordinator's GET /api/book/
// (concurrently: a slow coordinator delays only its own answer, bounded by the timeout), or
// from a federationd that already merged them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"
#include "federation/robot/federation_reader.h"
#include "federation/robot/http_client.h"

namespace federation::robot {

struct BookEntry {
  std::string coordinator;  // short alias (or URL)
  nlohmann::json order;     // RoboSats' OrderPublic fields (id, type, currency, amount, …)
};

struct BookSource {
  std::string coordinator;
  std::string url;
  bool ok = false;
  std::string error;  // when !ok
  size_t orders = 0;
};

struct JointBook {
  std::vector<BookEntry> orders;
  std::vector<BookSource> sources;
};

// GET <url>/api/book/?currency=<currency>&type=<type> of every coordinator at once
// (currency 0 = all, type 2 = any). RoboSats answers 404 {"not_found": …} for an empty book:
// that is an empty book, not an error. Orders are sorted by coordinator, then id.
JointBook FetchJointBook(const std::vector<CoordinatorRef>& coordinators, int currency, int type,
                         const HttpOptions& options);

// The joint book of a federationd at `base_url`: GET <base_url>/api/book/?currency=&type= (an
// array of orders, each tagged `coordinatorShortAlias`, `stale`, `data_age_s`) and
// /api/coordinators/ for each coordinator's status (offline ones are sources with an error).
// Errors: transport, HTTP status, or an unreadable body.
base::Expected<JointBook, std::string> FetchFederationdBook(const std::string& base_url, int currency, int type,
                                                            const HttpOptions& options);

}  // namespace federation::robot
