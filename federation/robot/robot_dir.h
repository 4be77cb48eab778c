// A robot on disk: one directory (mode 0700) per robot, default ~/.robot/<name>/.
//
//   token        the secret token, mode 0600 (refused when group or others may read it)
//   private.asc  the armored private key, protected by the token, mode 0600
//   public.asc   the armored public key
//   robot.json   public facts: hash_id, nickname, nostr_pubkey, key fingerprint and date
//   state.json   the coordinators the robot is known to, and its orders (mode 0600)
//
// Files are written whole to a temporary name and renamed, so a crash leaves the old file or
// the new one. Errors name the path and never include the token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/base/expected.h"
#include "federation/robot/token.h"

namespace federation::robot {

struct RobotFiles {
  std::string dir;
  std::string token;  // secret
  std::string public_armored;
  std::string encrypted_private_armored;
  std::string fingerprint;
  int64_t key_created_at = 0;
  TokenDerived derived;
};

// $HOME/.robot/<name> (<name> of letters, digits, '-', '_', '.'; not starting with '.').
base::Expected<std::string, std::string> DefaultRobotDir(const std::string& name);

// Makes a new robot in `dir` (created if missing; it must hold no token yet): a token, keys
// dated a day before `now_unix`, robot.json. Errors: a robot already there, I/O, librnp.
base::Expected<RobotFiles, std::string> CreateRobot(const std::string& dir, int64_t now_unix);

// Loads the robot of `dir`. Errors: no robot there ("run `robot init`"), a token file that
// group or others may read, a missing or unreadable key file.
base::Expected<RobotFiles, std::string> LoadRobot(const std::string& dir);

// Where an order lives.
struct OrderRef {
  std::string coordinator;  // the short alias, or the URL when given with --url
  std::string url;          // the coordinator's base URL (no trailing slash)
  int64_t id = 0;
};

struct RobotState {
  // Coordinators that answered the robot 2xx once (they hold its keys): key → URL.
  std::vector<std::pair<std::string, std::string>> known;
  std::vector<OrderRef> orders;  // made or taken, oldest first
  std::optional<OrderRef> current;

  bool IsKnown(const std::string& coordinator) const;
  void MarkKnown(const std::string& coordinator, const std::string& url);
  // Adds (or moves to the end) `ref` and makes it current.
  void AddOrder(const OrderRef& ref);
};

// state.json of `dir`; an empty state when the file does not exist.
base::Expected<RobotState, std::string> LoadState(const std::string& dir);
base::Expected<void, std::string> SaveState(const std::string& dir, const RobotState& state);

// Writes `content` to `path` with `mode` (temporary file + rename).
base::Expected<void, std::string> WriteFileAtomic(const std::string& path, const std::string& content, unsigned mode);

}  // namespace federation::robot
