// PublicApiStack: the coordinator in one process, wired as coordinatord wires it — an
// in-process simln network (a "coordinator" node and funded wallets), HoldDesk/PayoutDesk, a
// Store on a temporary file, the Engine, and the real HttpServer with RegisterPublicApi on
// 127.0.0.1:0 — plus what a RoboSats client holds (ApiRobot: a token, a PGP key protected by
// it, the Authorization headers) and a libcurl client (ApiClient). Used by the adapter test
// tests/adapter/public_api and by the benchmarks in tests/bench (book_rps, accept_latency,
// trades_per_sec).
//
// It lives in test_support but only binaries that use it pull it in; they link api_public,
// coordinator_*, escrow_simln, escrow_core, escrow_crypto, config_lib, base and CURL::libcurl
// (see tests/adapter/public_api/deps.txt), which test_support itself does not.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/admin_api.h"
#include "api/http/server.h"
#include "api/rate_limit.h"
#include "config/base/clock.h"
#include "config/base/expected.h"
#include "coordinator/engine.h"
#include "coordinator/market_history.h"
#include "coordinator/params.h"
#include "coordinator/store/store.h"
#include "escrow/hold_desk.h"
#include "escrow/lightning_node.h"
#include "escrow/payout_desk.h"
#include "escrow/simln/network.h"
#include "tests/support/pgp_keys.h"

namespace apistack {

using Json = nlohmann::json;

// Fiat per BTC by currency id; USD (1) 100 000 and EUR (2) 90 000 unless Set. Thread-safe.
class FixedRates final : public coordinator::RateSource {
 public:
  std::optional<double> Rate(int currency) const override;
  void Set(int currency, double rate);

 private:
  mutable std::mutex m_mu;
  std::map<int, double> m_rates{{1, 100000.0}, {2, 90000.0}};  // guarded by m_mu
};

// Real time moved by a fixed offset. RoboSats refuses robot keys younger than 12 hours (1056):
// a coordinator running 13 h ahead accepts keys made now, while its timers still run.
class ShiftedClock final : public base::Clock {
 public:
  explicit ShiftedClock(std::chrono::seconds offset) : m_offset(offset) {}
  base::TimePoint Now() const override { return std::chrono::system_clock::now() + m_offset; }

 private:
  std::chrono::seconds m_offset;
};

struct StackOptions {
  const base::Clock* clock = nullptr;  // REQUIRED; must outlive the stack
  std::vector<std::string> wallets{"alice", "bob", "carol", "dave"};
  int64_t channel_sat = 10'000'000;  // each side of every coordinator ⇄ wallet channel
  coordinator::TradeParams params;
  std::chrono::milliseconds tick_interval{20};
  api::http::ServerOptions server;  // 127.0.0.1:0 by default
  // Called before the server starts: test-only routes.
  std::function<void(api::http::HttpServer&)> extra_routes;
  // Per-robot and per-address request limits (api/rate_limit.h): high by default, tests and
  // benches poll far faster than clients; a test of the limits sets them.
  api::RateLimiter::Options robot_rate{100000, 100000, 100000};
  api::RateLimiter::Options anonymous_rate{100000, 100000, 100000};
  // Non-empty: the admin API is served on a second listener (admin_port()) with these tokens.
  std::vector<api::AdminToken> admin_tokens;
};

// Versions of the orders the engine wrote (Engine::Deps::on_orders_written): a client waits for
// an order to change instead of polling it in a sleep loop. Thread-safe.
class OrderWatch {
 public:
  uint64_t Version(int64_t order_id);
  // Until the order's version passes `seen` or `timeout` passes; false on the timeout.
  bool WaitPast(int64_t order_id, uint64_t seen, std::chrono::milliseconds timeout);
  void Written(const std::vector<int64_t>& order_ids);
  // Waits that ended by a change / by their timeout (a benchmark reports both).
  uint64_t woken() const { return m_woken; }
  uint64_t timed_out() const { return m_timed_out; }

