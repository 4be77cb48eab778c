// NIP-01 events: the canonical serialization, the id (SHA-256 of it), the BIP-340 signature,
// and the checks a relay makes on an event it is given. Pure: no I/O, no clock.
//
// NIP-01: "id: 32-bytes lowercase hex-encoded sha256 of the serialized event data";
// "pubkey: 32-bytes lowercase hex-encoded public key of the event creator"; "sig: 64-bytes
// lowercase hex of the signature of the sha256 hash of the serialized event data, which is the
// same as the id field". The serialized event data is
//   [0, <pubkey, as a lowercase hex string>, <created_at, as a number>, <kind, as a number>,
//    <tags, as an array of arrays of non-null strings>, <content, as a string>]
// "UTF-8 JSON-serialized string (which is described below) ... no white space or line breaks".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"
#include "escrow/crypto/secp256k1.h"

namespace coordinator::nostr {

using Tag = std::vector<std::string>;
using Tags = std::vector<Tag>;

struct Event {
  std::string id;      // 64 lowercase hex
  std::string pubkey;  // 64 lowercase hex (x-only key)
  int64_t created_at = 0;
  int kind = 0;
  Tags tags;
  std::string content;
  std::string sig;     // 128 lowercase hex
};

// Appends `s` as a JSON string literal the way NIP-01 and JavaScript's JSON.stringify (which
// nostr-tools uses to compute ids) write it: '"' and '\\' escaped, \b \t \n \f \r by name,
// the other control characters below 0x20 as \u00xx, everything else (UTF-8) verbatim.
// REQUIRES: `s` is valid UTF-8 (callers check input; nlohmann's parser does).
void AppendJsonString(std::string& out, std::string_view s);

// The serialized event data whose SHA-256 is the id (see above).
std::string CanonicalSerialization(const Event& e);
// Lowercase hex of SHA-256(CanonicalSerialization(e)).
std::string ComputeId(const Event& e);

// Fills pubkey (the key's x-only public key), id and sig of `e` (its created_at, kind, tags
// and content as given).
void Sign(Event& e, const escrow::crypto::Signer& key);

// The wire form: {"id":…,"pubkey":…,"created_at":…,"kind":…,"tags":…,"content":…,"sig":…},
// written with AppendJsonString (no whitespace).
std::string ToJson(const Event& e);
nlohmann::json ToJsonValue(const Event& e);

// Reads an event object. Errors (a reason for a relay's OK false / NOTICE): not an object, a
// field missing or of the wrong type, id/pubkey not 64 lowercase hex, sig not 128 lowercase
// hex, created_at not an integer in [0, 2^53), kind not in [0, 65535], a tag not an array of
// strings or empty. Unknown fields are ignored.
base::Expected<Event, std::string> ParseEvent(const nlohmann::json& j);

// Checks that the id is the hash of the event and that sig is pubkey's BIP-340 signature of
// it. Errors: "invalid: event id does not match", "invalid: bad signature".
base::Expected<void, std::string> Verify(const Event& e);

// The first value of the first tag named `name` (["d", "x"] → "x"); nullopt if none.
std::optional<std::string> TagValue(const Event& e, std::string_view name);

// NIP-40: the event's expiration tag, a Unix time (nullopt: none, or not a whole number).
std::optional<int64_t> ExpirationOf(const Event& e);
// NIP-40: "Relays SHOULD NOT send expired events to clients": expiration <= now.
bool IsExpired(const Event& e, int64_t now);

// NIP-01 kind ranges.
inline bool IsReplaceable(int kind) { return kind == 0 || kind == 3 || (kind >= 10000 && kind < 20000); }
inline bool IsEphemeral(int kind) { return kind >= 20000 && kind < 30000; }
inline bool IsAddressable(int kind) { return kind >= 30000 && kind < 40000; }

// True for exactly `n` lowercase hex digits.
bool IsLowerHex(std::string_view s, size_t n);

}  // namespace coordinator::nostr
