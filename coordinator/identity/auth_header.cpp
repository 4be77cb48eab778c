#include "coordinator/identity/auth_header.h"

#include <algorithm>
#include <vector>

#include "coordinator/identity/base91.h"
#include "coordinator/identity/errors.h"

namespace coordinator::identity {
namespace {

constexpr std::string_view kTokenPrefix = "Token ";
constexpr std::string_view kSeparator = " | ";
constexpr std::string_view kPublicPrefix = "Public ";
constexpr std::string_view kPrivatePrefix = "Private ";
constexpr std::string_view kNostrPrefix = "Nostr ";

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

std::vector<std::string_view> Split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
}

// RoboSats api/utils.py validate_pgp_keys: keys "Standardize format with linux linebreaks
// '\n'" — `.replace("\r\n", "\n").replace("\\", "\n")`.
std::string RestoreNewlines(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '\r' && i + 1 < key.size() && key[i + 1] == '\n') continue;
    out += key[i] == '\\' ? '\n' : key[i];
  }
  return out;
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// The value after `prefix` in `part`, or nullopt if `part` does not start with it.
std::optional<std::string_view> Labelled(std::string_view part, std::string_view prefix) {
  if (part.substr(0, prefix.size()) != prefix) return std::nullopt;
  return Trim(part.substr(prefix.size()));
}

}  // namespace

base::Result<escrow::crypto::Hash32> ParseTokenSha256(std::string_view b91) {
  // RoboSats api/utils.py is_valid_token: `if not 38 < num_chars < 41: return False` and every
  // character must be in the Base91 charset.
  if (b91.size() != 39 && b91.size() != 40) return base::Err(BadTokenError());
  const std::optional<base::Bytes> bytes = Base91Decode(b91);
  if (!bytes || bytes->size() != 32) return base::Err(BadTokenError());
  // Only the canonical text of the 32 bytes: one robot, one spelling (RoboSats keys robots by
  // the text itself; we key them by the bytes, and both must agree).
  if (Base91Encode(*bytes) != b91) return base::Err(BadTokenError());
  escrow::crypto::Hash32 hash{};
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

base::Result<ParsedAuth> ParseAuthorizationHeader(std::string_view header) {
  header = Trim(header);
  if (header.empty()) return base::Err(NoCredentialsError());
  if (header.substr(0, kTokenPrefix.size()) != kTokenPrefix) return base::Err(BadTokenError());

  // RoboSats robosats/middleware.py: `split_auth = auth_header.split(" | ")` and, with four
  // parts, Token / Public / Private / Nostr.
  const std::vector<std::string_view> parts = Split(header, kSeparator);
  // "Token | …": the separator takes the prefix's space, leaving parts[0] == "Token".
  const std::string_view token =
      parts[0].size() < kTokenPrefix.size() ? std::string_view() : Trim(parts[0].substr(kTokenPrefix.size()));
  auto hash = ParseTokenSha256(token);
  if (!hash.ok()) return base::Err(hash.error());

  ParsedAuth parsed;
  parsed.token_sha256 = *hash;
  parsed.token_sha256_b91 = std::string(token);
  if (parts.size() == 1) return parsed;
  if (parts.size() > 4)
    return base::Err(BadKeysError("the Authorization header has more than four ' | ' parts"));

  const std::string_view labels[] = {kPublicPrefix, kPrivatePrefix, kNostrPrefix};
  std::optional<std::string_view> values[3];
  for (size_t i = 1; i < parts.size(); ++i) {
    values[i - 1] = Labelled(parts[i], labels[i - 1]);
    if (!values[i - 1] || values[i - 1]->empty()) return base::Err(MissingKeysError());
  }
  if (parts.size() < 4) return base::Err(MissingKeysError());

  if (values[0]->size() > kMaxArmoredKeyBytes) return base::Err(BadKeysError("the public key is too large"));
  if (values[1]->size() > kMaxArmoredKeyBytes) {
    return base::Err(BadKeysError("the encrypted private key is too large"));
  }
  if (!IsHex64(*values[2])) return base::Err(BadKeysError("the nostr pubkey must be 64 hex characters"));

  FirstRequestKeys keys;
  keys.public_key = RestoreNewlines(*values[0]);
  keys.encrypted_private_key = RestoreNewlines(*values[1]);
  keys.nostr_pubkey = std::string(*values[2]);
  std::transform(keys.nostr_pubkey.begin(), keys.nostr_pubkey.end(), keys.nostr_pubkey.begin(),
                 [](char c) { return static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c); });
  parsed.keys = std::move(keys);
  return parsed;
}

}  // namespace coordinator::identity
