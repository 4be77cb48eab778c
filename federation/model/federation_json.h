// federation.json ⇄ FederationFile: reading with type checks, writing in the file's own layout
// (the real RoboSats file, formatted by prettier, reads and writes back byte for byte), and
// atomic replacement of a file on disk.
//
// Every problem message names the file label, the entry and the field:
//   federation.json: entry "lake": badges.donatesToDevFund: expected an integer, got "30"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"
#include "federation/model/entry.h"

namespace federation {

using Problems = std::vector<std::string>;

// "federation.json: entry \"lake\": mainnet.onion: problem" (`field` may be "": no field part).
std::string Problem(std::string_view label, std::string_view entry, std::string_view field, std::string_view what);

// Reads one entry from a JSON value. Type errors and missing required fields are problems
// (named with `label` and `key`); a field with a problem keeps its default. Required:
// longAlias, shortAlias, identifier, established, nostrHexPubkey, badges.donatesToDevFund,
// mainnet, testnet. The rest default as RoboSats' coordinatorDefaultValues (Coordinator.model.ts).
CoordinatorEntry EntryFromJson(const nlohmann::ordered_json& value, std::string_view label, std::string_view key,
                               Problems& problems);
// The entry as JSON, fields in the order of RoboSats' file, unknown fields last.
nlohmann::ordered_json EntryToJson(const CoordinatorEntry& entry);

// Parses a whole file. Errors (syntax, not an object, any type problem of any entry) are all
// returned, one per line.
base::Expected<FederationFile, Problems> ParseFederation(std::string_view text, std::string_view label);
// Reads and parses `path`; the label of problems is `path`.
base::Expected<FederationFile, Problems> LoadFederation(const std::string& path);

// The file's text: 2-space indentation, arrays of scalars on one line when that line fits in
// 100 columns (prettier's layout, as RoboSats formats it), a final newline, non-ASCII characters
// as \uXXXX escapes (the RoboSats file is pure ASCII).
std::string SerializeFederation(const FederationFile& file);
// The same layout for any JSON value (entries printed by coordinatord federation-entry).
std::string PrettyJson(const nlohmann::ordered_json& value);

// Writes `text` to `path` atomically: a temporary file in the same folder, fsync, rename over
// `path` (keeping `path`'s permission bits if it existed), fsync of the folder. A reader
// sees the old file or the new one, never a part. Errors name the path.
base::Expected<void, std::string> WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace federation
