// The /relay/ NIP-01 relay on HttpServer, driven over loopback WebSocket: the RoboSats client's
// book REQ, filter semantics (NIP-01), live updates and replacement of addressable events,
// CLOSE, what it accepts from others (federation orders, ratings with our review token) and
// the bad input it answers with NOTICE / OK false / CLOSED without storing anything.
#include "api/nostr/relay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "coordinator/nostr/event.h"
#include "escrow/crypto/secp256k1.h"
#include "tests/adapter/api_http/ws_client.h"

namespace api::nostr {
namespace {

namespace cn = coordinator::nostr;
using apihttp_test::WsClient;
using apihttp_test::WsMessage;
using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr int64_t kNow = 1700000000;

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RelayOptions o;
    o.own_pubkey = Pub(m_own);
    o.federation_pubkeys = {Pub(m_own), Pub(m_fellow)};
    o.now = [this] { return m_now.load(); };
    o.max_events_per_minute = 5;
    o.max_messages_per_minute = 200;
    o.max_subscriptions = 3;
    o.max_event_bytes = 4096;
    // coordinatord answers from the engine's snapshot (the robots of live orders); here a set
    // the test changes as orders would.
    o.gift_wrap_recipient = [this](const std::string& pubkey) {
      std::lock_guard lock(m_recipients_mu);
      return m_recipients.count(pubkey) > 0;
    };
    m_relay = std::make_unique<Relay>(o);
    ASSERT_TRUE(m_server.AddWebSocket("/relay/", m_relay->Acceptor()).ok());
    // As coordinatord: our order events read from the store (here rows in memory, one per
    // address, read as NostrEventsNewestFirst does), with hooks around the read.
    o.stored_events = [this](int64_t since, int64_t until, size_t limit) {
      if (m_before_read) m_before_read();
      std::vector<StoredEvent> out;
      {
        std::lock_guard lock(m_rows_mu);
        ++m_reads;
        for (const auto& [d, row] : m_rows) {
          if (row.created_at >= since && row.created_at <= until) out.push_back(row);
        }
      }
      std::sort(out.begin(), out.end(), [](const StoredEvent& a, const StoredEvent& b) {
        return a.created_at != b.created_at ? a.created_at > b.created_at : a.id < b.id;
      });
      if (out.size() > limit) out.resize(limit);
      if (m_after_read) m_after_read();
      return out;
    };
    m_stored = std::make_unique<Relay>(o);
    ASSERT_TRUE(m_server.AddWebSocket("/stored/", m_stored->Acceptor()).ok());
    http::ServerOptions so;
    so.port = 0;
    so.websocket.max_message_bytes = 16 * 1024;
    ASSERT_TRUE(m_server.Start(so).ok());
  }
  void TearDown() override { m_server.Stop(); }

  static std::string Pub(const escrow::crypto::Signer& k) {
    auto x = k.XOnlyPublicKey();
    return escrow::crypto::ToHex(escrow::crypto::Hash32{x});
  }

  cn::Event Order(const escrow::crypto::Signer& key, const std::string& d, const std::string& status,
                  int64_t created_at, std::optional<int64_t> expiration = std::nullopt) {
    cn::Event e;
    e.kind = 38383;
    e.created_at = created_at;
    e.tags = {{"d", d}, {"k", "sell"}, {"f", "EUR"}, {"s", status}, {"network", "mainnet"}};
    if (expiration) e.tags.push_back({"expiration", std::to_string(*expiration)});
    cn::Sign(e, key);
    return e;
  }

  // The engine's commit of an order event: the address's row replaced.
  void Commit(const cn::Event& e) {
    std::lock_guard lock(m_rows_mu);
    m_rows[e.tags[0][1]] = StoredEvent{e.id, e.kind, e.pubkey, e.tags[0][1], e.created_at, cn::ToJson(e)};
  }
  // … and its notification to the relay, after the commit.
  void CommitAndPublish(const cn::Event& e) {
    Commit(e);
    ASSERT_TRUE(m_stored->PublishStored(cn::ToJson(e)).ok());
  }

