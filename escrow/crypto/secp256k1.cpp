#include "escrow/crypto/secp256k1.h"

#include <openssl/crypto.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_recovery.h>
#include <secp256k1_schnorrsig.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "config/base/encoding.h"

namespace escrow::crypto {
namespace {

// The secp256k1 group order n, big-endian, and n/2 (floor): s > n/2 is "high-S".
constexpr uint8_t kHalfOrder[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "fatal: secp256k1: %s\n", what);
  std::abort();
}

// One context for the process. libsecp256k1 0.2: a context created with
// SECP256K1_CONTEXT_NONE supports every operation; randomizing it once blinds the signing
// computations. After that it is only read (every API below takes a const context), which the
// library documents as safe to share between threads.
const secp256k1_context* Ctx() {
  static const secp256k1_context* const kCtx = [] {
    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (ctx == nullptr) Die("context_create");
    Hash32 seed = RandomHash32();
    if (secp256k1_context_randomize(ctx, seed.data()) != 1) Die("context_randomize");
    OPENSSL_cleanse(seed.data(), seed.size());
    return ctx;
  }();
  return kCtx;
}

bool IsValidSecret(const Hash32& secret) {
  return secp256k1_ec_seckey_verify(Ctx(), secret.data()) == 1;
}

PubKey33 SerializeCompressed(const secp256k1_pubkey& pk) {
  PubKey33 out{};
  size_t len = out.size();
  if (secp256k1_ec_pubkey_serialize(Ctx(), out.data(), &len, &pk, SECP256K1_EC_COMPRESSED) != 1 ||
      len != out.size()) {
    Die("pubkey_serialize");
  }
  return out;
}

// A keypair holds the secret too: wipe it when done.
struct ScopedKeypair {
  secp256k1_keypair kp{};
  ~ScopedKeypair() { OPENSSL_cleanse(&kp, sizeof(kp)); }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Signer

std::optional<Signer> Signer::FromSecret(const Hash32& secret) {
  if (!IsValidSecret(secret)) return std::nullopt;
  return Signer(secret);
}

Signer Signer::Generate() {
  for (;;) {
    Hash32 secret = RandomHash32();
    const bool valid = IsValidSecret(secret);
    if (valid) {
      Signer s(secret);
      OPENSSL_cleanse(secret.data(), secret.size());
      return s;
    }
    OPENSSL_cleanse(secret.data(), secret.size());
  }
}

Signer Signer::FromSeed(std::string_view seed) {
  Hash32 secret = Sha256(seed);
  while (!IsValidSecret(secret)) secret = Sha256(secret.data(), secret.size());
  Signer s(secret);
  OPENSSL_cleanse(secret.data(), secret.size());
  return s;
}

Signer::Signer(Signer&& other) noexcept : m_secret(other.m_secret) {
  OPENSSL_cleanse(other.m_secret.data(), other.m_secret.size());
}

Signer& Signer::operator=(Signer&& other) noexcept {
  if (this != &other) {
    m_secret = other.m_secret;
    OPENSSL_cleanse(other.m_secret.data(), other.m_secret.size());
  }
  return *this;
}

Signer::~Signer() { OPENSSL_cleanse(m_secret.data(), m_secret.size()); }

PubKey33 Signer::PublicKey() const {
  secp256k1_pubkey pk;
  // Fails only for an invalid secret, i.e. a moved-from Signer: a programmer bug.
  if (secp256k1_ec_pubkey_create(Ctx(), &pk, m_secret.data()) != 1) Die("use of an empty Signer");
  return SerializeCompressed(pk);
}

XOnlyPubKey Signer::XOnlyPublicKey() const {
  ScopedKeypair kp;
  if (secp256k1_keypair_create(Ctx(), &kp.kp, m_secret.data()) != 1) Die("use of an empty Signer");
  secp256k1_xonly_pubkey xonly;
  if (secp256k1_keypair_xonly_pub(Ctx(), &xonly, nullptr, &kp.kp) != 1) Die("keypair_xonly_pub");
  XOnlyPubKey out{};
  if (secp256k1_xonly_pubkey_serialize(Ctx(), out.data(), &xonly) != 1) Die("xonly_serialize");
  return out;
}

CompactSig Signer::SignEcdsa(const Hash32& digest) const {
  // A null nonce function selects secp256k1_nonce_function_rfc6979; the library always emits
  // the lower-S form.
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ecdsa_sign(Ctx(), &sig, digest.data(), m_secret.data(), nullptr, nullptr) != 1) {
    Die("ecdsa_sign (empty Signer?)");
  }
  CompactSig out{};
  if (secp256k1_ecdsa_signature_serialize_compact(Ctx(), out.data(), &sig) != 1) Die("serialize");
  return out;
}

RecoverableSig Signer::SignRecoverable(const Hash32& digest) const {
  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_sign_recoverable(Ctx(), &sig, digest.data(), m_secret.data(), nullptr,
                                       nullptr) != 1) {
    Die("ecdsa_sign_recoverable (empty Signer?)");
  }
  RecoverableSig out;
  if (secp256k1_ecdsa_recoverable_signature_serialize_compact(Ctx(), out.sig.data(),
                                                              &out.recovery_id, &sig) != 1) {
    Die("serialize recoverable");
  }
  return out;
}

