#include "federation/robot/cli_context.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <ostream>
#include <thread>

#include "federation/prices/http_get.h"
#include "federation/robot/trade_step.h"

namespace federation::robot::cli {
namespace {

std::optional<int64_t> ParsePositive(const std::string& s, int64_t max) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0 || v > max) return std::nullopt;
  return v;
}

std::string StripSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string Names(const std::vector<CoordinatorRef>& refs) {
  std::string s;
  for (const auto& r : refs) s += (s.empty() ? "" : ", ") + r.short_alias;
  return s.empty() ? "none" : s;
}

}  // namespace

void Progress::Update(const std::string& text) {
  if (text == m_last) return;
  m_last = text;
  if (m_tty) {
    m_err << "\r\033[K" << text << std::flush;
    m_open = true;
  } else {
    m_err << text << "\n" << std::flush;
  }
}

void Progress::Done() {
  if (m_open) m_err << "\n" << std::flush;
  m_open = false;
}

std::string Describe(const OrderRef& ref) { return "order " + std::to_string(ref.id) + " at " + ref.coordinator; }

Context::Context(Args args, std::ostream& out, std::ostream& err, bool err_is_tty)
    : m_args(std::move(args)), m_out(out), m_err(err), m_err_tty(err_is_tty) {}

HttpOptions Context::http() const {
  HttpOptions o;
  o.proxy = m_args.Get("proxy").value_or("");
  o.timeout = std::min<std::chrono::milliseconds>(m_timeout, std::chrono::seconds(60));
  return o;
}

base::Expected<void, std::string> Context::Prepare() {
  if (auto t = m_args.Get("timeout")) {
    auto v = ParsePositive(*t, 86400);
    if (!v) return base::Err("--timeout must be a number of seconds between 1 and 86400");
    m_timeout = std::chrono::seconds(*v);
  }
  if (auto n = m_args.Get("network"); n && *n != "mainnet" && *n != "testnet") {
    return base::Err("--network must be mainnet or testnet");
  }
  if (auto p = m_args.Get("proxy")) {
    if (auto ok = federation::CheckProxyUrl(*p); !ok) return base::Err(ok.error());
  }
  if (auto d = m_args.Get("dir")) {
    if (m_args.Get("name")) return base::Err("give --dir or --name, not both");
    m_dir = *d;
  } else {
    auto dir = DefaultRobotDir(m_args.Get("name").value_or("default"));
    if (!dir) return base::Err(dir.error());
    m_dir = *dir;
  }
  return {};
}

base::Expected<void, std::string> Context::LoadRobot() {
  if (m_robot) return {};
  auto robot = federation::robot::LoadRobot(m_dir);
  if (!robot) return base::Err(robot.error());
  auto state = LoadState(m_dir);
  if (!state) return base::Err(state.error());
  m_robot = std::move(robot.value());
  m_state = std::move(state.value());
  return {};
}

base::Expected<void, std::string> Context::SaveState() { return federation::robot::SaveState(m_dir, m_state); }

base::Expected<std::vector<CoordinatorRef>, std::string> Context::Federation() const {
  auto path = m_args.Get("federation");
  if (!path) return base::Err(std::string("no federation file (--federation FILE)"));
  const Network network = m_args.Get("network").value_or("mainnet") == "testnet" ? Network::kTestnet : Network::kMainnet;
  const Transport transport = m_args.Has("clearnet") ? Transport::kClearnet : Transport::kOnion;
  return ReadFederationFile(*path, network, transport);
}

