// The coordinator's signed info event: an addressable event in Mostro's kind-38385 shape
// (Mostro src/nip33.rs info_to_tags: one tag per live parameter, ["y", …], ["z", "info"]),
// carrying the parameters of our GET /api/info/ that a federation entry claims — version,
// fees, bond, limits, node, network — so that anyone can check the entry against what the
// coordinator itself signs. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "coordinator/nostr/event.h"

namespace coordinator::nostr {

inline constexpr int kInfoEventKind = 38385;

// Tags (each value a string, as /api/info/ gives it): d = the coordinator's pubkey (one info
// event per coordinator), version ("0.8.6"), commit_hash, maker_fee, taker_fee, bond_size,
// min_order_size, max_order_size, dispute_resolution_hours, network, node_id, node_alias,
// lnd_version, then host (where clients reach it), y ["robosats", alias lowercased], z "info".
// Content: those parameters as one JSON object (keys as in /api/info/). Fields missing from
// `info` are left out. `pubkey` is the hex key that will sign it.
Event InfoEvent(const nlohmann::json& info, const std::string& pubkey, const std::string& alias,
                const std::string& host, int64_t created_at);

// The parameters of an info event, to compare two: equal parameters need no new event.
nlohmann::json InfoParameters(const nlohmann::json& info);

}  // namespace coordinator::nostr
