// secp256k1 over libsecp256k1 0.2: ECDSA (DER-free compact and recoverable forms) and BIP-340
// Schnorr. Secret key bytes live only inside `Signer`, which wipes them on destruction: the
// BOLT 11 encoder, simln and the nostr publisher take a Signer and never see the key.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "escrow/crypto/sha256.h"

namespace escrow::crypto {

using PubKey33 = std::array<uint8_t, 33>;    // compressed point
using XOnlyPubKey = std::array<uint8_t, 32>; // BIP-340
using CompactSig = std::array<uint8_t, 64>;  // r || s, big-endian
using SchnorrSig = std::array<uint8_t, 64>;

struct RecoverableSig {
  CompactSig sig{};
  int recovery_id = 0;  // 0..3
};

// A secret key. Not copyable; movable; the bytes are wiped when it dies.
class Signer {
 public:
  // Returns nullopt if `secret` is not a valid secret key (zero or ≥ the group order).
  static std::optional<Signer> FromSecret(const Hash32& secret);
  static Signer Generate();
  // Deterministic key for simulated nodes and tests: SHA256(seed) (re-hashed until valid).
  static Signer FromSeed(std::string_view seed);

  Signer(Signer&& other) noexcept;
  Signer& operator=(Signer&& other) noexcept;
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;
  ~Signer();

  PubKey33 PublicKey() const;
  XOnlyPubKey XOnlyPublicKey() const;

  // RFC 6979 ECDSA over a 32-byte digest; low-S.
  CompactSig SignEcdsa(const Hash32& digest) const;
  RecoverableSig SignRecoverable(const Hash32& digest) const;
  // BIP-340 Schnorr with 32 bytes of fresh aux randomness.
  SchnorrSig SignSchnorr(const Hash32& msg32) const;
  // BIP-340 Schnorr over a message of any length (BIP-340 allows it; libsecp256k1's
  // schnorrsig_sign_custom), as RoboSats signs review tokens and as @noble/curves verifies them.
  SchnorrSig SignSchnorrMessage(std::span<const uint8_t> msg) const;
  // BIP-340 Schnorr with caller-chosen aux randomness: for the BIP's test vectors only.
  SchnorrSig SignSchnorrWithAux(const Hash32& msg32, const Hash32& aux32) const;

  // The secret, for persisting a simulated node's key. Callers must not log it.
  Hash32 SecretForStorage() const { return m_secret; }

 private:
  explicit Signer(const Hash32& secret) : m_secret(secret) {}
  Hash32 m_secret{};
};

// Verification never throws; malformed keys or signatures verify false, and so does a high-S
// signature (libsecp256k1's rule: normalise first if you must accept one).
bool VerifyEcdsa(const PubKey33& pubkey, const Hash32& digest, const CompactSig& sig);
// True if `sig` has s > n/2 (BOLT 11 readers must reject or normalise these per the spec).
bool IsHighS(const CompactSig& sig);
// Recovers the signing key; nullopt if the signature is not recoverable. A high-S signature is
// first normalised (s := n - s) keeping `recovery_id`, as BOLT 11 readers must accept one.
std::optional<PubKey33> RecoverPubKey(const Hash32& digest, const RecoverableSig& sig);
bool VerifySchnorr(const XOnlyPubKey& pubkey, const Hash32& msg32, const SchnorrSig& sig);
bool VerifySchnorrMessage(const XOnlyPubKey& pubkey, std::span<const uint8_t> msg, const SchnorrSig& sig);
std::string ToHex(const SchnorrSig& sig);
// Returns nullopt if the bytes are not a valid compressed point.
std::optional<PubKey33> ParsePubKey(const uint8_t* data, size_t len);
std::optional<PubKey33> PubKeyFromHex(std::string_view hex);
std::string ToHex(const PubKey33& key);

}  // namespace escrow::crypto