  void Connect(WsClient& c, const char* path = "/relay/") {
    auto h = c.Connect(m_server.Port(), path);
    ASSERT_TRUE(h.upgraded) << h.status << " " << h.error;
  }
  static Json ReadJson(WsClient& c, std::chrono::milliseconds timeout = 10s) {
    WsMessage m = c.Read(timeout);
    if (m.kind != WsMessage::kText) return Json{{"kind", m.kind}, {"close_code", m.close_code}};
    return Json::parse(m.data);
  }
  // Reads until EOSE of `sub`; returns the events' ids in order.
  static std::vector<std::string> ReadUntilEose(WsClient& c, const std::string& sub) {
    std::vector<std::string> ids;
    for (int i = 0; i < 2000; ++i) {
      Json j = ReadJson(c);
      if (!j.is_array()) {
        ADD_FAILURE() << "no EOSE: " << j.dump();
        return ids;
      }
      if (j[0] == "EOSE") {
        EXPECT_EQ(j[1], sub);
        return ids;
      }
      EXPECT_EQ(j[0], "EVENT") << j.dump();
      EXPECT_EQ(j[1], sub);
      ids.push_back(j[2]["id"].get<std::string>());
    }
    return ids;
  }

  escrow::crypto::Signer m_own = escrow::crypto::Signer::FromSeed("relay-test-own");
  escrow::crypto::Signer m_fellow = escrow::crypto::Signer::FromSeed("relay-test-fellow");
  escrow::crypto::Signer m_stranger = escrow::crypto::Signer::FromSeed("relay-test-stranger");
  std::atomic<int64_t> m_now{kNow};
  std::mutex m_recipients_mu;
  std::set<std::string> m_recipients;
  std::unique_ptr<Relay> m_relay;
  std::mutex m_rows_mu;
  std::map<std::string, StoredEvent> m_rows;  // d → row
  int m_reads = 0;
  std::function<void()> m_before_read, m_after_read;  // set before a REQ, reset after
  std::unique_ptr<Relay> m_stored;
  http::HttpServer m_server;
};

TEST_F(RelayTest, RoboSatsBookRequestReturnsOurOrdersThenEoseThenLiveUpdates) {
  auto a = Order(m_own, "a", "pending", kNow - 100);
  auto b = Order(m_own, "b", "pending", kNow - 50);
  auto old = Order(m_own, "old", "pending", kNow - 200000);  // before the client's `since`
  for (const auto& e : {a, b, old}) ASSERT_TRUE(m_relay->Publish(cn::ToJson(e)).ok());

  WsClient c;
  Connect(c);
  // frontend/src/services/RoboPool/index.ts subscribeBook, verbatim in shape.
  Json req = Json::array({"REQ", "subscribeBook",
                          {{"authors", {Pub(m_own), Pub(m_fellow)}}, {"kinds", {38383}}, {"since", kNow - 108000}}});
  ASSERT_TRUE(c.SendText(req.dump()));
  EXPECT_EQ(ReadUntilEose(c, "subscribeBook"), (std::vector<std::string>{b.id, a.id}));  // newest first

  // The order is taken: its replacement reaches the open subscription, and replaces it.
  auto a_taken = Order(m_own, "a", "in-progress", kNow - 10);
  ASSERT_TRUE(m_relay->Publish(cn::ToJson(a_taken)).ok());
  Json live = ReadJson(c);
  ASSERT_TRUE(live.is_array()) << live.dump();
  EXPECT_EQ(live[0], "EVENT");
  EXPECT_EQ(live[2]["id"], a_taken.id);
  EXPECT_TRUE(cn::Verify(*cn::ParseEvent(live[2])).ok());

  // An older state of the same address is refused: a client never sees it after the newer.
  EXPECT_TRUE(m_relay->Publish(cn::ToJson(Order(m_own, "a", "pending", kNow - 20))).ok());
  WsClient c2;
  Connect(c2);
  ASSERT_TRUE(c2.SendText(req.dump()));
  EXPECT_EQ(ReadUntilEose(c2, "subscribeBook"), (std::vector<std::string>{a_taken.id, b.id}));
  EXPECT_EQ(m_relay->EventCount(), 3u);

  // CLOSE: no more live events on that subscription.
  ASSERT_TRUE(c.SendText(R"(["CLOSE","subscribeBook"])"));
  ASSERT_TRUE(c.SendText(R"(["REQ","probe",{"ids":[")" + std::string(64, '0') + R"("]}])"));
  EXPECT_EQ(ReadUntilEose(c, "probe").size(), 0u);  // CLOSE was handled before this REQ
  ASSERT_TRUE(m_relay->Publish(cn::ToJson(Order(m_own, "c", "pending", kNow))).ok());
  EXPECT_EQ(c.Read(300ms).kind, WsMessage::kTimeout);
  // … while the other connection's subscription gets it.
  Json other = ReadJson(c2);
  ASSERT_TRUE(other.is_array());
  EXPECT_EQ(other[2]["tags"][0][1], "c");
}

