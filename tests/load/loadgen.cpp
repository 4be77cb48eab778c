// The load generator (issue "Proof under stress", item 4): realistic mixed traffic at a fixed
// request rate against a real coordinatord (lightning.backend: lnd → the simln daemon, both
// child processes on loopback, as the soak runs them), printing every 10 s the rate achieved,
// the errors, latency percentiles per request class and coordinatord's RSS, and at the end a
// summary. Exits 1 if any request failed unexpectedly or RSS grew more than the bound between
// the end of the warm-up and the end of the run (2 on a setup failure).
//
//   loadgen [--rate R] [--seconds S] [--warmup-s W] [--pairs P] [--workers N]
//           [--max-rss-growth-pct G] [--timeout-ms T] [--seed X] [--dir DIR] [--keep]
//
// Open loop: a scheduler emits request slots at fixed times (t0 + i/R) whatever the answers
// do; N worker threads, each with a kept-alive Boost.Beast connection, take the slots in order,
// and every latency is measured from the slot's scheduled time, so a stalled coordinator shows
// up as latency (queueing included) rather than as a slower client ("coordinated omission").
//
// The traffic: a slot's class is drawn by weight — the public reads (book, info, limits,
// price), order polling (each active trader's GET /api/order/ in turn: with the defaults every
// trader is polled every few seconds), chat (GET and POST /api/chat/ of the trades in the chat
// window), and the trade steps of P pairs of robots (a maker and a taker). A third of the pairs
// only make and cancel (status 0 → cancelled, no bond paid); the others run full trades: make,
// the maker bond paid from the maker's wallet over LND REST, take, the taker bond, the escrow,
// the buyer's signed payout invoice (routing budget 1000 ppm), a few chat messages, both
// confirmations and the payout. A step that has no pair ready for it falls back to a book read.
// The robots are registered (their first request with the PGP keys) before the run starts.
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "config/base/log.h"
#include "federation/robot/pgp_keys.h"
#include "federation/robot/token.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/memory_sample.h"
#include "tests/support/pgp_keys.h"
#include "tests/support/robot_client.h"
#include "tests/support/test_support.h"

namespace loadgen {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int64_t kChannelSat = 50'000'000;

struct Options {
  double rate = 500;
  // 3 minutes of warm-up, then the 10 measured: the trades in flight (a thread and a connection
  // per watched hold invoice), SQLite's page caches and the allocator's arenas fill for about
  // 2–3 minutes at 500 req/s and then stay level (tests/load/README.md, "Warm-up"). The RSS
  // bound is checked over the measured 10 minutes.
  int seconds = 780;
  int warmup_s = 180;
  int pairs = 0;  // 0: rate / 4
  int workers = 256;
  double max_rss_growth_pct = 10;
  int timeout_ms = 10000;
  uint64_t seed = 1;
  std::string dir;
  bool keep = false;
};

// ---------------------------------------------------------------------------------------------
// Request classes and their share of the slots (weights; the trade steps fall back to "book"
// when no pair is ready for them).
enum Cls { kBook, kInfo, kLimits, kPrice, kOrder, kChatGet, kChatPost, kMake, kCancel, kTake, kInvoice, kConfirm, kNumCls };
const char* const kClsName[kNumCls] = {"book",     "info",      "limits", "price", "order",   "chat_get",
                                       "chat_post", "make",     "cancel", "take",  "invoice", "confirm"};
// Per 1000 slots. Order polling is the largest share (RoboSats' client polls its order every few
// seconds while a trade is open); the trade steps ask for more than they get (they fall back).
// A step's weight must exceed what the pairs need of it (a full trade needs 1 make, 1 take,
// 1 invoice, 6 chat posts, 2 confirms; a make+cancel pair 1 make, 1 cancel): a step starved of
// slots leaves pairs waiting (the first 10-minute run starved the confirmations at 10).
const int kWeight[kNumCls] = {200, 60, 30, 40, 400, 80, 60, 40, 20, 20, 20, 30};

// ---------------------------------------------------------------------------------------------
// An HTTP/1.1 client of one server with one kept-alive connection (Boost.Beast, synchronous,
// with socket timeouts). Not thread-safe: one per worker.
struct Reply {
  int status = 0;       // 0: no answer
  std::string error;    // connection failure / timeout
  bool timeout = false;
  std::string body;
};

class Conn {
 public:
  Conn(tcp::endpoint ep, int timeout_ms) : m_ep(ep), m_timeout_ms(timeout_ms), m_sock(m_ioc) {}

