// `coordinatord federation-entry --config FILE [--data-dir DIR]`: prints this coordinator's
// federation.json entry (federation/entry/own_entry.h) from its config and live data — the
// node's pubkey and network from the Lightning backend (GetInfo), the onion address from Tor's
// hostname file (tor.hostname_file), the nostr public key — as pretty JSON on stdout.
// Problems the federation's rules find in the entry (federation/model/validate.h) go to stderr
// and make the exit code 1 (the entry is still printed); a config, node, key or hostname
// failure prints nothing and exits 2.
#pragma once

namespace api {

// argv[0] is "federation-entry".
int RunFederationEntry(int argc, char** argv);

}  // namespace api
