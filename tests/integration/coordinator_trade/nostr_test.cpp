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

}  // namespace
}  // namespace coordinator_trade_test
