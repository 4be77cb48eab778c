#include "escrow/crypto/sha256.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace escrow::crypto {
namespace {

// EVP_Digest is one-shot; a failure here means OpenSSL itself is broken (out of memory or a
// provider missing), which is a programmer/environment bug, not an input error.
[[noreturn]] void DieOpenSsl(const char* what) {
  std::fprintf(stderr, "fatal: OpenSSL %s failed\n", what);
  std::abort();
}

}  // namespace

Hash32 Sha256(const uint8_t* data, size_t len) {
  Hash32 out{};
  unsigned int out_len = 0;
  static const uint8_t kEmpty = 0;
  if (EVP_Digest(len == 0 ? &kEmpty : data, len, out.data(), &out_len, EVP_sha256(), nullptr) != 1 ||
      out_len != out.size()) {
    DieOpenSsl("EVP_Digest(sha256)");
  }
  return out;
}

Hash32 Sha256(const base::Bytes& data) { return Sha256(data.data(), data.size()); }

Hash32 Sha256(std::string_view data) {
  return Sha256(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

// BIP-340: hash_name(x) = SHA256(SHA256(tag) || SHA256(tag) || x).
Hash32 TaggedHash(std::string_view tag, const uint8_t* msg, size_t len) {
  const Hash32 tag_hash = Sha256(tag);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) DieOpenSsl("EVP_MD_CTX_new");
  Hash32 out{};
  unsigned int out_len = 0;
  const bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, tag_hash.data(), tag_hash.size()) == 1 &&
                  EVP_DigestUpdate(ctx, tag_hash.data(), tag_hash.size()) == 1 &&
                  (len == 0 || EVP_DigestUpdate(ctx, msg, len) == 1) &&
                  EVP_DigestFinal_ex(ctx, out.data(), &out_len) == 1 && out_len == out.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) DieOpenSsl("tagged sha256");
  return out;
}

std::string ToHex(const Hash32& h) { return base::HexEncode(h.data(), h.size()); }

std::optional<Hash32> Hash32FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto bytes = base::HexDecode(hex);
  if (!bytes) return std::nullopt;
  return Hash32FromBytes(*bytes);
}

std::optional<Hash32> Hash32FromBytes(const base::Bytes& bytes) {
  if (bytes.size() != 32) return std::nullopt;
  Hash32 out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

base::Bytes ToBytes(const Hash32& h) { return base::Bytes(h.begin(), h.end()); }

void RandomBytes(uint8_t* out, size_t len) {
  // RAND_bytes takes an int length: feed large requests in chunks.
  while (len > 0) {
    const int chunk = len > (1u << 30) ? (1 << 30) : static_cast<int>(len);
    if (RAND_bytes(out, chunk) != 1) DieOpenSsl("RAND_bytes");
    out += chunk;
    len -= static_cast<size_t>(chunk);
  }
}

Hash32 RandomHash32() {
  Hash32 out{};
  RandomBytes(out.data(), out.size());
  return out;
}

}  // namespace escrow::crypto
