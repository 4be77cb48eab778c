// The daemon's control API (mine, failures, clock, state) and how failure modes show on the
// nodes' REST listeners.
#include "escrow/crypto/sha256.h"
#include "tests/adapter/simln_rest/daemon_fixture.h"

namespace simln_rest_test {
namespace {

using escrow::crypto::Hash32;
using escrow::crypto::Sha256;
using escrow::crypto::ToBytes;

TEST_F(DaemonTest, ControlRequiresTheBearerToken) {
  HttpResult none = testsupport::HttpCall("GET", m_daemon->control_url() + "/control/state");
  EXPECT_EQ(none.status, 401);
  HttpOptions wrong;
  wrong.headers = {"Authorization: Bearer 00"};
  EXPECT_EQ(testsupport::HttpCall("GET", m_daemon->control_url() + "/control/state", "", wrong).status, 401);
  EXPECT_EQ(Control("GET", "/control/state").status, 200);
  EXPECT_EQ(Control("GET", "/control/nothing").status, 404);
}

TEST_F(DaemonTest, StateListsNodesChannelsAndHeight) {
  json s = Control("GET", "/control/state").Json();
  EXPECT_EQ(s["height"], m_network->BlockHeight());
  EXPECT_EQ(s["now"], 1700000000);
  ASSERT_EQ(s["nodes"].size(), 3u);
  for (const auto& n : s["nodes"]) {
    if (n["name"] == "coordinator") {
      EXPECT_EQ(n["local_msat"], 2'000'000'000LL);
      EXPECT_EQ(n["remote_msat"], 2'000'000'000LL);
    }
    EXPECT_EQ(n["failure"]["mode"], "NONE");
  }
  ASSERT_EQ(s["channels"].size(), 2u);
  EXPECT_TRUE(s["channels"][0]["chan_id"].is_string());
  EXPECT_EQ(s["total_msat"], m_network->TotalMsat());
}

TEST_F(DaemonTest, MineRaisesTheHeightSeenByGetInfo) {
  uint32_t before = m_network->BlockHeight();
  HttpResult mined = Control("POST", "/control/mine", {{"blocks", 3}});
  ASSERT_EQ(mined.status, 200) << mined.body;
  EXPECT_EQ(mined.Json()["height"], before + 3);
  EXPECT_EQ(Get("alice", "/v1/getinfo").Json()["block_height"], before + 3);
  EXPECT_EQ(Control("POST", "/control/mine", {{"blocks", 0}}).status, 400);
  EXPECT_EQ(Control("POST", "/control/mine", {{"blocks", "x"}}).status, 400);
}

TEST_F(DaemonTest, AdvanceMovesTheClockAndExpiresOpenInvoices) {
  Hash32 hash = Sha256(ToBytes(Sha256("expiring")));
  ASSERT_EQ(
      Post("coordinator", "/v2/invoices/hodl", {{"hash", B64(hash)}, {"value", "100"}, {"expiry", "600"}})
          .status,
      200);
  uint32_t before = m_network->BlockHeight();
  HttpResult advanced = Control("POST", "/control/advance", {{"seconds", 3600}});
  ASSERT_EQ(advanced.status, 200) << advanced.body;
  EXPECT_EQ(advanced.Json()["now"], 1700003600);
  EXPECT_EQ(advanced.Json()["height"], before + 6);  // one block per 600 s
  json inv = Get("coordinator", "/v2/invoices/lookup?payment_hash=" + B64Url(hash)).Json();
  EXPECT_EQ(inv["state"], "CANCELED");
  EXPECT_EQ(Control("POST", "/control/advance", {{"seconds", -1}}).status, 400);
}

TEST_F(DaemonTest, OfflineNodeRefusesConnectionsUntilCleared) {
  Hash32 hash = Sha256(ToBytes(Sha256("offline")));
  ASSERT_EQ(Post("bob", "/v2/invoices/hodl", {{"hash", B64(hash)}, {"value", "100"}}).status, 200);
  testsupport::HttpStream stream("GET", Url("bob", "/v2/invoices/subscribe/" + B64Url(hash)), "",
                                 Auth("bob"));
  EXPECT_EQ(Line(stream.NextLine(kWait))["result"]["state"], "OPEN");

  HttpResult set = Control("POST", "/control/failure", {{"node", "bob"}, {"mode", "OFFLINE"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Get("bob", "/v1/getinfo").curl, CURLE_COULDNT_CONNECT);
  EXPECT_TRUE(stream.WaitFinished(kWait).has_value());  // open connections are cut
  EXPECT_EQ(Get("alice", "/v1/getinfo").status, 200);
  json state = Control("GET", "/control/state").Json();
  for (const auto& n : state["nodes"]) {
    EXPECT_EQ(n["failure"]["mode"], n["name"] == "bob" ? "OFFLINE" : "NONE");
  }

  ASSERT_EQ(Control("POST", "/control/failure", {{"node", "bob"}, {"mode", "NONE"}}).status, 200);
  HttpResult back = Get("bob", "/v1/getinfo");  // the same URL again
  EXPECT_EQ(back.curl, CURLE_OK);
  EXPECT_EQ(back.status, 200);
}

TEST_F(DaemonTest, SlowRepliesDelayEveryReply) {
  ASSERT_EQ(
      Control("POST", "/control/failure", {{"node", "alice"}, {"mode", "SLOW_REPLIES"}, {"delay_ms", 5000}})
          .status,
      200);
  HttpOptions impatient = Auth("alice");
  impatient.timeout_ms = 300;  // far below the delay: the reply cannot arrive in time
  EXPECT_EQ(testsupport::HttpCall("GET", Url("alice", "/v1/getinfo"), "", impatient).curl,
            CURLE_OPERATION_TIMEDOUT);
  ASSERT_EQ(Control("POST", "/control/failure", {{"node", "alice"}, {"mode", "NONE"}}).status, 200);
  EXPECT_EQ(Get("alice", "/v1/getinfo").status, 200);
}

TEST_F(DaemonTest, ChannelFailureFailsPaymentsWithNoRoute) {
  HttpResult inv = Post("coordinator", "/v1/invoices", {{"value", "1000"}});
  ASSERT_EQ(inv.status, 200);
  json state = Control("GET", "/control/state").Json();
  std::string alice_chan;
  for (const auto& c : state["channels"]) {
    if (c["node_a"] == "alice" || c["node_b"] == "alice") alice_chan = c["chan_id"];
  }
  ASSERT_FALSE(alice_chan.empty());
  ASSERT_EQ(Control("POST", "/control/failure", {{"chan_id", alice_chan}, {"mode", "NO_ROUTE"}}).status, 200);
  testsupport::HttpStream pay("POST", Url("alice", "/v2/router/send"),
                              json{{"payment_request", inv.Json()["payment_request"]},
                                   {"fee_limit_sat", "10"},
                                   {"no_inflight_updates", true}}
                                  .dump(),
                              Auth("alice"));
  json result = Line(pay.NextLine(kWait));
  EXPECT_EQ(result["result"]["status"], "FAILED");
  EXPECT_EQ(result["result"]["failure_reason"], "FAILURE_REASON_NO_ROUTE");
}

TEST_F(DaemonTest, FailureRequestsAreValidated) {
  EXPECT_EQ(Control("POST", "/control/failure", {{"node", "nobody"}, {"mode", "OFFLINE"}}).status, 404);
  EXPECT_EQ(Control("POST", "/control/failure", {{"node", "bob"}, {"mode", "EXPLODE"}}).status, 400);
  EXPECT_EQ(Control("POST", "/control/failure", {{"node", "bob"}, {"chan_id", "1"}, {"mode", "NONE"}}).status,
            400);
  EXPECT_EQ(Control("POST", "/control/failure", {{"chan_id", "12345"}, {"mode", "NONE"}}).status, 404);
  EXPECT_EQ(Control("POST", "/control/failure", {{"mode", "NONE"}}).status, 400);
}

}  // namespace
}  // namespace simln_rest_test
