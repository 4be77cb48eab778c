// Kind-38383 order events (NIP-69 "P2P Order events", an addressable event of NIP-01/NIP-33)
// with the tags RoboSats v0.8.6 publishes for each public order (api/nostr.py
// Nostr.generate_tags), so that its client's book (frontend/src/utils/nostr.ts
// eventToPublicOrder) reads ours as it reads theirs. Pure: the engine calls it inside the
// transition and signs the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "coordinator/model.h"
#include "coordinator/nostr/event.h"

namespace coordinator::nostr {

inline constexpr int kOrderEventKind = 38383;

struct OrderEventFacts {
  std::string alias;      // RoboSats' COORDINATOR_ALIAS, as configured (the d tag hashes it as is)
  std::string host_name;  // RoboSats' HOST_NAME: the source tag's host (an onion, or host:port)
  std::string network;    // RoboSats' NETWORK: "mainnet" / "testnet"
};

// RoboSats: d = str(uuid.UUID(md5(f"{COORDINATOR_ALIAS}{order.id}").hexdigest())).
std::string OrderDTag(const std::string& alias, int64_t order_id);

// NIP-69's `s` for an order status: nullopt while the order was never public (0). RoboSats
// v0.8.6 writes "pending" for Public and "success" for everything else (so expired and
// cancelled orders claim success); we use NIP-69's values:
// NIP-69: "s < Order status: pending, canceled, in-progress, success, expired >".
//   1 → pending; 2 (paused: withdrawn from the book until resumed; NIP-69 has no pause) and
//   4, 12 → canceled; 5 → expired; 3, 6–11, 13, 15, 16 → in-progress; 14, 17, 18 → success
//   (the trade ended with the sats moved, by the robots or by a dispute's resolution).
std::optional<std::string> StatusTag(OrderStatus s);

// NIP-69 `g`: the geohash (precision 12, as pygeohash.encode) of a latitude and longitude.
std::string Geohash(double latitude, double longitude, int precision = 12);

// The tags, in RoboSats' order: d, name [nick, hash_id], k, f, s, amt "0", fa (amount or
// min, max), pm (payment_method split on single spaces), premium, source, expiration
// [expires_at, escrow_duration], y ["robosats", alias lowercased], network, layer "lightning",
// bond, z "order", and g when the order has non-zero coordinates.
//
// expiration: RoboSats writes the order's expires_at; its first value is also NIP-40's
// expiration ("relays SHOULD drop expired events"). The event that closes an order (not
// pending) carries at least `created_at + kClosedEventLifetimeS`, so that a relay honouring
// NIP-40 accepts and keeps the closing event rather than dropping it and leaving the last
// pending one.
inline constexpr int64_t kClosedEventLifetimeS = 86400;
Tags OrderTags(const Order& o, const Robot& maker, const std::string& currency_code, const OrderEventFacts& facts,
               int64_t created_at);

// The unsigned event (content: the order's description, as RoboSats). nullopt for an order
// that must not be published: password-protected, or never public (status 0).
std::optional<Event> OrderEvent(const Order& o, const Robot& maker, const std::string& currency_code,
                                const OrderEventFacts& facts, int64_t created_at);

}  // namespace coordinator::nostr
