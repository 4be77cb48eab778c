// The robot's OpenPGP key pair, made with librnp as RoboSats' clients make it with openpgp.js
// (frontend/src/pgp/index.ts genKey, v0.8.6):
//
//   generateKey({ type: 'ecc', curve: 'curve25519',
//                 userIDs: [{ name: 'RoboSats ID ' + sha256(sha256(highEntropyToken)) }],
//                 passphrase: highEntropyToken, format: 'armored',
//                 date: d.setDate(d.getDate() - 1) })   // "One day of offset"
//
// that is an EdDSA (Ed25519, "curve25519Legacy") primary key that certifies and signs, an
// ECDH (Curve25519) encryption subkey, no expiry, both secret keys protected by the token, and
// every creation time one day in the past: the coordinator refuses keys younger than 12 hours
// (coordinator/identity/pgp.h, 1056).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/base/expected.h"

namespace federation::robot {

// openpgp.js `date: d.setDate(d.getDate() - 1)`: one calendar day back (86 400 s in UTC).
inline constexpr int64_t kKeyBackdateSeconds = 24 * 3600;

struct RobotKeyPair {
  std::string public_armored;             // "-----BEGIN PGP PUBLIC KEY BLOCK-----…", '\n' line ends
  std::string encrypted_private_armored;  // "-----BEGIN PGP PRIVATE KEY BLOCK-----…", protected by the token
  std::string fingerprint;                // primary key, 40 uppercase hex characters
  int64_t created_at = 0;                 // Unix seconds: now_unix - kKeyBackdateSeconds
};

// Makes a key pair for the robot whose token is `token` and whose hash_id (hex
// SHA256(hex SHA256(token))) is `hash_id`, dated `now_unix - kKeyBackdateSeconds`. The token is
// the passphrase; it never appears in an error. Errors: librnp's failure, named.
base::Expected<RobotKeyPair, std::string> GenerateRobotKeys(const std::string& token, std::string_view hash_id,
                                                            int64_t now_unix);

// What an armored public key says of itself (for `whoami` and checks).
struct KeyFacts {
  std::string fingerprint;
  int64_t created_at = 0;
  std::string user_id;  // the primary user id ("RoboSats ID <hash_id>" for robots)
};
base::Expected<KeyFacts, std::string> InspectPublicKey(std::string_view public_armored);

// True if `passphrase` unlocks every secret key in `private_armored`.
bool UnlocksPrivateKey(std::string_view private_armored, const std::string& passphrase);

}  // namespace federation::robot
