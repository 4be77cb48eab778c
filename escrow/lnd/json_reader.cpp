#include "escrow/lnd/json_reader.h"

#include <charconv>
#include <limits>

namespace escrow::lnd::wire {
namespace {

using nlohmann::json;

template <class Int>
std::optional<Int> FromDecimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  Int out{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return out;
}

template <class Int>
std::optional<Int> Narrow(std::optional<int64_t> v) {
  if (!v || *v < std::numeric_limits<Int>::min() || *v > std::numeric_limits<Int>::max()) {
    return std::nullopt;
  }
  return static_cast<Int>(*v);
}

}  // namespace

std::optional<uint64_t> DecimalToUint64(std::string_view text) { return FromDecimal<uint64_t>(text); }

std::optional<int64_t> JsonToInt64(const json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) return FromDecimal<int64_t>(v.get_ref<const std::string&>());
  return std::nullopt;
}

std::optional<uint64_t> JsonToUint64(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i < 0) return std::nullopt;
    return static_cast<uint64_t>(i);
  }
  if (v.is_string()) return FromDecimal<uint64_t>(v.get_ref<const std::string&>());
  return std::nullopt;
}

JsonReader::JsonReader(const json& object, std::string what)
    : m_object(object), m_what(std::move(what)) {
  if (!m_object.is_object()) Fail("not a JSON object");
}

void JsonReader::Fail(std::string_view reason) {
  if (m_error.empty()) m_error = m_what + ": " + std::string(reason);
}

const json* JsonReader::Find(std::string_view key, bool required) {
  if (!m_object.is_object()) return nullptr;
  auto it = m_object.find(std::string(key));
  if (it == m_object.end() || it->is_null()) {
    if (required) Fail("missing field '" + std::string(key) + "'");
    return nullptr;
  }
  return &*it;
}

std::optional<int64_t> JsonReader::EnumNumber(const json& v) const {
  if (v.is_number_integer() || v.is_number_unsigned()) return JsonToInt64(v);
  return std::nullopt;
}

std::string JsonReader::String(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return {};
  if (!v->is_string()) {
    Fail("field '" + std::string(key) + "': not a string");
    return {};
  }
  return v->get<std::string>();
}

bool JsonReader::Bool(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return false;
  if (!v->is_boolean()) {
    Fail("field '" + std::string(key) + "': not a boolean");
    return false;
  }
  return v->get<bool>();
}

int64_t JsonReader::Int64(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return 0;
  auto n = JsonToInt64(*v);
  if (!n) {
    Fail("field '" + std::string(key) + "': not an int64");
    return 0;
  }
  return *n;
}

uint64_t JsonReader::Uint64(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return 0;
  auto n = JsonToUint64(*v);
  if (!n) {
    Fail("field '" + std::string(key) + "': not a uint64");
    return 0;
  }
  return *n;
}

int32_t JsonReader::Int32(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return 0;
  auto n = Narrow<int32_t>(JsonToInt64(*v));
  if (!n) {
    Fail("field '" + std::string(key) + "': not an int32");
    return 0;
  }
  return *n;
}

uint32_t JsonReader::Uint32(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return 0;
  auto n = Narrow<uint32_t>(JsonToInt64(*v));
  if (!n) {
    Fail("field '" + std::string(key) + "': not a uint32");
    return 0;
  }
  return *n;
}

base::Bytes JsonReader::Bytes(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return {};
  if (!v->is_string()) {
    Fail("field '" + std::string(key) + "': not a base64 string");
    return {};
  }
  auto bytes = base::Base64Decode(v->get_ref<const std::string&>());
  if (!bytes) {
    Fail("field '" + std::string(key) + "': bad base64");
    return {};
  }
  return std::move(*bytes);
}

std::optional<crypto::Hash32> JsonReader::Hash(std::string_view key, bool required) {
  const bool had_error = !ok();
  base::Bytes bytes = Bytes(key, required);
  if (!had_error && !ok()) return std::nullopt;
  if (bytes.empty()) {
    if (required) Fail("field '" + std::string(key) + "': empty");
    return std::nullopt;
  }
  auto hash = crypto::Hash32FromBytes(bytes);
  if (!hash) Fail("field '" + std::string(key) + "': not 32 bytes");
  return hash;
}

std::optional<crypto::Hash32> JsonReader::HexHash(std::string_view key, bool required) {
  const bool had_error = !ok();
  std::string hex = String(key, required);
  if (!had_error && !ok()) return std::nullopt;
  if (hex.empty()) {
    if (required) Fail("field '" + std::string(key) + "': empty");
    return std::nullopt;
  }
  auto hash = crypto::Hash32FromHex(hex);
  if (!hash) Fail("field '" + std::string(key) + "': not 64 hex digits");
  return hash;
}

const json* JsonReader::Object(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    Fail("field '" + std::string(key) + "': not an object");
    return nullptr;
  }
  return v;
}

const json* JsonReader::Array(std::string_view key, bool required) {
  const json* v = Find(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    Fail("field '" + std::string(key) + "': not an array");
    return nullptr;
  }
  return v;
}

}  // namespace escrow::lnd::wire
