#include "federation/model/federation_json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace federation {

using Json = nlohmann::ordered_json;

std::string CoordinatorEntry::Contact(const std::string& name) const {
  for (const auto& [k, v] : contact) {
    if (k == name) return OrEmpty(v);
  }
  return {};
}

const CoordinatorEntry* FederationFile::Find(const std::string& key) const {
  for (const auto& [k, e] : entries) {
    if (k == key) return &e;
  }
  return nullptr;
}

std::string Problem(std::string_view label, std::string_view entry, std::string_view field, std::string_view what) {
  std::string out(label);
  out += ": entry ";
  out += Json(std::string(entry)).dump();
  out += ": ";
  if (!field.empty()) {
    out += field;
    out += ": ";
  }
  out += what;
  return out;
}

namespace {

// A value as it appears in the file, shortened, for messages.
std::string Shown(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// Reads the fields of one JSON object, reporting problems under "<prefix><field>".
class Fields {
 public:
  Fields(const Json& obj, std::string prefix, std::string_view label, std::string_view key, Problems& problems)
      : m_obj(obj), m_prefix(std::move(prefix)), m_label(label), m_key(key), m_problems(problems) {}

  void Report(std::string_view field, std::string_view what) {
    m_problems.push_back(Problem(m_label, m_key, m_prefix + std::string(field), what));
  }

  // nullptr (and a problem if `required`) when absent.
  const Json* Get(std::string_view field, bool required) {
    m_seen.insert(std::string(field));
    auto it = m_obj.find(std::string(field));
    if (it == m_obj.end()) {
      if (required) Report(field, "missing");
      return nullptr;
    }
    return &*it;
  }

  void String(std::string_view field, std::string& out, bool required) {
    const Json* v = Get(field, required);
    if (!v) return;
    if (!v->is_string()) return Report(field, "expected a string, got " + Shown(*v));
    out = v->get<std::string>();
  }
  void Nullable(std::string_view field, NullableString& out, bool required) {
    const Json* v = Get(field, required);
    if (!v) return;
    if (v->is_null()) {
      out.reset();
      return;
    }
    if (!v->is_string()) return Report(field, "expected a string or null, got " + Shown(*v));
    out = v->get<std::string>();
  }
  void Bool(std::string_view field, bool& out, bool required) {
    const Json* v = Get(field, required);
    if (!v) return;
    if (!v->is_boolean()) return Report(field, "expected true or false, got " + Shown(*v));
    out = v->get<bool>();
  }
  void Int(std::string_view field, int& out, bool required) {
    const Json* v = Get(field, required);
    if (!v) return;
    if (!v->is_number_integer() || v->get<int64_t>() < -1'000'000 || v->get<int64_t>() > 1'000'000) {
      return Report(field, "expected an integer, got " + Shown(*v));
    }
    out = static_cast<int>(v->get<int64_t>());
  }
  void StringList(std::string_view field, std::vector<std::string>& out, bool required) {
    const Json* v = Get(field, required);
    if (!v) return;
    if (!v->is_array()) return Report(field, "expected an array of strings, got " + Shown(*v));
    std::vector<std::string> list;
    for (size_t i = 0; i < v->size(); ++i) {
      const Json& item = (*v)[i];
      if (!item.is_string()) {
        Report(std::string(field) + "[" + std::to_string(i) + "]", "expected a string, got " + Shown(item));
        return;
      }
      list.push_back(item.get<std::string>());
    }
    out = std::move(list);
  }
  // A nested object; nullptr (with a problem) if it is something else.
  const Json* Object(std::string_view field, bool required) {
    const Json* v = Get(field, required);
    if (!v) return nullptr;
    if (!v->is_object()) {
      Report(field, "expected an object, got " + Shown(*v));
      return nullptr;
    }
    return v;
  }

  // Fields present but never asked for, in order.
  Json Unread() const {
    Json extra = Json::object();
    for (auto it = m_obj.begin(); it != m_obj.end(); ++it) {
      if (!m_seen.count(it.key())) extra[it.key()] = it.value();
    }
    return extra;
  }
  const std::string& prefix() const { return m_prefix; }

 private:
  const Json& m_obj;
  std::string m_prefix;
  std::string_view m_label, m_key;
  Problems& m_problems;
  std::set<std::string> m_seen;
};

void ReadOrigins(Fields& parent, std::string_view name, Origins& out, std::string_view label, std::string_view key,
                 Problems& problems) {
  const Json* obj = parent.Object(name, true);
  if (!obj) return;
  Fields f(*obj, parent.prefix() + std::string(name) + ".", label, key, problems);
  f.Nullable("onion", out.onion, false);
  f.Nullable("clearnet", out.clearnet, false);
  f.Nullable("i2p", out.i2p, false);
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    if (it.key() != "onion" && it.key() != "clearnet" && it.key() != "i2p") {
      f.Report(it.key(), "unknown origin (known: onion, clearnet, i2p)");
    }
  }
}

Json Nullable(const NullableString& s) { return s ? Json(*s) : Json(nullptr); }

Json OriginsToJson(const Origins& o) {
  Json j = Json::object();
  j["onion"] = Nullable(o.onion);
  j["clearnet"] = Nullable(o.clearnet);
  j["i2p"] = Nullable(o.i2p);
  return j;
}

// ---- layout ------------------------------------------------------------------------------

constexpr size_t kWidth = 100;  // prettier's printWidth in RoboSats' frontend

// Non-ASCII as \u escapes, as the RoboSats file has it (it is pure ASCII).
std::string Scalar(const Json& v) { return v.dump(-1, ' ', true, Json::error_handler_t::replace); }

bool AllScalars(const Json& array) {
  for (const auto& item : array) {
    if (item.is_structured()) return false;
  }
  return true;
}

// `column`: where the value starts on its line; `tail`: characters after it on the line (",").
void Write(const Json& v, size_t indent, size_t column, size_t tail, std::string& out) {
  const std::string pad(indent, ' ');
  if (v.is_object()) {
    if (v.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    size_t n = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++n) {
      std::string key = Scalar(Json(it.key())) + ": ";
      out += pad + "  " + key;
      const bool last = n + 1 == v.size();
      Write(it.value(), indent + 2, indent + 2 + key.size(), last ? 0 : 1, out);
      out += last ? "\n" : ",\n";
    }
    out += pad + "}";
    return;
  }
  if (v.is_array()) {
    if (v.empty()) {
      out += "[]";
      return;
    }
    if (AllScalars(v)) {
      std::string inline_form = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) inline_form += ", ";
        inline_form += Scalar(v[i]);
      }
      inline_form += "]";
      if (column + inline_form.size() + tail <= kWidth) {
        out += inline_form;
        return;
      }
    }
    out += "[\n";
    for (size_t i = 0; i < v.size(); ++i) {
      out += pad + "  ";
      const bool last = i + 1 == v.size();
      Write(v[i], indent + 2, indent + 2, last ? 0 : 1, out);
      out += last ? "\n" : ",\n";
    }
    out += pad + "]";
    return;
  }
  out += Scalar(v);
}

}  // namespace

