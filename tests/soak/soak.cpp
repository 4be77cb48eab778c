// The crash soak (issue "Proof under stress", item 1): randomized trades over HTTP against
// coordinatord (lightning.backend: lnd → the simln daemon, both child processes on loopback),
// the traders paying from their own wallets over LND's REST API, while a killer SIGKILLs and
// restarts coordinatord — and sometimes the simln daemon — at random moments. After the run
// (the killer stopped, every trade driven to its end) the money auditor (tests/support/
// auditor.h) reads the store and the coordinator's node, and the soak checks that no order is
// left in a non-terminal status. It prints trades, kills, the paths covered and every
// violation, and exits 1 on any violation (2 on a setup failure).
//
//   soak [--trades N] [--workers W] [--kill-min-ms A] [--kill-max-ms B] [--simln-kill-one-in K]
//        [--seed S] [--trade-timeout-s T] [--dir DIR] [--keep]
//
// Each worker runs trades one after another with two wallets of its own (its maker's and its
// taker's) and fresh robots per trade (keys made as RoboSats' client makes them, dated a day
// back). A trade's path is drawn at random — success with routing budgets of 1000, 0 and
// 2000 ppm; the maker cancelling; the public order, the taker bond or the escrow left to
// expire; a collaborative cancel; a dispute opened from 9 or 10 and resolved by the operator
// with each outcome; a payout failing (the buyer's node unreachable) and a new invoice; a payout
// invoice expired before the payout — and the worker then follows whatever status the order
// reaches, so that a crash, a moved clock or another trade's expiry only changes the path.
// Rewards are withdrawn into the robots' wallets as they come. The dev tax is on (share 0.2,
// a "devfund" node), so its streaming runs under the kills too.
//
// The coordinator's clock is moved ahead through its test clock file for expiries and
// disputes; every worker sees the same clock, so one trade's jump may expire another's step —
// that is part of the soak.
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "config/base/log.h"
#include "escrow/crypto/sha256.h"
#include "federation/robot/pgp_keys.h"
#include "federation/robot/token.h"
#include "tests/support/auditor.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/pgp_keys.h"
#include "tests/support/robot_client.h"
#include "tests/support/simln_rest_client.h"
#include "tests/support/test_support.h"

namespace soak {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int64_t kChannelSat = 50'000'000;
const std::string kResolverToken(40, 'r');

struct Options {
  int trades = 24;
  int workers = 4;
  int kill_min_ms = 3000;
  int kill_max_ms = 9000;
  int simln_kill_one_in = 4;  // of the kills, one in K is of the simln daemon (0: never)
  uint64_t seed = 0;
  int trade_timeout_s = 300;
  std::string dir;
  bool keep = false;
};

// The path a trade is meant to take; the order's statuses decide what actually happens.
enum class Path {
  kSuccess,
  kMakerCancels,
  kPublicExpires,
  kTakerBondExpires,
  kEscrowExpires,
  kCollaborativeCancel,
  kDispute,
  kPayoutFails,
  kPayoutInvoiceExpires,
};
const char* PathName(Path p) {
  switch (p) {
    case Path::kSuccess: return "success";
    case Path::kMakerCancels: return "maker cancels";
    case Path::kPublicExpires: return "public order expires";
    case Path::kTakerBondExpires: return "taker bond expires";
    case Path::kEscrowExpires: return "escrow expires";
    case Path::kCollaborativeCancel: return "collaborative cancel";
    case Path::kDispute: return "dispute";
    case Path::kPayoutFails: return "payout fails, new invoice";
    case Path::kPayoutInvoiceExpires: return "payout invoice expires";
  }
  return "?";
}
const char* const kOutcomes[] = {"maker_wins", "taker_wins", "return_everything", "successful_trade"};

bool Terminal(int status) {
  return status == 4 || status == 5 || status == 12 || status == 14 || status == 17 || status == 18;
}

// What every thread shares: where coordinatord serves now, its clock, the tallies.
class Run {
 public:
  explicit Run(const Options& o) : options(o) {}
  const Options options;
  std::string dir, clock_file, resolver_file, simln_state;