base::Expected<std::vector<Coordinator>, std::string> Context::SelectedCoordinators(bool fallback_known) {
  auto alias = m_args.Get("coordinator");
  if (auto url = m_args.Get("url")) {
    const std::string u = StripSlash(*url);
    if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) {
      return base::Err("--url must be an http:// or https:// URL");
    }
    return std::vector<Coordinator>{{alias.value_or(u), u}};
  }
  if (m_args.Get("federation")) {
    auto refs = Federation();
    if (!refs) return base::Err(refs.error());
    std::vector<Coordinator> out;
    for (const auto& r : *refs) {
      if (alias ? r.short_alias == *alias : r.federated) out.push_back({r.short_alias, r.url});
    }
    if (alias && out.empty()) {
      return base::Err("no coordinator '" + *alias + "' with a URL for this network in " +
                       *m_args.Get("federation") + " (there: " + Names(*refs) + ")");
    }
    if (out.empty()) return base::Err("the federation file lists no coordinator with a URL for this network");
    return out;
  }
  if (alias) {
    if (!m_robot) return base::Err("--coordinator " + *alias + " needs --federation FILE");
    for (const auto& [key, url] : m_state.known) {
      if (key == *alias) return std::vector<Coordinator>{{key, url}};
    }
    return base::Err("the robot does not know coordinator '" + *alias + "' yet: give --federation FILE");
  }
  if (fallback_known && m_robot && !m_state.known.empty()) {
    std::vector<Coordinator> out;
    for (const auto& [key, url] : m_state.known) out.push_back({key, url});
    return out;
  }
  return base::Err(std::string("choose the coordinators: --federation FILE [--coordinator ALIAS] or --url URL"));
}

base::Expected<Coordinator, std::string> Context::OneCoordinator() {
  auto all = SelectedCoordinators(true);
  if (!all) return base::Err(all.error());
  if (all->size() != 1) {
    std::string names;
    for (const auto& c : *all) names += (names.empty() ? "" : ", ") + c.key;
    return base::Err("choose one coordinator with --coordinator ALIAS (" + names + ")");
  }
  return all->front();
}

base::Expected<OrderRef, std::string> Context::ResolveOrder(const std::string& arg) {
  if (arg.empty()) {
    if (m_state.current) return *m_state.current;
    return base::Err(std::string("no current order: give ORDER (ALIAS/ID, or ID with --coordinator/--url)"));
  }
  std::string alias;
  std::string id_text = arg;
  if (size_t slash = arg.rfind('/'); slash != std::string::npos) {
    alias = arg.substr(0, slash);
    id_text = arg.substr(slash + 1);
  }
  auto id = ParsePositive(id_text, std::numeric_limits<int64_t>::max());
  if (!id) return base::Err("bad order '" + arg + "': expected ALIAS/ID or ID");
  if (!alias.empty()) {
    if (m_args.Get("federation")) {
      auto refs = Federation();
      if (!refs) return base::Err(refs.error());
      for (const auto& r : *refs) {
        if (r.short_alias == alias) return OrderRef{alias, r.url, *id};
      }
      return base::Err("no coordinator '" + alias + "' in the federation file (there: " + Names(*refs) + ")");
    }
    for (const auto& [key, url] : m_state.known) {
      if (key == alias) return OrderRef{alias, url, *id};
    }
    for (const auto& o : m_state.orders) {
      if (o.coordinator == alias) return OrderRef{alias, o.url, *id};
    }
    return base::Err("coordinator '" + alias + "' is unknown to this robot: give --federation FILE");
  }
  if (m_args.Get("url") || m_args.Get("coordinator")) {
    auto c = OneCoordinator();
    if (!c) return base::Err(c.error());
    return OrderRef{c->key, c->url, *id};
  }
  for (auto it = m_state.orders.rbegin(); it != m_state.orders.rend(); ++it) {
    if (it->id == *id) return *it;
  }
  return base::Err("order " + id_text + " is not one of this robot's: give ALIAS/ID or --coordinator/--url");
}

base::Expected<ApiReply, std::string> Context::Call(const Coordinator& c, const std::string& method,
                                                    const std::string& path, const Json* body, bool client_sends_keys) {
  const bool known = m_state.IsKnown(c.key);
  CoordinatorApi api(c.key, c.url, http());
  auto reply = api.Call(*m_robot, method, path, body, client_sends_keys || !known);
  if (reply && reply->ok() && !known) {
    m_state.MarkKnown(c.key, c.url);
    if (auto saved = SaveState(); !saved) m_err << "robot: warning: " << saved.error() << "\n";
  }
  return reply;
}

