#include "escrow/simln/control_api.h"

#include <openssl/crypto.h>

#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "config/base/log.h"

namespace escrow::simln {
namespace {

using nlohmann::json;

constexpr char kComponent[] = "simln.control";

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void Reply(http::ResponseWriter& w, const json& body) { w.Respond(200, "application/json", Dump(body)); }
void Fail(http::ResponseWriter& w, int status, const std::string& message) {
  w.Respond(status, "application/json", Dump({{"error", message}}));
}

// An integer from a JSON number or a decimal string.
std::optional<int64_t> Int(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

std::optional<uint64_t> Uint(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i < 0) return std::nullopt;
    return static_cast<uint64_t>(i);
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    uint64_t out = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

json FailureJson(const FailureSetting& f) {
  return {{"mode", FailureModeName(f.mode)}, {"delay_ms", f.delay_ms}};
}

}  // namespace

ControlService::ControlService(Network& network, Options options)
    : m_network(network), m_options(std::move(options)) {}

void ControlService::Handle(const http::Request& req, http::ResponseWriter& w) {
  auto auth = req.Header("authorization");
  const std::string expected = "Bearer " + m_options.token;
  if (!auth || auth->size() != expected.size() ||
      CRYPTO_memcmp(auth->data(), expected.data(), expected.size()) != 0) {
    return Fail(w, 401, "missing or wrong bearer token");
  }
  json body = json::object();
  if (req.method == "POST" && !req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return Fail(w, 400, "body must be a JSON object");
  }
  auto field = [&](const char* name) -> const json* {
    auto it = body.find(name);
    return it == body.end() || it->is_null() ? nullptr : &*it;
  };

  if (req.path == "/control/state") {
    if (req.method != "GET") return Fail(w, 405, "use GET");
    json nodes = json::array();
    for (const auto& name : m_network.NodeNames()) {
      auto v = m_network.GetNode(name);
      if (!v) continue;
      nodes.push_back({{"name", v->name},
                       {"pubkey", v->pubkey_hex},
                       {"local_msat", v->balance.local_msat},
                       {"remote_msat", v->balance.remote_msat},
                       {"unsettled_local_msat", v->balance.unsettled_local_msat},
                       {"unsettled_remote_msat", v->balance.unsettled_remote_msat},
                       {"failure", FailureJson(v->failure)}});
    }
    json channels = json::array();
    for (const auto& c : m_network.Channels()) {
      channels.push_back({{"chan_id", std::to_string(c.chan_id)},
                          {"node_a", c.node_a},
                          {"node_b", c.node_b},
                          {"a_local_msat", c.a_local_msat},
                          {"b_local_msat", c.b_local_msat},
                          {"a_pending_out_msat", c.a_pending_out_msat},
                          {"b_pending_out_msat", c.b_pending_out_msat},
                          {"base_fee_msat", c.base_fee_msat},
                          {"fee_rate_ppm", c.fee_rate_ppm},
                          {"cltv_delta", c.cltv_delta},
                          {"failure", FailureJson(c.failure)}});
    }
    return Reply(w, {{"height", m_network.BlockHeight()},
                     {"now", m_options.clock->NowSeconds()},
                     {"total_msat", m_network.TotalMsat()},
                     {"nodes", nodes},
                     {"channels", channels}});
  }

  if (req.path == "/control/mine") {
    if (req.method != "POST") return Fail(w, 405, "use POST");
    int64_t blocks = 1;
    if (const json* b = field("blocks")) {
      auto n = Int(*b);
      if (!n || *n < 1 || *n > 100000) return Fail(w, 400, "blocks must be an integer in 1..100000");
      blocks = *n;
    }
    m_network.MineBlocks(static_cast<uint32_t>(blocks));
    m_network.Tick();
    base::Log(base::LogLevel::kInfo, kComponent, "mined",
              {{"blocks", std::to_string(blocks)}, {"height", std::to_string(m_network.BlockHeight())}});
    return Reply(w, {{"height", m_network.BlockHeight()}});
  }

  if (req.path == "/control/advance") {
    if (req.method != "POST") return Fail(w, 405, "use POST");
    if (!m_options.advance_clock) return Fail(w, 501, "this network's clock cannot be advanced");
    const json* s = field("seconds");
    auto seconds = s ? Int(*s) : std::nullopt;
    if (!seconds || *seconds < 0 || *seconds > 10L * 365 * 24 * 3600) {
      return Fail(w, 400, "seconds must be an integer in 0..315360000");
    }
    if (auto advanced = m_options.advance_clock(std::chrono::seconds(*seconds)); !advanced) {
      return Fail(w, 500, advanced.error());
    }
    m_network.Tick();
    base::Log(base::LogLevel::kInfo, kComponent, "clock advanced", {{"seconds", std::to_string(*seconds)}});
    return Reply(w, {{"now", m_options.clock->NowSeconds()}, {"height", m_network.BlockHeight()}});
  }

  if (req.path == "/control/failure") {
    if (req.method != "POST") return Fail(w, 405, "use POST");
    const json* mode_field = field("mode");
    if (mode_field == nullptr || !mode_field->is_string()) return Fail(w, 400, "mode is required");
    auto mode = FailureModeFromName(mode_field->get<std::string>());
    if (!mode) {
      return Fail(w, 400,
                  "mode must be one of NONE, NO_ROUTE, INSUFFICIENT_BALANCE, TIMEOUT, OFFLINE, SLOW_REPLIES");
    }
    FailureSetting setting{*mode, 0};
    if (const json* d = field("delay_ms")) {
      auto delay = Int(*d);
      if (!delay || *delay < 0 || *delay > 600000)
        return Fail(w, 400, "delay_ms must be an integer in 0..600000");
      setting.delay_ms = *delay;
    }
    const json* node = field("node");
    const json* chan = field("chan_id");
    if ((node == nullptr) == (chan == nullptr)) return Fail(w, 400, "give exactly one of node and chan_id");
    json echo = FailureJson(setting);
    if (node != nullptr) {
      if (!node->is_string()) return Fail(w, 400, "node must be a string");
      std::string name = node->get<std::string>();
      if (!m_network.GetNode(name)) return Fail(w, 404, "unknown node " + name);
      m_network.SetNodeFailure(name, setting);
      echo["node"] = name;
    } else {
      auto id = Uint(*chan);
      if (!id) return Fail(w, 400, "chan_id must be an unsigned integer");
      bool known = false;
      for (const auto& c : m_network.Channels()) known = known || c.chan_id == *id;
      if (!known) return Fail(w, 404, "unknown channel " + std::to_string(*id));
      m_network.SetChannelFailure(*id, setting);
      echo["chan_id"] = std::to_string(*id);
    }
    if (m_options.on_failure_change) m_options.on_failure_change();
    base::Log(base::LogLevel::kInfo, kComponent, "failure set", {{"setting", Dump(echo)}});
    return Reply(w, echo);
  }

  return Fail(w, 404, "no such control endpoint");
}

}  // namespace escrow::simln
