// simln: the simulated Lightning network daemon and the trader's CLI around it.
//
//   simln serve    --network FILE --state-dir DIR [--base-port N] [--control-port N] [--log-level L]
//   simln embedded --state-dir DIR [--base-port N] [--control-port N] [--log-level L]
//   simln pay      --state-dir DIR --from NAME PAYREQ [--amount-sat N] [--fee-limit-sat N]
//                  [--timeout-seconds N] [--wait-seconds N]
//   simln invoice  --state-dir DIR --node NAME --amount-sat N [--memo M] [--expiry-seconds N]
//   simln balances --state-dir DIR
//   simln mine     --state-dir DIR N
//   simln fail     --state-dir DIR (--node NAME | --chan-id ID) --mode MODE [--delay-ms N]
//   simln advance  --state-dir DIR SECONDS
//
// `serve`/`embedded` print one line, the path of nodes.json, once every listener is up, and
// stop cleanly on SIGTERM/SIGINT. `pay`/`invoice` talk to the node over its own LND REST API
// (escrow/lnd); `balances`/`mine`/`fail`/`advance` use the daemon's control API.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/base/log.h"
#include "escrow/bolt11.h"
#include "escrow/lnd/lnd_node.h"
#include "escrow/simln/control_client.h"
#include "escrow/simln/daemon.h"
#include "escrow/simln/embedded.h"
#include "escrow/simln/network.h"
#include "escrow/simln/offset_clock.h"
#include "escrow/stream_queue.h"

namespace {

using escrow::simln::ControlEndpoint;
using nlohmann::json;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;

  std::optional<std::string> Get(const std::string& name) const {
    auto it = flags.find(name);
    if (it == flags.end()) return std::nullopt;
    return it->second;
  }
};

std::optional<Args> ParseArgs(int argc, char** argv, int first) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      if (i + 1 >= argc) {
        std::cerr << "simln: " << a << " needs a value\n";
        return std::nullopt;
      }
      args.flags[a.substr(2)] = argv[++i];
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

std::optional<int64_t> ToInt(const std::optional<std::string>& text, int64_t min, int64_t max) {
  if (!text) return std::nullopt;
  try {
    size_t used = 0;
    long long v = std::stoll(*text, &used);
    if (used != text->size() || v < min || v > max) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int Usage() {
  std::cerr << "usage:\n"
               "  simln serve    --network FILE --state-dir DIR [--base-port N] [--control-port N]\n"
               "                 [--log-level debug|info|warn|error]\n"
               "  simln embedded --state-dir DIR [--base-port N] [--control-port N] [--log-level L]\n"
               "  simln pay      --state-dir DIR --from NAME PAYREQ [--amount-sat N] [--fee-limit-sat N]\n"
               "                 [--timeout-seconds N] [--wait-seconds N]\n"
               "  simln invoice  --state-dir DIR --node NAME --amount-sat N [--memo M] [--expiry-seconds N]\n"
               "  simln balances --state-dir DIR\n"
               "  simln mine     --state-dir DIR N\n"
               "  simln fail     --state-dir DIR (--node NAME | --chan-id ID) --mode MODE [--delay-ms N]\n"
               "                 MODE: NONE NO_ROUTE INSUFFICIENT_BALANCE TIMEOUT OFFLINE SLOW_REPLIES\n"
               "  simln advance  --state-dir DIR SECONDS\n";
  return kUsage;
}

// Blocks SIGTERM/SIGINT in this thread (and in every thread started after), so that the main
// thread can wait for them with sigwait.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int WaitForStop(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  std::cerr << "simln: stopping on signal " << sig << "\n";
  return sig;
}

struct Serving {
  std::unique_ptr<escrow::simln::OffsetClock> clock;
  std::function<base::Expected<void, std::string>(std::chrono::seconds)> advance;
};

std::optional<Serving> OpenClock(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) {
    std::cerr << "simln: cannot create " << state_dir << ": " << ec.message() << "\n";
    return std::nullopt;
  }
  auto clock = escrow::simln::OffsetClock::Open(state_dir + "/clock_offset");
  if (!clock) {
    std::cerr << "simln: " << clock.error() << "\n";
    return std::nullopt;
  }
  Serving s;
  s.clock = std::move(*clock);
  escrow::simln::OffsetClock* raw = s.clock.get();
  s.advance = [raw](std::chrono::seconds by) { return raw->Advance(by); };
  return s;
}

