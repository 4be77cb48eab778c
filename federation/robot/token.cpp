#include "federation/robot/token.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cmath>
#include <map>

#include "config/base/encoding.h"
#include "coordinator/identity/base91.h"
#include "coordinator/identity/nickname.h"
#include "coordinator/identity/robot_identity.h"
#include "escrow/crypto/secp256k1.h"

namespace federation::robot {

std::string GenerateToken(size_t length) {
  for (;;) {
    // window.btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(length * 2))))
    base::Bytes random(length * 2);
    escrow::crypto::RandomBytes(random.data(), random.size());
    std::string b64 = base::Base64Encode(random);
    OPENSSL_cleanse(random.data(), random.size());
    // .replace(/[+/]/g, '').substring(0, length)
    std::string token;
    token.reserve(length);
    for (char c : b64) {
      if (token.size() == length) break;
      if (c == '+' || c == '/' || c == '=') continue;
      token += c;
    }
    OPENSSL_cleanse(b64.data(), b64.size());
    // The client would return a shorter token when more than a third of the characters were
    // '+' or '/' (probability far below 2^-100); we draw again instead.
    if (token.size() == length) return token;
  }
}

TokenEntropy MeasureTokenEntropy(std::string_view token) {
  TokenEntropy e;
  if (token.empty()) return e;
  std::map<char, size_t> counts;
  for (char c : token) ++counts[c];
  const double len = static_cast<double>(token.size());
  for (const auto& [c, n] : counts) {
    const double p = static_cast<double>(n) / len;
    e.shannon_entropy -= p * std::log2(p);
  }
  // Math.log2(Math.pow(uniqueChars, len)) = len × log2(uniqueChars) (the client's pow would
  // overflow to Infinity past ~1000 bits; the comparison with 128 is the same either way).
  e.bits_entropy = len * std::log2(static_cast<double>(counts.size()));
  e.has_enough_entropy = e.bits_entropy > 128 && e.shannon_entropy > 4;
  return e;
}

escrow::crypto::Hash32 NostrSecretKey(std::string_view token) {
  uint8_t sha512[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const uint8_t*>(token.data()), token.size(), sha512);
  escrow::crypto::Hash32 secret = escrow::crypto::Sha256(sha512, sizeof sha512);
  OPENSSL_cleanse(sha512, sizeof sha512);
  return secret;
}

TokenDerived DeriveFromToken(std::string_view token) {
  TokenDerived d;
  d.token_sha256 = escrow::crypto::Sha256(token);
  d.token_sha256_b91 = coordinator::identity::Base91Encode(d.token_sha256.data(), d.token_sha256.size());
  d.hash_id = coordinator::identity::HashId(d.token_sha256);
  d.nickname = coordinator::identity::NicknameFromHashId(d.hash_id).value_or("");
  escrow::crypto::Hash32 secret = NostrSecretKey(token);
  // nostr-tools getPublicKey: the BIP-340 x-only key. A secret ≥ the group order (probability
  // ~2^-128) would make no key: the field stays empty.
  if (auto signer = escrow::crypto::Signer::FromSecret(secret)) {
    auto x = signer->XOnlyPublicKey();
    d.nostr_pubkey = base::HexEncode(x.data(), x.size());
  }
  OPENSSL_cleanse(secret.data(), secret.size());
  return d;
}

}  // namespace federation::robot
