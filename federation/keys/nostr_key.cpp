#include "federation/keys/nostr_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/base/encoding.h"

namespace federation {

base::Expected<escrow::crypto::Signer, std::string> LoadNostrKey(const std::string& path, bool create) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) return base::Err("nostr key " + path + ": " + std::strerror(errno));
    auto fresh = escrow::crypto::Signer::Generate();
    const std::string hex = base::HexEncode(fresh.SecretForStorage().data(), fresh.SecretForStorage().size()) + "\n";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return base::Err("nostr key " + path + ": cannot create: " + std::strerror(errno));
    const bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return base::Err("nostr key " + path + ": cannot write");
    return fresh;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return base::Err("nostr key " + path + " has mode " + mode +
                     "; it must not be accessible by group or others (chmod 600)");
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string hex = ss.str();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) hex.pop_back();
  auto bytes = base::HexDecode(hex);
  if (!in || !bytes || bytes->size() != 32) {
    return base::Err("nostr key " + path + ": expected 64 hex characters (a 32-byte secret key)");
  }
  escrow::crypto::Hash32 secret{};
  std::memcpy(secret.data(), bytes->data(), 32);
  auto signer = escrow::crypto::Signer::FromSecret(secret);
  std::memset(secret.data(), 0, secret.size());
  if (!signer) return base::Err("nostr key " + path + ": not a valid secp256k1 secret key");
  return std::move(*signer);
}

std::string NostrPubkeyHex(const escrow::crypto::Signer& key) {
  const auto x = key.XOnlyPublicKey();
  return base::HexEncode(x.data(), x.size());
}

}  // namespace federation
