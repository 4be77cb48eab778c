#include "tests/support/pgp_keys.h"

#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <algorithm>
#include <stdexcept>

namespace testsupport {
namespace {

void Check(rnp_result_t r, const char* what) {
  if (r != RNP_SUCCESS) throw std::runtime_error(std::string("librnp: ") + what + " failed");
}

std::string ExportKey(rnp_key_handle_t key, uint32_t flags) {
  rnp_output_t out = nullptr;
  Check(rnp_output_to_memory(&out, 0), "output");
  Check(rnp_key_export(key, out, flags | RNP_KEY_EXPORT_ARMORED | RNP_KEY_EXPORT_SUBKEYS), "export");
  uint8_t* buf = nullptr;
  size_t len = 0;
  Check(rnp_output_memory_get_buf(out, &buf, &len, false), "buffer");
  std::string s(reinterpret_cast<char*>(buf), len);
  rnp_output_destroy(out);
  return s;
}

bool GivePassphrase(rnp_ffi_t, void* app_ctx, rnp_key_handle_t, const char*, char buf[], size_t buf_len) {
  const auto* pass = static_cast<const std::string*>(app_ctx);
  if (pass->size() + 1 > buf_len) return false;
  std::copy(pass->begin(), pass->end(), buf);
  buf[pass->size()] = '\0';
  return true;
}

}  // namespace

std::unique_ptr<PgpKey> PgpKey::Generate(const std::string& name, const std::string& passphrase) {
  std::unique_ptr<PgpKey> k(new PgpKey());
  k->m_passphrase = passphrase;
  rnp_ffi_t ffi = nullptr;
  Check(rnp_ffi_create(&ffi, "GPG", "GPG"), "ffi");
  k->m_ffi = ffi;
  Check(rnp_ffi_set_pass_provider(ffi, GivePassphrase, &k->m_passphrase), "pass provider");
  rnp_key_handle_t key = nullptr;
  Check(rnp_generate_key_25519(ffi, name.c_str(), passphrase.c_str(), &key), "generate");
  char* keyid = nullptr;
  Check(rnp_key_get_keyid(key, &keyid), "keyid");
  k->m_keyid = keyid;
  rnp_buffer_destroy(keyid);
  k->m_public = ExportKey(key, RNP_KEY_EXPORT_PUBLIC);
  k->m_secret = ExportKey(key, RNP_KEY_EXPORT_SECRET);
  rnp_key_handle_destroy(key);
  return k;
}

std::unique_ptr<PgpKey> PgpKey::Import(const std::string& public_armored, const std::string& secret_armored,
                                       const std::string& passphrase) {
  std::unique_ptr<PgpKey> k(new PgpKey());
  k->m_passphrase = passphrase;
  k->m_public = public_armored;
  k->m_secret = secret_armored;
  rnp_ffi_t ffi = nullptr;
  Check(rnp_ffi_create(&ffi, "GPG", "GPG"), "ffi");
  k->m_ffi = ffi;
  Check(rnp_ffi_set_pass_provider(ffi, GivePassphrase, &k->m_passphrase), "pass provider");
  rnp_input_t in = nullptr;
  Check(rnp_input_from_memory(&in, reinterpret_cast<const uint8_t*>(secret_armored.data()), secret_armored.size(),
                              false),
        "input");
  char* results = nullptr;
  rnp_result_t loaded = rnp_import_keys(ffi, in, RNP_LOAD_SAVE_SECRET_KEYS | RNP_LOAD_SAVE_PUBLIC_KEYS, &results);
  rnp_input_destroy(in);
  rnp_buffer_destroy(results);
  Check(loaded, "import");
  // The primary key signs (RoboSats-shaped keys: a cert+sign primary, an encryption subkey).
  rnp_identifier_iterator_t it = nullptr;
  Check(rnp_identifier_iterator_create(ffi, &it, "keyid"), "iterator");
  const char* keyid = nullptr;
  while (k->m_keyid.empty() && rnp_identifier_iterator_next(it, &keyid) == RNP_SUCCESS && keyid != nullptr) {
    rnp_key_handle_t key = nullptr;
    bool primary = false;
    if (rnp_locate_key(ffi, "keyid", keyid, &key) == RNP_SUCCESS && key != nullptr &&
        rnp_key_is_primary(key, &primary) == RNP_SUCCESS && primary) {
      k->m_keyid = keyid;
    }
    rnp_key_handle_destroy(key);
  }
  rnp_identifier_iterator_destroy(it);
  if (k->m_keyid.empty()) throw std::runtime_error("librnp: no primary key in the imported secret key");
  return k;
}

PgpKey::~PgpKey() {
  if (m_ffi) rnp_ffi_destroy(static_cast<rnp_ffi_t>(m_ffi));
}

std::string PgpKey::ClearSign(const std::string& text) const {
  auto ffi = static_cast<rnp_ffi_t>(m_ffi);
  rnp_input_t in = nullptr;
  rnp_output_t out = nullptr;
  Check(rnp_input_from_memory(&in, reinterpret_cast<const uint8_t*>(text.data()), text.size(), false), "input");
  Check(rnp_output_to_memory(&out, 0), "output");
  rnp_op_sign_t op = nullptr;
  Check(rnp_op_sign_cleartext_create(&op, ffi, in, out), "sign op");
  rnp_key_handle_t key = nullptr;
  Check(rnp_locate_key(ffi, "keyid", m_keyid.c_str(), &key), "locate");
  Check(rnp_op_sign_add_signature(op, key, nullptr), "add signature");
  Check(rnp_op_sign_set_hash(op, "SHA512"), "hash");
  Check(rnp_op_sign_execute(op), "sign");
  uint8_t* buf = nullptr;
  size_t len = 0;
  Check(rnp_output_memory_get_buf(out, &buf, &len, false), "buffer");
  std::string s(reinterpret_cast<char*>(buf), len);
  rnp_op_sign_destroy(op);
  rnp_key_handle_destroy(key);
  rnp_input_destroy(in);
  rnp_output_destroy(out);
  return s;
}

}  // namespace testsupport