  std::string ApiUrl() {
    std::lock_guard lock(m_mu);
    return m_api_url;
  }
  std::string OperatorUrl() {
    std::lock_guard lock(m_mu);
    return m_operator_url;
  }
  void SetUrls(std::string api, std::string op) {
    std::lock_guard lock(m_mu);
    m_api_url = std::move(api);
    m_operator_url = std::move(op);
  }
  int64_t ClockAhead() {
    std::lock_guard lock(m_mu);
    return m_ahead_s;
  }
  // Moves the coordinator's clock `seconds` ahead (it re-reads the file every 50 ms).
  void Advance(int64_t seconds) {
    {
      std::lock_guard lock(m_mu);
      m_ahead_s += seconds;
      std::ofstream(clock_file) << m_ahead_s;
    }
    Count("clock advances");
    std::this_thread::sleep_for(150ms);
  }

  void Count(const std::string& what, int n = 1) {
    std::lock_guard lock(m_mu);
    m_counts[what] += n;
  }
  void Violation(const std::string& what) {
    std::lock_guard lock(m_mu);
    std::cerr << "VIOLATION: " << what << "\n";
    m_violations.push_back(what);
  }
  std::map<std::string, int> Counts() {
    std::lock_guard lock(m_mu);
    return m_counts;
  }
  std::vector<std::string> Violations() {
    std::lock_guard lock(m_mu);
    return m_violations;
  }

  std::atomic<int> next_trade{0};
  std::atomic<bool> stop_killing{false};

 private:
  std::mutex m_mu;
  std::string m_api_url, m_operator_url;
  int64_t m_ahead_s = 0;
  std::map<std::string, int> m_counts;
  std::vector<std::string> m_violations;
};

// `simln fail --node NAME --mode MODE` until the daemon takes it (it may be down for a while).
bool SetNodeFailure(Run& run, const std::string& node, const std::string& mode, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    auto p = testsupport::Process::Start({testsupport::BinaryPath("simln"), "fail", "--state-dir", run.simln_state,
                                          "--node", node, "--mode", mode},
                                         run.dir + "/simln-cli.log");
    if (p && p->Wait(30s) == std::optional<int>(0)) return true;
    std::this_thread::sleep_for(300ms);
  }
  return false;
}

// A field of a reply's JSON object; `fallback` if the body was not a JSON object (a killed
// coordinator answers nothing, or a proxy's error page).
template <class T>
T Field(const testsupport::ApiReply& reply, const char* key, T fallback) {
  return reply.json.is_object() ? reply.json.value(key, fallback) : fallback;
}
int64_t ErrorCode(const testsupport::ApiReply& reply) { return Field(reply, "error_code", int64_t{0}); }

// A robot of one trade: fresh token and keys, its client and its wallet.
struct Robot {
  std::unique_ptr<testsupport::RobotClient> client;
  std::unique_ptr<testsupport::PgpKey> key;
  testsupport::Wallet* wallet = nullptr;
};

Robot NewRobot(const std::string& api_url, testsupport::Wallet* wallet) {
  const std::string token = federation::robot::GenerateToken();
  const auto derived = federation::robot::DeriveFromToken(token);
  auto keys = federation::robot::GenerateRobotKeys(token, derived.hash_id, static_cast<int64_t>(std::time(nullptr)));
  if (!keys) throw std::runtime_error("robot keys: " + keys.error());
  Robot r;
  r.client = std::make_unique<testsupport::RobotClient>(
      api_url, testsupport::RobotKeys{token, keys->public_armored, keys->encrypted_private_armored});
  r.key = testsupport::PgpKey::Import(keys->public_armored, keys->encrypted_private_armored, token);
  r.wallet = wallet;
  return r;
}

// The RoboSats client's payout arithmetic (frontend/src/components/TradeBox/Forms/
// LightningPayout.tsx: Math.floor(tradeAmount - tradeAmount * (routingBudgetPPM / 1000000))).
int64_t ClientInvoiceSats(int64_t invoice_amount, int64_t ppm) {
  const double n = static_cast<double>(invoice_amount);
  return static_cast<int64_t>(std::floor(n - n * (static_cast<double>(ppm) / 1000000.0)));
}

class Worker {
 public:
  Worker(Run& run, int index, testsupport::Wallet& maker_wallet, testsupport::Wallet& taker_wallet)
      : m_run(run), m_index(index), m_rng(run.options.seed * 7919 + static_cast<uint64_t>(index)),
        m_maker_wallet(maker_wallet), m_taker_wallet(taker_wallet) {}

  void Loop() {
    for (;;) {
      const int n = m_run.next_trade.fetch_add(1);
      if (n >= m_run.options.trades) return;
      try {
        OneTrade(n);
      } catch (const std::exception& e) {
        m_run.Violation("trade " + std::to_string(n) + ": " + e.what());
      }
    }
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(m_rng); }

