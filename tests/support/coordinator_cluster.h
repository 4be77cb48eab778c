// A coordinator as operators run it, for multi-process tests: the simln daemon playing LND (a
// "coordinator" node with a channel to each trader wallet, LND's REST API per node) and
// coordinatord with `lightning.backend: lnd` pointed at that node, each a child process of the
// test on loopback ports the kernel picks. Traders pay through their own wallet's LND REST API
// (escrow/lnd), as a RoboSats user pays from their own node.
//
// Every wait is bounded; a process is only ever signalled by its own handle (its pid), and a
// handle that dies kills and reaps its child (tests/support/process.h).
//
// Links escrow_lnd (the wallets' and the test's LND client): list it in the area's deps.txt.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/base/expected.h"
#include "escrow/lightning_node.h"
#include "tests/support/process.h"

namespace testsupport {

// One node as simln's nodes.json describes it (what an operator copies into an LND config).
struct LndEndpoint {
  std::string name;
  std::string pubkey;
  std::string rest_url;  // https://127.0.0.1:PORT
  std::string macaroon_path;
  std::string tls_cert_path;
};

// The fixture robots: OpenPGP keys made with gpg backdated to 2024-01-01 (the coordinator
// refuses keys younger than 12 hours and its clock is real here), each protected by its
// robot's token as RoboSats clients do. See tests/unit/identity/fixtures/README.md.
// `name` is "robot" or "other"; throws std::runtime_error for another name or a missing file.
struct FixtureRobot {
  std::string token;
  std::string public_armored;
  std::string secret_armored;
};
FixtureRobot LoadFixtureRobot(const std::string& name);

// More of the simulated network than the star of coordinator ↔ wallet channels.
struct NetworkExtras {
  std::vector<std::string> nodes;     // more nodes (with no channel unless `channels` gives one)
  std::vector<std::string> channels;  // network.yaml flow mappings: "{node_a: alice, node_b: dave, …}"
};

class SimlnDaemon {
 public:
  // Writes <dir>/network.yaml — "coordinator" plus `wallets`, one channel coordinator↔wallet
  // with `channel_sat` on each side — and runs `simln serve` on <dir>/simln (log
  // <dir>/simln.log), waiting (bounded) for it to print the path of nodes.json.
  // `log_level` (debug|info|warn|error; "" = simln's default, info) is `simln serve --log-level`.
  static base::Expected<std::unique_ptr<SimlnDaemon>, std::string> Start(
      const std::string& dir, const std::vector<std::string>& wallets, int64_t channel_sat,
      const std::string& log_level = "");
  // The same with several coordinator nodes (one per coordinatord of a federation), each with a
  // channel to every wallet. `coordinators` must not be empty.
  static base::Expected<std::unique_ptr<SimlnDaemon>, std::string> StartWithCoordinators(
      const std::string& dir, const std::vector<std::string>& coordinators, const std::vector<std::string>& wallets,
      int64_t channel_sat, const std::string& log_level = "", const NetworkExtras& extras = {});

  // nullptr if the network has no such node.
  const LndEndpoint* Node(const std::string& name) const;
  // An LND REST client of the node (TLS pinned to its certificate, its macaroon).
  base::Expected<std::unique_ptr<escrow::LightningNode>, std::string> Connect(const std::string& name) const;

  // SIGTERM, then waits (bounded): the exit code, nullopt if it is still running.
  std::optional<int> Stop(std::chrono::milliseconds timeout);
  // SIGKILL (a crash of the node), then reaps it.
  void Kill();
  // Runs `simln serve` again with the same arguments on the same state (its store is kill -9
  // safe); every node keeps the REST port nodes.json gave it, so clients' URLs stay valid (an
  // error says so if one moved).
  base::Expected<void, std::string> Restart();
  const std::string& log_path() const { return m_log; }
  // Mines `n` blocks through the daemon's control API (`simln mine`).
  base::Expected<void, std::string> Mine(uint32_t n);
  // Sets a node's failure mode through the control API (`simln fail`): "OFFLINE" (the daemon
  // refuses the node's REST API), "NO_ROUTE", "TIMEOUT", "NONE" (back to normal), …
  // (escrow/simln/README.md).
  base::Expected<void, std::string> SetNodeFailure(const std::string& node, const std::string& mode);