  Reply Send(bhttp::verb verb, const std::string& target, const std::string& auth, const std::string* body,
             std::atomic<int64_t>& stale_retries) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = m_open;
      beast::error_code ec;
      if (!m_open) {
        m_sock.connect(m_ep, ec);
        if (ec) {
          m_sock.close(ec);
          return Reply{0, "connect: " + ec.message(), false, {}};
        }
        struct timeval tv {m_timeout_ms / 1000, (m_timeout_ms % 1000) * 1000};
        ::setsockopt(m_sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(m_sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        m_sock.set_option(tcp::no_delay(true), ec);
        m_open = true;
        m_buf.clear();
      }
      bhttp::request<bhttp::string_body> req{verb, target, 11};
      req.set(bhttp::field::host, "127.0.0.1");
      req.set(bhttp::field::user_agent, "loadgen");
      req.keep_alive(true);
      if (!auth.empty()) req.set(bhttp::field::authorization, auth);
      if (body) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = *body;
      }
      req.prepare_payload();
      bhttp::write(m_sock, req, ec);
      bhttp::response<bhttp::string_body> res;
      if (!ec) bhttp::read(m_sock, m_buf, res, ec);
      if (!ec) {
        if (!res.keep_alive()) Close();
        return Reply{static_cast<int>(res.result_int()), {}, false, std::move(res.body())};
      }
      Close();
      // The server closed a kept connection that had been idle (keepalive_timeout) just as we
      // reused it: it read nothing of this request. Send it again on a new one, as browsers do.
      const bool stale = ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
      if (attempt == 0 && reused && stale) {
        ++stale_retries;
        continue;
      }
      const bool timeout = ec == asio::error::would_block || ec == asio::error::try_again ||
                           ec == asio::error::timed_out;
      return Reply{0, ec.message(), timeout, {}};
    }
    return Reply{0, "unreachable", false, {}};
  }

 private:
  void Close() {
    beast::error_code ignored;
    m_sock.shutdown(tcp::socket::shutdown_both, ignored);
    m_sock.close(ignored);
    m_open = false;
  }
  tcp::endpoint m_ep;
  int m_timeout_ms;
  asio::io_context m_ioc;
  tcp::socket m_sock;
  beast::flat_buffer m_buf;
  bool m_open = false;
};

// ---------------------------------------------------------------------------------------------
// Latencies and errors, per class: the current 10 s window and the whole run.
class Stats {
 public:
  void Record(Cls c, double ms) {
    std::lock_guard lock(m_mu);
    m_window[c].push_back(ms);
    m_total[c].push_back(ms);
    ++m_window_done;
  }
  struct Window {
    std::array<std::vector<double>, kNumCls> lat;
    int64_t done = 0, errors = 0;
  };
  Window TakeWindow() {
    std::lock_guard lock(m_mu);
    Window w;
    w.lat = std::move(m_window);
    m_window = {};
    w.done = m_window_done;
    w.errors = m_window_errors;
    m_window_done = m_window_errors = 0;
    return w;
  }
  std::array<std::vector<double>, kNumCls> Total() {
    std::lock_guard lock(m_mu);
    return m_total;
  }
  int64_t errors() {
    std::lock_guard lock(m_mu);
    return m_errors;
  }
  // An unexpected answer (or a flow gone wrong): counted; the first few printed as they come.
  void Error(const std::string& what) {
    std::lock_guard lock(m_mu);
    ++m_window_errors, ++m_errors;
    if (m_printed++ < 20) std::cerr << "loadgen: ERROR " << what << std::endl;
    ++m_kinds[what.substr(0, what.find(':'))];
  }
  std::map<std::string, int64_t> ErrorKinds() {
    std::lock_guard lock(m_mu);
    return m_kinds;
  }

 private:
  std::mutex m_mu;
  std::array<std::vector<double>, kNumCls> m_window, m_total;
  int64_t m_window_done = 0, m_window_errors = 0, m_errors = 0;
  int m_printed = 0;
  std::map<std::string, int64_t> m_kinds;
};

double Pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - (p > 0 ? 1 : 0));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

void PrintLatencies(std::array<std::vector<double>, kNumCls>& lat, const char* indent) {
  for (int c = 0; c < kNumCls; ++c) {
    auto& v = lat[c];
    if (v.empty()) continue;
    const double mx = *std::max_element(v.begin(), v.end());
    std::printf("%s%-9s n=%-7zu p50 %7.2f  p90 %7.2f  p99 %7.2f  max %8.2f ms\n", indent, kClsName[c], v.size(),
                Pct(v, 0.50), Pct(v, 0.90), Pct(v, 0.99), mx);
  }
}

