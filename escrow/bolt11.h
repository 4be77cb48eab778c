// BOLT 11 payment requests: decode (with signature check and payee recovery) and encode
// (signing through a Signer). Field order is kept so that decode → encode is byte-identical.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/expected.h"
#include "escrow/crypto/secp256k1.h"
#include "escrow/crypto/sha256.h"

namespace escrow::bolt11 {

// BOLT #11: `r` field: "one or more entries containing extra routing information for a
// private route", each pubkey (264 bits), short_channel_id (64), fee_base_msat (32),
// fee_proportional_millionths (32), cltv_expiry_delta (16).
struct RouteHop {
  crypto::PubKey33 pubkey{};
  uint64_t short_channel_id = 0;
  uint32_t fee_base_msat = 0;
  uint32_t fee_proportional_millionths = 0;
  uint16_t cltv_expiry_delta = 0;
};
using RouteHint = std::vector<RouteHop>;

// BOLT #11: `f` field: version (5 bits) + witness program.
struct Fallback {
  uint8_t version = 0;          // 0..16 witness version, 17 P2PKH, 18 P2SH
  std::vector<uint8_t> program; // hash or witness program bytes
};

// One tagged field as it appeared, so that re-encoding keeps the order. Unknown fields (and
// known fields of the wrong length, which "MUST be skipped") are kept raw.
struct RawField {
  char tag = 0;                 // bech32 character of the type
  std::vector<uint8_t> data5;   // 5-bit groups
};

struct Invoice {
  std::string network_prefix;              // "bc", "tb", "bcrt", "sb", "tbs"
  std::optional<uint64_t> amount_msat;     // absent: "any amount"
  uint64_t timestamp = 0;                  // seconds since the epoch
  std::optional<crypto::Hash32> payment_hash;      // p
  std::optional<crypto::Hash32> payment_secret;    // s
  std::optional<std::string> description;          // d (UTF-8)
  std::optional<crypto::Hash32> description_hash;  // h
  std::optional<crypto::PubKey33> payee;           // n (explicit)
  uint64_t expiry_seconds = 3600;                  // x, default 3600
  uint64_t min_final_cltv_expiry = 18;             // c, default 18
  std::vector<Fallback> fallbacks;                 // f
  std::vector<RouteHint> route_hints;              // r
  std::vector<uint8_t> features;                   // 9, as 5-bit words (big-endian bit field)
  std::optional<std::vector<uint8_t>> metadata;    // m
  // Set on decode: the payee (recovered from the signature when no `n`), the signature.
  crypto::PubKey33 payee_pubkey{};
  crypto::RecoverableSig signature{};
  // Every field in order, including unknown/skipped ones. When non-empty, Encode writes these
  // (re-serialised from the typed fields above for known tags) in this order.
  std::vector<RawField> field_order;

  bool HasFeature(int bit) const;
  // True if `now` (Unix seconds) is past timestamp + expiry.
  bool IsExpired(uint64_t now) const { return now > timestamp + expiry_seconds; }
};

// Decodes and validates per BOLT 11's reader rules: bech32 checksum, hrp and amount
// (multipliers m/u/n/p; "p" amounts must be a multiple of 10), required p and s, 'n'/recovered
// signature check, high-S rejection, unknown mandatory (even) feature bits rejected.
// Returns a human-readable reason on failure.
base::Expected<Invoice, std::string> Decode(std::string_view payreq);

// Signs with `signer` and encodes. When `inv.field_order` is empty the fields are written in a
// canonical order: p, s, d|h, n, x, c, f*, r*, 9, m. Uses the smallest amount multiplier.
std::string Encode(const Invoice& inv, const crypto::Signer& signer);

// Encodes `inv` with its decoded `signature` instead of signing afresh, so that
// Decode → EncodeWithSignature reproduces the input (lower-cased) byte for byte.
std::string EncodeWithSignature(const Invoice& inv);

}  // namespace escrow::bolt11