int Serve(const Args& args, bool embedded) {
  auto state_dir = args.Get("state-dir");
  auto network_file = args.Get("network");
  if (!state_dir || (!embedded && !network_file)) return Usage();
  auto base_port = ToInt(args.Get("base-port").value_or("0"), 0, 65535);
  auto control_port = ToInt(args.Get("control-port").value_or("0"), 0, 65535);
  if (!base_port || !control_port) return Usage();
  // JSON log lines on stderr at this level and above (default info; debug: every REST request).
  const std::map<std::string, base::LogLevel> levels = {{"debug", base::LogLevel::kDebug},
                                                        {"info", base::LogLevel::kInfo},
                                                        {"warn", base::LogLevel::kWarn},
                                                        {"error", base::LogLevel::kError}};
  auto level = levels.find(args.Get("log-level").value_or("info"));
  if (level == levels.end()) return Usage();
  base::SetLogLevel(level->second);
  sigset_t stop_signals = BlockStopSignals();
  auto serving = OpenClock(*state_dir);
  if (!serving) return kFailed;

  if (embedded) {
    escrow::simln::EmbeddedOptions options;
    options.base_port = static_cast<uint16_t>(*base_port);
    options.control_port = static_cast<uint16_t>(*control_port);
    options.advance_clock = serving->advance;
    auto net = escrow::simln::EmbeddedNetwork::Start(*state_dir, *serving->clock, options);
    if (!net) {
      std::cerr << "simln: " << net.error() << "\n";
      return kFailed;
    }
    std::cout << std::filesystem::absolute((*net)->nodes_json_path()).string() << std::endl;
    WaitForStop(stop_signals);
    net->reset();
    return kOk;
  }

  auto spec = escrow::simln::LoadNetworkSpec(*network_file);
  if (!spec) {
    std::cerr << "simln: " << *network_file << ": " << spec.error() << "\n";
    return kFailed;
  }
  auto network = escrow::simln::Network::Open(*state_dir + "/simln.db", *spec, *serving->clock);
  if (!network) {
    std::cerr << "simln: " << network.error() << "\n";
    return kFailed;
  }
  escrow::simln::DaemonOptions options;
  options.state_dir = *state_dir;
  options.base_port = static_cast<uint16_t>(*base_port);
  options.control_port = static_cast<uint16_t>(*control_port);
  options.advance_clock = serving->advance;
  options.clock = serving->clock.get();
  auto daemon = escrow::simln::Daemon::Start(**network, options);
  if (!daemon) {
    std::cerr << "simln: " << daemon.error() << "\n";
    return kFailed;
  }
  std::cout << std::filesystem::absolute((*daemon)->nodes_json_path()).string() << std::endl;
  WaitForStop(stop_signals);
  daemon->reset();  // before the network it serves
  network->reset();
  return kOk;
}

std::unique_ptr<escrow::LightningNode> ConnectNode(const std::string& state_dir, const std::string& name) {
  auto nodes = escrow::simln::LoadServedNodes(state_dir);
  if (!nodes) {
    std::cerr << "simln: " << nodes.error() << "\n";
    return nullptr;
  }
  for (const auto& n : *nodes) {
    if (n.name != name) continue;
    escrow::lnd::LndConfig config;
    config.rest_url = n.rest_url;
    config.tls_cert_path = n.tls_cert_path;
    config.macaroon_path = n.macaroon_path;
    auto node = escrow::lnd::CreateLndNode(config);
    if (!node) {
      std::cerr << "simln: " << name << ": " << node.error().message << "\n";
      return nullptr;
    }
    return std::move(*node);
  }
  std::cerr << "simln: no node named " << name << " in " << state_dir << "/nodes.json\n";
  return nullptr;
}

json PaymentSummary(const escrow::Payment& p) {
  json out = {{"payment_hash", escrow::crypto::ToHex(p.payment_hash)},
              {"status", escrow::PaymentStatusName(p.status)},
              {"value_msat", p.value_msat},
              {"fee_msat", p.fee_msat}};
  if (p.status == escrow::PaymentStatus::kFailed)
    out["failure_reason"] = escrow::FailureReasonName(p.failure_reason);
  if (p.payment_preimage) out["preimage"] = escrow::crypto::ToHex(*p.payment_preimage);
  return out;
}