SchnorrSig Signer::SignSchnorr(const Hash32& msg32) const {
  Hash32 aux = RandomHash32();
  return SignSchnorrWithAux(msg32, aux);
}

SchnorrSig Signer::SignSchnorrWithAux(const Hash32& msg32, const Hash32& aux32) const {
  ScopedKeypair kp;
  if (secp256k1_keypair_create(Ctx(), &kp.kp, m_secret.data()) != 1) Die("use of an empty Signer");
  SchnorrSig out{};
  if (secp256k1_schnorrsig_sign32(Ctx(), out.data(), msg32.data(), &kp.kp, aux32.data()) != 1) {
    Die("schnorrsig_sign32");
  }
  return out;
}

SchnorrSig Signer::SignSchnorrMessage(std::span<const uint8_t> msg) const {
  ScopedKeypair kp;
  if (secp256k1_keypair_create(Ctx(), &kp.kp, m_secret.data()) != 1) Die("use of an empty Signer");
  Hash32 aux = RandomHash32();
  secp256k1_schnorrsig_extraparams extra = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
  extra.ndata = aux.data();
  SchnorrSig out{};
  if (secp256k1_schnorrsig_sign_custom(Ctx(), out.data(), msg.data(), msg.size(), &kp.kp, &extra) != 1) {
    Die("schnorrsig_sign_custom");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Verification and parsing

bool VerifyEcdsa(const PubKey33& pubkey, const Hash32& digest, const CompactSig& sig) {
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_parse(Ctx(), &pk, pubkey.data(), pubkey.size()) != 1) return false;
  secp256k1_ecdsa_signature s;
  if (secp256k1_ecdsa_signature_parse_compact(Ctx(), &s, sig.data()) != 1) return false;
  // secp256k1_ecdsa_verify returns 0 for a high-S signature: that is our contract too.
  return secp256k1_ecdsa_verify(Ctx(), &s, digest.data(), &pk) == 1;
}

bool IsHighS(const CompactSig& sig) {
  // Big-endian comparison of s (bytes 32..63) with floor(n/2).
  return std::memcmp(sig.data() + 32, kHalfOrder, sizeof(kHalfOrder)) > 0;
}

std::optional<PubKey33> RecoverPubKey(const Hash32& digest, const RecoverableSig& sig) {
  if (sig.recovery_id < 0 || sig.recovery_id > 3) return std::nullopt;
  CompactSig compact = sig.sig;
  if (IsHighS(compact)) {
    // BOLT 11 readers "MUST perform ECDSA public-key recovery and accept both high-S and low-S
    // signatures": bring s into the lower half (s := n - s) keeping the transmitted recovery
    // id, as the spec's "Public-key recovery with high-S signature" example expects.
    secp256k1_ecdsa_signature plain;
    if (secp256k1_ecdsa_signature_parse_compact(Ctx(), &plain, compact.data()) != 1) {
      return std::nullopt;
    }
    secp256k1_ecdsa_signature_normalize(Ctx(), &plain, &plain);
    if (secp256k1_ecdsa_signature_serialize_compact(Ctx(), compact.data(), &plain) != 1) {
      return std::nullopt;
    }
  }
  secp256k1_ecdsa_recoverable_signature rsig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(Ctx(), &rsig, compact.data(),
                                                          sig.recovery_id) != 1) {
    return std::nullopt;
  }
  secp256k1_pubkey pk;
  if (secp256k1_ecdsa_recover(Ctx(), &pk, &rsig, digest.data()) != 1) return std::nullopt;
  return SerializeCompressed(pk);
}

bool VerifySchnorr(const XOnlyPubKey& pubkey, const Hash32& msg32, const SchnorrSig& sig) {
  secp256k1_xonly_pubkey pk;
  if (secp256k1_xonly_pubkey_parse(Ctx(), &pk, pubkey.data()) != 1) return false;
  return secp256k1_schnorrsig_verify(Ctx(), sig.data(), msg32.data(), msg32.size(), &pk) == 1;
}

bool VerifySchnorrMessage(const XOnlyPubKey& pubkey, std::span<const uint8_t> msg, const SchnorrSig& sig) {
  secp256k1_xonly_pubkey pk;
  if (secp256k1_xonly_pubkey_parse(Ctx(), &pk, pubkey.data()) != 1) return false;
  return secp256k1_schnorrsig_verify(Ctx(), sig.data(), msg.data(), msg.size(), &pk) == 1;
}

std::string ToHex(const SchnorrSig& sig) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(sig.size() * 2);
  for (uint8_t b : sig) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<PubKey33> ParsePubKey(const uint8_t* data, size_t len) {
  if (data == nullptr || len != 33 || (data[0] != 0x02 && data[0] != 0x03)) return std::nullopt;
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_parse(Ctx(), &pk, data, len) != 1) return std::nullopt;
  return SerializeCompressed(pk);
}

std::optional<PubKey33> PubKeyFromHex(std::string_view hex) {
  if (hex.size() != 66) return std::nullopt;
  auto bytes = base::HexDecode(hex);
  if (!bytes) return std::nullopt;
  return ParsePubKey(bytes->data(), bytes->size());
}

std::string ToHex(const PubKey33& key) { return base::HexEncode(key.data(), key.size()); }

}  // namespace escrow::crypto