// coordinatord: the order events are in the store, not in the relay's memory. What the engine
// commits while a REQ's answer is being read reaches the subscriber once, after EOSE, and never
// as a stale state after a newer one.
TEST_F(RelayTest, OrdersAreServedFromTheStoreAndNothingCommittedDuringARequestIsLostOrStale) {
  auto a = Order(m_own, "a", "pending", kNow - 100);
  auto b = Order(m_own, "b", "pending", kNow - 50);
  auto old = Order(m_own, "old", "pending", kNow - 200000);                  // before `since`
  auto gone = Order(m_own, "gone", "pending", kNow - 40, /*expiration=*/kNow - 1);  // NIP-40
  for (const auto& e : {a, b, old, gone}) Commit(e);

  const Json req = Json::array(
      {"REQ", "subscribeBook", {{"authors", {Pub(m_own), Pub(m_fellow)}}, {"kinds", {38383}}, {"since", kNow - 108000}}});
  WsClient c;
  Connect(c, "/stored/");
  ASSERT_TRUE(c.SendText(req.dump()));
  EXPECT_EQ(ReadUntilEose(c, "subscribeBook"), (std::vector<std::string>{b.id, a.id}));
  EXPECT_EQ(m_stored->EventCount(), 0u);  // nothing held

  // A second subscriber's REQ, interleaved with the engine: before the rows are read, a is
  // taken (committed, and its notification arrives during the read, so the answer and the
  // queue both carry it), and a late notification of a's first state arrives; after the read,
  // order c is committed.
  auto a_taken = Order(m_own, "a", "in-progress", kNow - 10);
  auto c_new = Order(m_own, "c", "pending", kNow - 5);
  m_before_read = [&] {
    Commit(a_taken);
    ASSERT_TRUE(m_stored->PublishStored(cn::ToJson(a)).ok());  // stale by the time it is sent
    ASSERT_TRUE(m_stored->PublishStored(cn::ToJson(a_taken)).ok());
  };
  m_after_read = [&] { CommitAndPublish(c_new); };
  WsClient c2;
  Connect(c2, "/stored/");
  ASSERT_TRUE(c2.SendText(req.dump()));
  EXPECT_EQ(ReadUntilEose(c2, "subscribeBook"), (std::vector<std::string>{a_taken.id, b.id}));
  m_before_read = nullptr;
  m_after_read = nullptr;
  Json queued = ReadJson(c2);
  ASSERT_TRUE(queued.is_array()) << queued.dump();
  EXPECT_EQ(queued[0], "EVENT");
  EXPECT_EQ(queued[2]["id"], c_new.id);
  EXPECT_EQ(c2.Read(300ms).kind, WsMessage::kTimeout);  // neither a again nor its stale state
  // The first subscriber, live all along, got each notification as it came, in order.
  for (const auto& e : {a, a_taken, c_new}) {
    Json live = ReadJson(c);
    ASSERT_TRUE(live.is_array()) << live.dump();
    EXPECT_EQ(live[2]["id"], e.id);
  }
  EXPECT_EQ(m_stored->EventCount(), 0u);

  // A client sending one of our events back: acknowledged, not held. One of ours expired: refused.
  ASSERT_TRUE(c.SendText(Json::array({"EVENT", cn::ToJsonValue(b)}).dump()));
  Json ok = ReadJson(c);
  EXPECT_EQ(ok[2], true) << ok.dump();
  EXPECT_EQ(ok[3].get<std::string>().rfind("duplicate:", 0), 0u) << ok.dump();
  auto expired = Order(m_fellow, "exp", "pending", kNow - 30, kNow - 1);
  ASSERT_TRUE(c.SendText(Json::array({"EVENT", cn::ToJsonValue(expired)}).dump()));
  ok = ReadJson(c);
  EXPECT_EQ(ok[2], false) << ok.dump();
  EXPECT_EQ(ok[3].get<std::string>().rfind("invalid:", 0), 0u) << ok.dump();
  // A fellow coordinator's order is held, and merged with ours newest first.
  auto fellow = Order(m_fellow, "f", "pending", kNow - 20);
  WsClient w;  // (c's open subscription gets the fellow's order live, before w's OK)
  Connect(w, "/stored/");
  ASSERT_TRUE(w.SendText(Json::array({"EVENT", cn::ToJsonValue(fellow)}).dump()));
  EXPECT_EQ(ReadJson(w), Json::array({"OK", fellow.id, true, ""}));
  EXPECT_EQ(m_stored->EventCount(), 1u);

  WsClient r;
  Connect(r, "/stored/");
  auto ids = [&](const Json& filter, std::vector<std::string> want) {
    ASSERT_TRUE(r.SendText(Json::array({"REQ", "s", filter}).dump()));
    EXPECT_EQ(ReadUntilEose(r, "s"), want) << filter.dump();
  };
  ids(req[2], {c_new.id, a_taken.id, fellow.id, b.id});
  ids(Json::object(), {c_new.id, a_taken.id, fellow.id, b.id, old.id});
  ids({{"ids", {b.id, old.id}}}, {b.id, old.id});
  ids({{"#d", {"a", "old"}}}, {a_taken.id, old.id});
  ids({{"#s", {"in-progress"}}}, {a_taken.id});
  ids({{"kinds", {31986}}}, {});
  ids({{"authors", {Pub(m_fellow)}}}, {fellow.id});
  ids({{"until", kNow - 20}, {"limit", 2}}, {fellow.id, b.id});
  ids({{"limit", 1}}, {c_new.id});
  // Several filters: each with its own limit over the store and the held events.
  ASSERT_TRUE(r.SendText(Json::array({"REQ", "s", {{"#d", {"old"}}}, {{"authors", {Pub(m_fellow)}}, {"limit", 1}}}).dump()));
  EXPECT_EQ(ReadUntilEose(r, "s"), (std::vector<std::string>{fellow.id, old.id}));
  EXPECT_GT(m_reads, 0);
}

