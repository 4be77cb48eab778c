// The network YAML (escrow/simln/example-network.yaml) → NetworkSpec, and FailureMode names.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "escrow/simln/network.h"
#include "escrow/simln/payreq.h"

namespace escrow::simln {
namespace {

using SpecResult = base::Expected<NetworkSpec, std::string>;

constexpr std::pair<FailureMode, const char*> kFailureModes[] = {
    {FailureMode::kNone, "NONE"},
    {FailureMode::kNoRoute, "NO_ROUTE"},
    {FailureMode::kInsufficientBalance, "INSUFFICIENT_BALANCE"},
    {FailureMode::kTimeout, "TIMEOUT"},
    {FailureMode::kOffline, "OFFLINE"},
    {FailureMode::kSlowReplies, "SLOW_REPLIES"},
};

bool IsValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Reads a scalar of type T at `node[key]` into `*out` when present. Returns an error naming
// `where.key` when the value has the wrong type or range.
template <class T>
base::Expected<void, std::string> ReadScalar(const YAML::Node& node, const char* key,
                                             const std::string& where, T* out) {
  YAML::Node v = node[key];
  if (!v) return {};
  std::string path = where.empty() ? std::string(key) : where + "." + key;
  if (!v.IsScalar()) return base::Err(path + ": expected a scalar");
  try {
    *out = v.as<T>();
  } catch (const YAML::Exception&) {
    return base::Err(path + ": invalid value '" + v.Scalar() + "'");
  }
  return {};
}

base::Expected<void, std::string> CheckKeys(const YAML::Node& node, const std::string& where,
                                            std::initializer_list<const char*> allowed) {
  if (!node.IsMap())
    return base::Err((where.empty() ? std::string("document") : where) + ": expected a mapping");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) return base::Err((where.empty() ? key : where + "." + key) + ": unknown key");
  }
  return {};
}

#define SIMLN_TRY(expr)                    \
  do {                                     \
    auto _s = (expr);                      \
    if (!_s) return base::Err(_s.error()); \
  } while (0)

SpecResult ParseRoot(const YAML::Node& root) {
  NetworkSpec spec;
  SIMLN_TRY(CheckKeys(root, "", {"network", "start_height", "block_interval_seconds", "nodes", "channels"}));
  SIMLN_TRY(ReadScalar(root, "network", "", &spec.network));
  SIMLN_TRY(ReadScalar(root, "start_height", "", &spec.start_height));
  SIMLN_TRY(ReadScalar(root, "block_interval_seconds", "", &spec.block_interval_seconds));

  YAML::Node nodes = root["nodes"];
  if (nodes && !nodes.IsSequence()) return base::Err("nodes: expected a list");
  for (size_t i = 0; nodes && i < nodes.size(); ++i) {
    std::string where = "nodes[" + std::to_string(i) + "]";
    YAML::Node n = nodes[i];
    NodeSpec ns;
    if (n.IsScalar()) {  // "- alice" is short for "- name: alice"
      ns.name = n.Scalar();
    } else {
      SIMLN_TRY(CheckKeys(n, where, {"name", "seed"}));
      SIMLN_TRY(ReadScalar(n, "name", where, &ns.name));
      SIMLN_TRY(ReadScalar(n, "seed", where, &ns.seed));
      if (ns.name.empty()) return base::Err(where + ".name: required");
    }
    spec.nodes.push_back(std::move(ns));
  }

  YAML::Node channels = root["channels"];
  if (channels && !channels.IsSequence()) return base::Err("channels: expected a list");
  for (size_t i = 0; channels && i < channels.size(); ++i) {
    std::string where = "channels[" + std::to_string(i) + "]";
    YAML::Node c = channels[i];
    ChannelSpec cs;
    SIMLN_TRY(CheckKeys(c, where,
                        {"node_a", "node_b", "a_balance_sat", "b_balance_sat", "base_fee_msat",
                         "fee_rate_ppm", "cltv_delta"}));
    SIMLN_TRY(ReadScalar(c, "node_a", where, &cs.node_a));
    SIMLN_TRY(ReadScalar(c, "node_b", where, &cs.node_b));
    SIMLN_TRY(ReadScalar(c, "a_balance_sat", where, &cs.a_balance_sat));
    SIMLN_TRY(ReadScalar(c, "b_balance_sat", where, &cs.b_balance_sat));
    SIMLN_TRY(ReadScalar(c, "base_fee_msat", where, &cs.base_fee_msat));
    SIMLN_TRY(ReadScalar(c, "fee_rate_ppm", where, &cs.fee_rate_ppm));
    SIMLN_TRY(ReadScalar(c, "cltv_delta", where, &cs.cltv_delta));
    if (cs.node_a.empty()) return base::Err(where + ".node_a: required");
    if (cs.node_b.empty()) return base::Err(where + ".node_b: required");
    spec.channels.push_back(std::move(cs));
  }
  SIMLN_TRY(ValidateNetworkSpec(spec));
  return spec;
}

