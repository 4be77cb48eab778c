#include "federation/robot/pgp_messages.h"

#include <algorithm>
#include <cctype>

#include "federation/robot/pgp_keys.h"
#include "federation/robot/rnp_ffi.h"

namespace federation::robot {
namespace {

std::string Unix(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '\r') out += c;
  }
  return out;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// The fingerprint of the primary key a (sub)key belongs to.
std::string PrimaryFingerprintOf(rnp_key_handle_t key) {
  bool primary = false;
  if (rnp_key_is_primary(key, &primary) != RNP_SUCCESS) return {};
  char* raw = nullptr;
  rnp_result_t r = primary ? rnp_key_get_fprint(key, &raw) : rnp_key_get_primary_fprint(key, &raw);
  if (r != RNP_SUCCESS || raw == nullptr) return {};
  return Upper(rnp::Buffer(raw).get());
}

}  // namespace

base::Expected<std::string, std::string> ClearSign(std::string_view text, std::string_view private_armored,
                                                   const std::string& passphrase) {
  rnp::Ffi ffi = rnp::NewKeyring(0, &passphrase);
  if (!ffi) return base::Err(std::string("librnp: cannot create a keyring"));
  auto fp = rnp::ImportKey(ffi.get(), private_armored);
  if (!fp) return base::Err(std::string("the robot's private key does not load"));
  rnp::Key key = rnp::LocateFingerprint(ffi.get(), *fp);
  rnp::Input in = rnp::InputOf(text);
  rnp::Output out = rnp::MemoryOutput();
  if (!key || !in || !out) return base::Err(std::string("librnp: cannot prepare the signature"));
  rnp_op_sign_t raw_op = nullptr;
  if (rnp_op_sign_cleartext_create(&raw_op, ffi.get(), in.get(), out.get()) != RNP_SUCCESS) {
    return base::Err(std::string("librnp: cannot start the signature"));
  }
  rnp::Sign op(raw_op);
  if (rnp_op_sign_add_signature(op.get(), key.get(), nullptr) != RNP_SUCCESS ||
      rnp_op_sign_set_hash(op.get(), "SHA512") != RNP_SUCCESS) {
    return base::Err(std::string("librnp: cannot add the signature"));
  }
  if (rnp_op_sign_execute(op.get()) != RNP_SUCCESS) {
    return base::Err(std::string("signing failed: the token does not unlock the robot's private key"));
  }
  return Unix(rnp::OutputText(out.get()));
}

base::Expected<std::string, std::string> EncryptToPeers(std::string_view text, std::string_view own_public_armored,
                                                        std::string_view peer_public_armored,
                                                        std::string_view own_private_armored,
                                                        const std::string& passphrase, int64_t now_unix) {
  rnp::Ffi ffi = rnp::NewKeyring(0, &passphrase);
  if (!ffi) return base::Err(std::string("librnp: cannot create a keyring"));
  auto own_secret = rnp::ImportKey(ffi.get(), own_private_armored);
  if (!own_secret) return base::Err(std::string("the robot's private key does not load"));
  auto own_public = rnp::ImportKey(ffi.get(), own_public_armored);
  if (!own_public) return base::Err(std::string("the robot's public key does not load"));
  auto peer_public = rnp::ImportKey(ffi.get(), peer_public_armored);
  if (!peer_public) return base::Err(std::string("the peer's public key does not load"));
  rnp::Key signer = rnp::LocateFingerprint(ffi.get(), *own_secret);
  rnp::Key own = rnp::LocateFingerprint(ffi.get(), *own_public);
  rnp::Key peer = rnp::LocateFingerprint(ffi.get(), *peer_public);
  rnp::Input in = rnp::InputOf(text);
  rnp::Output out = rnp::MemoryOutput();
  if (!signer || !own || !peer || !in || !out) return base::Err(std::string("librnp: cannot prepare the message"));
  rnp_op_encrypt_t raw_op = nullptr;
  if (rnp_op_encrypt_create(&raw_op, ffi.get(), in.get(), out.get()) != RNP_SUCCESS) {
    return base::Err(std::string("librnp: cannot start the encryption"));
  }
  rnp::Encrypt op(raw_op);
  // librnp picks each key's encryption-capable subkey.
  if (rnp_op_encrypt_add_recipient(op.get(), own.get()) != RNP_SUCCESS) {
    return base::Err(std::string("the robot's public key cannot encrypt"));
  }
  if (rnp_op_encrypt_add_recipient(op.get(), peer.get()) != RNP_SUCCESS) {
    return base::Err(std::string("the peer's public key cannot encrypt"));
  }
  const int64_t signed_at = now_unix - kKeyBackdateSeconds;
  if (rnp_op_encrypt_add_signature(op.get(), signer.get(), nullptr) != RNP_SUCCESS ||
      rnp_op_encrypt_set_creation_time(op.get(), static_cast<uint32_t>(signed_at)) != RNP_SUCCESS ||
      rnp_op_encrypt_set_armor(op.get(), true) != RNP_SUCCESS ||
      rnp_op_encrypt_set_cipher(op.get(), "AES256") != RNP_SUCCESS ||
      rnp_op_encrypt_set_aead(op.get(), "None") != RNP_SUCCESS ||
      rnp_op_encrypt_set_compression(op.get(), "Uncompressed", 0) != RNP_SUCCESS) {
    return base::Err(std::string("librnp: cannot configure the encryption"));
  }
  if (rnp_op_encrypt_execute(op.get()) != RNP_SUCCESS) {
    return base::Err(std::string("encryption failed: the token does not unlock the robot's private key"));
  }
  return Unix(rnp::OutputText(out.get()));
}

