#include "federation/robot/auth_header.h"

namespace federation::robot {

std::string ArmoredToHeaderLine(std::string_view armored) {
  std::string out;
  out.reserve(armored.size());
  for (char c : armored) {
    if (c == '\r') continue;
    out += c == '\n' ? '\\' : c;
  }
  return out;
}

std::string HeaderLineToArmored(std::string_view line) {
  std::string out(line);
  for (char& c : out) {
    if (c == '\\') c = '\n';
  }
  return out;
}

std::string TokenAuthorization(std::string_view token_sha256_b91) {
  return "Token " + std::string(token_sha256_b91);
}

std::string FirstRequestAuthorization(std::string_view token_sha256_b91, std::string_view public_armored,
                                      std::string_view encrypted_private_armored, std::string_view nostr_pubkey_hex) {
  return TokenAuthorization(token_sha256_b91) + " | Public " + ArmoredToHeaderLine(public_armored) + " | Private " +
         ArmoredToHeaderLine(encrypted_private_armored) + " | Nostr " + std::string(nostr_pubkey_hex);
}

}  // namespace federation::robot
