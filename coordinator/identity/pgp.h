// OpenPGP checks of a robot's keys and signed messages, over librnp 0.16. Every call works
// in a fresh keyring of its own: nothing is kept between calls and concurrent calls share no
// keyring. Errors carry RoboSats' codes (errors.h) and never quote key material.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/base/status.h"

namespace coordinator::identity {

// RoboSats (api/utils.py validate_pgp_keys, PR #2534): keys created less than 12 hours before
// now are refused with 1056, so that a client whose clock runs ahead cannot register a key
// "from the future". The web client dates its keys one day back.
inline constexpr int64_t kMinKeyAgeSeconds = 12 * 3600;

// Largest armored key or signed message accepted.
inline constexpr size_t kMaxArmoredBytes = 64 * 1024;

struct PublicKeyInfo {
  std::string fingerprint;  // primary key, 40 uppercase hex characters (v4)
  int64_t created_at = 0;   // Unix seconds
  std::string algorithm;    // librnp's name: "EDDSA", "RSA", "ECDSA", "DSA", …
  std::string curve;        // "Ed25519" for EdDSA; "" when the algorithm has no curve
  uint32_t bits = 0;
};

// Validates the public key a robot registers. `armored` is one ASCII-armored public key block
// (newlines restored). Any algorithm librnp accepts is fine (RoboSats imports whatever gpg
// imports; its clients make EdDSA ed25519 + ECDH cv25519 keys).
// Errors:
//   7002 not a single armored public key block, unparsable, holds secret key material, holds
//        no or several primary keys, is revoked or expired at `now_unix`, or has no valid
//        self-signature;
//   1056 created less than kMinKeyAgeSeconds before `now_unix` (or after it).
base::Result<PublicKeyInfo> ValidatePublicKey(std::string_view armored, int64_t now_unix);

// Validates the encrypted private key a robot leaves with the coordinator (the coordinator
// cannot use it: it is protected by the robot's token). `armored` must be one armored private
// key block whose primary key has fingerprint `expected_fingerprint` (as ValidatePublicKey
// returned it; case-insensitive), with the secret material of every key it carries protected
// by a passphrase. Errors: 7002, with the reason.
base::Status ValidateEncryptedPrivateKey(std::string_view armored, std::string_view expected_fingerprint);

// Verifies a cleartext-signed message ("-----BEGIN PGP SIGNED MESSAGE-----", RFC 4880 §7), as
// robots sign their payout invoices and addresses. Returns the signed text with surrounding
// whitespace removed (RoboSats api/utils.py verify_signed_message: `.strip()`), if the message
// carries at least one signature, every signature is valid at `now_unix`, and every one was
// made by `armored_public_key` (its primary key or a subkey). Errors: 1048, with the reason;
// nothing outside the one signed block is accepted.
base::Result<std::string> VerifyCleartextSigned(std::string_view signed_message,
                                                std::string_view armored_public_key, int64_t now_unix);

}  // namespace coordinator::identity
