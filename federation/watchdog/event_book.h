// The public orders a coordinator's signed kind-38383 events say it has, as RoboSats' client
// reads them (frontend/src/utils/nostr.ts eventToPublicOrder, v0.8.6): the joint book of
// federationd built from relays (federationd's `watchdog.book_from_relays`) instead of, or when
// it cannot reach, a coordinator's /api/book/.
//
// Per order (the id at the end of the `source` tag, as the watchdog matches them) the newest
// event counts; it is in the book when its `s` is "pending" and its expiration has not passed.
// Fields, as the client maps them: k → type (sell 1, else 0); f → currency id (an unknown code
// drops the order, as the client does); fa → amount, or min/max with has_range; pm → its values
// joined by spaces; premium; bond → bond_size; name → maker_nick, maker_hash_id; expiration →
// expires_at and escrow_duration; g → latitude, longitude; source → link. The JSON also carries
// "nostr_event_id" (where the order came from) and the client's other PublicOrder fields as null.
// Only events whose signature was verified by the coordinator's key may be given here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/nostr/event.h"
#include "federation/book/book_order.h"

namespace federation {

std::vector<BookOrder> BookFromEvents(const std::vector<coordinator::nostr::Event>& events,
                                      std::string_view short_alias, int64_t now_s,
                                      const std::function<std::optional<int>(const std::string&)>& currency_id);

// A geohash (base32, any precision) → the centre of its cell; nullopt if it is not one.
std::optional<std::pair<double, double>> DecodeGeohash(std::string_view hash);

}  // namespace federation
