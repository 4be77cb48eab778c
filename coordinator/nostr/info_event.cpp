#include "coordinator/nostr/info_event.h"

#include <algorithm>
#include <cctype>

namespace coordinator::nostr {
namespace {

constexpr const char* kParameters[] = {"maker_fee",   "taker_fee", "bond_size",  "min_order_size",
                                       "max_order_size", "dispute_resolution_hours", "network",
                                       "node_id",     "node_alias", "lnd_version"};

std::string Text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string VersionText(const nlohmann::json& v) {
  if (!v.is_object()) return Text(v);
  return std::to_string(v.value("major", 0)) + "." + std::to_string(v.value("minor", 0)) + "." +
         std::to_string(v.value("patch", 0));
}

}  // namespace

nlohmann::json InfoParameters(const nlohmann::json& info) {
  nlohmann::json p = nlohmann::json::object();
  if (!info.is_object()) return p;
  if (info.contains("version")) p["version"] = VersionText(info["version"]);
  if (info.contains("robosats_running_commit_hash")) p["commit_hash"] = Text(info["robosats_running_commit_hash"]);
  for (const char* k : kParameters) {
    if (info.contains(k)) p[k] = Text(info[k]);
  }
  return p;
}

Event InfoEvent(const nlohmann::json& info, const std::string& pubkey, const std::string& alias,
                const std::string& host, int64_t created_at) {
  Event e;
  e.kind = kInfoEventKind;
  e.created_at = created_at;
  e.pubkey = pubkey;
  const nlohmann::json p = InfoParameters(info);
  e.tags.push_back({"d", pubkey});
  for (const char* k : {"version", "commit_hash"}) {
    if (p.contains(k)) e.tags.push_back({k, p[k].get<std::string>()});
  }
  for (const char* k : kParameters) {
    if (p.contains(k)) e.tags.push_back({k, p[k].get<std::string>()});
  }
  e.tags.push_back({"host", host});
  std::string lower = alias;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  e.tags.push_back({"y", "robosats", lower});
  e.tags.push_back({"z", "info"});
  e.content = p.dump();
  return e;
}

}  // namespace coordinator::nostr
