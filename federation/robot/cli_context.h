// What every robot command shares: the parsed options, the robot and its state on disk, the
// coordinators, the API calls (with the keys when the coordinator does not know the robot
// yet), the wallet, output (human or --json) and the progress line of waits. Internal to the
// robot CLI.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/robot/cli_args.h"
#include "federation/robot/coordinator_api.h"
#include "federation/robot/federation_reader.h"
#include "federation/robot/robot_dir.h"
#include "federation/robot/wallet.h"

namespace federation::robot::cli {

using Json = nlohmann::json;

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the coordinator refused, the network failed, …
inline constexpr int kExitUsage = 2;

// A coordinator to call: its key in the robot's state (alias, or the URL) and its URL.
struct Coordinator {
  std::string key;
  std::string url;
};

// One line on stderr that a wait keeps rewriting (on a terminal) or prints when it changes.
class Progress {
 public:
  Progress(std::ostream& err, bool tty) : m_err(err), m_tty(tty) {}
  ~Progress() { Done(); }
  void Update(const std::string& text);
  void Done();

 private:
  std::ostream& m_err;
  bool m_tty;
  std::string m_last;
  bool m_open = false;
};

class Context {
 public:
  Context(Args args, std::ostream& out, std::ostream& err, bool err_is_tty);

  const Args& args() const { return m_args; }
  bool json() const { return m_args.Has("json"); }
  std::ostream& out() { return m_out; }
  std::ostream& err() { return m_err; }
  bool err_is_tty() const { return m_err_tty; }
  std::chrono::seconds timeout() const { return m_timeout; }
  HttpOptions http() const;

  // Validates the global options (timeout, network, proxy). Usage errors.
  base::Expected<void, std::string> Prepare();

  std::string RobotDir() const { return m_dir; }
  // Loads the robot and its state (once). Errors: no robot, unsafe token file, bad state.
  base::Expected<void, std::string> LoadRobot();
  const RobotFiles& robot() const { return *m_robot; }
  RobotState& state() { return m_state; }
  base::Expected<void, std::string> SaveState();

  // Every coordinator selected by the options: --url, --federation [--coordinator]. Errors
  // when neither is given (unless `fallback_known`: then the coordinators the robot is known to).
  base::Expected<std::vector<Coordinator>, std::string> SelectedCoordinators(bool fallback_known);
  // Exactly one coordinator (make, reward, profile): --url, --coordinator, the only one of
  // the federation file, or the only one the robot is known to.
  base::Expected<Coordinator, std::string> OneCoordinator();
  // The order named by `arg` ("ALIAS/ID", "ID", or "" for the current order).
  base::Expected<OrderRef, std::string> ResolveOrder(const std::string& arg);

  // A call as the robot. The first-request header (keys) is sent when `client_sends_keys` or
  // when the coordinator is not known to hold the robot yet; a 2xx marks it known.
  base::Expected<ApiReply, std::string> Call(const Coordinator& c, const std::string& method, const std::string& path,
                                             const Json* body, bool client_sends_keys);
  base::Expected<ApiReply, std::string> GetOrder(const OrderRef& ref);
  base::Expected<ApiReply, std::string> OrderAction(const OrderRef& ref, const Json& body);

  // Opens --wallet (or `name`) from --wallets / $ROBOT_WALLETS / ./data/simln/nodes.json.
  base::Expected<std::unique_ptr<Wallet>, std::string> OpenWallet(const std::string& name);

  // Polls the order every second until `done(view)` or the timeout, with a progress line made
  // by `describe(view)`. Returns the last view. Errors: the timeout (with the last status), a
  // refused GET.
  base::Expected<Json, std::string> WaitOrder(const OrderRef& ref, const std::function<bool(const Json&)>& done,
                                              const std::string& waiting_for);

  // Output. Fail prints "robot: <message>" on stderr (and {"error": …} on stdout in --json
  // mode) and returns kExitFailed; Refused does the same for a coordinator's RoboSats error.
  int Fail(const std::string& message);
  int Refused(const std::string& what, const ApiReply& reply);
  int Usage(const std::string& message);
  // Prints `result` as JSON (in --json mode) and returns kExitOk.
  int Done(const Json& result);
  void Say(const std::string& line);  // a human line on stdout (nothing in --json mode)

 private:
  base::Expected<std::vector<CoordinatorRef>, std::string> Federation() const;

  Args m_args;
  std::ostream& m_out;
  std::ostream& m_err;
  bool m_err_tty;
  std::chrono::seconds m_timeout{120};
  std::string m_dir;
  std::optional<RobotFiles> m_robot;
  RobotState m_state;
};

// "order 7 at temple".
std::string Describe(const OrderRef& ref);

}  // namespace federation::robot::cli