// ---------------------------------------------------------------------------------------------
// Robots and pairs.
struct Robot {
  std::string auth;  // "Token <base91(sha256(token))>" once registered
  std::unique_ptr<testsupport::PgpKey> key;
  testsupport::Wallet* wallet = nullptr;
  std::mutex* wallet_mu = nullptr;  // Wallet::Pay is not thread-safe; wallets are shared
};

// Where a pair is in its cycle; the *Ready states wait for a slot of the step's class.
enum class St { kMakeReady, kWaitPublic, kTakeReady, kWaitLocked, kInvoiceReady, kChat, kConfirmBuyer, kConfirmSeller,
                kWaitEnd, kMadeUnpaid, kCancelReady };

struct Pair {
  std::mutex mu;  // one request of a pair at a time (try_lock: a busy pair is skipped)
  bool full = true;  // full trades; false: make and cancel only
  Robot maker, taker;  // the maker sells, the taker buys
  St st = St::kMakeReady;
  int64_t order_id = 0;
  int polls = 0, chats_sent = 0, chat_seen = 0;
  bool escrow_paid = false, invoice_sent = false, poll_taker = false;
  Clock::time_point since = Clock::now();
  int64_t trades_done = 0, cancels_done = 0;
};

struct Slot {
  Clock::time_point due;
  Cls cls;
};

class Load {
 public:
  Load(const Options& o, tcp::endpoint ep, std::vector<std::unique_ptr<Pair>>& pairs)
      : m_o(o), m_ep(ep), m_pairs(pairs) {}

  Stats stats;
  std::atomic<int64_t> stale_retries{0}, queue_max{0}, trades{0}, cancels{0}, stuck{0};

  void Push(Slot s) {
    {
      std::lock_guard lock(m_mu);
      m_queue.push_back(s);
      queue_max = std::max<int64_t>(queue_max, static_cast<int64_t>(m_queue.size()));
    }
    m_cv.notify_one();
  }
  void Stop() {
    {
      std::lock_guard lock(m_mu);
      m_stop = true;
    }
    m_cv.notify_all();
  }
  size_t Queued() {
    std::lock_guard lock(m_mu);
    return m_queue.size();
  }

