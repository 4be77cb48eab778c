#include "federation/robot/rnp_ffi.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace federation::robot::rnp {
namespace {

bool GivePassphrase(rnp_ffi_t, void* app_ctx, rnp_key_handle_t, const char*, char buf[], size_t buf_len) {
  const auto* pass = static_cast<const std::string*>(app_ctx);
  if (pass == nullptr || pass->size() + 1 > buf_len) return false;
  std::copy(pass->begin(), pass->end(), buf);
  buf[pass->size()] = '\0';
  return true;
}

}  // namespace

Ffi NewKeyring(int64_t now_unix, const std::string* passphrase) {
  rnp_ffi_t raw = nullptr;
  if (rnp_ffi_create(&raw, "GPG", "GPG") != RNP_SUCCESS) return nullptr;
  Ffi ffi(raw);
  // librnp fdopen()s the descriptor and fclose()s it with the keyring: it gets its own copy.
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd >= 0 && rnp_ffi_set_log_fd(ffi.get(), null_fd) != RNP_SUCCESS) ::close(null_fd);
  if (now_unix > 0 && rnp_set_timestamp(ffi.get(), static_cast<uint64_t>(now_unix)) != RNP_SUCCESS) return nullptr;
  if (passphrase != nullptr &&
      rnp_ffi_set_pass_provider(ffi.get(), GivePassphrase, const_cast<std::string*>(passphrase)) != RNP_SUCCESS) {
    return nullptr;
  }
  return ffi;
}

Input InputOf(std::string_view text) {
  rnp_input_t raw = nullptr;
  if (rnp_input_from_memory(&raw, reinterpret_cast<const uint8_t*>(text.data()), text.size(), false) !=
      RNP_SUCCESS) {
    return nullptr;
  }
  return Input(raw);
}

Output MemoryOutput() {
  rnp_output_t raw = nullptr;
  if (rnp_output_to_memory(&raw, 0) != RNP_SUCCESS) return nullptr;
  return Output(raw);
}

std::string OutputText(rnp_output_t out) {
  uint8_t* buf = nullptr;
  size_t len = 0;
  if (rnp_output_memory_get_buf(out, &buf, &len, false) != RNP_SUCCESS || buf == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(buf), len);
}

std::optional<std::string> ImportKey(rnp_ffi_t ffi, std::string_view armored) {
  Input in = InputOf(armored);
  if (!in) return std::nullopt;
  char* results_raw = nullptr;
  rnp_result_t r = rnp_import_keys(ffi, in.get(), RNP_LOAD_SAVE_PUBLIC_KEYS | RNP_LOAD_SAVE_SECRET_KEYS, &results_raw);
  Buffer results(results_raw);
  if (r != RNP_SUCCESS || !results) return std::nullopt;
  nlohmann::json doc = nlohmann::json::parse(results.get(), nullptr, false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) return std::nullopt;
  for (const auto& entry : doc["keys"]) {
    if (!entry.is_object() || !entry.contains("fingerprint") || !entry["fingerprint"].is_string()) continue;
    std::string fp = entry["fingerprint"].get<std::string>();
    Key key = LocateFingerprint(ffi, fp);
    bool primary = false;
    if (key && rnp_key_is_primary(key.get(), &primary) == RNP_SUCCESS && primary) {
      std::transform(fp.begin(), fp.end(), fp.begin(), [](unsigned char c) { return std::toupper(c); });
      return fp;
    }
  }
  return std::nullopt;
}

Key LocateFingerprint(rnp_ffi_t ffi, const std::string& fingerprint) {
  rnp_key_handle_t raw = nullptr;
  if (rnp_locate_key(ffi, "fingerprint", fingerprint.c_str(), &raw) != RNP_SUCCESS) return nullptr;
  return Key(raw);
}

}  // namespace federation::robot::rnp