 private:
  SimlnDaemon() = default;
  base::Expected<void, std::string> Launch();  // runs m_argv, reads nodes.json
  std::vector<std::string> m_argv;             // `simln serve …`
  std::string m_state_dir;
  std::unique_ptr<Process> m_process;
  std::map<std::string, LndEndpoint> m_nodes;
  std::string m_log;
};

struct CoordinatordOptions {
  std::string crash_at;            // COORDINATORD_CRASH_AT (coordinator/engine.h); "" none
  int chain_poll_interval_s = 0;   // lightning.chain_poll_interval_s; 0: the default
  // admin.{solver,resolver}_token_files (written into the config).
  std::vector<std::string> solver_token_files, resolver_token_files;
  // COORDINATORD_TEST_CLOCK_FILE: a file holding seconds added to the coordinator's clock.
  std::string clock_file;
  // More command-line arguments for coordinatord (e.g. {"--restore", FILE}).
  std::vector<std::string> extra_args;
  // prices.http.interval_s (> 0): prices re-read this often (real seconds) and counting for 1000
  // intervals, for tests that move the coordinator's clock by hours; 0: the defaults.
  int price_interval_s = 0;
  // YAML appended to the written config (top-level sections the writer does not write, e.g.
  // "dev_tax: {...}\n").
  std::string extra_yaml;
  // More keys of trade.payout (written as a flow mapping after retry_interval_s), e.g.
  // "invoice_expiry: cover_fiat_window, in_flight_alert_s: 10".
  std::string payout_yaml;
};

class Coordinatord {
 public:
  // Writes <dir>/coordinatord.yaml (backend lnd → `node`, offline prices, the public API on
  // 127.0.0.1:0, payout retries 1 s apart) unless it exists, then runs
  // `coordinatord --config <dir>/coordinatord.yaml --data-dir <dir>/data` (log
  // <dir>/coordinatord.log) and waits (bounded) for it to print the URL it serves.
  // `crash_at` non-empty: started with COORDINATORD_CRASH_AT=<crash_at> (coordinator/engine.h),
  // else with that variable removed from its environment.
  // `chain_poll_interval_s` > 0 sets lightning.chain_poll_interval_s in the written config.
  static base::Expected<std::unique_ptr<Coordinatord>, std::string> Start(const std::string& dir,
                                                                          const LndEndpoint& node,
                                                                          const std::string& crash_at = "",
                                                                          int chain_poll_interval_s = 0);
  static base::Expected<std::unique_ptr<Coordinatord>, std::string> Start(const std::string& dir,
                                                                          const LndEndpoint& node,
                                                                          const CoordinatordOptions& options);
  // The operator's listener (admin API), from the line coordinatord prints.
  const std::string& operator_url() const { return m_operator_url; }

  const std::string& api_url() const { return m_api_url; }
  pid_t pid() const { return m_process->pid(); }
  // The exit code (128 + signal if a signal ended it), nullopt while it runs after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout) { return m_process->Wait(timeout); }
  // SIGTERM, then Wait(timeout).
  std::optional<int> Stop(std::chrono::milliseconds timeout);
  // SIGKILL (a crash: nothing is flushed or said), then Wait(timeout).
  std::optional<int> Kill(std::chrono::milliseconds timeout);
  const std::string& log_path() const { return m_log; }

 private:
  Coordinatord() = default;
  std::unique_ptr<Process> m_process;
  std::string m_api_url, m_operator_url, m_log;
};

// A trader's Lightning wallet: an LND node reached over its REST API.
class Wallet {
 public:
  Wallet(std::string name, std::unique_ptr<escrow::LightningNode> node);
  ~Wallet();  // cancels the payment streams before the node goes

  // Sends a payment of `payreq` (LND REST: POST /v2/router/send) and keeps its stream, so that
  // the payment of a hold invoice stays in flight until the coordinator settles or cancels it.
  // A payreq this wallet already sent is not sent again (returns false).
  bool Pay(const std::string& payreq);
  // The last update of the payment of `payreq` ("IN_FLIGHT", "SUCCEEDED", "FAILED: <reason>",
  // "error: …"), or "" if none arrived yet.
  std::string PaymentState(const std::string& payreq) const;

  // A regular invoice of `sats` (LND REST: POST /v1/invoices).
  // `expiry_seconds` counts on the node's (real) clock: a test that moves the coordinator's
  // clock ahead gives its invoices enough life to look unexpired there too.
  escrow::LnResult<escrow::AddInvoiceResult> Invoice(int64_t sats, const std::string& memo,
                                                     int64_t expiry_seconds = 3600);
  // Spendable sats in the wallet's channels (LND REST: GET /v1/balance/channels local_balance),
  // nullopt if the node did not answer.
  std::optional<int64_t> LocalSats();

  const std::string& name() const { return m_name; }
  escrow::LightningNode& node() { return *m_node; }

 private:
  std::string m_name;
  std::unique_ptr<escrow::LightningNode> m_node;
  mutable std::mutex m_mu;
  std::map<std::string, std::string> m_states;  // payreq → last state; guarded by m_mu
  std::vector<std::unique_ptr<escrow::Subscription>> m_streams;
};

// Polls `done` every `every` until it returns true or `timeout` passes; returns its last value.
template <class Done>
bool WaitUntil(Done done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

// The payment hash of a BOLT 11 payment request, nullopt if it does not decode.
std::optional<escrow::Hash32> PaymentHashOf(const std::string& payreq);

}  // namespace testsupport
