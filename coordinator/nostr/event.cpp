#include "coordinator/nostr/event.h"

#include <algorithm>

#include "config/base/encoding.h"
#include "escrow/crypto/sha256.h"

namespace coordinator::nostr {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// JSON numbers readers parse as doubles (JavaScript) stay exact below 2^53.
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

void AppendTags(std::string& out, const Tags& tags) {
  out += '[';
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i) out += ',';
    out += '[';
    for (size_t k = 0; k < tags[i].size(); ++k) {
      if (k) out += ',';
      AppendJsonString(out, tags[i][k]);
    }
    out += ']';
  }
  out += ']';
}

const nlohmann::json* Field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it == j.end() ? nullptr : &*it;
}

}  // namespace

bool IsLowerHex(std::string_view s, size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string CanonicalSerialization(const Event& e) {
  // NIP-01: [0,<pubkey>,<created_at>,<kind>,<tags>,<content>]
  std::string out = "[0,";
  AppendJsonString(out, e.pubkey);
  out += ',';
  out += std::to_string(e.created_at);
  out += ',';
  out += std::to_string(e.kind);
  out += ',';
  AppendTags(out, e.tags);
  out += ',';
  AppendJsonString(out, e.content);
  out += ']';
  return out;
}

std::string ComputeId(const Event& e) { return escrow::crypto::ToHex(escrow::crypto::Sha256(CanonicalSerialization(e))); }

void Sign(Event& e, const escrow::crypto::Signer& key) {
  auto xonly = key.XOnlyPublicKey();
  e.pubkey = base::HexEncode(xonly.data(), xonly.size());
  e.id = ComputeId(e);
  // NIP-01: the signature of the sha256 hash of the serialized event data (the id's bytes).
  auto digest = escrow::crypto::Hash32FromHex(e.id);
  e.sig = escrow::crypto::ToHex(key.SignSchnorr(*digest));
}

std::string ToJson(const Event& e) {
  std::string out = "{\"id\":";
  AppendJsonString(out, e.id);
  out += ",\"pubkey\":";
  AppendJsonString(out, e.pubkey);
  out += ",\"created_at\":" + std::to_string(e.created_at);
  out += ",\"kind\":" + std::to_string(e.kind);
  out += ",\"tags\":";
  AppendTags(out, e.tags);
  out += ",\"content\":";
  AppendJsonString(out, e.content);
  out += ",\"sig\":";
  AppendJsonString(out, e.sig);
  out += '}';
  return out;
}

nlohmann::json ToJsonValue(const Event& e) {
  return nlohmann::json{{"id", e.id},     {"pubkey", e.pubkey},   {"created_at", e.created_at}, {"kind", e.kind},
                        {"tags", e.tags}, {"content", e.content}, {"sig", e.sig}};
}

base::Expected<Event, std::string> ParseEvent(const nlohmann::json& j) {
  if (!j.is_object()) return base::Err(std::string("invalid: event is not an object"));
  Event e;
  const auto* id = Field(j, "id");
  if (!id || !id->is_string() || !IsLowerHex(id->get_ref<const std::string&>(), 64))
    return base::Err(std::string("invalid: id must be 64 lowercase hex characters"));
  e.id = id->get<std::string>();
  const auto* pubkey = Field(j, "pubkey");
  if (!pubkey || !pubkey->is_string() || !IsLowerHex(pubkey->get_ref<const std::string&>(), 64))
    return base::Err(std::string("invalid: pubkey must be 64 lowercase hex characters"));
  e.pubkey = pubkey->get<std::string>();
  const auto* created = Field(j, "created_at");
  if (!created || !created->is_number_integer() || created->get<int64_t>() < 0 ||
      created->get<int64_t>() > kMaxSafeInteger ||
      (created->is_number_unsigned() && created->get<uint64_t>() > static_cast<uint64_t>(kMaxSafeInteger)))
    return base::Err(std::string("invalid: created_at must be a non-negative integer"));
  e.created_at = created->get<int64_t>();
  const auto* kind = Field(j, "kind");
  if (!kind || !kind->is_number_integer() || kind->get<int64_t>() < 0 || kind->get<int64_t>() > 65535 ||
      (kind->is_number_unsigned() && kind->get<uint64_t>() > 65535))
    return base::Err(std::string("invalid: kind must be an integer between 0 and 65535"));
  e.kind = kind->get<int>();
  const auto* tags = Field(j, "tags");
  if (!tags || !tags->is_array()) return base::Err(std::string("invalid: tags must be an array"));
  for (const auto& tag : *tags) {
    if (!tag.is_array() || tag.empty()) return base::Err(std::string("invalid: each tag must be a non-empty array"));
    Tag t;
    for (const auto& v : tag) {
      if (!v.is_string()) return base::Err(std::string("invalid: tag values must be strings"));
      t.push_back(v.get<std::string>());
    }
    e.tags.push_back(std::move(t));
  }
  const auto* content = Field(j, "content");
  if (!content || !content->is_string()) return base::Err(std::string("invalid: content must be a string"));
  e.content = content->get<std::string>();
  const auto* sig = Field(j, "sig");
  if (!sig || !sig->is_string() || !IsLowerHex(sig->get_ref<const std::string&>(), 128))
    return base::Err(std::string("invalid: sig must be 128 lowercase hex characters"));
  e.sig = sig->get<std::string>();
  return e;
}

base::Expected<void, std::string> Verify(const Event& e) {
  if (ComputeId(e) != e.id) return base::Err(std::string("invalid: event id does not match"));
  auto digest = escrow::crypto::Hash32FromHex(e.id);
  auto key = base::HexDecode(e.pubkey);
  auto sig = base::HexDecode(e.sig);
  if (!digest || !key || key->size() != 32 || !sig || sig->size() != 64)
    return base::Err(std::string("invalid: bad signature"));
  escrow::crypto::XOnlyPubKey xonly{};
  std::copy(key->begin(), key->end(), xonly.begin());
  escrow::crypto::SchnorrSig s{};
  std::copy(sig->begin(), sig->end(), s.begin());
  if (!escrow::crypto::VerifySchnorr(xonly, *digest, s)) return base::Err(std::string("invalid: bad signature"));
  return {};
}

std::optional<std::string> TagValue(const Event& e, std::string_view name) {
  for (const auto& t : e.tags) {
    if (t.size() >= 2 && t[0] == name) return t[1];
  }
  return std::nullopt;
}

std::optional<int64_t> ExpirationOf(const Event& e) {
  const std::optional<std::string> v = TagValue(e, "expiration");
  if (!v || v->empty() || v->size() > 18) return std::nullopt;
  int64_t out = 0;
  for (char ch : *v) {
    if (ch < '0' || ch > '9') return std::nullopt;
    out = out * 10 + (ch - '0');
  }
  return out;
}

bool IsExpired(const Event& e, int64_t now) {
  const std::optional<int64_t> expiration = ExpirationOf(e);
  return expiration && *expiration <= now;
}

}  // namespace coordinator::nostr
