// Test robots' PGP keys, made with librnp at test time (EdDSA/Curve25519 like RoboSats'
// clients), and cleartext signing as clients sign their payout invoices.
#pragma once

#include <memory>
#include <string>

namespace testsupport {

class PgpKey {
 public:
  // A fresh key pair with user id `name`, the secret key protected by `passphrase` (RoboSats
  // clients protect it with the robot's token).
  static std::unique_ptr<PgpKey> Generate(const std::string& name, const std::string& passphrase = "robot token");
  // An existing key pair (e.g. a committed fixture made backdated with gpg, for tests where the
  // coordinator's clock is real): the armored public and protected secret keys and the
  // passphrase of the latter. Throws std::runtime_error if librnp cannot load them.
  static std::unique_ptr<PgpKey> Import(const std::string& public_armored, const std::string& secret_armored,
                                        const std::string& passphrase);
  ~PgpKey();

  const std::string& public_armored() const { return m_public; }
  const std::string& secret_armored() const { return m_secret; }
  // "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n<text>\n-----BEGIN PGP SIGNATURE-----…"
  std::string ClearSign(const std::string& text) const;

 private:
  PgpKey() = default;
  void* m_ffi = nullptr;  // rnp_ffi_t
  std::string m_public, m_secret, m_keyid, m_passphrase;
};

}  // namespace testsupport