base::Expected<ApiReply, std::string> Context::GetOrder(const OrderRef& ref) {
  // Order.model.ts fecth: GET with getAuthHeaders() (the keys).
  return Call({ref.coordinator, ref.url}, "GET", "/api/order/?order_id=" + std::to_string(ref.id), nullptr, true);
}

base::Expected<ApiReply, std::string> Context::OrderAction(const OrderRef& ref, const Json& body) {
  // Order.model.ts submitAction: POST with { tokenSHA256 } only.
  return Call({ref.coordinator, ref.url}, "POST", "/api/order/?order_id=" + std::to_string(ref.id), &body, false);
}

base::Expected<std::unique_ptr<Wallet>, std::string> Context::OpenWallet(const std::string& name) {
  std::string nodes = "data/simln/nodes.json";
  if (const char* env = std::getenv("ROBOT_WALLETS"); env != nullptr && *env != '\0') nodes = env;
  if (auto flag = m_args.Get("wallets")) nodes = *flag;
  auto endpoint = FindWallet(nodes, name);
  if (!endpoint) return base::Err(endpoint.error());
  return Wallet::Open(*endpoint);
}

base::Expected<Json, std::string> Context::WaitOrder(const OrderRef& ref, const std::function<bool(const Json&)>& done,
                                                     const std::string& waiting_for) {
  Progress progress(m_err, m_err_tty);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + m_timeout;
  Json last;
  std::string last_problem;
  for (;;) {
    auto reply = GetOrder(ref);
    if (reply && reply->ok()) {
      last = reply->json;
      if (done(last)) return last;
      last_problem.clear();
    } else if (reply && reply->error_code() == 1043) {
      return base::Err(Describe(ref) + " was cancelled");
    } else if (reply && reply->status >= 400 && reply->status < 500 && reply->status != 429) {
      return base::Err(Describe(ref) + ": " + reply->Describe());
    } else {
      last_problem = reply ? reply->Describe() : reply.error();
    }
    const auto now = std::chrono::steady_clock::now();
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - start).count();
    std::string line = Describe(ref) + ": ";
    if (last.is_object() && last.contains("status") && last["status"].is_number_integer()) {
      const int status = last["status"].get<int>();
      line += "status " + std::to_string(status) + " (" + std::string(StatusName(status)) + ")";
    } else {
      line += "no answer yet";
    }
    line += " - waiting for " + waiting_for + " (" + std::to_string(waited) + " s)";
    if (!last_problem.empty()) line += " [" + last_problem + "]";
    progress.Update(line);
    if (now >= deadline) {
      progress.Done();
      return base::Err("gave up after " + std::to_string(m_timeout.count()) + " s waiting for " + waiting_for + " (" +
                       Describe(ref) + ")");
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(1), deadline - now));
  }
}

int Context::Fail(const std::string& message) {
  m_err << "robot: " << message << "\n";
  if (json()) m_out << Json{{"ok", false}, {"error", message}}.dump(2) << "\n";
  return kExitFailed;
}

int Context::Refused(const std::string& what, const ApiReply& reply) {
  const std::string message = what + ": the coordinator answered " + reply.Describe();
  m_err << "robot: " << message << "\n";
  if (json()) {
    Json j = {{"ok", false}, {"error", message}, {"http_status", reply.status}};
    if (int code = reply.error_code(); code != 0) j["error_code"] = code;
    if (!reply.json.is_discarded()) j["reply"] = reply.json;
    m_out << j.dump(2) << "\n";
  }
  return kExitFailed;
}

int Context::Usage(const std::string& message) {
  m_err << "robot: " << message << "\n(robot --help, robot COMMAND --help)\n";
  return kExitUsage;
}

int Context::Done(const Json& result) {
  if (json()) m_out << result.dump(2) << "\n";
  return kExitOk;
}

void Context::Say(const std::string& line) {
  if (!json()) m_out << line << "\n";
}

}  // namespace federation::robot::cli
