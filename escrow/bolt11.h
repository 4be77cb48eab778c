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

// BOLT #11: "the maximum length of a Tagged Field's `data` is constricted by the maximum value
// of `data_length`. This is 1023 x 5 bits, or 639 bytes."
constexpr size_t kMaxFieldBytes = 639;

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
  // The amount as written in the hrp on decode ("2500u"). Encode keeps it while it still denotes
  // `amount_msat` (BOLT 11 notes non-shortest forms "have been encountered in the wild"), so
  // that decode → encode stays byte-identical; otherwise it writes the shortest form.
  std::string amount_hrp;
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
  // Sets `bit` in `features`, growing the word vector as needed.
  void SetFeature(int bit);
  // True if `now` (Unix seconds) is past timestamp + expiry.
  bool IsExpired(uint64_t now) const { return now > timestamp + expiry_seconds; }
};

// Decodes and validates per BOLT 11's reader rules: bech32 checksum, hrp and amount
// (multipliers m/u/n/p; "p" amounts must be a multiple of 10), required p and s, 'n'/recovered
// signature check, high-S rejection, unknown mandatory (even) feature bits rejected.
// Returns a human-readable reason on failure.
base::Expected<Invoice, std::string> Decode(std::string_view payreq);

// Signs with `signer` and encodes. When `inv.field_order` is empty the fields are written in a
// canonical order: p, s, d|h, n, x (unless 3600), c, f*, r*, 9 (if any bit), m. The amount is
// written in its shortest form (the largest multiplier that represents it exactly).
// An amount of 0 is written as no amount ("any amount").
// REQUIRES: timestamp < 2^35; `payee`, if set, is `signer`'s key; every field fits in
// kMaxFieldBytes (d, m; r holds at most 12 hops) — callers validate user input first.
std::string Encode(const Invoice& inv, const crypto::Signer& signer);

// Encodes `inv` with its decoded `signature` instead of signing afresh, so that
// Decode → EncodeWithSignature reproduces the input (lower-cased) byte for byte.
std::string EncodeWithSignature(const Invoice& inv);

// The digest the signature covers, for `inv` written as Encode writes it. BOLT #11:
// "SHA2 256-bit hash of the human-readable part, represented as UTF-8 bytes, concatenated with
// the data part (excluding the signature) with 0 bits appended to pad the data to the next
// byte boundary".
crypto::Hash32 SigningHash(const Invoice& inv);

}  // namespace escrow::bolt11