  Path DrawPath() {
    // Weights: mostly trades that move money to the end, every other path regularly.
    static const std::vector<std::pair<Path, int>> kWeights = {
        {Path::kSuccess, 30},           {Path::kMakerCancels, 8},   {Path::kPublicExpires, 2},
        {Path::kTakerBondExpires, 6},   {Path::kEscrowExpires, 6},  {Path::kCollaborativeCancel, 8},
        {Path::kDispute, 18},           {Path::kPayoutFails, 10},   {Path::kPayoutInvoiceExpires, 6}};
    int total = 0;
    for (const auto& [p, w] : kWeights) total += w;
    int x = Pick(total);
    for (const auto& [p, w] : kWeights) {
      if (x < w) return p;
      x -= w;
    }
    return Path::kSuccess;
  }

  // A call as `r` against wherever coordinatord serves now. A 5xx is a violation.
  testsupport::ApiReply Call(Robot& r, const std::string& method, const std::string& path, const json& body = nullptr) {
    r.client->set_api_url(m_run.ApiUrl());
    auto reply = method == "GET" ? r.client->Get(path, 10000) : r.client->Post(path, body, 10000);
    if (reply.status >= 500) {
      m_run.Violation(method + " " + path + " answered " + std::to_string(reply.status) + ": " + reply.body);
    }
    return reply;
  }
  std::string OrderPath() const { return "/api/order/?order_id=" + std::to_string(m_id); }
  testsupport::ApiReply Act(Robot& r, const json& body) { return Call(r, "POST", OrderPath(), body); }

  // A payout (or reward) invoice from `r`'s wallet, alive `life_s` on the coordinator's clock.
  std::optional<std::string> Invoice(Robot& r, int64_t sats, int64_t life_s) {
    auto invoice = r.wallet->Invoice(sats, "soak", m_run.ClockAhead() + life_s);
    if (!invoice.ok()) return std::nullopt;
    return invoice->payment_request;
  }

  void SubmitPayoutInvoice(Robot& buyer, const json& view, bool short_life) {
    if (!view.is_object()) return;
    const int64_t amount = view.value("invoice_amount", int64_t{0});
    if (amount <= 0) return;
    static const int64_t kBudgets[] = {1000, 1000, 0, 2000};
    const int64_t ppm = kBudgets[Pick(4)];
    auto pr = Invoice(buyer, ClientInvoiceSats(amount, ppm), short_life ? 90 : 3600);
    if (!pr) return;
    auto reply = Act(buyer, {{"action", "update_invoice"},
                             {"invoice", buyer.key->ClearSign(*pr)},
                             {"routing_budget_ppm", ppm}});
    if (reply.ok()) m_run.Count("payout invoices accepted");
  }

  // Pays the hold invoice `field` of `view` from `r`'s wallet (once per invoice: Wallet::Pay).
  static void Pay(Robot& r, const json& view, const char* field) {
    if (!view.is_object()) return;
    const std::string pr = view.value(field, "");
    if (!pr.empty()) r.wallet->Pay(pr);
  }

  // Withdraws every reward `r` earned, as the RoboSats client does (no routing budget).
  void WithdrawRewards(Robot& r, Clock::time_point deadline) {
    while (Clock::now() < deadline) {
      auto me = Call(r, "GET", "/api/robot/");
      if (!me.ok()) {
        std::this_thread::sleep_for(200ms);
        continue;
      }
      const int64_t balance = Field(me, "earned_rewards", int64_t{0});
      if (balance <= 0) return;
      auto pr = Invoice(r, balance, 3600);
      if (!pr) {
        std::this_thread::sleep_for(200ms);
        continue;
      }
      auto reply = Call(r, "POST", "/api/reward/", {{"invoice", r.key->ClearSign(*pr)}});
      if (reply.ok() && Field(reply, "successful_withdrawal", false)) m_run.Count("rewards withdrawn");
      std::this_thread::sleep_for(300ms);
    }
    m_run.Violation("order " + std::to_string(m_id) + ": rewards of a robot not withdrawn in time");
  }