#undef SIMLN_TRY

}  // namespace

const char* FailureModeName(FailureMode m) {
  switch (m) {
    case FailureMode::kNone: return "NONE";
    case FailureMode::kNoRoute: return "NO_ROUTE";
    case FailureMode::kInsufficientBalance: return "INSUFFICIENT_BALANCE";
    case FailureMode::kTimeout: return "TIMEOUT";
    case FailureMode::kOffline: return "OFFLINE";
    case FailureMode::kSlowReplies: return "SLOW_REPLIES";
  }
  return "?";
}

std::optional<FailureMode> FailureModeFromName(std::string_view name) {
  for (const auto& [mode, n] : kFailureModes) {
    if (name == n) return mode;
  }
  return std::nullopt;
}

base::Expected<void, std::string> ValidateNetworkSpec(const NetworkSpec& spec) {
  if (!Bolt11PrefixForNetwork(spec.network))
    return base::Err("network: unknown network '" + spec.network + "'");
  if (spec.block_interval_seconds <= 0) return base::Err("block_interval_seconds: must be > 0");
  std::set<std::string> names;
  for (size_t i = 0; i < spec.nodes.size(); ++i) {
    std::string where = "nodes[" + std::to_string(i) + "].name";
    const std::string& name = spec.nodes[i].name;
    if (!IsValidName(name)) return base::Err(where + ": '" + name + "' is not [a-z0-9_-]{1,64}");
    if (!names.insert(name).second) return base::Err(where + ": duplicate node '" + name + "'");
  }
  for (size_t i = 0; i < spec.channels.size(); ++i) {
    std::string where = "channels[" + std::to_string(i) + "]";
    const ChannelSpec& c = spec.channels[i];
    if (!names.count(c.node_a)) return base::Err(where + ".node_a: unknown node '" + c.node_a + "'");
    if (!names.count(c.node_b)) return base::Err(where + ".node_b: unknown node '" + c.node_b + "'");
    if (c.node_a == c.node_b) return base::Err(where + ".node_b: a channel needs two distinct nodes");
    // 21 million BTC in sat: nothing bigger can exist, and msat sums stay within int64.
    constexpr int64_t kMaxSat = 2'100'000'000'000'000;
    if (c.a_balance_sat < 0 || c.a_balance_sat > kMaxSat)
      return base::Err(where + ".a_balance_sat: out of range");
    if (c.b_balance_sat < 0 || c.b_balance_sat > kMaxSat)
      return base::Err(where + ".b_balance_sat: out of range");
    if (c.base_fee_msat < 0 || c.base_fee_msat > std::numeric_limits<uint32_t>::max()) {
      return base::Err(where + ".base_fee_msat: out of range");
    }
    if (c.fee_rate_ppm < 0 || c.fee_rate_ppm > 1'000'000)
      return base::Err(where + ".fee_rate_ppm: out of range");
    if (c.cltv_delta > 65535) return base::Err(where + ".cltv_delta: out of range (16 bits)");
  }
  return {};
}

base::Expected<NetworkSpec, std::string> ParseNetworkSpec(const std::string& yaml_text) {
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root || root.IsNull()) return base::Err("document: empty");
    return ParseRoot(root);
  } catch (const YAML::Exception& e) {
    return base::Err(std::string("yaml: ") + e.what());
  }
}

base::Expected<NetworkSpec, std::string> LoadNetworkSpec(const std::string& yaml_path) {
  std::ifstream in(yaml_path);
  if (!in) return base::Err("cannot read " + yaml_path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto spec = ParseNetworkSpec(ss.str());
  if (!spec) return base::Err(yaml_path + ": " + spec.error());
  return spec;
}

}  // namespace escrow::simln