  void Worker(int index) {
    Conn conn(m_ep, m_o.timeout_ms);
    std::mt19937_64 rng(m_o.seed * 7919 + static_cast<uint64_t>(index));
    for (;;) {
      Slot s;
      {
        std::unique_lock lock(m_mu);
        m_cv.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty()) return;  // stopped and drained
        s = m_queue.front();
        m_queue.pop_front();
      }
      Run(conn, rng, s);
    }
  }

 private:
  // One request of the slot's class (or a book read if no pair is ready for it).
  void Run(Conn& conn, std::mt19937_64& rng, const Slot& s) {
    switch (s.cls) {
      case kBook: return Public(conn, s, kBook, "/api/book/?currency=0&type=2");
      case kInfo: return Public(conn, s, kInfo, "/api/info/");
      case kLimits: return Public(conn, s, kLimits, "/api/limits/");
      case kPrice: return Public(conn, s, kPrice, "/api/price/");
      default: break;
    }
    // A pair for the step: scan from a random start for one in the wanted state, not busy.
    const size_t n = m_pairs.size();
    const size_t start = std::uniform_int_distribution<size_t>(0, n - 1)(rng);
    for (size_t i = 0; i < n; ++i) {
      Pair& p = *m_pairs[(start + i) % n];
      if (!Wants(p, s.cls)) continue;
      std::unique_lock lock(p.mu, std::try_to_lock);
      if (!lock.owns_lock() || !Wants(p, s.cls)) continue;
      Step(conn, p, s);
      return;
    }
    Public(conn, s, kBook, "/api/book/?currency=0&type=2");
  }

  static bool Wants(const Pair& p, Cls c) {
    switch (c) {
      case kOrder:
        return p.order_id != 0 && p.st != St::kMakeReady;
      case kChatGet:
      case kChatPost:
        return p.st == St::kChat;
      case kMake:
        return p.st == St::kMakeReady;
      case kCancel:
        return p.st == St::kCancelReady;
      case kTake:
        return p.st == St::kTakeReady;
      case kInvoice:
        return p.st == St::kInvoiceReady;
      case kConfirm:
        return p.st == St::kConfirmBuyer || p.st == St::kConfirmSeller;
      default:
        return false;
    }
  }

  // Sends one request; records its latency from the slot's due time; an answer other than
  // 2xx is an error unless `expected` (an HTTP status the flow accepts) says otherwise.
  Reply Do(Conn& conn, const Slot& s, Cls cls, bhttp::verb verb, const std::string& target, const std::string& auth,
           const json* body, int expected_other = 0) {
    std::string text = body ? body->dump() : std::string();
    Reply r = conn.Send(verb, target, auth, body ? &text : nullptr, stale_retries);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - s.due).count();
    // An empty book is 404 {"not_found": "No orders found, …"} (RoboSats api/views.py BookView).
    const bool ok = (r.status >= 200 && r.status < 300) || (expected_other != 0 && r.status == expected_other &&
                                                             (r.status != 404 || r.body.find("\"not_found\"") != std::string::npos));
    stats.Record(cls, ms);
    if (!ok) {
      if (r.status == 0) {
        stats.Error(std::string(r.timeout ? "timeout" : "connection") + ": " + kClsName[cls] + " " + target + ": " +
                    r.error);
      } else {
        stats.Error("HTTP " + std::to_string(r.status) + ": " + kClsName[cls] + " " + target + " " +
                    r.body.substr(0, 300));
      }
    }
    return r;
  }

  void Public(Conn& conn, const Slot& s, Cls cls, const std::string& target) {
    Do(conn, s, cls, bhttp::verb::get, target, "", nullptr, cls == kBook ? 404 : 0);
  }

  static json Parse(const Reply& r) {
    json j = json::parse(r.body, nullptr, false);
    return j.is_object() ? j : json::object();
  }

  static void Pay(Robot& r, const json& view, const char* field) {
    const std::string pr = view.value(field, "");
    if (pr.empty()) return;
    std::lock_guard lock(*r.wallet_mu);
    r.wallet->Pay(pr);
  }

  void Reset(Pair& p) {
    p.st = St::kMakeReady;
    p.order_id = 0;
    p.polls = p.chats_sent = p.chat_seen = 0;
    p.escrow_paid = p.invoice_sent = false;
    p.since = Clock::now();
  }
  void Move(Pair& p, St st) {
    p.st = st;
    p.since = Clock::now();
  }

  // One step of pair `p` (its lock held).
  void Step(Conn& conn, Pair& p, const Slot& s) {
    const std::string order = "/api/order/?order_id=" + std::to_string(p.order_id);
    switch (s.cls) {
      case kMake: {
        json body{{"type", 1}, {"currency", 1}, {"amount", std::to_string(30 + (p.trades_done + p.cancels_done) % 170)},
                  {"payment_method", "Strike"}, {"premium", 1}, {"bond_size", 3}};
        Reply r = Do(conn, s, kMake, bhttp::verb::post, "/api/make/", p.maker.auth, &body);
        if (r.status < 200 || r.status >= 300) return;
        json v = Parse(r);
        p.order_id = v.value("id", int64_t{0});
        if (p.order_id == 0) return stats.Error("make: no id: " + r.body.substr(0, 200));
        if (p.full) {
          Pay(p.maker, v, "bond_invoice");
          Move(p, St::kWaitPublic);
        } else {
          Move(p, St::kMadeUnpaid);
        }
        return;
      }
      case kCancel: {
        json body{{"action", "cancel"}};
        Reply r = Do(conn, s, kCancel, bhttp::verb::post, order, p.maker.auth, &body);
        if (r.status < 200 || r.status >= 300) return;  // (an error, counted): tried again
        ++cancels, ++p.cancels_done;
        Reset(p);
        return;
      }
      case kTake: {
        json body{{"action", "take"}};
        Reply r = Do(conn, s, kTake, bhttp::verb::post, order, p.taker.auth, &body);
        if (r.status < 200 || r.status >= 300) return Reset(p);
        Pay(p.taker, Parse(r), "bond_invoice");
        Move(p, St::kWaitLocked);
        return;
      }
      case kInvoice: {
        // The buyer's view gives invoice_amount; the invoice comes from its wallet, signed.
        Reply r = Do(conn, s, kOrder, bhttp::verb::get, order, p.taker.auth, nullptr);
        json v = Parse(r);
        const int64_t amount = v.value("invoice_amount", int64_t{0});
        if (amount <= 0) return;
        // RoboSats' client: floor(amount - amount * ppm / 1e6) (LightningPayout.tsx).
        const int64_t ppm = 1000;
        const int64_t sats = static_cast<int64_t>(std::floor(static_cast<double>(amount) -
                                                             static_cast<double>(amount) * ppm / 1e6));
        std::string pr;
        {
          std::lock_guard lock(*p.taker.wallet_mu);
          auto inv = p.taker.wallet->Invoice(sats, "loadgen", 3600);
          if (!inv.ok()) return stats.Error("wallet invoice: " + inv.error().message);
          pr = inv->payment_request;
        }
        json body{{"action", "update_invoice"}, {"invoice", p.taker.key->ClearSign(pr)}, {"routing_budget_ppm", ppm}};
        Slot now{Clock::now(), kInvoice};  // the wallet's time is not the coordinator's
        Reply u = Do(conn, now, kInvoice, bhttp::verb::post, order, p.taker.auth, &body);
        if (u.status >= 200 && u.status < 300) {
          p.invoice_sent = true;
          Move(p, St::kWaitLocked);
        }
        return;
      }
      case kConfirm: {
        const bool buyer = p.st == St::kConfirmBuyer;
        json body{{"action", "confirm"}};
        Reply r = Do(conn, s, kConfirm, bhttp::verb::post, order, buyer ? p.taker.auth : p.maker.auth, &body);
        if (r.status >= 200 && r.status < 300) Move(p, buyer ? St::kConfirmSeller : St::kWaitEnd);
        return;
      }
      case kChatGet: {
        Robot& r = (p.chat_seen % 2) ? p.maker : p.taker;
        Do(conn, s, kChatGet, bhttp::verb::get,
                     "/api/chat/?order_id=" + std::to_string(p.order_id) + "&offset=" + std::to_string(p.chat_seen / 2),
                     r.auth, nullptr);
        ++p.chat_seen;
        return;
      }
      case kChatPost: {
        Robot& r = (p.chats_sent % 2) ? p.maker : p.taker;
        // What RoboSats' client posts: an armored PGP message (encrypted to both robots; the
        // coordinator stores it as it is).
        std::string msg = "-----BEGIN PGP MESSAGE-----\\n\\nwV4D" + std::string(360, 'Q') + "\\n=abcd\\n-----END PGP MESSAGE-----";
        json body{{"PGP_message", msg}, {"order_id", p.order_id}, {"offset", p.chats_sent}};
        Reply c = Do(conn, s, kChatPost, bhttp::verb::post, "/api/chat/", r.auth, &body);
        if (c.status >= 200 && c.status < 300 && ++p.chats_sent >= 6) Move(p, St::kConfirmBuyer);
        return;
      }
      case kOrder:
        return Poll(conn, p, s, order);
      default:
        return;
    }
  }

  // GET /api/order/ as the maker or the taker in turn; moves the pair on what it sees.
  void Poll(Conn& conn, Pair& p, const Slot& s, const std::string& order) {
    const bool as_taker = p.poll_taker && p.st != St::kWaitPublic && p.st != St::kMadeUnpaid && p.st != St::kTakeReady &&
                          p.st != St::kCancelReady;
    p.poll_taker = !p.poll_taker;
    Robot& r = as_taker ? p.taker : p.maker;
    Reply reply = Do(conn, s, kOrder, bhttp::verb::get, order, r.auth, nullptr);
    if (reply.status < 200 || reply.status >= 300) return;
    const json v = Parse(reply);
    const int status = v.value("status", -1);
    ++p.polls;
    if (Clock::now() - p.since > 120s) {
      // Counted (again every 120 s); the pair keeps its state: resetting it would leave its
      // order live and every later make refused (1000).
      ++stuck;
      stats.Error("stuck: order " + std::to_string(p.order_id) + " in status " + std::to_string(status) +
                  " for 120 s (pair state " + std::to_string(static_cast<int>(p.st)) + ")");
      p.since = Clock::now();
    }
    switch (p.st) {
      case St::kMadeUnpaid:
        if (p.polls >= 2) Move(p, St::kCancelReady);
        return;
      case St::kWaitPublic:
        if (status == 0) Pay(p.maker, v, "bond_invoice");  // (the make's answer may not carry it)
        if (status == 1) Move(p, St::kTakeReady);
        return;
      case St::kWaitLocked:
        if (status == 3 && as_taker) Pay(p.taker, v, "bond_invoice");
        if (status == 6 || status == 7 || status == 8) {
          if (!as_taker && !p.escrow_paid && (status == 6 || status == 7)) {
            const std::string pr = v.value("escrow_invoice", "");
            if (!pr.empty()) {
              Pay(p.maker, v, "escrow_invoice");
              p.escrow_paid = true;
            }
          }
          if (!p.invoice_sent && (status == 6 || status == 8)) Move(p, St::kInvoiceReady);
        } else if (status == 9) {
          Move(p, St::kChat);
        }
        return;
      case St::kWaitEnd:
        // 13 (sending the payout) is not the end: the maker may make again only after 14.
        if (status == 14 || status == 12 || status == 5 || status == 4 || status == 18 || status == 17) {
          if (status != 14) stats.Error("trade ended in status " + std::to_string(status));
          ++trades, ++p.trades_done;
          Reset(p);
        }
        return;
      default:
        return;
    }
  }

  const Options& m_o;
  tcp::endpoint m_ep;
  std::vector<std::unique_ptr<Pair>>& m_pairs;
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::deque<Slot> m_queue;
  bool m_stop = false;
};

