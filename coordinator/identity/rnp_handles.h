// RAII owners for librnp's C handles (internal to coordinator/identity). librnp frees each
// kind of handle with its own function; these call it exactly once.
#pragma once

#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <memory>
#include <optional>
#include <string>

namespace coordinator::identity::rnp {

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
using Verify = std::unique_ptr<rnp_op_verify_st, Destroyer<rnp_op_verify_st, rnp_op_verify_destroy>>;
using IdIterator = std::unique_ptr<rnp_identifier_iterator_st,
                                   Destroyer<rnp_identifier_iterator_st, rnp_identifier_iterator_destroy>>;

// A string librnp allocated, freed with rnp_buffer_destroy.
struct BufferFree {
  void operator()(char* p) const { rnp_buffer_destroy(p); }
};
using Buffer = std::unique_ptr<char, BufferFree>;

// Calls `getter(handle, &out)` and returns the string, or nullopt if librnp failed.
template <class H, class Getter>
std::optional<std::string> GetString(H handle, Getter getter) {
  char* raw = nullptr;
  if (getter(handle, &raw) != RNP_SUCCESS || raw == nullptr) return std::nullopt;
  Buffer owned(raw);
  return std::string(owned.get());
}

}  // namespace coordinator::identity::rnp
