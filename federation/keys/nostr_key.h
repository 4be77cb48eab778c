// The coordinator's nostr identity: a BIP-340 secret key kept in a file readable by its owner
// only (64 hex characters and a newline). Its x-only public key is the `nostrHexPubkey` of the
// coordinator's federation entry; it signs review tokens, order events, the info event and
// dev-tax statements.
#pragma once

#include <string>

#include "config/base/expected.h"
#include "escrow/crypto/secp256k1.h"

namespace federation {

// Reads the key at `path`. With `create`, a missing file is made with a fresh key (mode 0600,
// its directory must exist). Errors name the file: unreadable, not 64 hex characters, not a
// valid key, readable by group or others (the error says: chmod 600).
base::Expected<escrow::crypto::Signer, std::string> LoadNostrKey(const std::string& path, bool create);

// The x-only public key, lower-case hex (nostr's "pubkey").
std::string NostrPubkeyHex(const escrow::crypto::Signer& key);

}  // namespace federation