TEST_F(RelayTest, FiltersFollowNip01) {
  std::vector<cn::Event> evs;
  for (int i = 1; i <= 5; ++i) {
    evs.push_back(Order(i % 2 ? m_own : m_fellow, "o" + std::to_string(i), i == 3 ? "success" : "pending", 100 * i));
    if (i % 2) {
      ASSERT_TRUE(m_relay->Publish(cn::ToJson(evs.back())).ok());
    }
  }
  // The fellow's events come from a client, as another coordinator's publisher would send them.
  WsClient c;
  Connect(c);
  for (int i = 2; i <= 4; i += 2) {
    ASSERT_TRUE(c.SendText(Json::array({"EVENT", cn::ToJsonValue(evs[i - 1])}).dump()));
    Json ok = ReadJson(c);
    EXPECT_EQ(ok, Json::array({"OK", evs[i - 1].id, true, ""}));
  }
  auto ids = [&](const Json& filter, std::initializer_list<int> which) {
    ASSERT_TRUE(c.SendText(Json::array({"REQ", "s", filter}).dump()));
    std::vector<std::string> want;
    for (int w : which) want.push_back(evs[w - 1].id);
    EXPECT_EQ(ReadUntilEose(c, "s"), want) << filter.dump();
  };
  ids(Json::object(), {5, 4, 3, 2, 1});
  ids({{"limit", 2}}, {5, 4});
  ids({{"limit", 0}}, {});
  ids({{"since", 200}, {"until", 400}}, {4, 3, 2});  // inclusive both ends
  ids({{"authors", {Pub(m_fellow)}}}, {4, 2});
  ids({{"kinds", {31986}}}, {});
  ids({{"#s", {"success"}}}, {3});
  ids({{"#d", {"o1", "o5"}}, {"authors", {Pub(m_own)}}}, {5, 1});
  ids({{"ids", {evs[1].id}}}, {2});
  // Several filters: their union, newest first, each with its own limit.
  ASSERT_TRUE(c.SendText(Json::array({"REQ", "s", {{"#d", {"o1"}}}, {{"limit", 1}}}).dump()));
  EXPECT_EQ(ReadUntilEose(c, "s"), (std::vector<std::string>{evs[4].id, evs[0].id}));
}