std::optional<Options> ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--rate") o.rate = std::stod(next());
      else if (a == "--seconds") o.seconds = std::stoi(next());
      else if (a == "--warmup-s") o.warmup_s = std::stoi(next());
      else if (a == "--pairs") o.pairs = std::stoi(next());
      else if (a == "--workers") o.workers = std::stoi(next());
      else if (a == "--max-rss-growth-pct") o.max_rss_growth_pct = std::stod(next());
      else if (a == "--timeout-ms") o.timeout_ms = std::stoi(next());
      else if (a == "--seed") o.seed = std::stoull(next());
      else if (a == "--dir") o.dir = next();
      else if (a == "--keep") o.keep = true;
      else throw std::runtime_error("unknown argument " + a);
    } catch (const std::exception& e) {
      std::cerr << "loadgen: " << e.what() << "\n";
      return std::nullopt;
    }
  }
  if (o.pairs == 0) o.pairs = std::max(4, static_cast<int>(o.rate / 4));
  if (o.rate <= 0 || o.rate > 100000 || o.seconds < 1 || o.warmup_s < 0 || o.warmup_s >= o.seconds || o.pairs < 1 ||
      o.workers < 1 || o.workers > 1024 || o.timeout_ms < 100) {
    std::cerr << "loadgen: 0 < --rate ≤ 100000, --seconds ≥ 1, 0 ≤ --warmup-s < --seconds, --pairs ≥ 1, "
                 "--workers 1..1024, --timeout-ms ≥ 100\n";
    return std::nullopt;
  }
  return o;
}

