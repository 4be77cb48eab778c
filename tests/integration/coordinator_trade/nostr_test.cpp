// The RoboSats client's default (nostr) mode against a real coordinatord: its book REQ on
// /relay/ follows an order through its life as signed kind-38383 events (pending → canceled;
// pending → in-progress), and the two robots of a trade chat over /ws/chat/ with the client's
// message shapes, and over REST /api/chat/ in the same room.
#include <fstream>

#include "coordinator/nostr/event.h"
#include "coordinator/nostr/order_event.h"
#include "escrow/crypto/secp256k1.h"
#include "escrow/crypto/sha256.h"
#include "tests/adapter/api_http/ws_client.h"
#include "tests/integration/coordinator_trade/trade_fixture.h"

namespace coordinator_trade_test {
namespace {

namespace cn = coordinator::nostr;
using apihttp_test::WsClient;
using apihttp_test::WsMessage;

class NostrMode : public CoordinatorTrade {
 protected:
  uint16_t Port() const {
    const std::string& url = m_coordinatord->api_url();
    return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
  }
  // The coordinator's nostr key, made at its first start (<data_dir>/nostr.key).
  std::string CoordinatorPubkey() const {
    std::ifstream in(m_dir + "/data/nostr.key");
    std::string hex;
    in >> hex;
    auto key = escrow::crypto::Signer::FromSecret(*escrow::crypto::Hash32FromHex(hex));
    EXPECT_TRUE(key);
    auto x = key->XOnlyPublicKey();
    return escrow::crypto::ToHex(escrow::crypto::Hash32{x});
  }
  static json ReadJson(WsClient& c) {
    WsMessage m = c.Read(kWait);
    if (m.kind != WsMessage::kText) return json{{"kind", m.kind}, {"close_code", m.close_code}, {"error", m.error}};
    return json::parse(m.data);
  }
  // Reads events of the book subscription until one for order `d` has status `s`.
  cn::Event WaitEvent(WsClient& c, const std::string& d, const std::string& s) {
    for (int i = 0; i < 50; ++i) {
      json j = ReadJson(c);
      if (!j.is_array()) break;
      if (j[0] != "EVENT") continue;
      auto e = cn::ParseEvent(j[2]);
      EXPECT_TRUE(e.ok());
      if (!e.ok()) break;
      EXPECT_TRUE(cn::Verify(*e).ok());
      EXPECT_EQ(e->pubkey, m_pubkey);
      if (cn::TagValue(*e, "d") == d && cn::TagValue(*e, "s") == s) return *e;
    }
    ADD_FAILURE() << "no event with d " << d << " and s " << s;
    return {};
  }
  static std::string TokenSha256Hex(const std::string& robot) {
    return escrow::crypto::ToHex(escrow::crypto::Sha256(testsupport::LoadFixtureRobot(robot).token));
  }
  std::string m_pubkey;
};

TEST_F(NostrMode, BookEventsFollowOrdersAndRobotsChatOverTheSocketAndRest) {
  RegisterRobots();
  m_pubkey = CoordinatorPubkey();
  auto& seller = T("robot");
  auto& buyer = T("other");
  WsClient book;
  ASSERT_TRUE(book.Connect(Port(), "/relay/").upgraded);
  // frontend/src/services/RoboPool/index.ts subscribeBook.
  const int64_t since = static_cast<int64_t>(std::time(nullptr)) - 108000;
  ASSERT_TRUE(book.SendText(
      json::array({"REQ", "subscribeBook", {{"authors", {m_pubkey}}, {"kinds", {38383}}, {"since", since}}}).dump()));
  EXPECT_EQ(ReadJson(book), json::array({"EOSE", "subscribeBook"}));
  // The signed info event: /api/info/'s parameters, by the same key.
  WsClient info;
  ASSERT_TRUE(info.Connect(Port(), "/relay/").upgraded);
  ASSERT_TRUE(info.SendText(json::array({"REQ", "info", {{"authors", {m_pubkey}}, {"kinds", {38385}}}}).dump()));
  json info_event = ReadJson(info);
  ASSERT_TRUE(info_event.is_array() && info_event[0] == "EVENT") << info_event.dump();
  auto parsed_info = cn::ParseEvent(info_event[2]);
  ASSERT_TRUE(parsed_info.ok());
  EXPECT_TRUE(cn::Verify(*parsed_info).ok());
  auto api_info = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/info/");
  EXPECT_EQ(cn::TagValue(*parsed_info, "node_id"), api_info.json.value("node_id", "?"));
  EXPECT_EQ(cn::TagValue(*parsed_info, "network"), "regtest");
  EXPECT_EQ(ReadJson(info), json::array({"EOSE", "info"}));

  // Made and published, then cancelled: pending, then canceled.
  int64_t a = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  const std::string da = cn::OrderDTag("Local coordinator", a);
  cn::Event pending = WaitEvent(book, da, "pending");
  EXPECT_EQ(cn::TagValue(pending, "k"), "sell");
  EXPECT_EQ(cn::TagValue(pending, "f"), "USD");
  EXPECT_EQ(cn::TagValue(pending, "fa"), "100.00000000");
  EXPECT_EQ(cn::TagValue(pending, "pm"), "Strike");
  EXPECT_EQ(cn::TagValue(pending, "premium"), "1.00");
  EXPECT_EQ(cn::TagValue(pending, "network"), "regtest");
  EXPECT_EQ(cn::TagValue(pending, "y"), "robosats");
  for (const auto& t : pending.tags) {
    if (t[0] == "name") {
      EXPECT_EQ(t[2], seller.robot->hash_id());
    }
  }
  Act(*seller.robot, a, {{"action", "cancel"}, {"cancel_status", 1}});
  WaitEvent(book, da, "canceled");

  // Made, then taken: pending, then in-progress once the taker's bond locks.
  int64_t b = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  const std::string db = cn::OrderDTag("Local coordinator", b);
  WaitEvent(book, db, "pending");
  TakeAndLock(buyer, b, "");
  WaitEvent(book, db, "in-progress");
  LockEscrow(seller, b);
  WaitStatus(*buyer.robot, b, 8);
  SubmitInvoice(buyer, b);
  WaitStatus(*seller.robot, b, 9);

  // A new client asking the book now sees no pending order: none left as a ghost.
  WsClient late;
  ASSERT_TRUE(late.Connect(Port(), "/relay/").upgraded);
  ASSERT_TRUE(late.SendText(json::array({"REQ", "b", {{"authors", {m_pubkey}}, {"kinds", {38383}}, {"#s", {"pending"}}}}).dump()));
  EXPECT_EQ(ReadJson(late), json::array({"EOSE", "b"}));

  // The chat: a wrong token is refused; both robots connect as the client does.
  const std::string path = "/ws/chat/" + std::to_string(b) + "/?token_sha256_hex=";
  WsClient stranger;
  ASSERT_TRUE(stranger.Connect(Port(), path + std::string(64, 'a')).upgraded);
  EXPECT_EQ(stranger.Read(kWait).close_code, 4003);
  WsClient s, u;
  ASSERT_TRUE(s.Connect(Port(), path + TokenSha256Hex("robot")).upgraded);
  ASSERT_TRUE(s.SendText(json{{"type", "message"}, {"message", seller.key->public_armored()}, {"nick", "s"}}.dump()));
  ASSERT_TRUE(u.Connect(Port(), path + TokenSha256Hex("other")).upgraded);
  ASSERT_TRUE(u.SendText(json{{"type", "message"}, {"message", buyer.key->public_armored()}, {"nick", "u"}}.dump()));
  // Each robot receives its peer's public key (and its own echoes, which the client ignores).
  auto wait_for = [&](WsClient& c, const std::function<bool(const json&)>& want) {
    for (int i = 0; i < 20; ++i) {
      json j = ReadJson(c);
      if (!j.is_object() || !j.contains("message")) break;
      if (want(j)) return j;
    }
    ADD_FAILURE() << "expected message never came";
    return json();
  };
  auto is_key = [](const std::string& armored) {
    return [armored](const json& j) { return j["message"] == armored; };
  };
  wait_for(s, is_key(buyer.key->public_armored()));
  json seen = wait_for(u, is_key(seller.key->public_armored()));
  EXPECT_TRUE(seen["peer_connected"].get<bool>());

  // An encrypted message over the socket reaches both, stored as index 1.
  const std::string m1 = "-----BEGIN PGP MESSAGE-----\nfrom seller\n-----END PGP MESSAGE-----";
  ASSERT_TRUE(s.SendText(json{{"type", "message"}, {"message", m1}, {"nick", "s"}}.dump()));
  auto is_index = [](int i) { return [i](const json& j) { return j.value("index", 0) == i; }; };
  json got = wait_for(u, is_index(1));
  EXPECT_EQ(got["message"], m1);
  EXPECT_TRUE(got["time"].is_string());
  EXPECT_TRUE(got.contains("user_nick"));
  wait_for(s, is_index(1));
  // One over REST reaches both sockets as index 2.
  const std::string m2 = "-----BEGIN PGP MESSAGE-----\nfrom buyer over REST\n-----END PGP MESSAGE-----";
  Call(*buyer.robot, "POST", "/api/chat/", {{"PGP_message", m2}, {"order_id", b}, {"offset", 0}});
  EXPECT_EQ(wait_for(s, is_index(2))["message"], m2);
  wait_for(u, is_index(2));
  // REST reads the room the sockets wrote, and sees the peer connected.
  json page = Call(*seller.robot, "GET", "/api/chat/?order_id=" + std::to_string(b) + "&offset=0");
  ASSERT_EQ(page["messages"].size(), 2u) << page.dump();
  EXPECT_EQ(page["messages"][0]["message"], m1);
  EXPECT_TRUE(page["peer_connected"].get<bool>());
  // SERVE HISTORY: the stored messages again, to the asker.
  WsClient again;
  ASSERT_TRUE(again.Connect(Port(), path + TokenSha256Hex("other")).upgraded);
  ASSERT_TRUE(again.SendText(json{{"type", "message"}, {"message", "-----SERVE HISTORY-----"}, {"nick", "u"}}.dump()));
  EXPECT_EQ(wait_for(again, is_index(1))["message"], m1);
  EXPECT_EQ(wait_for(again, is_index(2))["message"], m2);
  // The seller leaves: the buyer hears "peer-disconnected".
  EXPECT_TRUE(s.Close(1000));
  wait_for(u, [](const json& j) { return j["message"] == "peer-disconnected" && !j["peer_connected"].get<bool>(); });
  // Bad frames close the socket with 4400.
  ASSERT_TRUE(u.SendText("not json"));
  int code = 0;
  for (int i = 0; i < 10 && code == 0; ++i) {
    WsMessage m = u.Read(kWait);
    if (m.kind == WsMessage::kClosed) code = m.close_code;
    if (m.kind == WsMessage::kError || m.kind == WsMessage::kTimeout) break;
  }
  EXPECT_EQ(code, 4400);
}

// NIP-59 gift wraps (kind 1059) over a real WebSocket to coordinatord's /relay/: taken only for
// the robot of an active order (its nostr key from the auth header), served to the client's
// REQ {kinds: [1059], #p}; refused (OK false, nothing stored) for anyone else, with a bad
// signature, too large; a flood rate-limited; a finished order's robot refused again.
TEST_F(NostrMode, GiftWrapsAreTakenOnlyForRobotsOfActiveOrders) {
  RegisterRobots();
  auto& seller = T("robot");
  auto& buyer = T("other");
  const std::string maker_key = seller.robot->nostr_pubkey();
  const std::string idle_key = buyer.robot->nostr_pubkey();
  ASSERT_EQ(maker_key.size(), 64u);
  int seq = 0;
  auto wrap = [&](const std::string& to, size_t content_bytes = 400) {
    cn::Event e;
    e.kind = 1059;
    e.created_at = static_cast<int64_t>(std::time(nullptr)) - 7200 + seq;  // NIP-59: in the past
    e.tags = {{"p", to}};
    e.content = std::string(content_bytes, static_cast<char>('a' + (seq % 26)));  // the NIP-44 payload's place
    cn::Sign(e, escrow::crypto::Signer::FromSeed("gift-wrap-throwaway-" + std::to_string(seq++)));
    return e;
  };
  WsClient c;
  ASSERT_TRUE(c.Connect(Port(), "/relay/").upgraded);
  auto send = [&](WsClient& on, const json& event) {
    EXPECT_TRUE(on.SendText(json::array({"EVENT", event}).dump()));
    return ReadJson(on);
  };
  auto held_for = [&](const std::string& key) {
    WsClient r;
    EXPECT_TRUE(r.Connect(Port(), "/relay/").upgraded);
    EXPECT_TRUE(r.SendText(json::array({"REQ", "inbox", {{"kinds", {1059}}, {"#p", {key}}}}).dump()));
    std::vector<std::string> ids;
    for (int i = 0; i < 2000; ++i) {
      json j = ReadJson(r);
      if (!j.is_array() || j[0] != "EVENT") {
        EXPECT_EQ(j, json::array({"EOSE", "inbox"}));
        break;
      }
      auto e = cn::ParseEvent(j[2]);
      EXPECT_TRUE(e.ok() && cn::Verify(*e).ok());
      ids.push_back(j[2]["id"]);
    }
    return ids;
  };
  auto refused = [&](const json& event, const std::string& prefix, const std::string& key) {
    const size_t before = held_for(key).size();
    json r = send(c, event);
    ASSERT_TRUE(r.is_array()) << r.dump();
    EXPECT_EQ(r[0], "OK");
    EXPECT_EQ(r[2], false) << r.dump();
    EXPECT_EQ(r[3].get<std::string>().rfind(prefix, 0), 0u) << r.dump();
    EXPECT_EQ(held_for(key).size(), before) << "stored on refusal";
  };

  // No order yet: the robot is not a recipient.
  refused(cn::ToJsonValue(wrap(maker_key)), "blocked:", maker_key);
  // The robot's order is public (active): its gift wraps are taken and served by #p.
  const int64_t a = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  auto first = wrap(maker_key);
  EXPECT_EQ(send(c, cn::ToJsonValue(first)), json::array({"OK", first.id, true, ""}));
  EXPECT_EQ(held_for(maker_key), std::vector<std::string>{first.id});
  // Refused, nothing stored: a robot without an active order, a stranger, a bad signature, a
  // changed content, too large for the relay (32 KiB).
  refused(cn::ToJsonValue(wrap(idle_key)), "blocked:", idle_key);
  refused(cn::ToJsonValue(wrap(std::string(64, 'e'))), "blocked:", std::string(64, 'e'));
  json bad_sig = cn::ToJsonValue(wrap(maker_key));
  bad_sig["sig"] = std::string(128, '2');
  refused(bad_sig, "invalid:", maker_key);
  json changed = cn::ToJsonValue(wrap(maker_key));
  changed["content"] = "changed";
  refused(changed, "invalid:", maker_key);
  refused(cn::ToJsonValue(wrap(maker_key, 40 * 1024)), "invalid:", maker_key);
  // A frame over the server's limit (64 KiB) closes that socket with 1009.
  {
    WsClient big;
    ASSERT_TRUE(big.Connect(Port(), "/relay/").upgraded);
    ASSERT_TRUE(big.SendText(json::array({"EVENT", cn::ToJsonValue(wrap(maker_key, 80 * 1024))}).dump()));
    EXPECT_EQ(big.Read(kWait).close_code, 1009);
  }
  EXPECT_EQ(held_for(maker_key).size(), 1u);

  // A flood from one connection: at most 30 a minute are taken (61 span at most two minutes'
  // windows, so at least one is refused); exactly the accepted ones are stored.
  WsClient flood;
  ASSERT_TRUE(flood.Connect(Port(), "/relay/").upgraded);
  int accepted = 0, limited = 0;
  for (int i = 0; i < 61; ++i) {
    json r = send(flood, cn::ToJsonValue(wrap(maker_key, 100)));
    ASSERT_TRUE(r.is_array() && r[0] == "OK") << r.dump();
    if (r[2] == true) ++accepted;
    else if (r[3].get<std::string>().rfind("rate-limited:", 0) == 0) ++limited;
  }
  EXPECT_EQ(accepted + limited, 61);
  EXPECT_GE(limited, 1);
  EXPECT_LE(accepted, 60);
  EXPECT_EQ(held_for(maker_key).size(), static_cast<size_t>(1 + accepted));

  // The order is cancelled (no longer active): the robot's gift wraps are refused again; what
  // it received stays readable.
  Act(*seller.robot, a, {{"action", "cancel"}, {"cancel_status", 1}});
  refused(cn::ToJsonValue(wrap(maker_key)), "blocked:", maker_key);
  // The coordinator is unharmed.
  EXPECT_EQ(RobotClient::Anonymous(m_coordinatord->api_url() + "/api/info/").status, 200);
}

// Bad input on /ws/chat/: a malformed token (no upgrade), a wrong token (4003), malformed JSON,
// an unknown message type, an over-long message (4400), an oversized frame (1009), a flood
// (1008) — nothing stored, and the room still works afterwards.
TEST_F(NostrMode, BadInputOnTheChatSocketClosesItAndStoresNothing) {
  RegisterRobots();
  auto& seller = T("robot");
  auto& buyer = T("other");
  const int64_t b = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  TakeAndLock(buyer, b, "");
  LockEscrow(seller, b);
  WaitStatus(*buyer.robot, b, 8);
  SubmitInvoice(buyer, b);
  WaitStatus(*seller.robot, b, 9);
  const std::string path = "/ws/chat/" + std::to_string(b) + "/?token_sha256_hex=";
  auto close_code = [](WsClient& c) {
    for (int i = 0; i < 300; ++i) {
      WsMessage m = c.Read(kWait);
      if (m.kind == WsMessage::kClosed) return m.close_code;
      if (m.kind == WsMessage::kError || m.kind == WsMessage::kTimeout) return -1;
    }
    return -2;
  };
  {
    WsClient malformed;
    auto h = malformed.Connect(Port(), path + "not-hex");
    EXPECT_FALSE(h.upgraded);
    EXPECT_EQ(h.status, 400);
    WsClient no_id;
    EXPECT_FALSE(no_id.Connect(Port(), "/ws/chat/x/?token_sha256_hex=" + TokenSha256Hex("robot")).upgraded);
    WsClient wrong;
    ASSERT_TRUE(wrong.Connect(Port(), path + std::string(64, 'b')).upgraded);
    EXPECT_EQ(close_code(wrong), 4003);
  }
  auto opened = [&](WsClient& c) {
    auto h = c.Connect(Port(), path + TokenSha256Hex("robot"));
    EXPECT_TRUE(h.upgraded) << h.status << " " << h.error;
  };
  const std::string pgp = "-----BEGIN PGP MESSAGE-----\n";
  std::vector<std::pair<std::string, int>> bad = {
      {"not json", 4400},
      {"[\"message\"]", 4400},
      {json{{"type", "message"}}.dump(), 4400},
      {json{{"type", "message"}, {"message", 5}}.dump(), 4400},
      {json{{"type", "delete_everything"}, {"message", pgp + "x"}, {"nick", "s"}}.dump(), 4400},
      {json{{"type", "message"}, {"message", pgp + std::string(5000, 'x')}, {"nick", "s"}}.dump(), 4400},
      {json{{"type", "message"}, {"message", pgp + std::string(70 * 1024, 'x')}, {"nick", "s"}}.dump(), 1009},
  };
  for (const auto& [frame, code] : bad) {
    WsClient c;
    opened(c);
    ASSERT_TRUE(c.SendText(frame));
    EXPECT_EQ(close_code(c), code) << frame.substr(0, 80);
  }
  // A flood: 120 messages a minute per socket; 245 span at most two windows, so it is closed.
  {
    WsClient f;
    opened(f);
    for (int i = 0; i < 245; ++i) {
      if (!f.SendText(json{{"type", "message"}, {"message", "hello"}, {"nick", "s"}}.dump(), 2s)) break;
    }
    EXPECT_EQ(close_code(f), 1008);
  }
  // Nothing was stored; the room still works.
  json page = Call(*seller.robot, "GET", "/api/chat/?order_id=" + std::to_string(b) + "&offset=0");
  EXPECT_EQ(page["messages"].size(), 0u) << page.dump();
  WsClient good;
  opened(good);
  const std::string m1 = "-----BEGIN PGP MESSAGE-----\nstill fine\n-----END PGP MESSAGE-----";
  ASSERT_TRUE(good.SendText(json{{"type", "message"}, {"message", m1}, {"nick", "s"}}.dump()));
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        json p = Call(*seller.robot, "GET", "/api/chat/?order_id=" + std::to_string(b) + "&offset=0");
        return p["messages"].size() == 1u && p["messages"][0]["message"] == m1;
      },
      kWait));
  EXPECT_EQ(RobotClient::Anonymous(m_coordinatord->api_url() + "/api/info/").status, 200);
}

}  // namespace
}  // namespace coordinator_trade_test
