// A robot's nickname, computed from its hash_id exactly as RoboSats' clients compute it, so that
// the name a client shows for a robot and the `maker_nick`/`taker_nick`/`nickname` this
// coordinator answers are the same.
//
// RoboSats v0.8.6 web client, frontend/src/models/Slot.model.ts:
//   this.hashId = sha256(sha256(this.token));
//   roboidentitiesClient.generateRoboname(this.hashId)   // robo-identities-wasm 0.1.0
// whose generate_roboname is robonames::generate_short_nickname (github.com/RoboSats/
// robo-identities, robonames/src/lib.rs):
//   pool    = 999 × |nouns| × |adjectives|
//   nick_id = hash × pool / 2^256                      (big integers, rounded down)
//   adjective = adjectives[nick_id / (999 × |nouns|)]
//   noun      = nouns[(nick_id mod (999 × |nouns|)) / 999]
//   number    = nick_id mod 999                        (0..998, in decimal)
//   while adjective + noun + number is longer than 18: hash = hex(SHA256(hash + "42")), again
//   (at most 10 000 times, then "").
// The word lists are nickname_adjectives.txt and nickname_nouns.txt (robonames'
// dicts/en/*.rs), compiled in; FROZEN: a changed, added or moved word renames robots.
//
// RoboSats' backend (robosats/middleware.py: NickGenerator.short_from_SHA256(hash,
// max_length=18)) is the same algorithm with float arithmetic and one other adjective at index
// 4824: it names about 1 robot in 5 000 differently from the client. We follow the client.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace coordinator::identity {

// The longest nickname NicknameFromHashId returns.
inline constexpr size_t kMaxNicknameLength = 18;

// The nickname of `hash_id` (64 hex digits, any case: the digits are hashed again as given, as
// the client does; RoboSats' hash_ids are lower case). Letters, '-' and digits, at most
// kMaxNicknameLength characters, e.g. "UptightPub730". Nicknames are not unique (6e10 names
// before the length rule): a robot is identified by hash_id. Returns nullopt unless `hash_id`
// is 64 hex digits; "" (as the client) if 10 000 hashes in a row give long names (each does
// with probability about 1/2).
std::optional<std::string> NicknameFromHashId(std::string_view hash_id);

// The frozen word lists, in RoboSats' order (4 832 adjectives, 12 591 nouns; some nouns twice).
std::span<const std::string_view> NicknameAdjectives();
std::span<const std::string_view> NicknameNouns();

}  // namespace coordinator::identity
