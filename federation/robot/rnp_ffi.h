// RAII owners of librnp's C handles and a fresh keyring, for the robot's PGP operations
// (internal to federation/robot). Every operation works in a keyring of its own.
#pragma once

#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace federation::robot::rnp {

template <class T, rnp_result_t (*Destroy)(T*)>
struct Destroyer {
  void operator()(T* p) const {
    if (p != nullptr) Destroy(p);
  }
};

using Ffi = std::unique_ptr<rnp_ffi_st, Destroyer<rnp_ffi_st, rnp_ffi_destroy>>;
using Input = std::unique_ptr<rnp_input_st, Destroyer<rnp_input_st, rnp_input_destroy>>;
using Output = std::unique_ptr<rnp_output_st, Destroyer<rnp_output_st, rnp_output_destroy>>;
using Key = std::unique_ptr<rnp_key_handle_st, Destroyer<rnp_key_handle_st, rnp_key_handle_destroy>>;
using Generate = std::unique_ptr<rnp_op_generate_st, Destroyer<rnp_op_generate_st, rnp_op_generate_destroy>>;
using Sign = std::unique_ptr<rnp_op_sign_st, Destroyer<rnp_op_sign_st, rnp_op_sign_destroy>>;
using Encrypt = std::unique_ptr<rnp_op_encrypt_st, Destroyer<rnp_op_encrypt_st, rnp_op_encrypt_destroy>>;
using Verify = std::unique_ptr<rnp_op_verify_st, Destroyer<rnp_op_verify_st, rnp_op_verify_destroy>>;

struct BufferFree {
  void operator()(char* p) const { rnp_buffer_destroy(p); }
};
using Buffer = std::unique_ptr<char, BufferFree>;

// A keyring whose clock is `now_unix` (0: the system clock), its diagnostics sent to
// /dev/null, and whose password provider answers `passphrase` (which must outlive it; empty:
// no provider). nullptr if librnp failed.
Ffi NewKeyring(int64_t now_unix, const std::string* passphrase);

Input InputOf(std::string_view text);
Output MemoryOutput();
// The bytes written to a memory output.
std::string OutputText(rnp_output_t out);

// Imports one armored key block (public or secret) and returns its primary key's
// fingerprint (40 uppercase hex), or nullopt if it does not import or has no primary key.
std::optional<std::string> ImportKey(rnp_ffi_t ffi, std::string_view armored);
Key LocateFingerprint(rnp_ffi_t ffi, const std::string& fingerprint);

}  // namespace federation::robot::rnp