int Main(int argc, char** argv) {
  auto parsed = ParseArgs(argc, argv);
  if (!parsed) return 2;
  const Options o = *parsed;
  base::SetLogLevel(base::LogLevel::kError);
  const std::string dir = o.dir.empty() ? testsupport::MakeTempDir("loadgen") : o.dir;
  std::filesystem::create_directories(dir);
  std::cout << "loadgen: " << o.rate << " req/s for " << o.seconds << " s (warm-up " << o.warmup_s << " s), " << o.pairs
            << " robot pairs, " << o.workers << " workers, in " << dir << std::endl;

  // Wallets: a maker's and a taker's per 8 pairs (shared under a mutex).
  const int wallet_pairs = std::max(1, (o.pairs + 7) / 8);
  std::vector<std::string> wallet_names;
  for (int w = 0; w < wallet_pairs; ++w) {
    wallet_names.push_back("maker" + std::to_string(w));
    wallet_names.push_back("taker" + std::to_string(w));
  }
  auto simln = testsupport::SimlnDaemon::Start(dir, wallet_names, kChannelSat, "warn");
  if (!simln.ok()) {
    std::cerr << "loadgen: " << simln.error() << "\n";
    return 2;
  }
  // tests/support/coordinator_cluster.cpp writes the limits section: robot and anonymous
  // requests per second and bursts at 100000 (see tests/load/README.md).
  auto started = testsupport::Coordinatord::Start(dir, *(*simln)->Node("coordinator"), testsupport::CoordinatordOptions{});
  if (!started.ok()) {
    std::cerr << "loadgen: " << started.error() << "\n";
    return 2;
  }
  std::unique_ptr<testsupport::Coordinatord> coordinatord = std::move(started.value());
  std::vector<std::unique_ptr<testsupport::Wallet>> wallets;
  std::vector<std::unique_ptr<std::mutex>> wallet_mus;
  for (const auto& name : wallet_names) {
    auto node = (*simln)->Connect(name);
    if (!node.ok()) {
      std::cerr << "loadgen: " << node.error() << "\n";
      return 2;
    }
    wallets.push_back(std::make_unique<testsupport::Wallet>(name, std::move(node.value())));
    wallet_mus.push_back(std::make_unique<std::mutex>());
  }

  // The robots: fresh tokens and keys (made as RoboSats' client makes them), registered by
  // their first request (the keys in the header), a few threads at once.
  std::vector<std::unique_ptr<Pair>> pairs;
  for (int i = 0; i < o.pairs; ++i) {
    auto p = std::make_unique<Pair>();
    p->full = i % 3 != 2;
    const int w = i % wallet_pairs;
    p->maker.wallet = wallets[2 * w].get(), p->maker.wallet_mu = wallet_mus[2 * w].get();
    p->taker.wallet = wallets[2 * w + 1].get(), p->taker.wallet_mu = wallet_mus[2 * w + 1].get();
    pairs.push_back(std::move(p));
  }
  std::atomic<int> next{0}, failed{0};
  const auto setup_start = Clock::now();
  std::vector<std::thread> makers;
  for (int t = 0; t < 4; ++t) {
    makers.emplace_back([&] {
      for (int i; (i = next++) < 2 * o.pairs;) {
        Robot& r = i % 2 ? pairs[i / 2]->taker : pairs[i / 2]->maker;
        const std::string token = federation::robot::GenerateToken();
        const auto derived = federation::robot::DeriveFromToken(token);
        auto keys = federation::robot::GenerateRobotKeys(token, derived.hash_id, static_cast<int64_t>(std::time(nullptr)));
        if (!keys) {
          std::cerr << "loadgen: robot keys: " << keys.error() << "\n";
          ++failed;
          continue;
        }
        testsupport::RobotClient client(coordinatord->api_url(), testsupport::RobotKeys{token, keys->public_armored,
                                                                                       keys->encrypted_private_armored});
        auto me = client.Get("/api/robot/", 30000);
        if (!me.ok()) {
          std::cerr << "loadgen: registering a robot: " << me.Describe() << "\n";
          ++failed;
          continue;
        }
        r.auth = "Token " + client.token_sha256_b91();
        r.key = testsupport::PgpKey::Import(keys->public_armored, keys->encrypted_private_armored, token);
      }
    });
  }
  for (auto& t : makers) t.join();
  if (failed > 0) return 2;
  std::cout << "loadgen: " << 2 * o.pairs << " robots registered in "
            << std::chrono::duration<double>(Clock::now() - setup_start).count() << " s" << std::endl;

  // Where coordinatord listens: http://127.0.0.1:PORT.
  const std::string url = coordinatord->api_url();
  const auto colon = url.rfind(':');
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(std::stoi(url.substr(colon + 1))));

  Load load(o, ep, pairs);
  std::vector<std::thread> workers;
  for (int i = 0; i < o.workers; ++i) workers.emplace_back([&load, i] { load.Worker(i); });

  // The scheduler: slot i at t0 + i / rate, its class drawn by weight.
  std::atomic<bool> done{false};
  const auto t0 = Clock::now() + 100ms;
  const int64_t total_slots = static_cast<int64_t>(o.rate * o.seconds);
  std::thread scheduler([&] {
    std::mt19937_64 rng(o.seed);
    std::discrete_distribution<int> pick(std::begin(kWeight), std::end(kWeight));
    const auto period = std::chrono::duration<double>(1.0 / o.rate);
    for (int64_t i = 0; i < total_slots; ++i) {
      const auto due = t0 + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(i));
      std::this_thread::sleep_until(due);
      load.Push(Slot{due, static_cast<Cls>(pick(rng))});
    }
    done = true;
  });

  // The reporter: every 10 s, and the RSS at the end of the warm-up.
  const pid_t pid = coordinatord->pid();
  int64_t rss_start = 0, rss_max = 0;
  double heap_start = -1;
  std::vector<std::pair<int, int64_t>> rss_series;
  std::vector<std::pair<int, double>> heap_series;
  int elapsed = 0;
  std::printf("loadgen: coordinatord pid %d, RSS %lld KiB before the load\n", static_cast<int>(pid),
              static_cast<long long>(testsupport::RssKiB(pid)));
  while (!done || load.Queued() > 0) {
    const auto tick = t0 + std::chrono::seconds(elapsed + 10);
    while (Clock::now() < tick && !(done && load.Queued() == 0)) std::this_thread::sleep_for(50ms);
    const double span = std::chrono::duration<double>(std::min(Clock::now(), tick) - (t0 + std::chrono::seconds(elapsed))).count();
    elapsed += 10;
    auto w = load.stats.TakeWindow();
    const testsupport::MemorySample mem = testsupport::SampleMemory(pid, coordinatord->operator_url());
    const int64_t rss = mem.rss_kib;
    rss_max = std::max(rss_max, rss);
    rss_series.emplace_back(elapsed, rss);
    heap_series.emplace_back(elapsed, mem.heap_mib);
    if (rss_start == 0 && elapsed >= o.warmup_s) {
      rss_start = rss;
      heap_start = mem.heap_mib;
    }
    std::printf("[%4d s] %7.1f req/s  errors %lld (total %lld)  queue %zu  RSS %lld KiB  trades %lld  cancels %lld%s\n",
                elapsed, static_cast<double>(w.done) / std::max(span, 0.001),
                static_cast<long long>(w.errors), static_cast<long long>(load.stats.errors()), load.Queued(),
                static_cast<long long>(rss), static_cast<long long>(load.trades.load()),
                static_cast<long long>(load.cancels.load()),
                elapsed <= o.warmup_s ? "  (warm-up)" : elapsed > o.seconds ? "  (schedule done, draining the backlog)" : "");
    std::printf("         memory: heap in use %.1f MiB, free in malloc's arenas %.1f MiB, SQLite %.1f MiB, %d threads\n",
                mem.heap_mib, mem.free_mib, mem.sqlite_mib, mem.threads);
    PrintLatencies(w.lat, "         ");
    std::fflush(stdout);
  }
  scheduler.join();
  load.Stop();
  for (auto& t : workers) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const testsupport::MemorySample mem_end = testsupport::SampleMemory(pid, coordinatord->operator_url());
  const int64_t rss_end = mem_end.rss_kib;
  if (rss_start == 0) {
    rss_start = rss_end;
    heap_start = mem_end.heap_mib;
  }

  auto total = load.stats.Total();
  int64_t n = 0;
  for (auto& v : total) n += static_cast<int64_t>(v.size());
  const double growth = rss_start > 0 ? 100.0 * static_cast<double>(rss_end - rss_start) / static_cast<double>(rss_start) : 0;
  const int64_t errors = load.stats.errors();
  // Achieved: over the wall time until the last answer (a backlog drained after the schedule
  // ended counts against it).
  std::printf("\nloadgen summary: %lld requests scheduled over %d s at %.0f req/s, the last answered after %.1f s: "
              "%.1f req/s achieved; %d workers, %d robot pairs\n",
              static_cast<long long>(n), o.seconds, o.rate, wall, static_cast<double>(n) / wall, o.workers, o.pairs);
  std::printf("  latency from the scheduled send time, whole run:\n");
  PrintLatencies(total, "    ");
  std::printf("  trades completed %lld, make+cancel %lld, pairs found stuck 120 s in one state %lld\n",
              static_cast<long long>(load.trades.load()), static_cast<long long>(load.cancels.load()),
              static_cast<long long>(load.stuck.load()));
  std::printf("  kept-alive connections closed by the server and resent: %lld; largest queue %lld slots\n",
              static_cast<long long>(load.stale_retries.load()), static_cast<long long>(load.queue_max.load()));
  std::printf("  RSS after warm-up %lld KiB, at the end %lld KiB (growth %+.1f %%, bound %.0f %%), max %lld KiB\n",
              static_cast<long long>(rss_start), static_cast<long long>(rss_end), growth, o.max_rss_growth_pct,
              static_cast<long long>(rss_max));
  std::printf("  heap in use after warm-up %.1f MiB, at the end %.1f MiB (malloc, coordinator_malloc_in_use_bytes)\n",
              heap_start, mem_end.heap_mib);
  std::printf("  RSS over time (s: KiB):");
  for (const auto& [t, kib] : rss_series) std::printf(" %d:%lld", t, static_cast<long long>(kib));
  std::printf("\n  heap in use over time (s: MiB):");
  for (const auto& [t, mib] : heap_series) std::printf(" %d:%.1f", t, mib);
  std::printf("\n  errors: %lld\n", static_cast<long long>(errors));
  for (const auto& [kind, count] : load.stats.ErrorKinds()) {
    std::printf("    %s: %lld\n", kind.c_str(), static_cast<long long>(count));
  }
  std::fflush(stdout);

  coordinatord->Stop(10s);
  (*simln)->Stop(10s);
  if (!o.keep && o.dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  const bool pass = errors == 0 && growth <= o.max_rss_growth_pct;
  std::printf("loadgen: %s\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace loadgen

int main(int argc, char** argv) {
  try {
    return loadgen::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "loadgen: " << e.what() << "\n";
    return 2;
  }
}
