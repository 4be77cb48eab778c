#include "tests/support/public_api_stack.h"

#include <cmath>

#include <curl/curl.h>

#include <filesystem>
#include <thread>

#include "api/public_api.h"
#include "coordinator/identity/base91.h"
#include "coordinator/prices/currencies.h"
#include "escrow/crypto/sha256.h"
#include "tests/support/test_support.h"

namespace apistack {

// ---- FixedRates --------------------------------------------------------------------------

std::optional<double> FixedRates::Rate(int currency) const {
  std::lock_guard lock(m_mu);
  auto it = m_rates.find(currency);
  if (it == m_rates.end()) return std::nullopt;
  return it->second;
}

void FixedRates::Set(int currency, double rate) {
  std::lock_guard lock(m_mu);
  m_rates.insert_or_assign(currency, rate);
}

// ---- PublicApiStack ----------------------------------------------------------------------

base::Expected<std::unique_ptr<PublicApiStack>, std::string> PublicApiStack::Start(StackOptions options) {
  if (options.clock == nullptr) return base::Err(std::string("StackOptions.clock is required"));
  std::unique_ptr<PublicApiStack> stack(new PublicApiStack(std::move(options)));
  auto opened = stack->Open();
  if (!opened.ok()) return base::Err(opened.error());
  return stack;
}

base::Expected<void, std::string> PublicApiStack::Open() {
  const base::Clock& clock = *m_options.clock;
  m_dir = testsupport::MakeTempDir("public-api");
  m_db_path = m_dir + "/coordinator.db";

  escrow::simln::NetworkSpec spec;
  spec.start_height = 800000;
  spec.nodes.push_back({"coordinator", ""});
  for (const auto& w : m_options.wallets) {
    spec.nodes.push_back({w, ""});
    escrow::simln::ChannelSpec ch;
    ch.node_a = "coordinator";
    ch.node_b = w;
    ch.a_balance_sat = m_options.channel_sat;
    ch.b_balance_sat = m_options.channel_sat;
    spec.channels.push_back(ch);
  }
  auto net = escrow::simln::Network::Open(m_dir + "/simln.db", spec, clock);
  if (!net.ok()) return base::Err("simln: " + net.error());
  m_net = std::move(net.value());
  for (const auto& w : m_options.wallets) m_wallets[w] = m_net->Node(w);
  m_coord_node = m_net->Node("coordinator");

  auto store = coordinator::Store::Open(m_db_path);
  if (!store.ok()) return base::Err("store: " + store.error());
  m_store = std::move(store.value());
  m_holds = std::make_unique<escrow::HoldDesk>(*m_coord_node);
  m_payouts = std::make_unique<escrow::PayoutDesk>(*m_coord_node);

  const auto& currencies = coordinator::CurrencyTable::Bundled();
  coordinator::Engine::Deps deps;
  deps.store = m_store.get();
  deps.holds = m_holds.get();
  deps.payouts = m_payouts.get();
  deps.clock = &clock;
  deps.rates = &m_rates;
  deps.block_height = [net = m_net.get()] { return net->BlockHeight(); };
  deps.on_orders_written = [this](const std::vector<int64_t>& ids) { m_watch.Written(ids); };
  deps.params = m_options.params;
  deps.node.alias = "coordinator";
  deps.node.network = "regtest";
  deps.currency_code = [&currencies](int id) -> std::string {
    auto code = currencies.Code(id);
    return code ? std::string(*code) : std::string();
  };
  m_engine = std::make_unique<coordinator::Engine>(std::move(deps));
  m_engine->tick_interval = m_options.tick_interval;
  m_engine->Start();

  api::PublicApiDeps api_deps;
  api_deps.engine = m_engine.get();
  api_deps.rates = &m_rates;
  api_deps.currencies = &currencies;
  api_deps.params = m_options.params;
  api_deps.now = [&clock] { return clock.NowSeconds(); };
  auto history = coordinator::MarketHistory::Open(m_db_path);
  if (!history.ok()) return base::Err("history: " + history.error());
  m_history = std::move(history.value());
  api_deps.history = m_history.get();
  api_deps.robot_rate = m_options.robot_rate;
  api_deps.anonymous_rate = m_options.anonymous_rate;
  auto registered = api::RegisterPublicApi(m_server, std::move(api_deps));
  if (!registered.ok()) return base::Err("api: " + registered.message);
  if (m_options.extra_routes) m_options.extra_routes(m_server);
  auto started = m_server.Start(m_options.server);
  if (!started.ok()) return base::Err("http: " + started.message);
  if (!m_options.admin_tokens.empty()) {
    auto admin = api::RegisterAdminApi(m_admin_server, *m_engine, m_options.admin_tokens);
    if (!admin.ok()) return base::Err("admin api: " + admin.message);
    auto admin_started = m_admin_server.Start(api::http::ServerOptions{});
    if (!admin_started.ok()) return base::Err("admin http: " + admin_started.message);
  }
  return {};
}

PublicApiStack::~PublicApiStack() {
  // The servers first: no handler may reach the engine once they stop.
  m_server.Stop();
  m_admin_server.Stop();
  if (m_engine) m_engine->Stop();
  // Desks before the engine: their callbacks post into it.
  m_payouts.reset();
  m_holds.reset();
  m_engine.reset();
  m_history.reset();
  m_store.reset();
  {
    std::lock_guard lock(m_payments_mu);
    m_payments.clear();
  }
  m_wallets.clear();
  m_coord_node.reset();
  m_net.reset();
  if (!m_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
}

base::Expected<std::string, std::string> PublicApiStack::WalletInvoice(const std::string& wallet, int64_t sats) {
  auto it = m_wallets.find(wallet);
  if (it == m_wallets.end()) return base::Err("unknown wallet " + wallet);
  escrow::InvoiceRequest req;
  req.value_msat = sats * 1000;
  req.memo = "payout";
  req.expiry_seconds = 3600;
  auto added = it->second->AddInvoice(req);
  if (!added.ok()) return base::Err("AddInvoice: " + added.error().message);
  return added->payment_request;
}

void PublicApiStack::Pay(const std::string& wallet, const std::string& payreq) {
  auto it = m_wallets.find(wallet);
  if (it == m_wallets.end()) return;
  escrow::SendPaymentRequest req;
  req.payment_request = payreq;
  req.fee_limit_msat = 100000000;
  req.timeout_seconds = 60;
  auto sub = it->second->SendPayment(req, {[](const escrow::Payment&) {}, {}, {}});
  std::lock_guard lock(m_payments_mu);
  m_payments.push_back(std::move(sub));
}

// ---- ApiRobot ----------------------------------------------------------------------------

namespace {

std::string Backslashed(std::string_view armored) {
  std::string out;
  out.reserve(armored.size());
  for (char c : armored) {
    if (c == '\r') continue;
    out += c == '\n' ? '\\' : c;
  }
  return out;  // "…END PGP PUBLIC KEY BLOCK-----\\", as RoboSats' client sends it
}

std::string RandomToken() {
  // 36 characters like RoboSats' tokens; uniqueness is what matters here.
  static std::mutex mu;
  static uint64_t counter = 0;
  std::lock_guard lock(mu);
  const auto now = std::chrono::high_resolution_clock::now().time_since_epoch().count();
  auto h = escrow::crypto::Sha256(std::to_string(now) + ":" + std::to_string(++counter));
  return escrow::crypto::ToHex(h).substr(0, 36);
}

}  // namespace

ApiRobot::ApiRobot(std::string name, std::string wallet)
    : ApiRobot(std::move(name), std::move(wallet), RandomToken()) {}

ApiRobot::ApiRobot(std::string name, std::string wallet, std::string token)
    : m_name(std::move(name)), m_wallet(std::move(wallet)), m_token(std::move(token)) {
  m_key = testsupport::PgpKey::Generate("RoboSats ID " + m_name, m_token);
  const auto sha = escrow::crypto::Sha256(m_token);
  m_token_header = "Token " + coordinator::identity::Base91Encode(sha.data(), sha.size());
  const std::string nostr = escrow::crypto::ToHex(escrow::crypto::Sha256("nostr of " + m_token));
  m_first_header = HeaderWithKeys(m_key->public_armored(), m_key->secret_armored(), nostr);
}

std::string ApiRobot::HeaderWithKeys(std::string_view public_key, std::string_view private_key,
                                     std::string_view nostr_hex) const {
  return m_token_header + " | Public " + Backslashed(public_key) + " | Private " + Backslashed(private_key) +
         " | Nostr " + std::string(nostr_hex);
}

// ---- ApiClient ---------------------------------------------------------------------------

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<HttpReply*>(user)->body.append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<HttpReply*>(user);
  std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    reply->headers.clear();  // a new response (after 100 Continue)
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  reply->headers[name] = value;
  return size * count;
}

}  // namespace