base::Expected<DecryptedMessage, std::string> DecryptFromPeer(std::string_view armored_message,
                                                              std::string_view sender_public_armored,
                                                              std::string_view own_private_armored,
                                                              const std::string& passphrase) {
  rnp::Ffi ffi = rnp::NewKeyring(0, &passphrase);
  if (!ffi) return base::Err(std::string("librnp: cannot create a keyring"));
  if (!rnp::ImportKey(ffi.get(), own_private_armored)) {
    return base::Err(std::string("the robot's private key does not load"));
  }
  std::optional<std::string> sender;
  if (!sender_public_armored.empty()) sender = rnp::ImportKey(ffi.get(), sender_public_armored);
  rnp::Input in = rnp::InputOf(armored_message);
  rnp::Output out = rnp::MemoryOutput();
  if (!in || !out) return base::Err(std::string("librnp: cannot prepare the decryption"));
  rnp_op_verify_t raw_op = nullptr;
  if (rnp_op_verify_create(&raw_op, ffi.get(), in.get(), out.get()) != RNP_SUCCESS) {
    return base::Err(std::string("not a PGP message"));
  }
  rnp::Verify op(raw_op);
  const rnp_result_t executed = rnp_op_verify_execute(op.get());
  DecryptedMessage result;
  result.text = rnp::OutputText(out.get());
  // A bad or unknown signature still decrypts (librnp reports it after writing the data).
  if (executed != RNP_SUCCESS && executed != RNP_ERROR_SIGNATURE_INVALID && executed != RNP_ERROR_KEY_NOT_FOUND) {
    return base::Err(std::string("cannot decrypt: the message is not for this robot or is damaged"));
  }
  if (executed != RNP_SUCCESS && result.text.empty()) {
    return base::Err(std::string("cannot decrypt: the message is not for this robot or is damaged"));
  }
  size_t count = 0;
  if (sender && rnp_op_verify_get_signature_count(op.get(), &count) == RNP_SUCCESS) {
    for (size_t i = 0; i < count; ++i) {
      rnp_op_verify_signature_t sig = nullptr;
      if (rnp_op_verify_get_signature_at(op.get(), i, &sig) != RNP_SUCCESS) continue;
      if (rnp_op_verify_signature_get_status(sig) != RNP_SUCCESS) continue;
      rnp_key_handle_t raw_key = nullptr;
      if (rnp_op_verify_signature_get_key(sig, &raw_key) != RNP_SUCCESS || raw_key == nullptr) continue;
      rnp::Key key(raw_key);
      if (PrimaryFingerprintOf(key.get()) == *sender) result.valid_signature = true;
    }
  }
  return result;
}

}  // namespace federation::robot
