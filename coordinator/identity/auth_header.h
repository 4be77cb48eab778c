// The robot's Authorization header, as RoboSats clients send it (RoboSats
// robosats/middleware.py, SplitAuthorizationHeaderMiddleware and
// RobotTokenSHA256AuthenticationMiddleWare):
//
//   Token <base91(SHA256(token))>
//   Token <base91(SHA256(token))> | Public <armored key> | Private <armored key> | Nostr <hex>
//
// The second form is sent on the first request to a coordinator; inside it every newline of
// the armored keys is replaced by a backslash. Parsing only checks the shape; the keys are
// validated by pgp.h.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "config/base/status.h"
#include "escrow/crypto/sha256.h"

namespace coordinator::identity {

// Bounds of what a header may carry. An ed25519/cv25519 robot key armors to ~0.7 KB (public)
// and ~0.9 KB (private); RSA-4096 to ~3 KB and ~7 KB.
inline constexpr size_t kMaxArmoredKeyBytes = 32 * 1024;

// The keys of the first request, newlines restored ("\\" → "\n", "\r\n" → "\n").
struct FirstRequestKeys {
  std::string public_key;             // armored public key block
  std::string encrypted_private_key;  // armored private key block
  std::string nostr_pubkey;           // 64 lowercase hex characters (x-only secp256k1 key)
};

struct ParsedAuth {
  // SHA256(token): the robot's credential (the coordinator never sees the token). Secret:
  // never log it, never put it in an error.
  escrow::crypto::Hash32 token_sha256{};
  std::string token_sha256_b91;  // as sent; always the canonical encoding of token_sha256
  std::optional<FirstRequestKeys> keys;
};

// Parses an Authorization header value. Surrounding whitespace is ignored.
// Errors (RoboSats' codes, errors.h):
//   7003 the header is empty;
//   7000 it does not start with "Token ", or the token part is not 39 or 40 base91
//        characters that are the canonical encoding of exactly 32 bytes;
//   7001 some but not all of " | Public …", " | Private …", " | Nostr …" are present, in this
//        order, or one of them is empty;
//   7002 a key is larger than kMaxArmoredKeyBytes, the nostr pubkey is not 64 hex characters,
//        or there are more than four " | "-separated parts.
// A header without keys is valid: whether keys are required (7001, first request) is for the
// caller to decide, it alone knows whether the robot exists.
base::Result<ParsedAuth> ParseAuthorizationHeader(std::string_view header);

// Only the token part ("Token " excluded): the 7000 checks above.
base::Result<escrow::crypto::Hash32> ParseTokenSha256(std::string_view token_sha256_b91);

}  // namespace coordinator::identity