ApiClient::ApiClient(uint16_t port, bool keep_alive) : m_port(port), m_keep_alive(keep_alive) {
  GlobalInit();
  m_curl = curl_easy_init();
}

ApiClient::~ApiClient() {
  if (m_curl) curl_easy_cleanup(static_cast<CURL*>(m_curl));
}

HttpReply ApiClient::Send(const HttpCall& call) {
  HttpReply reply;
  CURL* h = static_cast<CURL*>(m_curl);
  if (h == nullptr) {
    reply.error = "curl_easy_init failed";
    return reply;
  }
  curl_easy_reset(h);  // keeps the live connection
  const std::string url = "http://127.0.0.1:" + std::to_string(m_port) + call.target;
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  if (call.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (call.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  if (call.body) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body->size()));
    // POSTFIELDS turns the request into a POST; keep the asked method.
    if (call.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, m_keep_alive ? "Connection: keep-alive" : "Connection: close");
  for (const auto& header : call.headers) headers = curl_slist_append(headers, header.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (!m_keep_alive) curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  const CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) reply.error = curl_easy_strerror(rc);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
  long connects = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  reply.new_connection = connects > 0;
  reply.json = parse_json ? Json::parse(reply.body, nullptr, /*allow_exceptions=*/false) : Json(Json::value_t::discarded);
  return reply;
}