  void OneTrade(int n) {
    m_id = 0;
    const Path path = DrawPath();
    const std::string outcome = kOutcomes[Pick(4)];
    const bool maker_sells = Pick(2) == 0;
    const bool dispute_from_10 = Pick(2) == 0;
    const bool maker_opens = Pick(2) == 0;
    m_run.Count(std::string("path: ") + PathName(path) + (path == Path::kDispute ? " (" + outcome + ")" : ""));

    Robot maker = NewRobot(m_run.ApiUrl(), &m_maker_wallet);
    Robot taker = NewRobot(m_run.ApiUrl(), &m_taker_wallet);
    Robot& seller = maker_sells ? maker : taker;
    Robot& buyer = maker_sells ? taker : maker;
    const auto deadline = Clock::now() + std::chrono::seconds(m_run.options.trade_timeout_s);

    const json make = {{"type", maker_sells ? 1 : 0},
                       {"currency", 1},
                       {"amount", std::to_string(30 + Pick(170))},  // ≥ 20 000 sats at the offline rates
                       {"payment_method", Pick(2) ? "Strike" : "Revolut"},
                       {"premium", std::to_string(Pick(6) - 1)}};
    bool short_invoice_tried = false, failure_injected = false, failure_cleared = true;
    int advances = 0, last_status = -1;
    auto last_change = Clock::now();

    while (Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(30 + Pick(40)));
      if (m_id == 0) {
        // Make; a make whose answer a crash ate shows as the robot's active order.
        auto made = Call(maker, "POST", "/api/make/", make);
        if (made.ok()) {
          m_id = Field(made, "id", int64_t{0});
        } else {
          auto me = Call(maker, "GET", "/api/robot/");
          if (me.ok()) m_id = Field(me, "active_order_id", int64_t{0});
        }
        continue;
      }
      auto mv = Call(maker, "GET", OrderPath());
      if (!mv.answered()) continue;  // coordinatord is down: try again
      if (mv.status == 400 && ErrorCode(mv) == 1043) {
        last_status = last_status == 9 || last_status == 10 || last_status == 11 || last_status == 16 ? 12 : 4;
        break;  // cancelled (by the maker or both): RoboSats answers 1043
      }
      if (!mv.ok()) continue;
      const int st = Field(mv, "status", -1);
      if (st != last_status) {
        last_status = st;
        last_change = Clock::now();
      }
      if (Terminal(st)) break;
      // Drives the order one step, by its status.
      switch (st) {
        case 0:
          Pay(maker, mv.json, "bond_invoice");
          break;
        case 1: {
          if (path == Path::kMakerCancels) {
            Act(maker, {{"action", "cancel"}});
            break;
          }
          if (path == Path::kPublicExpires && advances < 40) {
            m_run.Advance(4 * 3600), ++advances;
            break;
          }
          [[fallthrough]];
        }
        case 3: {
          // The maker's view stays public while a take waits for its bond; the taker's says 3.
          auto tv = Call(taker, "GET", OrderPath());
          if (tv.ok() && Field(tv, "status", -1) == 3) {
            if (path == Path::kTakerBondExpires && advances == 0) {
              m_run.Advance(250), ++advances;  // past taker_bond_expiry_s: the take is lost
            } else {
              Pay(taker, tv.json, "bond_invoice");
            }
            break;
          }
          auto taken = Act(taker, {{"action", "take"}});
          if (!taken.ok() && ErrorCode(taken) == 1012) {
            m_run.Advance(61);  // the penalty of a lost take (penalty_timeout_s)
          }
          break;
        }
        case 6:
        case 7:
        case 8: {
          if (st != 8) {
            if (path == Path::kEscrowExpires && advances < 20) {
              m_run.Advance(1800), ++advances;
              break;
            }
            auto sv = Call(seller, "GET", OrderPath());
            if (sv.ok()) Pay(seller, sv.json, "escrow_invoice");
          }
          if (st != 7) {
            auto bv = Call(buyer, "GET", OrderPath());
            if (bv.ok() && Field(bv, "status", -1) != 7 && Field(bv, "status", -1) != 9) {
              const bool short_life = path == Path::kPayoutInvoiceExpires && !short_invoice_tried;
              short_invoice_tried |= short_life;
              SubmitPayoutInvoice(buyer, bv.json, short_life);
            }
          }
          break;
        }
        case 9:
        case 10: {
          if (path == Path::kCollaborativeCancel) {
            Act(maker, {{"action", "cancel"}});
            Act(taker, {{"action", "cancel"}});
            break;
          }
          if (path == Path::kDispute && (st == 10 || !dispute_from_10)) {
            auto opened = Act(maker_opens ? maker : taker, {{"action", "dispute"}});
            if (!opened.ok() && ErrorCode(opened) == 1054 && advances < 30) {
              m_run.Advance(3600), ++advances;  // RoboSats: from 18 h before the fiat window's end
            }
            break;
          }
          if (st == 9) {
            if (path == Path::kPayoutFails && !failure_injected) {
              failure_injected = SetNodeFailure(m_run, buyer.wallet->name(), "NO_ROUTE", deadline);
              failure_cleared = !failure_injected;
              if (failure_injected) m_run.Count("payout failures injected");
            }
            if (path == Path::kPayoutInvoiceExpires && short_invoice_tried && advances == 0) {
              m_run.Advance(180), ++advances;  // the short-lived payout invoice expires first
            }
            Act(buyer, {{"action", "confirm"}});
          } else {
            Act(seller, {{"action", "confirm"}});
          }
          break;
        }
        case 11: {
          const std::string statement(150, 's');
          Act(maker, {{"action", "submit_statement"}, {"statement", statement}});
          Act(taker, {{"action", "submit_statement"}, {"statement", statement}});
          break;
        }
        case 13:
          break;  // the coordinator is paying the buyer
        case 15: {
          if (!failure_cleared) {
            failure_cleared = SetNodeFailure(m_run, buyer.wallet->name(), "NONE", deadline);
          }
          auto bv = Call(buyer, "GET", OrderPath());
          if (bv.ok() && Field(bv, "status", -1) == 15 && failure_cleared) {
            m_run.Count("payout invoices renewed after 15");
            SubmitPayoutInvoice(buyer, bv.json, false);
          }
          break;
        }
        case 16: {
          testsupport::HttpOptions admin;
          admin.headers = {"Authorization: Bearer " + kResolverToken, "Content-Type: application/json"};
          admin.timeout_ms = 10000;
          auto resolved = testsupport::HttpCall("POST", m_run.OperatorUrl() + "/admin/dispute/resolve/",
                                                json{{"order_id", m_id}, {"outcome", outcome}, {"note", "soak"}}.dump(),
                                                admin);
          if (resolved.status >= 500) m_run.Violation("resolve answered " + std::to_string(resolved.status));
          if (resolved.status == 200) m_run.Count(std::string("disputes resolved: ") + outcome);
          break;
        }
        default:
          break;
      }
      // An order that stays in one status for long moves the clock: a deadline decides it.
      if (Clock::now() - last_change > 45s && st != 13) {
        m_run.Advance(3600), ++advances;
        last_change = Clock::now();
      }
    }
    if (!failure_cleared) SetNodeFailure(m_run, buyer.wallet->name(), "NONE", Clock::now() + 60s);
    if (!Terminal(last_status)) {
      m_run.Violation("trade " + std::to_string(n) + " (order " + std::to_string(m_id) + ", " + PathName(path) +
                      ") did not end in " + std::to_string(m_run.options.trade_timeout_s) + " s; last status " +
                      std::to_string(last_status));
      return;
    }
    m_run.Count("ended in status " + std::to_string(last_status));
    WithdrawRewards(maker, Clock::now() + 120s);
    WithdrawRewards(taker, Clock::now() + 120s);
  }

  Run& m_run;
  int m_index;
  std::mt19937_64 m_rng;
  testsupport::Wallet& m_maker_wallet;
  testsupport::Wallet& m_taker_wallet;
  int64_t m_id = 0;
};