 private:
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::map<int64_t, uint64_t> m_versions;  // guarded by m_mu
  std::atomic<uint64_t> m_woken{0}, m_timed_out{0};
};

class PublicApiStack {
 public:
  // Builds and starts everything in a fresh temporary directory. Errors: the reason.
  static base::Expected<std::unique_ptr<PublicApiStack>, std::string> Start(StackOptions options);
  // Stops the server, then the engine and the desks, then closes the store and the network,
  // and removes the directory.
  ~PublicApiStack();
  PublicApiStack(const PublicApiStack&) = delete;
  PublicApiStack& operator=(const PublicApiStack&) = delete;

  uint16_t port() const { return m_server.Port(); }
  uint16_t admin_port() const { return m_admin_server.Port(); }
  const std::string& db_path() const { return m_db_path; }
  const coordinator::TradeParams& params() const { return m_options.params; }
  coordinator::Engine& engine() { return *m_engine; }
  escrow::simln::Network& network() { return *m_net; }
  FixedRates& rates() { return m_rates; }
  OrderWatch& watch() { return m_watch; }

  // A regular invoice of `sats` from `wallet` (REQUIRES: a wallet of the options).
  base::Expected<std::string, std::string> WalletInvoice(const std::string& wallet, int64_t sats);
  // `wallet` pays `payreq`; a payment to a hold invoice stays in flight (its HTLC ACCEPTED at
  // the coordinator's node) until the engine settles or cancels. The HTLC is committed before
  // this returns (simln routes synchronously). Thread-safe.
  void Pay(const std::string& wallet, const std::string& payreq);

 private:
  explicit PublicApiStack(StackOptions options) : m_options(std::move(options)) {}
  base::Expected<void, std::string> Open();

  StackOptions m_options;
  std::string m_dir;
  std::string m_db_path;
  FixedRates m_rates;
  OrderWatch m_watch;
  std::unique_ptr<escrow::simln::Network> m_net;
  std::unique_ptr<coordinator::MarketHistory> m_history;
  std::unique_ptr<escrow::LightningNode> m_coord_node;
  std::map<std::string, std::unique_ptr<escrow::LightningNode>> m_wallets;
  std::mutex m_payments_mu;
  std::vector<std::unique_ptr<escrow::Subscription>> m_payments;  // guarded by m_payments_mu
  std::unique_ptr<coordinator::Store> m_store;
  std::unique_ptr<escrow::HoldDesk> m_holds;
  std::unique_ptr<escrow::PayoutDesk> m_payouts;
  std::unique_ptr<coordinator::Engine> m_engine;
  api::http::HttpServer m_server;
  api::http::HttpServer m_admin_server;
};

// A robot as a RoboSats client holds it: a secret token, a curve25519 PGP key whose secret
// part is protected by the token, and the Authorization headers derived from them.
class ApiRobot {
 public:
  ApiRobot(std::string name, std::string wallet);
  // A robot with a given token (e.g. one of testsupport::LoadNicknameVectors()).
  ApiRobot(std::string name, std::string wallet, std::string token);

  const std::string& name() const { return m_name; }
  const std::string& wallet() const { return m_wallet; }
  const std::string& token() const { return m_token; }  // secret
  const testsupport::PgpKey& key() const { return *m_key; }
  // "Token <base91(SHA256(token))>", as sent once the coordinator knows the robot.
  const std::string& token_header() const { return m_token_header; }
  // The first request's header: "Token … | Public … | Private … | Nostr …", the armored keys'
  // newlines replaced by '\' (RoboSats' client does the same).
  const std::string& first_header() const { return m_first_header; }
  // The header a first request would carry with other key blocks (to test bad keys).
  std::string HeaderWithKeys(std::string_view public_key, std::string_view private_key,
                             std::string_view nostr_hex) const;

