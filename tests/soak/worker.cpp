#include "tests/soak/worker.h"

#include <cmath>
#include <random>
#include <set>

#include "escrow/crypto/sha256.h"
#include "federation/robot/pgp_keys.h"
#include "federation/robot/token.h"
#include "tests/support/pgp_keys.h"
#include "tests/support/robot_client.h"
#include "tests/support/simln_rest_client.h"
#include "tests/support/test_support.h"

namespace soak {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const char* const kOutcomes[] = {"maker_wins", "taker_wins", "return_everything", "successful_trade"};

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

}  // namespace

void RunWorker(Run& run, int index, testsupport::Wallet& maker_wallet, testsupport::Wallet& taker_wallet) {
  Worker(run, index, maker_wallet, taker_wallet).Loop();
}

}  // namespace soak