// Orders the store holds in a status that is not an end: what the soak left unfinished.
std::vector<std::string> UnfinishedOrders(const std::string& db_path) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return {"cannot open " + db_path};
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT id, status FROM orders WHERE status NOT IN (4, 5, 12, 14, 17, 18) ORDER BY id",
                         -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.push_back("order " + std::to_string(sqlite3_column_int64(st, 0)) + " left in status " +
                    std::to_string(sqlite3_column_int(st, 1)));
    }
  } else {
    out.push_back(std::string("cannot read orders: ") + sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

std::optional<Options> ParseArgs(int argc, char** argv) {
  Options o;
  o.seed = static_cast<uint64_t>(std::random_device{}());
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](auto& field) {
      auto v = value();
      if (!v) return false;
      try {
        field = static_cast<std::remove_reference_t<decltype(field)>>(std::stoll(*v));
      } catch (...) {
        return false;
      }
      return true;
    };
    bool ok = true;
    if (a == "--trades") ok = number(o.trades);
    else if (a == "--workers") ok = number(o.workers);
    else if (a == "--kill-min-ms") ok = number(o.kill_min_ms);
    else if (a == "--kill-max-ms") ok = number(o.kill_max_ms);
    else if (a == "--simln-kill-one-in") ok = number(o.simln_kill_one_in);
    else if (a == "--seed") ok = number(o.seed);
    else if (a == "--trade-timeout-s") ok = number(o.trade_timeout_s);
    else if (a == "--dir") ok = static_cast<bool>((o.dir = value().value_or("")).size());
    else if (a == "--keep") o.keep = true;
    else ok = false;
    if (!ok) {
      std::cerr << "usage: soak [--trades N] [--workers W] [--kill-min-ms A] [--kill-max-ms B]\n"
                   "            [--simln-kill-one-in K] [--seed S] [--trade-timeout-s T] [--dir DIR] [--keep]\n";
      return std::nullopt;
    }
  }
  if (o.trades < 1 || o.workers < 1 || o.workers > 32 || o.kill_min_ms < 100 || o.kill_max_ms < o.kill_min_ms) {
    std::cerr << "soak: --trades ≥ 1, --workers 1..32, 100 ≤ --kill-min-ms ≤ --kill-max-ms\n";
    return std::nullopt;
  }
  return o;
}