TEST_F(RelayTest, AcceptsFromOthersOnlyFederationOrdersAndTokenRatings) {
  WsClient c;
  Connect(c);
  auto send = [&](const cn::Event& e) {
    EXPECT_TRUE(c.SendText(Json::array({"EVENT", cn::ToJsonValue(e)}).dump()));
    return ReadJson(c);
  };
  // A stranger's order event, a text note, a gift wrap for nobody we know.
  Json r = send(Order(m_stranger, "x", "pending", kNow));
  EXPECT_EQ(r[2], false);
  EXPECT_EQ(r[3].get<std::string>().rfind("blocked:", 0), 0u) << r.dump();
  cn::Event note;
  note.kind = 1;
  note.created_at = kNow;
  cn::Sign(note, m_stranger);
  EXPECT_EQ(send(note)[2], false);
  cn::Event wrap;
  wrap.kind = 1059;
  wrap.created_at = kNow;
  wrap.tags = {{"p", Pub(m_fellow)}};
  cn::Sign(wrap, m_stranger);
  EXPECT_EQ(send(wrap)[2], false);

  // A rating: accepted with our review token (Engine::DoReview signs pubkey + order id).
  auto rating = [&](const std::string& token_message, const std::string& order_id) {
    cn::Event e;
    e.kind = 31986;
    e.created_at = kNow;
    auto sig = m_own.SignSchnorrMessage(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(token_message.data()), token_message.size()));
    e.tags = {{"d", "coord:" + order_id}, {"p", Pub(m_own)}, {"sig", escrow::crypto::ToHex(sig)}, {"rating", "1"}};
    cn::Sign(e, m_stranger);
    return e;
  };
  auto good = rating(Pub(m_stranger) + "42", "42");
  EXPECT_EQ(send(good), Json::array({"OK", good.id, true, ""}));
  EXPECT_EQ(send(rating(Pub(m_stranger) + "41", "42"))[2], false);  // token for another order
  EXPECT_EQ(send(rating(Pub(m_fellow) + "42", "42"))[2], false);    // token for another robot
  // Sent again: a duplicate, still OK.
  Json dup = send(good);
  EXPECT_EQ(dup[2], true);
  EXPECT_EQ(dup[3].get<std::string>().rfind("duplicate:", 0), 0u);
  EXPECT_EQ(m_relay->EventCount(), 1u);
}

