// BOLT 11 tagged fields, one at a time: parse a field's 5-bit data into a typed value and
// write typed values back. Internal to bolt11.cpp (the decoder and the encoder must agree on
// which fields are "known and well-formed", so both go through ParseField).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/base/expected.h"
#include "escrow/bolt11.h"

namespace escrow::bolt11::fields {

enum class Kind {
  kPaymentHash,      // p
  kPaymentSecret,    // s
  kDescription,      // d
  kDescriptionHash,  // h
  kPayee,            // n
  kExpiry,           // x
  kMinFinalCltv,     // c
  kFallback,         // f
  kRouteHint,        // r
  kFeatures,         // 9
  kMetadata,         // m
  kSkipped,          // unknown tag, wrong length, or unknown fallback version: kept raw
};

struct Parsed {
  Kind kind = Kind::kSkipped;
  crypto::Hash32 hash{};           // p, s, h
  std::string text;                // d
  crypto::PubKey33 key{};          // n
  uint64_t number = 0;             // x, c
  Fallback fallback;               // f
  RouteHint route;                 // r
  std::vector<uint8_t> bytes;      // m (bytes), 9 (5-bit words as written)
};

// Parses one field. Returns a reason when a known field is malformed in a way BOLT 11 does not
// tell readers to skip (bad padding, invalid UTF-8, an invalid point, an overlong integer, a
// broken fallback of a known version, a route hint that is not whole hops).
base::Expected<Parsed, std::string> Parse(char tag, const std::vector<uint8_t>& data5);

// Writers: the 5-bit data of one field (without type and length).
std::vector<uint8_t> HashData(const crypto::Hash32& h);
std::vector<uint8_t> TextData(const std::string& text);
std::vector<uint8_t> PubKeyData(const crypto::PubKey33& key);
std::vector<uint8_t> IntData(uint64_t value);  // minimal: no leading zero groups
std::vector<uint8_t> FallbackData(const Fallback& f);
std::vector<uint8_t> RouteData(const RouteHint& route);
std::vector<uint8_t> FeatureData(const std::vector<uint8_t>& words);  // leading zeros stripped
std::vector<uint8_t> BytesData(const std::vector<uint8_t>& bytes);

bool SameRoute(const RouteHint& a, const RouteHint& b);
bool SameFallback(const Fallback& a, const Fallback& b);

// The bech32 character of a 5-bit value and back (-1 if not in the alphabet).
char TagChar(uint8_t value);
int TagValue(char c);

}  // namespace escrow::bolt11::fields
