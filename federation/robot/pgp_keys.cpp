#include "federation/robot/pgp_keys.h"

#include "federation/robot/rnp_ffi.h"

namespace federation::robot {
namespace {

// librnp armors with "\r\n" line ends; openpgp.js (what RoboSats clients store and send) with
// "\n". Keep the client's form.
std::string Unix(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '\r') out += c;
  }
  return out;
}

base::Expected<std::string, std::string> Export(rnp_key_handle_t key, uint32_t what) {
  rnp::Output out = rnp::MemoryOutput();
  if (!out) return base::Err(std::string("librnp: cannot allocate an output"));
  if (rnp_key_export(key, out.get(), what | RNP_KEY_EXPORT_ARMORED | RNP_KEY_EXPORT_SUBKEYS) != RNP_SUCCESS) {
    return base::Err(std::string("librnp: key export failed"));
  }
  return Unix(rnp::OutputText(out.get()));
}

}  // namespace

base::Expected<RobotKeyPair, std::string> GenerateRobotKeys(const std::string& token, std::string_view hash_id,
                                                            int64_t now_unix) {
  const int64_t created = now_unix - kKeyBackdateSeconds;
  // The keyring's clock is the key's creation date: librnp dates the keys and their binding
  // signatures with it.
  rnp::Ffi ffi = rnp::NewKeyring(created, &token);
  if (!ffi) return base::Err(std::string("librnp: cannot create a keyring"));
  const std::string userid = "RoboSats ID " + std::string(hash_id);

  rnp_op_generate_t raw_op = nullptr;
  if (rnp_op_generate_create(&raw_op, ffi.get(), "EDDSA") != RNP_SUCCESS) {
    return base::Err(std::string("librnp: cannot start generating the primary key"));
  }
  rnp::Generate primary_op(raw_op);
  if (rnp_op_generate_set_userid(primary_op.get(), userid.c_str()) != RNP_SUCCESS ||
      rnp_op_generate_set_expiration(primary_op.get(), 0) != RNP_SUCCESS ||
      rnp_op_generate_set_protection_password(primary_op.get(), token.c_str()) != RNP_SUCCESS ||
      rnp_op_generate_execute(primary_op.get()) != RNP_SUCCESS) {
    return base::Err(std::string("librnp: generating the primary key failed"));
  }
  rnp_key_handle_t raw_primary = nullptr;
  if (rnp_op_generate_get_key(primary_op.get(), &raw_primary) != RNP_SUCCESS) {
    return base::Err(std::string("librnp: the primary key is missing"));
  }
  rnp::Key primary(raw_primary);

  raw_op = nullptr;
  if (rnp_op_generate_subkey_create(&raw_op, ffi.get(), primary.get(), "ECDH") != RNP_SUCCESS) {
    return base::Err(std::string("librnp: cannot start generating the encryption subkey"));
  }
  rnp::Generate sub_op(raw_op);
  if (rnp_op_generate_set_curve(sub_op.get(), "Curve25519") != RNP_SUCCESS ||
      rnp_op_generate_set_expiration(sub_op.get(), 0) != RNP_SUCCESS ||
      rnp_op_generate_set_protection_password(sub_op.get(), token.c_str()) != RNP_SUCCESS ||
      rnp_op_generate_execute(sub_op.get()) != RNP_SUCCESS) {
    return base::Err(std::string("librnp: generating the encryption subkey failed"));
  }

  RobotKeyPair pair;
  pair.created_at = created;
  char* fp = nullptr;
  if (rnp_key_get_fprint(primary.get(), &fp) != RNP_SUCCESS || fp == nullptr) {
    return base::Err(std::string("librnp: no fingerprint"));
  }
  pair.fingerprint = rnp::Buffer(fp).get();
  auto pub = Export(primary.get(), RNP_KEY_EXPORT_PUBLIC);
  if (!pub) return base::Err(pub.error());
  auto sec = Export(primary.get(), RNP_KEY_EXPORT_SECRET);
  if (!sec) return base::Err(sec.error());
  pair.public_armored = std::move(pub.value());
  pair.encrypted_private_armored = std::move(sec.value());
  return pair;
}

base::Expected<KeyFacts, std::string> InspectPublicKey(std::string_view public_armored) {
  rnp::Ffi ffi = rnp::NewKeyring(0, nullptr);
  if (!ffi) return base::Err(std::string("librnp: cannot create a keyring"));
  auto fp = rnp::ImportKey(ffi.get(), public_armored);
  if (!fp) return base::Err(std::string("not an OpenPGP public key"));
  rnp::Key key = rnp::LocateFingerprint(ffi.get(), *fp);
  uint32_t created = 0;
  if (!key || rnp_key_get_creation(key.get(), &created) != RNP_SUCCESS) {
    return base::Err(std::string("librnp: no creation time"));
  }
  KeyFacts facts{*fp, static_cast<int64_t>(created), ""};
  char* uid = nullptr;
  if (rnp_key_get_primary_uid(key.get(), &uid) == RNP_SUCCESS && uid != nullptr) facts.user_id = rnp::Buffer(uid).get();
  return facts;
}

bool UnlocksPrivateKey(std::string_view private_armored, const std::string& passphrase) {
  rnp::Ffi ffi = rnp::NewKeyring(0, nullptr);
  if (!ffi) return false;
  auto fp = rnp::ImportKey(ffi.get(), private_armored);
  if (!fp) return false;
  rnp::Key key = rnp::LocateFingerprint(ffi.get(), *fp);
  if (!key) return false;
  bool have_secret = false;
  if (rnp_key_have_secret(key.get(), &have_secret) != RNP_SUCCESS || !have_secret) return false;
  if (rnp_key_unlock(key.get(), passphrase.c_str()) != RNP_SUCCESS) return false;
  size_t subkeys = 0;
  if (rnp_key_get_subkey_count(key.get(), &subkeys) != RNP_SUCCESS) return false;
  for (size_t i = 0; i < subkeys; ++i) {
    rnp_key_handle_t raw = nullptr;
    if (rnp_key_get_subkey_at(key.get(), i, &raw) != RNP_SUCCESS) return false;
    rnp::Key sub(raw);
    if (rnp_key_unlock(sub.get(), passphrase.c_str()) != RNP_SUCCESS) return false;
  }
  return true;
}

}  // namespace federation::robot