 private:
  std::string m_name, m_wallet, m_token;
  std::unique_ptr<testsupport::PgpKey> m_key;
  std::string m_token_header, m_first_header;
};

struct HttpReply {
  long status = 0;    // 0: no HTTP response (see error)
  std::string error;  // curl's error, if any
  std::string body;
  Json json;  // the body parsed; is_discarded() if it is not JSON (or not parsed)
  std::map<std::string, std::string> headers;  // lower-case names
  bool new_connection = false;  // false: a kept-alive connection was reused
};

struct HttpCall {
  std::string method = "GET";
  std::string target;                   // "/api/book/?currency=1"
  std::vector<std::string> headers;     // "Name: value" ("Name;" sends it empty)
  std::optional<std::string> body;      // sent with Content-Length when set
  std::chrono::milliseconds timeout{30000};  // generous: the machine may be busy
};

// A libcurl client of one server on 127.0.0.1. With keep_alive, asks for and reuses one
// connection while the server keeps it open; otherwise one connection per request. Not
// thread-safe: one client per thread.
class ApiClient {
 public:
  explicit ApiClient(uint16_t port, bool keep_alive = true);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  HttpReply Send(const HttpCall& call);
  // GET with the robot's header (`auth` empty: none).
  HttpReply Get(const std::string& target, const std::string& auth = {});
  // POST of a JSON body.
  HttpReply Post(const std::string& target, const std::string& auth, const Json& body);

  // Whether replies are parsed into HttpReply::json (benchmarks turn it off: parsing a 50 KB
  // book costs the client more than the server spends on it).
  bool parse_json = true;
  // How long WaitOrder sleeps between two polls with this client (default 1 ms).
  std::chrono::microseconds poll_interval{1000};
  // Set: WaitOrder asks again only when the engine wrote the order (or after `watch_fallback`,
  // for what changes without an order write), instead of every poll_interval.
  OrderWatch* watch = nullptr;
  std::chrono::milliseconds watch_fallback{250};

 private:
  uint16_t m_port;
  bool m_keep_alive;
  void* m_curl = nullptr;  // CURL*
};

// Trade steps over HTTP, as a RoboSats client takes them. Each returns the order's view (or
// what the step answered) or a reason naming the step and the answer.
using StepResult = base::Expected<Json, std::string>;

// GET /api/robot/ with the first request's header: the coordinator creates the robot.
StepResult Register(ApiClient& client, const ApiRobot& robot);
// POST /api/make/ `body`; the answer carries the maker bond invoice.
StepResult Make(ApiClient& client, const ApiRobot& maker, const Json& body);
// GET /api/order/ until `done(view)` holds, for at most `timeout`, every client.poll_interval.
StepResult WaitOrder(ApiClient& client, const ApiRobot& robot, int64_t order_id,
                     const std::function<bool(const Json&)>& done, std::chrono::milliseconds timeout);
StepResult WaitStatus(ApiClient& client, const ApiRobot& robot, int64_t order_id, int status,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));
// Make + pay the bond + wait for status 1 (public). Returns the order id.
base::Expected<int64_t, std::string> MakePublic(PublicApiStack& stack, ApiClient& client, const ApiRobot& maker,
                                                const Json& body);
// Take (+`extra` fields, e.g. amount or password), pay the bond, wait for status 6.
StepResult TakeAndLock(PublicApiStack& stack, ApiClient& client, const ApiRobot& taker, int64_t order_id,
                       const Json& extra = Json::object());
// The seller pays the escrow invoice; waits for `status_after` (8 or 9).
StepResult LockEscrow(PublicApiStack& stack, ApiClient& client, const ApiRobot& seller, int64_t order_id,
                      int status_after);
// The buyer submits a signed invoice of invoice_amount from its wallet.
StepResult SubmitInvoice(PublicApiStack& stack, ApiClient& client, const ApiRobot& buyer, int64_t order_id);
// POST /api/order/ action=`action` (+`extra`), expecting 200.
StepResult Action(ApiClient& client, const ApiRobot& robot, int64_t order_id, const std::string& action,
                  const Json& extra = Json::object());

// {"type": 1 (sell) or 0 (buy), "currency": 1, "amount": usd, "payment_method": "Strike"}.
Json OrderBody(int type, const std::string& amount_usd);

}  // namespace apistack