HttpReply ApiClient::Get(const std::string& target, const std::string& auth) {
  HttpCall call;
  call.target = target;
  if (!auth.empty()) call.headers.push_back("Authorization: " + auth);
  return Send(call);
}

HttpReply ApiClient::Post(const std::string& target, const std::string& auth, const Json& body) {
  HttpCall call;
  call.method = "POST";
  call.target = target;
  if (!auth.empty()) call.headers.push_back("Authorization: " + auth);
  call.headers.push_back("Content-Type: application/json");
  call.body = body.dump();
  return Send(call);
}

// ---- Trade steps -------------------------------------------------------------------------

namespace {

StepResult Expect200(const char* step, const HttpReply& r) {
  // 200, or 201 for a made order (RoboSats' MakerView).
  if ((r.status == 200 || r.status == 201) && !r.json.is_discarded()) return r.json;
  return base::Err(std::string(step) + ": HTTP " + std::to_string(r.status) + " " + r.error + " " +
                   r.body.substr(0, 300));
}

std::string OrderTarget(int64_t order_id) { return "/api/order/?order_id=" + std::to_string(order_id); }

}  // namespace

Json OrderBody(int type, const std::string& amount_usd) {
  return Json{{"type", type}, {"currency", 1}, {"amount", amount_usd}, {"payment_method", "Strike"}};
}

StepResult Register(ApiClient& client, const ApiRobot& robot) {
  return Expect200("register", client.Get("/api/robot/", robot.first_header()));
}

StepResult Make(ApiClient& client, const ApiRobot& maker, const Json& body) {
  return Expect200("make", client.Post("/api/make/", maker.token_header(), body));
}

uint64_t OrderWatch::Version(int64_t order_id) {
  std::lock_guard lock(m_mu);
  auto it = m_versions.find(order_id);
  return it == m_versions.end() ? 0 : it->second;
}

bool OrderWatch::WaitPast(int64_t order_id, uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mu);
  const bool changed = m_cv.wait_for(lock, timeout, [&] {
    auto it = m_versions.find(order_id);
    return it != m_versions.end() && it->second > seen;
  });
  ++(changed ? m_woken : m_timed_out);
  return changed;
}

void OrderWatch::Written(const std::vector<int64_t>& order_ids) {
  {
    std::lock_guard lock(m_mu);
    for (int64_t id : order_ids) ++m_versions[id];
  }
  m_cv.notify_all();
}

