#include "federation/robot/robot_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "federation/robot/pgp_keys.h"

namespace federation::robot {
namespace {

using Json = nlohmann::json;

std::string Path(const std::string& dir, const char* name) { return dir + "/" + name; }

base::Expected<std::string, std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Err("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

base::Expected<void, std::string> WriteFileAtomic(const std::string& path, const std::string& content, unsigned mode) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return base::Err("cannot write " + tmp + ": " + std::strerror(errno));
  // The umask may have taken bits away; never add any it did not.
  ::fchmod(fd, mode);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return base::Err("cannot write " + tmp + ": " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return base::Err("cannot write " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return base::Err("cannot rename " + tmp + " to " + path + ": " + why);
  }
  return {};
}

base::Expected<std::string, std::string> DefaultRobotDir(const std::string& name) {
  if (name.empty() || name[0] == '.' || name.size() > 64) return base::Err("bad robot name '" + name + "'");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return base::Err("bad robot name '" + name + "': use letters, digits, '-', '_' and '.'");
    }
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') return base::Err(std::string("HOME is not set: give the robot's --dir"));
  return std::string(home) + "/.robot/" + name;
}

base::Expected<RobotFiles, std::string> CreateRobot(const std::string& dir, int64_t now_unix) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return base::Err("cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  if (std::filesystem::exists(Path(dir, "token"), ec)) {
    return base::Err("a robot already lives in " + dir + " (its token file exists)");
  }
  RobotFiles r;
  r.dir = dir;
  r.token = GenerateToken();
  r.derived = DeriveFromToken(r.token);
  auto keys = GenerateRobotKeys(r.token, r.derived.hash_id, now_unix);
  if (!keys) return base::Err(keys.error());
  r.public_armored = keys->public_armored;
  r.encrypted_private_armored = keys->encrypted_private_armored;
  r.fingerprint = keys->fingerprint;
  r.key_created_at = keys->created_at;

  // The token first, created exclusively with 0600 from the start: it never exists readable.
  const std::string token_path = Path(dir, "token");
  int fd = ::open(token_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return base::Err("cannot create " + token_path + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  const std::string line = r.token + "\n";
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  written = ::fsync(fd) == 0 && written;
  ::close(fd);
  if (!written) {
    ::unlink(token_path.c_str());
    return base::Err("cannot write " + token_path);
  }
  if (auto w = WriteFileAtomic(Path(dir, "private.asc"), r.encrypted_private_armored, 0600); !w) return base::Err(w.error());
  if (auto w = WriteFileAtomic(Path(dir, "public.asc"), r.public_armored, 0644); !w) return base::Err(w.error());
  Json facts = {{"hash_id", r.derived.hash_id},
                {"nickname", r.derived.nickname},
                {"nostr_pubkey", r.derived.nostr_pubkey},
                {"fingerprint", r.fingerprint},
                {"key_created_at", r.key_created_at}};
  if (auto w = WriteFileAtomic(Path(dir, "robot.json"), facts.dump(2) + "\n", 0644); !w) return base::Err(w.error());
  return r;
}

base::Expected<RobotFiles, std::string> LoadRobot(const std::string& dir) {
  const std::string token_path = Path(dir, "token");
  struct stat st {};
  if (::stat(token_path.c_str(), &st) != 0) {
    return base::Err("no robot in " + dir + " (no token file): run `robot init` first");
  }
  if ((st.st_mode & 077) != 0) {
    return base::Err("refusing to use " + token_path + ": group or others may read it (chmod 600 " + token_path + ")");
  }
  RobotFiles r;
  r.dir = dir;
  auto token = ReadText(token_path);
  if (!token) return base::Err(token.error());
  r.token = Trimmed(std::move(token.value()));
  if (r.token.empty()) return base::Err(token_path + " is empty");
  auto pub = ReadText(Path(dir, "public.asc"));
  if (!pub) return base::Err(pub.error());
  auto priv = ReadText(Path(dir, "private.asc"));
  if (!priv) return base::Err(priv.error());
  r.public_armored = std::move(pub.value());
  r.encrypted_private_armored = std::move(priv.value());
  r.derived = DeriveFromToken(r.token);
  auto facts = InspectPublicKey(r.public_armored);
  if (!facts) return base::Err(Path(dir, "public.asc") + ": " + facts.error());
  r.fingerprint = facts->fingerprint;
  r.key_created_at = facts->created_at;
  return r;
}

bool RobotState::IsKnown(const std::string& coordinator) const {
  for (const auto& [key, url] : known) {
    if (key == coordinator) return true;
  }
  return false;
}

void RobotState::MarkKnown(const std::string& coordinator, const std::string& url) {
  for (auto& [key, known_url] : known) {
    if (key == coordinator) {
      known_url = url;
      return;
    }
  }
  known.emplace_back(coordinator, url);
}

void RobotState::AddOrder(const OrderRef& ref) {
  for (auto it = orders.begin(); it != orders.end(); ++it) {
    if (it->coordinator == ref.coordinator && it->id == ref.id) {
      orders.erase(it);
      break;
    }
  }
  orders.push_back(ref);
  current = ref;
}

namespace {

Json RefJson(const OrderRef& r) { return {{"coordinator", r.coordinator}, {"url", r.url}, {"id", r.id}}; }

std::optional<OrderRef> RefFrom(const Json& j) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer()) return std::nullopt;
  OrderRef r;
  r.coordinator = j.value("coordinator", "");
  r.url = j.value("url", "");
  r.id = j["id"].get<int64_t>();
  if (r.url.empty()) return std::nullopt;
  return r;
}

}  // namespace

base::Expected<RobotState, std::string> LoadState(const std::string& dir) {
  RobotState s;
  const std::string path = Path(dir, "state.json");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return s;
  auto text = ReadText(path);
  if (!text) return base::Err(text.error());
  Json doc = Json::parse(text.value(), nullptr, false);
  if (!doc.is_object()) return base::Err(path + " is not a JSON object");
  if (doc.contains("known") && doc["known"].is_object()) {
    for (const auto& [key, url] : doc["known"].items()) {
      if (url.is_string()) s.known.emplace_back(key, url.get<std::string>());
    }
  }
  if (doc.contains("orders") && doc["orders"].is_array()) {
    for (const auto& o : doc["orders"]) {
      if (auto ref = RefFrom(o)) s.orders.push_back(*ref);
    }
  }
  if (doc.contains("current")) s.current = RefFrom(doc["current"]);
  return s;
}

base::Expected<void, std::string> SaveState(const std::string& dir, const RobotState& state) {
  Json doc = Json::object();
  doc["known"] = Json::object();
  for (const auto& [key, url] : state.known) doc["known"][key] = url;
  doc["orders"] = Json::array();
  for (const auto& o : state.orders) doc["orders"].push_back(RefJson(o));
  if (state.current) doc["current"] = RefJson(*state.current);
  return WriteFileAtomic(Path(dir, "state.json"), doc.dump(2) + "\n", 0600);
}

}  // namespace federation::robot
