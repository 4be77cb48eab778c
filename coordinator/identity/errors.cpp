#include "coordinator/identity/errors.h"

#include <cstdint>
#include <ctime>

namespace coordinator::identity {

base::Status BadTokenError() {
  return base::Status::Error(kErrBadToken,
                             "Robot token SHA256 was provided in the header. However it is not a valid 39 or "
                             "40 characters Base91 string.");
}

base::Status MissingKeysError() {
  return base::Status::Error(
      kErrMissingKeys,
      "On the first request to a RoboSats coordinator, you must provide as well a valid "
      "public and encrypted private PGP keys and a nostr pubkey");
}

base::Status BadKeysError(std::string_view context) {
  return base::Status::Error(kErrBadKeys, "Invalid keys: " + std::string(context));
}

base::Status NoCredentialsError() {
  return base::Status::Error(kErrNoCredentials, "Authentication credentials were not provided.");
}

base::Status BadSignatureError(std::string_view reason) {
  return base::Status::Error(kErrBadSignature, "The PGP signed cleartext message is not valid. Reason: " +
                                                   std::string(reason) + ".");
}

base::Status KeyTooRecentError(int64_t created_at) {
  const std::time_t t = static_cast<std::time_t>(created_at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[40];
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S+00:00", &tm);
  return base::Status::Error(kErrKeyTooRecent, "Your PGP public key was created too recently (" +
                                                   std::string(date) +
                                                   "). Keys must be at least 12 hours old. Please check "
                                                   "your system clock and generate a new key.");
}

}  // namespace coordinator::identity