// NIP-59 / NIP-17: a gift wrap is signed by a throwaway key and names its recipient in a p tag;
// RoboSats' federation relays sync kind 1059. Accepted only for a robot of a live order.
TEST_F(RelayTest, GiftWrapsAreTakenOnlyForRobotsOfLiveOrdersAndServedByTheirPTag) {
  escrow::crypto::Signer robot = escrow::crypto::Signer::FromSeed("relay-test-robot");
  escrow::crypto::Signer idle = escrow::crypto::Signer::FromSeed("relay-test-idle-robot");
  {
    std::lock_guard lock(m_recipients_mu);
    m_recipients = {Pub(robot)};
  }
  int seq = 0;
  auto wrap = [&](const std::string& to, size_t content_bytes = 300) {
    cn::Event e;
    e.kind = 1059;
    e.created_at = kNow - 3600 - seq;  // NIP-59: tweaked into the past
    e.tags = {{"p", to}};
    e.content = std::string(content_bytes, static_cast<char>('A' + (seq++ % 26)));  // stands for the NIP-44 payload
    cn::Sign(e, escrow::crypto::Signer::FromSeed("throwaway-" + std::to_string(seq)));
    return e;
  };
  WsClient c;
  Connect(c);
  auto send = [&](const Json& event) {
    EXPECT_TRUE(c.SendText(Json::array({"EVENT", event}).dump()));
    return ReadJson(c);
  };
  auto refused = [&](const Json& event, const char* prefix) {
    const size_t before = m_relay->EventCount();
    Json r = send(event);
    ASSERT_TRUE(r.is_array()) << r.dump();
    EXPECT_EQ(r[0], "OK");
    EXPECT_EQ(r[2], false) << r.dump();
    EXPECT_EQ(r[3].get<std::string>().rfind(prefix, 0), 0u) << r.dump();
    EXPECT_EQ(m_relay->EventCount(), before) << "stored on refusal";
  };

  // The robot's client subscribes to its gift wraps (NIP-17: kinds [1059], #p [own key]).
  WsClient inbox;
  Connect(inbox);
  const Json inbox_req = Json::array({"REQ", "inbox", {{"kinds", {1059}}, {"#p", {Pub(robot)}}}});
  ASSERT_TRUE(inbox.SendText(inbox_req.dump()));
  EXPECT_EQ(ReadUntilEose(inbox, "inbox").size(), 0u);

  auto good = wrap(Pub(robot));
  EXPECT_EQ(send(cn::ToJsonValue(good)), Json::array({"OK", good.id, true, ""}));
  Json live = ReadJson(inbox);
  ASSERT_TRUE(live.is_array()) << live.dump();
  EXPECT_EQ(live[0], "EVENT");
  EXPECT_EQ(live[2]["id"], good.id);

  // Refused, nothing stored: for a robot without a live order, without a p tag, with a bad
  // signature, a changed content, too large.
  refused(cn::ToJsonValue(wrap(Pub(idle))), "blocked:");
  refused(cn::ToJsonValue(wrap(std::string(64, 'f'))), "blocked:");
  cn::Event no_p = wrap(Pub(robot));
  no_p.tags = {{"e", std::string(64, '0')}};
  cn::Sign(no_p, m_stranger);
  refused(cn::ToJsonValue(no_p), "blocked:");
  Json bad_sig = cn::ToJsonValue(wrap(Pub(robot)));
  bad_sig["sig"] = std::string(128, '1');
  refused(bad_sig, "invalid:");
  Json changed = cn::ToJsonValue(wrap(Pub(robot)));
  changed["content"] = "changed";
  refused(changed, "invalid:");
  refused(cn::ToJsonValue(wrap(Pub(robot), 5000)), "invalid:");

  // Served to the REQs a client makes: by #p (and kind), not to other recipients' filters.
  WsClient reader;
  Connect(reader);
  ASSERT_TRUE(reader.SendText(inbox_req.dump()));
  EXPECT_EQ(ReadUntilEose(reader, "inbox"), std::vector<std::string>{good.id});
  ASSERT_TRUE(reader.SendText(Json::array({"REQ", "idle", {{"kinds", {1059}}, {"#p", {Pub(idle)}}}}).dump()));
  EXPECT_EQ(ReadUntilEose(reader, "idle").size(), 0u);

  // A flood from one connection: five a minute (this relay's limit), the rest rate-limited.
  WsClient flood;
  Connect(flood);
  int accepted = 0, limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto e = wrap(Pub(robot));
    ASSERT_TRUE(flood.SendText(Json::array({"EVENT", cn::ToJsonValue(e)}).dump()));
    Json j = ReadJson(flood);
    ASSERT_TRUE(j.is_array()) << j.dump();
    if (j[2] == true) ++accepted;
    else if (j[3].get<std::string>().rfind("rate-limited:", 0) == 0) ++limited;
  }
  EXPECT_EQ(accepted, 5);
  EXPECT_EQ(limited, 3);
  EXPECT_EQ(m_relay->EventCount(), 6u);

  // The order ended: the robot is no longer a recipient; what it got stays readable.
  {
    std::lock_guard lock(m_recipients_mu);
    m_recipients.clear();
  }
  refused(cn::ToJsonValue(wrap(Pub(robot))), "blocked:");
  WsClient later;  // (reader's open "inbox" got the flood's five live)
  Connect(later);
  ASSERT_TRUE(later.SendText(Json::array({"REQ", "after", {{"kinds", {1059}}, {"#p", {Pub(robot)}}}}).dump()));
  EXPECT_EQ(ReadUntilEose(later, "after").size(), 6u);
}