CoordinatorEntry EntryFromJson(const Json& value, std::string_view label, std::string_view key, Problems& problems) {
  CoordinatorEntry e;
  if (!value.is_object()) {
    problems.push_back(Problem(label, key, "", "expected an object, got " + Shown(value)));
    return e;
  }
  Fields f(value, "", label, key, problems);
  f.String("longAlias", e.long_alias, true);
  f.String("shortAlias", e.short_alias, true);
  f.String("identifier", e.identifier, true);
  f.String("description", e.description, false);
  f.String("motto", e.motto, false);
  f.String("color", e.color, false);
  f.String("established", e.established, true);
  f.String("nostrHexPubkey", e.nostr_hex_pubkey, true);
  if (const Json* contact = f.Object("contact", false)) {
    for (auto it = contact->begin(); it != contact->end(); ++it) {
      if (it.value().is_null()) {
        e.contact.emplace_back(it.key(), std::nullopt);
      } else if (it.value().is_string()) {
        e.contact.emplace_back(it.key(), it.value().get<std::string>());
      } else {
        f.Report("contact." + it.key(), "expected a string or null, got " + Shown(it.value()));
      }
    }
  }
  if (const Json* badges = f.Object("badges", true)) {
    Fields b(*badges, "badges.", label, key, problems);
    b.Bool("isFounder", e.badges.is_founder, false);
    b.Int("donatesToDevFund", e.badges.donates_to_dev_fund, true);
    b.Bool("hasGoodOpSec", e.badges.has_good_op_sec, false);
    b.Bool("hasLargeLimits", e.badges.has_large_limits, false);
    Json unknown = b.Unread();
    for (auto it = unknown.begin(); it != unknown.end(); ++it) {
      b.Report(it.key(), "unknown badge (known: isFounder, donatesToDevFund, hasGoodOpSec, hasLargeLimits)");
    }
  }
  if (const Json* policies = f.Object("policies", false)) {
    for (auto it = policies->begin(); it != policies->end(); ++it) {
      if (!it.value().is_string()) {
        f.Report("policies." + Json(it.key()).dump(), "expected a string, got " + Shown(it.value()));
        continue;
      }
      e.policies.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  ReadOrigins(f, "mainnet", e.mainnet, label, key, problems);
  ReadOrigins(f, "testnet", e.testnet, label, key, problems);
  f.StringList("mainnetNodesPubkeys", e.mainnet_nodes_pubkeys, false);
  f.StringList("testnetNodesPubkeys", e.testnet_nodes_pubkeys, false);
  f.Bool("federated", e.federated, false);
  e.extra = f.Unread();
  return e;
}

Json EntryToJson(const CoordinatorEntry& e) {
  Json j = Json::object();
  j["longAlias"] = e.long_alias;
  j["shortAlias"] = e.short_alias;
  j["identifier"] = e.identifier;
  j["description"] = e.description;
  j["motto"] = e.motto;
  j["color"] = e.color;
  j["established"] = e.established;
  j["nostrHexPubkey"] = e.nostr_hex_pubkey;
  Json contact = Json::object();
  for (const auto& [k, v] : e.contact) contact[k] = Nullable(v);
  j["contact"] = contact;
  j["badges"] = Json::object();
  j["badges"]["isFounder"] = e.badges.is_founder;
  j["badges"]["donatesToDevFund"] = e.badges.donates_to_dev_fund;
  j["badges"]["hasGoodOpSec"] = e.badges.has_good_op_sec;
  j["badges"]["hasLargeLimits"] = e.badges.has_large_limits;
  Json policies = Json::object();
  for (const auto& [k, v] : e.policies) policies[k] = v;
  j["policies"] = policies;
  j["mainnet"] = OriginsToJson(e.mainnet);
  j["testnet"] = OriginsToJson(e.testnet);
  j["mainnetNodesPubkeys"] = e.mainnet_nodes_pubkeys;
  j["testnetNodesPubkeys"] = e.testnet_nodes_pubkeys;
  j["federated"] = e.federated;
  for (auto it = e.extra.begin(); it != e.extra.end(); ++it) j[it.key()] = it.value();
  return j;
}

base::Expected<FederationFile, Problems> ParseFederation(std::string_view text, std::string_view label) {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    // Parse again with exceptions only to get the position of the error for the message.
    std::string why = "not valid JSON";
    try {
      Json ignored = Json::parse(text);
      (void)ignored;
    } catch (const std::exception& e) {
      why += std::string(" (") + e.what() + ")";
    }
    return base::Err(Problems{std::string(label) + ": " + why});
  }
  if (!doc.is_object()) {
    return base::Err(Problems{std::string(label) + ": expected an object of entries keyed by shortAlias, got " +
                              Shown(doc)});
  }
  FederationFile file;
  Problems problems;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    file.entries.emplace_back(it.key(), EntryFromJson(it.value(), label, it.key(), problems));
  }
  if (!problems.empty()) return base::Err(std::move(problems));
  return file;
}

base::Expected<FederationFile, Problems> LoadFederation(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Err(Problems{path + ": cannot be read: " + std::strerror(errno)});
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseFederation(buffer.str(), path);
}

std::string PrettyJson(const Json& value) {
  std::string out;
  Write(value, 0, 0, 0, out);
  out += "\n";
  return out;
}

std::string SerializeFederation(const FederationFile& file) {
  Json doc = Json::object();
  for (const auto& [key, entry] : file.entries) doc[key] = EntryToJson(entry);
  return PrettyJson(doc);
}

base::Expected<void, std::string> WriteFileAtomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmp = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return base::Err(path + ": cannot create a temporary file beside it: " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return base::Err(path + ": " + what + ": " + std::strerror(err));
  };
  struct stat st {};
  mode_t mode = 0644;
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  if (::fchmod(fd, mode) != 0) return fail("chmod");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return base::Err(path + ": close: " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return base::Err(path + ": rename: " + std::strerror(err));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace federation
