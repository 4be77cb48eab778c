// The log-scrubbing test of issue #11: coordinatord and the simln daemon (playing LND) both at
// debug level, a whole trade paid out with the dev tax streamed to the dev node, then a trade
// with chat that ends in a dispute resolved by the operator (coordctl over the admin API) and a
// reward withdrawal. Afterwards every secret used is collected — robot tokens, their SHA-256
// (the Authorization value, and the robots' nostr secret key), the robots' PGP secret keys,
// every node's macaroon, the admin tokens, the coordinator's nostr secret key, the preimage of
// every invoice (hold invoices, payouts, reward withdrawals, dev-tax keysends) — in every
// encoding that travels (text, hex either case, base64, base64url), and grepped for in both
// daemons' logs: none may be there.
#include <sqlite3.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <random>
#include <sstream>

#include "config/base/encoding.h"
#include "escrow/crypto/sha256.h"
#include "tests/integration/coordinator_trade/trade_fixture.h"

namespace coordinator_trade_test {
namespace {

std::string RandomHex(size_t bytes) {
  std::random_device rd;
  base::Bytes b(bytes);
  for (auto& x : b) x = static_cast<uint8_t>(rd());
  return base::HexEncode(b);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Column `column` of every row of `table` (non-empty text values).
std::vector<std::string> Column(const std::string& db_path, const std::string& table, const std::string& column) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = "SELECT " + column + " FROM " + table;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      if (text && *text) out.emplace_back(reinterpret_cast<const char*>(text));
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

class LogScrub : public CoordinatorTrade {
 protected:
  LogScrub() {
    m_wallet_names.push_back("dev");
    m_simln_log_level = "debug";
  }
  void BeforeCoordinatord() override {
    m_options.extra_yaml = "log_level: debug\ndev_tax: {share: 0.25, min_payment_sat: 1, node_pubkey: \"" +
                           m_simln->Node("dev")->pubkey + "\"}\n";
    m_resolver_token = RandomHex(24);
    m_solver_token = RandomHex(24);
    m_resolver_file = m_dir + "/resolver.token";
    m_solver_file = m_dir + "/solver.token";
    for (const auto& [file, token] : {std::pair{m_resolver_file, m_resolver_token}, std::pair{m_solver_file, m_solver_token}}) {
      std::ofstream(file) << token << "\n";
      ::chmod(file.c_str(), 0600);
    }
    m_options.resolver_token_files = {m_resolver_file};
    m_options.solver_token_files = {m_solver_file};
    m_clock_file = m_dir + "/clock";
    std::ofstream(m_clock_file) << 0;
    m_options.clock_file = m_clock_file;
  }

  void MoveClock(int64_t seconds) {
    m_clock_ahead_s += seconds;
    std::ofstream(m_clock_file) << m_clock_ahead_s;
    std::this_thread::sleep_for(150ms);  // the coordinator re-reads the file every 50 ms
  }

  std::pair<int, std::string> Coordctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {testsupport::BinaryPath("coordctl"), "--endpoint", m_coordinatord->operator_url(),
                                     "--token-file", m_resolver_file};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = testsupport::Process::Start(argv, m_dir + "/coordctl.log");
    std::string out;
    while (auto line = p->ReadLine(kWait)) out += *line + "\n";
    return {p->Wait(kWait).value_or(-1), out};
  }

  void Chat(Trader& from, int64_t id, const std::string& text) {
    // What a RoboSats client posts: the message encrypted to both robots' keys (the coordinator
    // only relays it). A clear-signed text stands in for the ciphertext here.
    Call(*from.robot, "POST", "/api/chat/", {{"PGP_message", from.key->ClearSign(text)}, {"order_id", id}, {"offset", 0}});
  }

  void Withdraw(Trader& r) {
    const int64_t balance = Call(*r.robot, "GET", "/api/robot/").value("earned_rewards", int64_t{0});
    ASSERT_GT(balance, 0);
    auto invoice = r.wallet->Invoice(balance, "rewards", m_clock_ahead_s + 3600);
    ASSERT_TRUE(invoice.ok());
    m_wallet_invoices.emplace_back(&r, invoice->payment_request);
    auto reply = r.robot->Post("/api/reward/", {{"invoice", r.key->ClearSign(invoice->payment_request)}});
    EXPECT_EQ(reply.json.value("successful_withdrawal", false), true) << reply.Describe();
  }

  // Every form in which `bytes_hex` (a secret of bytes, hex) could reach a log.
  void AddBytes(const std::string& what, const std::string& bytes_hex) {
    auto bytes = base::HexDecode(bytes_hex);
    ASSERT_TRUE(bytes.has_value()) << what;
    m_secrets.emplace_back(what + " (hex)", base::HexEncode(*bytes));
    m_secrets.emplace_back(what + " (HEX)", Upper(base::HexEncode(*bytes)));
    // base64 of a few bytes is short and could match by chance; the strings grepped are ≥ 32.
    std::string b64 = base::Base64Encode(*bytes);
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    m_secrets.emplace_back(what + " (base64)", b64);
    std::string b64url = base::Base64UrlEncode(*bytes);
    while (!b64url.empty() && b64url.back() == '=') b64url.pop_back();
    m_secrets.emplace_back(what + " (base64url)", b64url);
  }

  std::string m_resolver_token, m_solver_token, m_resolver_file, m_solver_file, m_clock_file;
  std::vector<std::pair<Trader*, std::string>> m_wallet_invoices;  // payouts and withdrawals
  std::vector<std::pair<std::string, std::string>> m_secrets;      // what, text
};

TEST_F(LogScrub, NoSecretReachesTheLogsOfATradeWithDisputeAndDevTaxAtDebugLevel) {
  RegisterRobots();
  auto& seller = T("robot");
  auto& buyer = T("other");

  // 1. A whole trade, with chat; its proceeds stream to the dev node.
  int64_t first = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  TakeAndLock(buyer, first, "");
  LockEscrow(seller, first);
  WaitStatus(*buyer.robot, first, 8);
  m_wallet_invoices.emplace_back(&buyer, SubmitInvoice(buyer, first));
  WaitStatus(*buyer.robot, first, 9);
  Chat(buyer, first, "Hello, sending the fiat now. My IBAN is in the next message.");
  Chat(seller, first, "Received the details, waiting.");
  ConfirmBoth(buyer, seller, first);
  bool dev_paid = testsupport::WaitUntil(
      [&] {
        auto r = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/devfund/");
        return r.body.find("\"succeeded\"") != std::string::npos;
      },
      kWait);
  EXPECT_TRUE(dev_paid) << "the dev tax was never paid";

  // 2. A trade in chat that ends in a dispute: the buyer sent fiat, the seller never confirms;
  // the buyer opens the dispute, both give statements, the operator rules for the buyer, who
  // withdraws the escrow (and its bond) as rewards.
  int64_t second = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "120"}, {"payment_method", "Strike"}, {"premium", "2"}});
  TakeAndLock(buyer, second, "");
  LockEscrow(seller, second);
  WaitStatus(*buyer.robot, second, 8);
  m_wallet_invoices.emplace_back(&buyer, SubmitInvoice(buyer, second));
  WaitStatus(*buyer.robot, second, 9);
  Chat(buyer, second, "Sent.");
  EXPECT_EQ(Act(*buyer.robot, second, {{"action", "confirm"}}).value("status", -1), 10);
  MoveClock(7 * 3600);
  EXPECT_EQ(Act(*buyer.robot, second, {{"action", "dispute"}}).value("status", -1), 11);
  const std::string statement(150, 's');
  Act(*seller.robot, second, {{"action", "submit_statement"}, {"statement", statement}});
  Act(*buyer.robot, second, {{"action", "submit_statement"}, {"statement", statement}});
  int code = -1;
  std::string out;
  testsupport::WaitUntil(
      [&] {
        std::tie(code, out) = Coordctl({"dispute", "resolve", std::to_string(second), "--outcome", "taker_wins"});
        return code == 0 || out.find("being settled") == std::string::npos;
      },
      kWait);
  EXPECT_EQ(code, 0) << out;
  WaitStatus(*buyer.robot, second, 17);
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] { return Call(*buyer.robot, "GET", "/api/robot/").value("earned_rewards", int64_t{0}) > 0; }, kWait));
  Withdraw(buyer);
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] { return Call(*buyer.robot, "GET", "/api/robot/").value("earned_rewards", int64_t{-1}) == 0; }, kWait));

  // Every line is written: coordinatord stops (its last lines too); simln writes each line
  // with one write(2) as it logs.
  ASSERT_EQ(m_coordinatord->Stop(kWait), std::optional<int>(0));
  const std::string coordinatord_log = testsupport::ReadFile(m_coordinatord->log_path());
  m_coordinatord.reset();
  const std::string simln_log = testsupport::ReadFile(m_simln->log_path());
  // Debug level was on in both (else the test proves little).
  EXPECT_NE(coordinatord_log.find("\"level\":\"debug\""), std::string::npos) << "coordinatord logged no debug line";
  EXPECT_NE(simln_log.find("\"level\":\"debug\""), std::string::npos) << "simln logged no debug line";

  // The secrets.
  for (const char* name : {"robot", "other"}) {
    auto& r = *T(name).robot;
    m_secrets.emplace_back(std::string(name) + " token", r.keys().token);
    m_secrets.emplace_back(std::string(name) + " token's SHA-256 (base91, the Authorization value)", r.token_sha256_b91());
    AddBytes(std::string(name) + " token's SHA-256 (its nostr secret key)",
             escrow::crypto::ToHex(escrow::crypto::Sha256(r.keys().token)));
    // A line from the middle of the armored secret key (the first lines are headers).
    std::istringstream armored(r.keys().encrypted_private_armored);
    std::vector<std::string> lines;
    for (std::string line; std::getline(armored, line);) {
      if (line.size() >= 40) lines.push_back(line);
    }
    ASSERT_GE(lines.size(), 2u);
    m_secrets.emplace_back(std::string(name) + " PGP secret key", lines[lines.size() / 2].substr(0, 40));
  }
  for (const char* node : {"coordinator", "alice", "bob", "dev"}) {
    const std::string macaroon = testsupport::ReadFile(m_simln->Node(node)->macaroon_path);
    ASSERT_FALSE(macaroon.empty()) << node;
    AddBytes(std::string(node) + " macaroon", base::HexEncode(base::Bytes(macaroon.begin(), macaroon.end())));
  }
  m_secrets.emplace_back("resolver token", m_resolver_token);
  m_secrets.emplace_back("solver token", m_solver_token);
  std::string nostr_key = testsupport::ReadFile(m_dir + "/data/nostr.key");
  while (!nostr_key.empty() && std::isspace(static_cast<unsigned char>(nostr_key.back()))) nostr_key.pop_back();
  ASSERT_EQ(nostr_key.size(), 64u);
  AddBytes("coordinator nostr key", nostr_key);
  const std::string db = m_dir + "/data/coordinator.db";
  size_t preimages = 0;
  for (const auto& [table, what] : std::vector<std::pair<std::string, std::string>>{
           {"holds", "hold invoice preimage"},
           {"payouts", "payout preimage"},
           {"reward_withdrawals", "reward withdrawal preimage"},
           {"dev_tax_payments", "dev-tax keysend preimage"}}) {
    for (const auto& p : Column(db, table, "preimage")) {
      AddBytes(what, p);
      ++preimages;
    }
  }
  // Two trades: 3 hold invoices each; a dev-tax keysend.
  EXPECT_GE(preimages, 7u);
  for (const auto& [trader, payreq] : m_wallet_invoices) {
    auto hash = testsupport::PaymentHashOf(payreq);
    ASSERT_TRUE(hash.has_value());
    auto inv = trader->wallet->node().LookupInvoice(*hash);
    ASSERT_TRUE(inv.ok()) << inv.error().message;
    if (inv->r_preimage) AddBytes("wallet invoice preimage", escrow::crypto::ToHex(*inv->r_preimage));
  }

  for (const auto& [what, secret] : m_secrets) {
    ASSERT_GE(secret.size(), 32u) << what << " is too short to grep for";
    EXPECT_EQ(coordinatord_log.find(secret), std::string::npos) << what << " is in coordinatord's log";
    EXPECT_EQ(simln_log.find(secret), std::string::npos) << what << " is in simln's log";
  }
  std::cout << "[ scrubbed ] " << m_secrets.size() << " secret forms grepped in " << coordinatord_log.size()
            << " bytes of coordinatord's log and " << simln_log.size() << " of simln's\n";
}

}  // namespace
}  // namespace coordinator_trade_test
