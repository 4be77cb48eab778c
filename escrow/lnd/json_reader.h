// JsonReader: typed, non-throwing access to one JSON object written by LND's REST gateway
// (grpc-gateway + protojson). Used only by escrow/lnd/wire.cpp.
//
// LND REST (protojson mapping): 64-bit integers are JSON strings ("1000"), 32-bit integers are
// JSON numbers; `bytes` are base64; enums are names ("SETTLED"). Readers accept both string and
// number forms of every integer, both base64 alphabets, and enum names or numbers, because
// protojson's parser does too.
//
// Each accessor returns a default when the field is absent or null (unless `required`), and
// records the first problem (missing required field, wrong type, out-of-range number, bad
// base64) in error(). Error texts name the field, never its value (a value may be a secret).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/base/encoding.h"
#include "escrow/crypto/sha256.h"

namespace escrow::lnd::wire {

class JsonReader {
 public:
  // `what` names the message for error texts, e.g. "Invoice" or "Invoice.htlcs[2]".
  // REQUIRES: `object` outlives the reader.
  JsonReader(const nlohmann::json& object, std::string what);

  bool ok() const { return m_error.empty(); }
  const std::string& error() const { return m_error; }
  // Records `reason` (prefixed with the message name) unless an earlier error exists.
  void Fail(std::string_view reason);

  std::string String(std::string_view key, bool required = false);
  bool Bool(std::string_view key, bool required = false);
  int64_t Int64(std::string_view key, bool required = false);
  uint64_t Uint64(std::string_view key, bool required = false);
  int32_t Int32(std::string_view key, bool required = false);
  uint32_t Uint32(std::string_view key, bool required = false);
  // `bytes`: base64 of either alphabet, padded or not.
  base::Bytes Bytes(std::string_view key, bool required = false);
  // `bytes` that must be empty/absent (nullopt) or exactly 32 bytes.
  std::optional<crypto::Hash32> Hash(std::string_view key, bool required = false);
  // A hex string that must be empty/absent (nullopt) or exactly 64 hex digits.
  std::optional<crypto::Hash32> HexHash(std::string_view key, bool required = false);
  // An enum: its name (via `from_name`) or a number in [0, max_value]. Absent → `fallback`.
  template <class E>
  E Enum(std::string_view key, std::optional<E> (*from_name)(std::string_view), int max_value,
         E fallback, bool required = false);
  // Nested values; nullptr when absent/null (or on a type error, which is recorded).
  const nlohmann::json* Object(std::string_view key, bool required = false);
  const nlohmann::json* Array(std::string_view key, bool required = false);

 private:
  const nlohmann::json* Find(std::string_view key, bool required);
  std::optional<int64_t> EnumNumber(const nlohmann::json& v) const;

  const nlohmann::json& m_object;
  std::string m_what;
  std::string m_error;
};

// Integer conversions shared with map keys: accepts a JSON integer or a decimal string that
// fits `Int` exactly; nullopt otherwise (floats, signs on unsigned, overflow, junk).
std::optional<int64_t> JsonToInt64(const nlohmann::json& v);
std::optional<uint64_t> JsonToUint64(const nlohmann::json& v);
std::optional<uint64_t> DecimalToUint64(std::string_view text);

template <class E>
E JsonReader::Enum(std::string_view key, std::optional<E> (*from_name)(std::string_view),
                   int max_value, E fallback, bool required) {
  const nlohmann::json* v = Find(key, required);
  if (v == nullptr) return fallback;
  if (v->is_string()) {
    if (auto e = from_name(v->get_ref<const std::string&>())) return *e;
    Fail("field '" + std::string(key) + "': unknown enum name");
    return fallback;
  }
  auto n = EnumNumber(*v);
  if (!n || *n < 0 || *n > max_value) {
    Fail("field '" + std::string(key) + "': not an enum name or number in range");
    return fallback;
  }
  return static_cast<E>(*n);
}

}  // namespace escrow::lnd::wire
