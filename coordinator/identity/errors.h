// The RoboSats error codes and messages that robot identity produces, quoted from RoboSats
// api/errors.py (ERRORS). coordinator/errors.h has the same numbers for the engine; these
// live here because identity sits below the engine and links nothing of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/base/status.h"

namespace coordinator::identity {

// RoboSats api/errors.py: 7000 "Robot token SHA256 was provided in the header. However it is
// not a valid 39 or 40 characters Base91 string."
inline constexpr int kErrBadToken = 7000;
// RoboSats api/errors.py: 7001 "On the first request to a RoboSats coordinator, you must
// provide as well a valid public and encrypted private PGP keys and a nostr pubkey"
inline constexpr int kErrMissingKeys = 7001;
// RoboSats api/errors.py: 7002 "Invalid keys: {bad_keys_context}"
inline constexpr int kErrBadKeys = 7002;
// RoboSats api/errors.py: 7003 "Authentication credentials were not provided."
inline constexpr int kErrNoCredentials = 7003;
// RoboSats api/errors.py: 1048 "The PGP signed cleartext message is not valid."
inline constexpr int kErrBadSignature = 1048;
// RoboSats api/errors.py: 1056 "Your PGP public key was created too recently
// ({key_creation_date}). Keys must be at least 12 hours old. Please check your system clock
// and generate a new key."
inline constexpr int kErrKeyTooRecent = 1056;

base::Status BadTokenError();
base::Status MissingKeysError();
// "Invalid keys: <context>". `context` must not contain key material.
base::Status BadKeysError(std::string_view context);
base::Status NoCredentialsError();
// RoboSats' 1048 text followed by " Reason: <reason>." so that a client learns what failed.
base::Status BadSignatureError(std::string_view reason);
// `created_at` is the key's creation time, Unix seconds, shown as RoboSats shows a Python
// datetime ("2024-01-01 00:00:00+00:00").
base::Status KeyTooRecentError(int64_t created_at);

}  // namespace coordinator::identity