int Pay(const Args& args) {
  auto state_dir = args.Get("state-dir");
  auto from = args.Get("from");
  if (!state_dir || !from || args.positional.size() != 1) return Usage();
  const std::string& payreq = args.positional[0];
  auto amount_sat = ToInt(args.Get("amount-sat").value_or("0"), 0, 21'000'000'00000000LL);
  auto timeout = ToInt(args.Get("timeout-seconds").value_or("60"), 1, 86400);
  auto wait = ToInt(args.Get("wait-seconds").value_or("30"), 0, 86400);
  if (!amount_sat || !timeout || !wait) return Usage();
  escrow::SendPaymentRequest req;
  req.payment_request = payreq;
  req.amt_msat = *amount_sat * 1000;
  req.timeout_seconds = static_cast<int32_t>(*timeout);
  if (auto fee = args.Get("fee-limit-sat")) {
    auto f = ToInt(fee, 0, 21'000'000'00000000LL);
    if (!f) return Usage();
    req.fee_limit_msat = *f * 1000;
  } else {
    // Default budget: 5% of the amount, at least 10 sat.
    int64_t amount_msat = req.amt_msat;
    if (auto decoded = escrow::bolt11::Decode(payreq); decoded && decoded->amount_msat) {
      amount_msat = static_cast<int64_t>(*decoded->amount_msat);
    }
    req.fee_limit_msat = std::max<int64_t>(10'000, amount_msat / 20);
  }
  auto node = ConnectNode(*state_dir, *from);
  if (!node) return kFailed;
  escrow::StreamQueue<escrow::Payment> queue;
  auto sub = node->SendPayment(req, queue.Handlers());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*wait);
  std::optional<escrow::Payment> last;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto event = queue.Next(left);
    if (!event) break;
    if (auto* p = std::get_if<escrow::Payment>(&*event)) {
      last = *p;
      if (p->status == escrow::PaymentStatus::kSucceeded || p->status == escrow::PaymentStatus::kFailed)
        break;
      continue;
    }
    if (auto* e = std::get_if<escrow::LnError>(&*event)) {
      std::cerr << "simln: payment error (" << escrow::LnErrorCodeName(e->code) << "): " << e->message
                << "\n";
      return kFailed;
    }
    break;  // the stream ended
  }
  sub.reset();
  if (!last) {
    std::cerr << "simln: no payment update within " << *wait << " s\n";
    return kFailed;
  }
  std::cout << PaymentSummary(*last).dump(2) << std::endl;
  // A hold invoice keeps the payment IN_FLIGHT until the payee settles: that is not a failure.
  return last->status == escrow::PaymentStatus::kFailed ? kFailed : kOk;
}

int Invoice(const Args& args) {
  auto state_dir = args.Get("state-dir");
  auto name = args.Get("node");
  auto amount_sat = ToInt(args.Get("amount-sat"), 0, 21'000'000'00000000LL);
  auto expiry = ToInt(args.Get("expiry-seconds").value_or("3600"), 1, 365L * 86400);
  if (!state_dir || !name || !amount_sat || !expiry || !args.positional.empty()) return Usage();
  auto node = ConnectNode(*state_dir, *name);
  if (!node) return kFailed;
  escrow::InvoiceRequest req;
  req.value_msat = *amount_sat * 1000;
  req.memo = args.Get("memo").value_or("");
  req.expiry_seconds = *expiry;
  auto added = node->AddInvoice(req);
  if (!added) {
    std::cerr << "simln: " << added.error().message << "\n";
    return kFailed;
  }
  json out = {{"payment_request", added->payment_request},
              {"payment_hash", escrow::crypto::ToHex(added->payment_hash)},
              {"add_index", added->add_index}};
  std::cout << out.dump(2) << std::endl;
  return kOk;
}

std::optional<ControlEndpoint> Control(const Args& args) {
  auto state_dir = args.Get("state-dir");
  if (!state_dir) return std::nullopt;
  auto ep = escrow::simln::LoadControlEndpoint(*state_dir);
  if (!ep) {
    std::cerr << "simln: " << ep.error() << "\n";
    return std::nullopt;
  }
  return *ep;
}

int CallAndPrint(const ControlEndpoint& ep, const std::string& method, const std::string& path,
                 const std::optional<json>& body) {
  auto reply = escrow::simln::CallControl(ep, method, path, body);
  if (!reply) {
    std::cerr << "simln: " << reply.error() << "\n";
    return kFailed;
  }
  if (reply->status != 200) {
    std::cerr << "simln: control API answered " << reply->status << ": " << reply->body.dump() << "\n";
    return kFailed;
  }
  std::cout << reply->body.dump(2) << std::endl;
  return kOk;
}

int Balances(const Args& args) {
  if (!args.Get("state-dir") || !args.positional.empty()) return Usage();
  auto ep = Control(args);
  if (!ep) return kFailed;
  auto reply = escrow::simln::CallControl(*ep, "GET", "/control/state");
  if (!reply) {
    std::cerr << "simln: " << reply.error() << "\n";
    return kFailed;
  }
  if (reply->status != 200 || !reply->body.is_object()) {
    std::cerr << "simln: control API answered " << reply->status << "\n";
    return kFailed;
  }
  const json& s = reply->body;
  std::printf("height %lld\n", static_cast<long long>(s.value("height", 0LL)));
  std::printf("%-16s %16s %16s %14s %14s  %s\n", "node", "local_sat", "remote_sat", "unsettled_out",
              "unsettled_in", "failure");
  for (const auto& n : s.value("nodes", json::array())) {
    std::string failure = n.contains("failure") ? n["failure"].value("mode", "NONE") : "NONE";
    std::printf("%-16s %16lld %16lld %14lld %14lld  %s\n", n.value("name", "").c_str(),
                static_cast<long long>(n.value("local_msat", 0LL) / 1000),
                static_cast<long long>(n.value("remote_msat", 0LL) / 1000),
                static_cast<long long>(n.value("unsettled_local_msat", 0LL) / 1000),
                static_cast<long long>(n.value("unsettled_remote_msat", 0LL) / 1000), failure.c_str());
  }
  return kOk;
}

int Mine(const Args& args) {
  if (args.positional.size() != 1) return Usage();
  auto blocks = ToInt(args.positional[0], 1, 100000);
  if (!blocks) return Usage();
  auto ep = Control(args);
  if (!ep) return args.Get("state-dir") ? kFailed : Usage();
  return CallAndPrint(*ep, "POST", "/control/mine", json{{"blocks", *blocks}});
}

int Advance(const Args& args) {
  if (args.positional.size() != 1) return Usage();
  auto seconds = ToInt(args.positional[0], 0, 10L * 365 * 86400);
  if (!seconds) return Usage();
  auto ep = Control(args);
  if (!ep) return args.Get("state-dir") ? kFailed : Usage();
  return CallAndPrint(*ep, "POST", "/control/advance", json{{"seconds", *seconds}});
}

int Fail(const Args& args) {
  auto mode = args.Get("mode");
  auto node = args.Get("node");
  auto chan = args.Get("chan-id");
  if (!mode || node.has_value() == chan.has_value() || !args.positional.empty()) return Usage();
  json body = {{"mode", *mode}};
  if (node) body["node"] = *node;
  if (chan) body["chan_id"] = *chan;
  if (auto delay = args.Get("delay-ms")) {
    auto d = ToInt(delay, 0, 600000);
    if (!d) return Usage();
    body["delay_ms"] = *d;
  }
  auto ep = Control(args);
  if (!ep) return args.Get("state-dir") ? kFailed : Usage();
  return CallAndPrint(*ep, "POST", "/control/failure", body);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  std::string command = argv[1];
  auto args = ParseArgs(argc, argv, 2);
  if (!args) return Usage();
  if (command == "serve") return Serve(*args, false);
  if (command == "embedded") return Serve(*args, true);
  if (command == "pay") return Pay(*args);
  if (command == "invoice") return Invoice(*args);
  if (command == "balances") return Balances(*args);
  if (command == "mine") return Mine(*args);
  if (command == "fail") return Fail(*args);
  if (command == "advance") return Advance(*args);
  return Usage();
}