TEST_F(RelayTest, BadInputGetsNoticeOrOkFalseAndStoresNothing) {
  WsClient c;
  Connect(c);
  auto notice = [&](const std::string& text) {
    ASSERT_TRUE(c.SendText(text));
    Json j = ReadJson(c);
    ASSERT_TRUE(j.is_array()) << text << " → " << j.dump();
    EXPECT_EQ(j[0], "NOTICE") << text;
  };
  notice("not json");
  notice("{}");
  notice("[]");
  notice("[1,2]");
  notice(R"(["AUTH","x"])");
  notice(R"(["CLOSE"])");
  notice(R"(["REQ"])");
  notice(R"(["REQ",""])");
  notice(R"(["REQ",")" + std::string(65, 's') + R"(",{}])");

  auto ok_false = [&](const Json& message, const char* prefix) {
    ASSERT_TRUE(c.SendText(message.dump()));
    Json j = ReadJson(c);
    ASSERT_TRUE(j.is_array()) << j.dump();
    EXPECT_EQ(j[0], "OK");
    EXPECT_EQ(j[2], false) << message.dump();
    EXPECT_EQ(j[3].get<std::string>().rfind(prefix, 0), 0u) << j.dump();
  };
  auto e = Order(m_own, "bad", "pending", kNow);
  Json tampered = cn::ToJsonValue(e);
  tampered["content"] = "changed";
  ok_false(Json::array({"EVENT", tampered}), "invalid:");
  Json bad_sig = cn::ToJsonValue(e);
  bad_sig["sig"] = std::string(128, '0');
  ok_false(Json::array({"EVENT", bad_sig}), "invalid:");
  Json no_tags = cn::ToJsonValue(e);
  no_tags.erase("tags");
  ok_false(Json::array({"EVENT", no_tags}), "invalid:");
  ok_false(Json::array({"EVENT", "x"}), "invalid:");
  ok_false(Json::array({"EVENT", cn::ToJsonValue(e), 1}), "invalid:");
  auto future = Order(m_own, "f", "pending", kNow + 3600);
  ok_false(Json::array({"EVENT", cn::ToJsonValue(future)}), "invalid:");
  cn::Event big = Order(m_own, "big", "pending", kNow);
  big.content = std::string(5000, 'x');
  cn::Sign(big, m_own);
  ok_false(Json::array({"EVENT", cn::ToJsonValue(big)}), "invalid:");

  auto closed = [&](const Json& message) {
    ASSERT_TRUE(c.SendText(message.dump()));
    Json j = ReadJson(c);
    ASSERT_TRUE(j.is_array());
    EXPECT_EQ(j[0], "CLOSED") << message.dump() << " → " << j.dump();
  };
  closed(Json::array({"REQ", "s", {{"kinds", {"x"}}}}));
  closed(Json::array({"REQ", "s", {{"authors", {"ABC"}}}}));
  closed(Json::array({"REQ", "s"}));
  closed(Json::array({"REQ", "s", 5}));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.SendText(Json::array({"REQ", "sub" + std::to_string(i), Json::object()}).dump()));
    ReadUntilEose(c, "sub" + std::to_string(i));
  }
  closed(Json::array({"REQ", "one-too-many", Json::object()}));
  // An oversized frame closes the socket (1009); the relay goes on serving.
  ASSERT_TRUE(c.SendText(std::string(20 * 1024, 'x')));
  EXPECT_EQ(c.Read().close_code, 1009);
  EXPECT_EQ(m_relay->EventCount(), 0u);

  WsClient d;
  Connect(d);
  // A flood of valid events: the first five per minute are taken, the rest rate-limited.
  int accepted = 0, limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto ev = Order(m_fellow, "flood" + std::to_string(i), "pending", kNow);
    ASSERT_TRUE(d.SendText(Json::array({"EVENT", cn::ToJsonValue(ev)}).dump()));
    Json j = ReadJson(d);
    if (j[2] == true) ++accepted;
    else if (j[3].get<std::string>().rfind("rate-limited:", 0) == 0) ++limited;
  }
  EXPECT_EQ(accepted, 5);
  EXPECT_EQ(limited, 3);
  // A flood of messages: NOTICE, then closed with 1008.
  WsClient f;
  Connect(f);
  for (int i = 0; i < 250; ++i) (void)f.SendText(R"(["CLOSE","x"])", 2s);
  bool saw_notice = false;
  int close_code = 0;
  for (int i = 0; i < 10 && close_code == 0; ++i) {
    WsMessage m = f.Read();
    if (m.kind == WsMessage::kText && m.data.find("rate-limited") != std::string::npos) saw_notice = true;
    if (m.kind == WsMessage::kClosed) close_code = m.close_code;
    if (m.kind == WsMessage::kError || m.kind == WsMessage::kTimeout) break;
  }
  EXPECT_TRUE(saw_notice);
  EXPECT_EQ(close_code, 1008);
  // Still serving.
  WsClient g;
  Connect(g);
  ASSERT_TRUE(g.SendText(R"(["REQ","after",{}])"));
  EXPECT_EQ(ReadUntilEose(g, "after").size(), 5u);
}

}  // namespace
}  // namespace api::nostr
