// What the robot does with its key, as RoboSats' clients do it with openpgp.js
// (frontend/src/pgp/index.ts, v0.8.6): cleartext-sign payout invoices and addresses, and
// encrypt chat messages to both peers (signed), decrypt them and check the signature. Every
// call unlocks the robot's private key with the token in a keyring of its own; errors name
// what failed and never carry a key, a passphrase or the message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/base/expected.h"

namespace federation::robot {

// signCleartextMessage(message, privateKeyArmored, passphrase): "-----BEGIN PGP SIGNED
// MESSAGE-----\nHash: …\n\n<text>\n-----BEGIN PGP SIGNATURE-----…", '\n' line ends, signed by
// the primary key now.
base::Expected<std::string, std::string> ClearSign(std::string_view text, std::string_view private_armored,
                                                   const std::string& passphrase);

// encryptMessage(plaintext, ownPublicKeyArmored, peerPublicKeyArmored, privateKeyArmored,
// passphrase): encrypted to both public keys (`encryptionKeys: [ownPublicKey, peerPublicKey]`)
// so that either robot can read the chat, signed by our key with the signature dated one day
// before `now_unix` ("One day of offset, avoids verification issue due to clock mismatch"):
// "-----BEGIN PGP MESSAGE-----…", '\n' line ends. No compression, no AEAD (what every
// openpgp.js reads).
base::Expected<std::string, std::string> EncryptToPeers(std::string_view text, std::string_view own_public_armored,
                                                        std::string_view peer_public_armored,
                                                        std::string_view own_private_armored,
                                                        const std::string& passphrase, int64_t now_unix);

struct DecryptedMessage {
  std::string text;
  // decryptMessage's validSignature: the message carries a valid signature made by
  // `sender_public_armored` (its primary key or a subkey).
  bool valid_signature = false;
};

// decryptMessage(encryptedMessage, publicKeyArmored, privateKeyArmored, passphrase). Errors:
// not a PGP message, not encrypted to our key, or the key does not unlock.
base::Expected<DecryptedMessage, std::string> DecryptFromPeer(std::string_view armored_message,
                                                              std::string_view sender_public_armored,
                                                              std::string_view own_private_armored,
                                                              const std::string& passphrase);

}  // namespace federation::robot
