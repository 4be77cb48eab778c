#include "coordinator/identity/pgp.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "coordinator/identity/errors.h"
#include "coordinator/identity/rnp_handles.h"

namespace coordinator::identity {
namespace {

// RFC 4880 §6.2: armor header lines.
constexpr std::string_view kBeginAny = "-----BEGIN PGP ";
constexpr std::string_view kBeginPublic = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
constexpr std::string_view kEndPublic = "-----END PGP PUBLIC KEY BLOCK-----";
constexpr std::string_view kBeginPrivate = "-----BEGIN PGP PRIVATE KEY BLOCK-----";
constexpr std::string_view kEndPrivate = "-----END PGP PRIVATE KEY BLOCK-----";
// RFC 4880 §7: "The cleartext signed message consists of: The cleartext header '-----BEGIN
// PGP SIGNED MESSAGE-----' on a single line, … The ASCII armored signature(s) including
// '-----BEGIN PGP SIGNATURE-----' Armor Header and Armor Tail Lines."
constexpr std::string_view kBeginSigned = "-----BEGIN PGP SIGNED MESSAGE-----";
constexpr std::string_view kBeginSignature = "-----BEGIN PGP SIGNATURE-----";
constexpr std::string_view kEndSignature = "-----END PGP SIGNATURE-----";

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// One armored block from `begin` to `end`, nothing before or after it, no second block.
bool IsSingleBlock(std::string_view text, std::string_view begin, std::string_view end) {
  return text.starts_with(begin) && text.ends_with(end) && Count(text, kBeginAny) == 1;
}

// A keyring's own error stream goes to /dev/null: our logs are JSON lines. (Debian's librnp
// also prints parser diagnostics such as "[…] wrong key tag" straight to stderr, whatever the
// keyring's stream; they name packet positions and algorithms, never key material.)
int DevNull() {
  static const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  return fd;
}

// A fresh keyring whose "now" is `now_unix` (0: the system clock).
rnp::Ffi NewKeyring(int64_t now_unix) {
  rnp_ffi_t raw = nullptr;
  if (rnp_ffi_create(&raw, "GPG", "GPG") != RNP_SUCCESS) return nullptr;
  rnp::Ffi ffi(raw);
  // librnp fdopen()s the descriptor it is given and fclose()s it when the keyring dies: it
  // gets a copy of its own. (Handing it the shared one closed that on the first keyring's
  // death, and every later keyring then closed whatever descriptor reused the number — a
  // curl socket, a client's connection, the database.)
  if (DevNull() >= 0) {
    const int own = fcntl(DevNull(), F_DUPFD_CLOEXEC, 0);
    if (own >= 0 && rnp_ffi_set_log_fd(ffi.get(), own) != RNP_SUCCESS) ::close(own);
  }
  if (now_unix > 0 && rnp_set_timestamp(ffi.get(), static_cast<uint64_t>(now_unix)) != RNP_SUCCESS)
    return nullptr;
  return ffi;
}

rnp::Input InputOf(std::string_view text) {
  rnp_input_t raw = nullptr;
  if (rnp_input_from_memory(&raw, reinterpret_cast<const uint8_t*>(text.data()), text.size(), false) !=
      RNP_SUCCESS) {
    return nullptr;
  }
  return rnp::Input(raw);
}

bool Import(rnp_ffi_t ffi, std::string_view armored, uint32_t flags) {
  rnp::Input input = InputOf(armored);
  if (!input) return false;
  char* results = nullptr;
  const rnp_result_t r = rnp_import_keys(ffi, input.get(), flags, &results);
  rnp_buffer_destroy(results);
  return r == RNP_SUCCESS;
}

bool Flag(rnp_key_handle_t key, rnp_result_t (*getter)(rnp_key_handle_t, bool*)) {
  bool value = false;
  return getter(key, &value) == RNP_SUCCESS && value;
}

// The primary keys of the keyring.
std::vector<rnp::Key> PrimaryKeys(rnp_ffi_t ffi) {
  std::vector<rnp::Key> primaries;
  rnp_identifier_iterator_t raw_it = nullptr;
  if (rnp_identifier_iterator_create(ffi, &raw_it, "fingerprint") != RNP_SUCCESS) return primaries;
  rnp::IdIterator it(raw_it);
  const char* id = nullptr;
  while (rnp_identifier_iterator_next(it.get(), &id) == RNP_SUCCESS && id != nullptr) {
    rnp_key_handle_t raw_key = nullptr;
    if (rnp_locate_key(ffi, "fingerprint", id, &raw_key) != RNP_SUCCESS || raw_key == nullptr) continue;
    rnp::Key key(raw_key);
    if (Flag(key.get(), rnp_key_is_primary)) primaries.push_back(std::move(key));
  }
  return primaries;
}

std::vector<rnp::Key> Subkeys(rnp_key_handle_t primary) {
  std::vector<rnp::Key> subkeys;
  size_t count = 0;
  if (rnp_key_get_subkey_count(primary, &count) != RNP_SUCCESS) return subkeys;
  for (size_t i = 0; i < count; ++i) {
    rnp_key_handle_t raw = nullptr;
    if (rnp_key_get_subkey_at(primary, i, &raw) == RNP_SUCCESS && raw != nullptr) subkeys.emplace_back(raw);
  }
  return subkeys;
}

size_t SecretKeyCount(rnp_ffi_t ffi) {
  size_t count = 0;
  return rnp_get_secret_key_count(ffi, &count) == RNP_SUCCESS ? count : 0;
}

bool SameFingerprint(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

// The fingerprint of the primary key `key` belongs to (itself if primary).
std::optional<std::string> PrimaryFingerprintOf(rnp_key_handle_t key) {
  if (Flag(key, rnp_key_is_primary)) return rnp::GetString(key, rnp_key_get_fprint);
  return rnp::GetString(key, rnp_key_get_primary_fprint);
}

}  // namespace

base::Result<PublicKeyInfo> ValidatePublicKey(std::string_view armored, int64_t now_unix) {
  const std::string_view text = Trim(armored);
  if (text.size() > kMaxArmoredBytes) return base::Err(BadKeysError("the public key is too large"));
  if (text.starts_with(kBeginPrivate))
    return base::Err(BadKeysError("the public key block holds secret key material"));
  if (!IsSingleBlock(text, kBeginPublic, kEndPublic)) {
    return base::Err(BadKeysError("the public key is not one ASCII-armored PGP public key block"));
  }
  rnp::Ffi ffi = NewKeyring(now_unix);
  if (!ffi) return base::Err(base::Status::Error(base::Status::kInternal, "OpenPGP library unavailable"));
  if (!Import(ffi.get(), text, RNP_LOAD_SAVE_PUBLIC_KEYS | RNP_LOAD_SAVE_SECRET_KEYS)) {
    return base::Err(BadKeysError("the public key could not be parsed"));
  }
  if (SecretKeyCount(ffi.get()) > 0)
    return base::Err(BadKeysError("the public key block holds secret key material"));
  std::vector<rnp::Key> primaries = PrimaryKeys(ffi.get());
  if (primaries.size() != 1)
    return base::Err(BadKeysError("the public key block must hold exactly one primary key"));
  rnp_key_handle_t key = primaries.front().get();

  PublicKeyInfo info;
  uint32_t created = 0;
  std::optional<std::string> fingerprint = rnp::GetString(key, rnp_key_get_fprint);
  std::optional<std::string> algorithm = rnp::GetString(key, rnp_key_get_alg);
  if (!fingerprint || !algorithm || rnp_key_get_creation(key, &created) != RNP_SUCCESS) {
    return base::Err(BadKeysError("the public key could not be parsed"));
  }
  info.fingerprint = *fingerprint;
  info.algorithm = *algorithm;
  info.created_at = created;
  info.curve = rnp::GetString(key, rnp_key_get_curve).value_or("");
  rnp_key_get_bits(key, &info.bits);

  // Before the validity checks: librnp would call a key from the future simply invalid.
  if (info.created_at > now_unix - kMinKeyAgeSeconds) return base::Err(KeyTooRecentError(info.created_at));
  if (Flag(key, rnp_key_is_revoked)) return base::Err(BadKeysError("the public key is revoked"));
  uint64_t valid_till = 0;
  if (Flag(key, rnp_key_is_expired) || (rnp_key_valid_till64(key, &valid_till) == RNP_SUCCESS &&
                                        valid_till != 0 && valid_till < static_cast<uint64_t>(now_unix))) {
    return base::Err(BadKeysError("the public key is expired"));
  }
  if (!Flag(key, rnp_key_is_valid)) {
    return base::Err(BadKeysError("the public key has no valid self-signature"));
  }
  return info;
}

base::Status ValidateEncryptedPrivateKey(std::string_view armored, std::string_view expected_fingerprint) {
  const std::string_view text = Trim(armored);
  if (text.size() > kMaxArmoredBytes) return BadKeysError("the encrypted private key is too large");
  if (!IsSingleBlock(text, kBeginPrivate, kEndPrivate)) {
    return BadKeysError("the encrypted private key is not one ASCII-armored PGP private key block");
  }
  rnp::Ffi ffi = NewKeyring(0);
  if (!ffi) return base::Status::Error(base::Status::kInternal, "OpenPGP library unavailable");
  if (!Import(ffi.get(), text, RNP_LOAD_SAVE_PUBLIC_KEYS | RNP_LOAD_SAVE_SECRET_KEYS)) {
    return BadKeysError("the encrypted private key could not be parsed");
  }
  std::vector<rnp::Key> primaries = PrimaryKeys(ffi.get());
  if (primaries.size() != 1) return BadKeysError("the private key block must hold exactly one primary key");
  rnp_key_handle_t primary = primaries.front().get();
  const std::optional<std::string> fingerprint = rnp::GetString(primary, rnp_key_get_fprint);
  if (!fingerprint || !SameFingerprint(*fingerprint, expected_fingerprint)) {
    return BadKeysError("the encrypted private key does not belong to the public key");
  }
  if (!Flag(primary, rnp_key_have_secret)) return BadKeysError("the private key block holds no secret key");
  std::vector<rnp::Key> keys = Subkeys(primary);
  for (const rnp::Key& k : keys) {
    if (Flag(k.get(), rnp_key_have_secret) && !Flag(k.get(), rnp_key_is_protected)) {
      return BadKeysError("the private key is not encrypted with a passphrase");
    }
  }
  if (!Flag(primary, rnp_key_is_protected))
    return BadKeysError("the private key is not encrypted with a passphrase");
  return base::Status::Ok();
}

base::Result<std::string> VerifyCleartextSigned(std::string_view signed_message,
                                                std::string_view armored_public_key, int64_t now_unix) {
  const std::string_view text = Trim(signed_message);
  if (text.size() > kMaxArmoredBytes) return base::Err(BadSignatureError("the signed message is too large"));
  if (!text.starts_with(kBeginSigned) || !text.ends_with(kEndSignature) || Count(text, kBeginSigned) != 1 ||
      Count(text, kBeginSignature) != 1 || Count(text, kBeginAny) != 2) {
    return base::Err(BadSignatureError("it is not one PGP cleartext-signed message"));
  }
  // An armored message is text: RNP reads a run of NULs as the blank line that ends the armor
  // headers and verifies the message, where every other reader (ours in SignedMessageText, gpg,
  // the client's openpgp.js) sees no blank line at all. Found by tests/fuzz/pgp_signed.
  if (text.find('\0') != std::string_view::npos) {
    return base::Err(BadSignatureError("it is not one PGP cleartext-signed message"));
  }
  const std::string_view key_text = Trim(armored_public_key);
  rnp::Ffi ffi = NewKeyring(now_unix);
  if (!ffi) return base::Err(base::Status::Error(base::Status::kInternal, "OpenPGP library unavailable"));
  if (key_text.size() > kMaxArmoredBytes || !IsSingleBlock(key_text, kBeginPublic, kEndPublic) ||
      !Import(ffi.get(), key_text, RNP_LOAD_SAVE_PUBLIC_KEYS)) {
    return base::Err(BadSignatureError("the robot's public key could not be read"));
  }
  std::vector<rnp::Key> primaries = PrimaryKeys(ffi.get());
  if (primaries.size() != 1) return base::Err(BadSignatureError("the robot's public key could not be read"));
  const std::optional<std::string> robot_fingerprint =
      rnp::GetString(primaries.front().get(), rnp_key_get_fprint);
  if (!robot_fingerprint) return base::Err(BadSignatureError("the robot's public key could not be read"));

  rnp::Input input = InputOf(text);
  rnp_output_t raw_output = nullptr;
  if (!input || rnp_output_to_memory(&raw_output, kMaxArmoredBytes) != RNP_SUCCESS) {
    return base::Err(base::Status::Error(base::Status::kInternal, "OpenPGP library unavailable"));
  }
  rnp::Output output(raw_output);
  rnp_op_verify_t raw_verify = nullptr;
  if (rnp_op_verify_create(&raw_verify, ffi.get(), input.get(), output.get()) != RNP_SUCCESS) {
    return base::Err(BadSignatureError("it is not one PGP cleartext-signed message"));
  }
  rnp::Verify verify(raw_verify);
  const rnp_result_t executed = rnp_op_verify_execute(verify.get());

  size_t count = 0;
  if (rnp_op_verify_get_signature_count(verify.get(), &count) != RNP_SUCCESS || count == 0) {
    return base::Err(BadSignatureError("it carries no signature"));
  }
  for (size_t i = 0; i < count; ++i) {
    rnp_op_verify_signature_t sig = nullptr;
    if (rnp_op_verify_get_signature_at(verify.get(), i, &sig) != RNP_SUCCESS) {
      return base::Err(BadSignatureError("a signature could not be read"));
    }
    switch (rnp_op_verify_signature_get_status(sig)) {
      case RNP_SUCCESS: break;
      case RNP_ERROR_KEY_NOT_FOUND:
        return base::Err(BadSignatureError("it is signed by another key than the robot's"));
      case RNP_ERROR_SIGNATURE_EXPIRED: return base::Err(BadSignatureError("the signature has expired"));
      case RNP_ERROR_SIGNATURE_INVALID:
        return base::Err(
            BadSignatureError("the signature does not match the message or the key is not valid"));
      default: return base::Err(BadSignatureError("the signature could not be verified"));
    }
    rnp_key_handle_t raw_signer = nullptr;
    if (rnp_op_verify_signature_get_key(sig, &raw_signer) != RNP_SUCCESS || raw_signer == nullptr) {
      return base::Err(BadSignatureError("it is signed by another key than the robot's"));
    }
    rnp::Key signer(raw_signer);
    const std::optional<std::string> signer_primary = PrimaryFingerprintOf(signer.get());
    if (!signer_primary || !SameFingerprint(*signer_primary, *robot_fingerprint)) {
      return base::Err(BadSignatureError("it is signed by another key than the robot's"));
    }
  }
  if (executed != RNP_SUCCESS) return base::Err(BadSignatureError("the signature could not be verified"));

  uint8_t* data = nullptr;
  size_t len = 0;
  if (rnp_output_memory_get_buf(output.get(), &data, &len, false) != RNP_SUCCESS) {
    return base::Err(BadSignatureError("the signed text could not be read"));
  }
  return std::string(Trim(std::string_view(reinterpret_cast<const char*>(data), len)));
}

}  // namespace coordinator::identity