int Main(int argc, char** argv) {
  auto parsed = ParseArgs(argc, argv);
  if (!parsed) return 2;
  // The wallets' LND clients log every stream the kills interrupt; the soak reports itself.
  base::SetLogLevel(base::LogLevel::kError);
  Run run(*parsed);
  const Options& o = run.options;
  run.dir = o.dir.empty() ? testsupport::MakeTempDir("soak") : o.dir;
  std::filesystem::create_directories(run.dir);
  run.clock_file = run.dir + "/clock";
  run.resolver_file = run.dir + "/resolver.token";
  run.simln_state = run.dir + "/simln";
  std::ofstream(run.clock_file) << 0;
  std::ofstream(run.resolver_file) << kResolverToken << "\n";
  ::chmod(run.resolver_file.c_str(), 0600);
  std::cout << "soak: seed " << o.seed << ", " << o.trades << " trades, " << o.workers << " workers, kills every "
            << o.kill_min_ms << ".." << o.kill_max_ms << " ms, in " << run.dir << std::endl;

  std::vector<std::string> wallets;
  for (int w = 0; w < o.workers; ++w) {
    wallets.push_back("maker" + std::to_string(w));
    wallets.push_back("taker" + std::to_string(w));
  }
  wallets.push_back("devfund");
  auto simln = testsupport::SimlnDaemon::Start(run.dir, wallets, kChannelSat);
  if (!simln.ok()) {
    std::cerr << "soak: " << simln.error() << "\n";
    return 2;
  }
  testsupport::CoordinatordOptions copts;
  copts.clock_file = run.clock_file;
  // The offline rates re-read once a day and counting for 1000 days: the soak's clock jumps
  // (hours, several workers at once) must never leave the coordinator without a price.
  copts.price_interval_s = 86400;
  copts.resolver_token_files = {run.resolver_file};
  copts.extra_yaml = "dev_tax: {share: 0.2, min_payment_sat: 1, interval_s: 60, retry_base_s: 1, retry_max_s: 5, "
                     "node_pubkey: \"" + (*simln)->Node("devfund")->pubkey + "\"}\n";
  const testsupport::LndEndpoint coordinator_node = *(*simln)->Node("coordinator");
  auto started = testsupport::Coordinatord::Start(run.dir, coordinator_node, copts);
  if (!started.ok()) {
    std::cerr << "soak: " << started.error() << "\n";
    return 2;
  }
  std::unique_ptr<testsupport::Coordinatord> coordinatord = std::move(started.value());
  run.SetUrls(coordinatord->api_url(), coordinatord->operator_url());

  std::vector<std::unique_ptr<testsupport::Wallet>> wallet_clients;
  for (const auto& name : wallets) {
    auto node = (*simln)->Connect(name);
    if (!node.ok()) {
      std::cerr << "soak: " << node.error() << "\n";
      return 2;
    }
    wallet_clients.push_back(std::make_unique<testsupport::Wallet>(name, std::move(node.value())));
  }

  // The killer: SIGKILL at random moments, restart on the same files.
  int coordinatord_kills = 0, simln_kills = 0;
  std::thread killer([&] {
    std::mt19937_64 rng(o.seed ^ 0x5eedULL);
    while (!run.stop_killing) {
      const int wait_ms = std::uniform_int_distribution<int>(o.kill_min_ms, o.kill_max_ms)(rng);
      for (int slept = 0; slept < wait_ms && !run.stop_killing; slept += 50) std::this_thread::sleep_for(50ms);
      if (run.stop_killing) break;
      const bool node = o.simln_kill_one_in > 0 && std::uniform_int_distribution<int>(0, o.simln_kill_one_in - 1)(rng) == 0;
      if (node) {
        (*simln)->Kill();
        ++simln_kills;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1500)(rng)));
        if (auto r = (*simln)->Restart(); !r) {
          run.Violation("simln did not restart: " + r.error());
          run.stop_killing = true;
        }
        continue;
      }
      ::kill(coordinatord->pid(), SIGKILL);
      coordinatord->Wait(30s);
      ++coordinatord_kills;
      for (int attempt = 0;; ++attempt) {
        auto again = testsupport::Coordinatord::Start(run.dir, coordinator_node, copts);
        if (again.ok()) {
          coordinatord = std::move(again.value());
          run.SetUrls(coordinatord->api_url(), coordinatord->operator_url());
          break;
        }
        if (attempt == 5) {
          run.Violation("coordinatord did not restart: " + again.error());
          run.stop_killing = true;
          break;
        }
      }
    }
  });

  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < o.workers; ++w) {
    threads.emplace_back([&, w] {
      Worker worker(run, w, *wallet_clients[static_cast<size_t>(2 * w)],
                    *wallet_clients[static_cast<size_t>(2 * w + 1)]);
      worker.Loop();
    });
  }
  // Kills stop when the last trades start, so that every trade can be driven to its end.
  while (run.next_trade.load() < o.trades && !run.stop_killing) std::this_thread::sleep_for(100ms);
  run.stop_killing = true;
  killer.join();
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  // Quiet now: the coordinator settles what is in flight (dev tax included), then the audit.
  auto coordinator_client = (*simln)->Connect("coordinator");
  std::this_thread::sleep_for(3s);
  for (const auto& u : UnfinishedOrders(run.dir + "/data/coordinator.db")) run.Violation(u);
  testsupport::AuditReport report;
  if (coordinator_client.ok()) {
    auto& node = *coordinator_client.value();
    report = testsupport::AuditStore(run.dir + "/data/coordinator.db", [&](const std::string& hex) {
      std::optional<escrow::InvoiceState> state;
      auto hash = escrow::crypto::Hash32FromHex(hex);
      testsupport::WaitUntil(
          [&] {
            auto inv = node.LookupInvoice(*hash);
            state = inv.ok() ? std::optional(inv->state) : std::nullopt;
            return !state || (*state != escrow::InvoiceState::kAccepted && *state != escrow::InvoiceState::kOpen);
          },
          20s);
      return state;
    });
    for (const auto& v : report.violations) run.Violation("audit: " + v);
  } else {
    run.Violation("cannot reach the coordinator's node for the audit: " + coordinator_client.error());
  }

  const int stopped = coordinatord->Stop(60s).value_or(-1);
  if (stopped != 0) run.Violation("coordinatord did not stop cleanly (" + std::to_string(stopped) + ")");
  wallet_clients.clear();
  if (coordinator_client.ok()) coordinator_client.value().reset();
  (*simln)->Stop(60s);

  const auto counts = run.Counts();
  const auto violations = run.Violations();
  std::cout << "\nsoak: " << o.trades << " trades in " << static_cast<int>(seconds) << " s, "
            << coordinatord_kills << " kills of coordinatord, " << simln_kills << " of simln, seed " << o.seed
            << "\n";
  std::cout << "audit: " << report.Describe() << "\n";
  std::cout << "paths and events:\n";
  for (const auto& [what, n] : counts) std::printf("  %6d  %s\n", n, what.c_str());
  std::cout << "violations: " << violations.size() << "\n";
  for (const auto& v : violations) std::cout << "  " << v << "\n";
  if (violations.empty() && !o.keep && o.dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(run.dir, ec);
  } else {
    std::cout << "logs and state kept in " << run.dir << "\n";
  }
  return violations.empty() ? 0 : 1;
}

}  // namespace
}  // namespace soak

int main(int argc, char** argv) { return soak::Main(argc, argv); }