StepResult WaitOrder(ApiClient& client, const ApiRobot& robot, int64_t order_id,
                     const std::function<bool(const Json&)>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    const uint64_t seen = client.watch ? client.watch->Version(order_id) : 0;
    auto r = client.Get(OrderTarget(order_id), robot.token_header());
    if (r.status == 200 && r.json.is_object() && done(r.json)) return r.json;
    last = "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300);
    if (client.watch) {
      client.watch->WaitPast(order_id, seen, client.watch_fallback);
    } else {
      std::this_thread::sleep_for(client.poll_interval);
    }
  }
  return base::Err("order " + std::to_string(order_id) + " wait timed out; last: " + last);
}

StepResult WaitStatus(ApiClient& client, const ApiRobot& robot, int64_t order_id, int status,
                      std::chrono::milliseconds timeout) {
  return WaitOrder(
      client, robot, order_id, [status](const Json& v) { return v.value("status", -1) == status; }, timeout);
}

base::Expected<int64_t, std::string> MakePublic(PublicApiStack& stack, ApiClient& client, const ApiRobot& maker,
                                                const Json& body) {
  auto made = Make(client, maker, body);
  if (!made.ok()) return base::Err(made.error());
  const int64_t id = made->value("id", int64_t{0});
  const std::string invoice = made->value("bond_invoice", "");
  if (id == 0 || invoice.empty()) return base::Err("make: no id or bond_invoice in " + made->dump());
  stack.Pay(maker.wallet(), invoice);
  auto seen = WaitStatus(client, maker, id, 1);
  if (!seen.ok()) return base::Err(seen.error());
  return id;
}

StepResult TakeAndLock(PublicApiStack& stack, ApiClient& client, const ApiRobot& taker, int64_t order_id,
                       const Json& extra) {
  Json body = extra;
  body["action"] = "take";
  auto taken = Expect200("take", client.Post(OrderTarget(order_id), taker.token_header(), body));
  if (!taken.ok()) return taken;
  const std::string invoice = taken->value("bond_invoice", "");
  if (invoice.empty()) return base::Err("take: no bond_invoice in " + taken->dump());
  stack.Pay(taker.wallet(), invoice);
  return WaitStatus(client, taker, order_id, 6);
}

StepResult LockEscrow(PublicApiStack& stack, ApiClient& client, const ApiRobot& seller, int64_t order_id,
                      int status_after) {
  auto view = WaitOrder(
      client, seller, order_id, [](const Json& v) { return v.contains("escrow_invoice"); }, std::chrono::seconds(20));
  if (!view.ok()) return view;
  stack.Pay(seller.wallet(), view->value("escrow_invoice", ""));
  return WaitStatus(client, seller, order_id, status_after);
}

StepResult SubmitInvoice(PublicApiStack& stack, ApiClient& client, const ApiRobot& buyer, int64_t order_id) {
  auto view = Expect200("order", client.Get(OrderTarget(order_id), buyer.token_header()));
  if (!view.ok()) return view;
  const int64_t amount = view->value("invoice_amount", int64_t{0});
  if (amount <= 0) return base::Err("no invoice_amount in " + view->dump());
  // As the RoboSats client does by default (frontend/src/components/TradeBox/Forms/
  // LightningPayout.tsx): a 1000 ppm routing budget, an invoice of
  // Math.floor(n − n × (ppm / 1000000)).
  constexpr int64_t kPpm = 1000;
  const double n = static_cast<double>(amount);
  const auto sats = static_cast<int64_t>(std::floor(n - n * (static_cast<double>(kPpm) / 1000000.0)));
  auto payreq = stack.WalletInvoice(buyer.wallet(), sats);
  if (!payreq.ok()) return base::Err(payreq.error());
  return Action(client, buyer, order_id, "update_invoice",
                Json{{"invoice", buyer.key().ClearSign(*payreq)}, {"routing_budget_ppm", kPpm}});
}

StepResult Action(ApiClient& client, const ApiRobot& robot, int64_t order_id, const std::string& action,
                  const Json& extra) {
  Json body = extra;
  body["action"] = action;
  return Expect200(action.c_str(), client.Post(OrderTarget(order_id), robot.token_header(), body));
}

}  // namespace apistack
