// The robot's `Authorization` header, built as RoboSats' web client builds it
// (frontend/src/services/api/ApiWebClient/index.ts getHeaders, models/Robot.model.ts
// getAuthHeaders, v0.8.6):
//
//   Authorization: `Token ${auth.tokenSHA256}`                                  (no keys)
//   Authorization: `Token ${auth.tokenSHA256} | Public ${auth.keys.pubKey} |
//                   Private ${auth.keys.encPrivKey} | Nostr ${auth.nostrPubkey}` (with keys)
//
// with `pubKey.split('\n').join('\\')`: every newline of the armored keys becomes a backslash.
// The coordinator's parser is coordinator/identity/auth_header.h. The header carries the
// robot's credential: never log it.
#pragma once

#include <string>
#include <string_view>

namespace federation::robot {

// `armored` with "\r\n" and "\n" each turned into one backslash.
std::string ArmoredToHeaderLine(std::string_view armored);
// The reverse (what the client does with `peer_pubkey` and chat messages: split('\\').join('\n')).
std::string HeaderLineToArmored(std::string_view line);

// "Token <b91>".
std::string TokenAuthorization(std::string_view token_sha256_b91);
// "Token <b91> | Public <key> | Private <key> | Nostr <hex>", keys on one line.
std::string FirstRequestAuthorization(std::string_view token_sha256_b91, std::string_view public_armored,
                                      std::string_view encrypted_private_armored, std::string_view nostr_pubkey_hex);

}  // namespace federation::robot
