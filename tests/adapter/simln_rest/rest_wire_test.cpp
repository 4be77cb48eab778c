// The simln daemon's LND REST API on the wire: JSON shapes (int64 as strings, bytes as
// base64, base64url in paths and queries, enums by name), stream framing and LND's errors.
#include <sys/stat.h>

#include <cctype>

#include "escrow/crypto/sha256.h"
#include "tests/adapter/simln_rest/daemon_fixture.h"
#include "tests/adapter/simln_rest/raw_http_client.h"

namespace simln_rest_test {
namespace {

using escrow::crypto::Hash32;
using escrow::crypto::Sha256;
using escrow::crypto::ToBytes;
using escrow::crypto::ToHex;

Hash32 HashOf(const Hash32& preimage) { return Sha256(ToBytes(preimage)); }

uint16_t PortOf(const std::string& url) { return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }

unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST_F(DaemonTest, WritesNodesJsonAndControlJsonWithPrivateSecrets) {
  json nodes = json::parse(testsupport::ReadFile(m_daemon->nodes_json_path()), nullptr, false);
  ASSERT_TRUE(nodes.is_array());
  ASSERT_EQ(nodes.size(), 3u);
  for (const auto& n : nodes) {
    for (const char* key : {"name", "pubkey", "rest_url", "macaroon_path", "tls_cert_path"}) {
      ASSERT_TRUE(n.contains(key) && n[key].is_string()) << key;
    }
    EXPECT_EQ(n["rest_url"].get<std::string>().rfind("https://127.0.0.1:", 0), 0u);
    EXPECT_EQ(n["pubkey"].get<std::string>().size(), 66u);
    EXPECT_EQ(Mode(n["macaroon_path"]), 0600u);
    std::string dir = std::filesystem::path(n["tls_cert_path"].get<std::string>()).parent_path();
    EXPECT_EQ(Mode(dir + "/tls.key"), 0600u);
  }
  json control = json::parse(testsupport::ReadFile(m_dir + "/control.json"), nullptr, false);
  EXPECT_EQ(control["url"], m_daemon->control_url());
  EXPECT_EQ(control["token_path"], m_daemon->control_token_path());
  EXPECT_EQ(Mode(m_daemon->control_token_path()), 0600u);
}

TEST_F(DaemonTest, GetInfoSpeaksLndJson) {
  HttpResult r = Get("coordinator", "/v1/getinfo");
  ASSERT_EQ(r.curl, CURLE_OK) << curl_easy_strerror(r.curl);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  EXPECT_EQ(j["identity_pubkey"], Node("coordinator").pubkey);
  EXPECT_TRUE(j["block_height"].is_number());  // uint32: a JSON number
  EXPECT_EQ(j["block_height"].get<uint32_t>(), m_network->BlockHeight());
  EXPECT_TRUE(j["best_header_timestamp"].is_string());  // int64: a string
  EXPECT_EQ(j["best_header_timestamp"], "1700000000");
  EXPECT_EQ(j["num_active_channels"], 2);
  EXPECT_EQ(j["synced_to_chain"], true);
  EXPECT_EQ(j["chains"][0]["network"], "regtest");
  EXPECT_TRUE(j["features"].is_object());
  EXPECT_TRUE(j["uris"].is_array());
}

TEST_F(DaemonTest, TlsWorksOnlyWithThePinnedCertificate) {
  HttpOptions system_ca = Auth("alice");
  system_ca.ca_file.clear();
  EXPECT_EQ(testsupport::HttpCall("GET", Url("alice", "/v1/getinfo"), "", system_ca).curl,
            CURLE_PEER_FAILED_VERIFICATION);
  HttpOptions other = Auth("alice");
  other.ca_file = Node("bob").tls_cert_path;
  EXPECT_EQ(testsupport::HttpCall("GET", Url("alice", "/v1/getinfo"), "", other).curl,
            CURLE_PEER_FAILED_VERIFICATION);
  // Plain HTTP to the TLS port gets no HTTP answer.
  std::string plain = Url("alice", "/v1/getinfo");
  plain.replace(0, 5, "http");
  EXPECT_NE(testsupport::HttpCall("GET", plain, "", Auth("alice")).status, 200);
  EXPECT_EQ(Get("alice", "/v1/getinfo").status, 200);
  // Every node has its own certificate.
  EXPECT_NE(testsupport::ReadFile(Node("alice").tls_cert_path),
            testsupport::ReadFile(Node("bob").tls_cert_path));
}

TEST_F(DaemonTest, MacaroonIsRequiredAndChecked) {
  HttpOptions none = Auth("alice");
  none.macaroon_hex.clear();
  HttpResult r = testsupport::HttpCall("GET", Url("alice", "/v1/getinfo"), "", none);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.Json(), json::parse(R"({"code":2,"message":"expected 1 macaroon, got 0","details":[]})"));

  HttpOptions wrong = Auth("alice");
  wrong.macaroon_hex = MacaroonHex("bob");
  r = testsupport::HttpCall("GET", Url("alice", "/v1/getinfo"), "", wrong);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(
      r.Json(),
      json::parse(
          R"({"code":2,"message":"verification failed: signature mismatch after caveat verification","details":[]})"));

  // Streams check the macaroon before streaming: a unary error object, no chunks.
  r = testsupport::HttpCall("GET", Url("alice", "/v2/router/track/" + B64Url(Hash32{})), "", wrong);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.Json()["code"], 2);

  r = Get("alice", "/v1/nonexistent");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json(), json::parse(R"({"code":5,"message":"Not Found","details":[]})"));
  r = testsupport::HttpCall("POST", Url("alice", "/v1/getinfo"), "{}", Auth("alice"));
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(r.Json()["code"], 12);
}

TEST_F(DaemonTest, HoldInvoiceLifecycleOnTheWire) {
  Hash32 preimage = AwkwardPreimage();
  Hash32 hash = HashOf(preimage);

  HttpResult added =
      Post("coordinator", "/v2/invoices/hodl",
           {{"hash", B64(hash)}, {"value", "25000"}, {"memo", "bond"}, {"cltv_expiry", "144"}});
  ASSERT_EQ(added.status, 200) << added.body;
  json a = added.Json();
  std::string payreq = a["payment_request"];
  EXPECT_EQ(payreq.rfind("lnbcrt", 0), 0u);
  EXPECT_TRUE(a["add_index"].is_string());
  auto addr = base::Base64Decode(a["payment_addr"].get<std::string>());
  ASSERT_TRUE(addr.has_value());
  EXPECT_EQ(addr->size(), 32u);

  // Lookup: the hash travels base64url in the query; standard base64 with a raw '+' breaks
  // (the query decoder makes it a space), percent-encoded it works, as with grpc-gateway.
  HttpResult looked = Get("coordinator", "/v2/invoices/lookup?payment_hash=" + B64Url(hash));
  ASSERT_EQ(looked.status, 200) << looked.body;
  json inv = looked.Json();
  EXPECT_EQ(inv["r_hash"], B64(hash));  // bytes in bodies: standard base64
  EXPECT_EQ(inv["value"], "25000");
  EXPECT_EQ(inv["value_msat"], "25000000");
  EXPECT_EQ(inv["state"], "OPEN");
  EXPECT_EQ(inv["settled"], false);
  EXPECT_EQ(inv["r_preimage"], "");
  EXPECT_EQ(inv["memo"], "bond");
  EXPECT_EQ(inv["cltv_expiry"], "144");
  EXPECT_EQ(inv["expiry"], "86400");  // LND's default invoice expiry
  EXPECT_TRUE(inv["creation_date"].is_string());
  EXPECT_TRUE(inv["htlcs"].is_array() && inv["htlcs"].empty());
  EXPECT_EQ(inv["payment_request"], payreq);
  EXPECT_EQ(Get("coordinator", "/v2/invoices/lookup?payment_hash=" + B64(hash)).status, 400);
  EXPECT_EQ(Get("coordinator", "/v2/invoices/lookup?payment_hash=" + base::UrlEncode(B64(hash))).status, 200);

  // Subscribe (path: base64url): the current state first, newline-delimited {"result":…}.
  testsupport::HttpStream invoice_stream("GET", Url("coordinator", "/v2/invoices/subscribe/" + B64Url(hash)),
                                         "", Auth("coordinator"));
  json first = Line(invoice_stream.NextLine(kWait));
  EXPECT_EQ(first["result"]["state"], "OPEN");
  EXPECT_NE(invoice_stream.Headers().find("Transfer-Encoding: chunked"), std::string::npos);

  // Alice pays: a stream of lnrpc.Payment, hashes and preimages in hex.
  testsupport::HttpStream pay_stream(
      "POST", Url("alice", "/v2/router/send"),
      json{{"payment_request", payreq}, {"fee_limit_sat", "100"}, {"timeout_seconds", 60}}.dump(),
      Auth("alice"));
  json p1 = Line(pay_stream.NextLine(kWait));
  ASSERT_TRUE(p1.contains("result")) << p1.dump();
  EXPECT_EQ(p1["result"]["status"], "IN_FLIGHT");
  EXPECT_EQ(p1["result"]["payment_hash"], ToHex(hash));
  EXPECT_EQ(p1["result"]["payment_preimage"], std::string(64, '0'));
  EXPECT_EQ(p1["result"]["value_sat"], "25000");
  EXPECT_EQ(p1["result"]["failure_reason"], "FAILURE_REASON_NONE");

  json accepted = Line(invoice_stream.NextLine(kWait));
  EXPECT_EQ(accepted["result"]["state"], "ACCEPTED");
  ASSERT_EQ(accepted["result"]["htlcs"].size(), 1u);
  const json& htlc = accepted["result"]["htlcs"][0];
  EXPECT_EQ(htlc["amt_msat"], "25000000");
  EXPECT_EQ(htlc["state"], "ACCEPTED");
  EXPECT_TRUE(htlc["accept_height"].is_number());
  EXPECT_TRUE(htlc["expiry_height"].is_number());
  EXPECT_TRUE(htlc["chan_id"].is_string());

  // Settling an OPEN invoice is refused; this one is ACCEPTED now.
  HttpResult settled = Post("coordinator", "/v2/invoices/settle", {{"preimage", B64(preimage)}});
  ASSERT_EQ(settled.status, 200) << settled.body;
  EXPECT_EQ(settled.Json(), json::object());

  json done = Line(invoice_stream.NextLine(kWait));
  EXPECT_EQ(done["result"]["state"], "SETTLED");
  EXPECT_EQ(done["result"]["settled"], true);
  EXPECT_EQ(done["result"]["r_preimage"], B64(preimage));
  EXPECT_EQ(done["result"]["amt_paid_sat"], "25000");
  EXPECT_EQ(done["result"]["amt_paid_msat"], "25000000");
  auto ended = invoice_stream.WaitFinished(kWait);  // LND ends the stream on a final state
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->curl, CURLE_OK);

  json last;
  for (;;) {
    auto line = pay_stream.NextLine(kWait);
    if (!line) break;
    last = Line(line);
    if (last["result"]["status"] != "IN_FLIGHT") break;
  }
  EXPECT_EQ(last["result"]["status"], "SUCCEEDED");
  EXPECT_EQ(last["result"]["payment_preimage"], ToHex(preimage));
  EXPECT_TRUE(last["result"]["fee_msat"].is_string());
  ASSERT_TRUE(pay_stream.WaitFinished(kWait).has_value());

  // Tracking afterwards: one final update.
  testsupport::HttpStream track("GET", Url("alice", "/v2/router/track/" + B64Url(hash)), "", Auth("alice"));
  json tracked = Line(track.NextLine(kWait));
  EXPECT_EQ(tracked["result"]["status"], "SUCCEEDED");
  ASSERT_TRUE(track.WaitFinished(kWait).has_value());

  // Balances moved, as lnrpc.Amount {sat, msat} strings.
  json balance = Get("coordinator", "/v1/balance/channels").Json();
  EXPECT_EQ(balance["local_balance"]["sat"], "2025000");
  EXPECT_EQ(balance["local_balance"]["msat"], "2025000000");
  EXPECT_EQ(balance["balance"], "2025000");
  EXPECT_EQ(balance["unsettled_local_balance"]["sat"], "0");
}

TEST_F(DaemonTest, LndErrorsOnTheWire) {
  Hash32 preimage = Sha256("errors");
  Hash32 hash = HashOf(preimage);
  ASSERT_EQ(Post("coordinator", "/v2/invoices/hodl", {{"hash", B64(hash)}, {"value_msat", "1000000"}}).status,
            200);

  HttpResult dup = Post("coordinator", "/v2/invoices/hodl", {{"hash", B64(hash)}, {"value_msat", "1000000"}});
  EXPECT_EQ(dup.status, 500);
  EXPECT_EQ(dup.Json(),
            json::parse(R"({"code":2,"message":"invoice with payment hash already exists","details":[]})"));

  HttpResult open = Post("coordinator", "/v2/invoices/settle", {{"preimage", B64(preimage)}});
  EXPECT_EQ(open.status, 500);
  EXPECT_EQ(open.Json()["message"], "invoice still open");

  HttpResult unknown = Post("coordinator", "/v2/invoices/settle", {{"preimage", B64(Sha256("nobody"))}});
  EXPECT_EQ(unknown.status, 500);
  EXPECT_EQ(unknown.Json()["message"], "unable to locate invoice");

  HttpResult missing = Get("coordinator", "/v2/invoices/lookup?payment_hash=" + B64Url(Sha256("nothing")));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json(), json::parse(R"({"code":5,"message":"unable to locate invoice","details":[]})"));

  EXPECT_EQ(Post("coordinator", "/v2/invoices/cancel", {{"payment_hash", B64(hash)}}).status, 200);
  EXPECT_EQ(Post("coordinator", "/v2/invoices/cancel", {{"payment_hash", B64(hash)}}).status,
            200);  // idempotent
  HttpResult canceled = Post("coordinator", "/v2/invoices/settle", {{"preimage", B64(preimage)}});
  EXPECT_EQ(canceled.Json()["message"], "invoice already canceled");

  // A stream that fails before its first message: the error's HTTP status, {"error":{…}}.
  HttpResult track = Get("alice", "/v2/router/track/" + B64Url(Sha256("never sent")));
  EXPECT_EQ(track.status, 404);
  EXPECT_EQ(track.Json(),
            json::parse(R"({"error":{"code":5,"message":"payment isn't initiated","details":[]}})"));

  // grpc-gateway's own parse errors are InvalidArgument (400); LND's checks are Unknown (500).
  HttpResult bad_json = testsupport::HttpCall("POST", Url("coordinator", "/v2/invoices/hodl"), "{not json",
                                              Auth("coordinator"));
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(bad_json.Json()["code"], 3);
  HttpResult bad_int =
      Post("coordinator", "/v2/invoices/hodl", {{"hash", B64(Sha256("x"))}, {"value", "12abc"}});
  EXPECT_EQ(bad_int.status, 400);
  HttpResult both = Post("coordinator", "/v2/invoices/hodl",
                         {{"hash", B64(Sha256("y"))}, {"value", "1"}, {"value_msat", "1000"}});
  EXPECT_EQ(both.status, 500);
  EXPECT_EQ(both.Json()["message"], "sat and msat arguments are mutually exclusive");
  HttpResult short_hash = Post("coordinator", "/v2/invoices/hodl", {{"hash", "AAEC"}, {"value", "1"}});
  EXPECT_EQ(short_hash.Json()["message"], "invalid hash length of 3, want 32");
}

TEST_F(DaemonTest, LookupInvoiceByHexHashOnTheWire) {
  Hash32 preimage = AwkwardPreimage();
  Hash32 hash = HashOf(preimage);
  ASSERT_EQ(Post("coordinator", "/v2/invoices/hodl",
                 {{"hash", B64(hash)}, {"value", "7000"}, {"memo", "v1 lookup"}, {"cltv_expiry", "144"}})
                .status,
            200);

  // LND REST GET /v1/invoice/{r_hash_str}: the hash in hex; the same lnrpc.Invoice as
  // /v2/invoices/lookup, bytes in standard base64.
  HttpResult v1 = Get("coordinator", "/v1/invoice/" + ToHex(hash));
  ASSERT_EQ(v1.status, 200) << v1.body;
  json inv = v1.Json();
  EXPECT_EQ(inv, Get("coordinator", "/v2/invoices/lookup?payment_hash=" + B64Url(hash)).Json());
  EXPECT_EQ(inv["r_hash"], B64(hash));
  EXPECT_EQ(inv["memo"], "v1 lookup");
  EXPECT_EQ(inv["value"], "7000");
  EXPECT_EQ(inv["value_msat"], "7000000");
  EXPECT_EQ(inv["state"], "OPEN");
  EXPECT_EQ(inv["settled"], false);
  EXPECT_EQ(inv["cltv_expiry"], "144");
  EXPECT_TRUE(inv["htlcs"].is_array());
  std::string upper = ToHex(hash);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Get("coordinator", "/v1/invoice/" + upper).Json(), inv);  // Go's hex takes both cases

  // Unknown hash: gRPC NotFound → 404, LND's error object.
  HttpResult missing = Get("coordinator", "/v1/invoice/" + ToHex(Sha256("nobody's")));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json(), json::parse(R"({"code":5,"message":"unable to locate invoice","details":[]})"));
  // Another node does not know it either.
  EXPECT_EQ(Get("alice", "/v1/invoice/" + ToHex(hash)).status, 404);

  // Not hex, or not 32 bytes: LND returns Go's errors as they are (gRPC Unknown → 500).
  HttpResult base64 = Get("coordinator", "/v1/invoice/" + B64Url(hash));
  EXPECT_EQ(base64.status, 500);
  EXPECT_EQ(base64.Json()["code"], 2);
  EXPECT_EQ(base64.Json()["message"].get<std::string>().rfind("encoding/hex: ", 0), 0u) << base64.body;
  HttpResult bad = Get("coordinator", "/v1/invoice/" + ToHex(hash).substr(0, 62) + "zz");
  EXPECT_EQ(bad.Json(), json::parse(R"({"code":2,"message":"encoding/hex: invalid byte: U+007A 'z'","details":[]})"));
  HttpResult odd = Get("coordinator", "/v1/invoice/" + ToHex(hash).substr(1));
  EXPECT_EQ(odd.status, 500);
  EXPECT_EQ(odd.Json()["message"], "encoding/hex: odd length hex string");
  HttpResult short_hash = Get("coordinator", "/v1/invoice/" + ToHex(hash).substr(2));
  EXPECT_EQ(short_hash.status, 500);
  EXPECT_EQ(short_hash.Json()["message"], "payment hash must be exactly 32 bytes, is instead 31");
  EXPECT_EQ(testsupport::HttpCall("POST", Url("coordinator", "/v1/invoice/" + ToHex(hash)), "{}", Auth("coordinator"))
                .status,
            501);
}

TEST_F(DaemonTest, ChunkedRequestBodiesOverTls) {
  // Node's http client sends a body of unknown length with "Transfer-Encoding: chunked"; LND
  // (Go's net/http) reads it like any other.
  Hash32 hash = HashOf(Sha256("chunked"));
  const std::string body =
      json{{"hash", B64(hash)}, {"value", "4242"}, {"memo", std::string(600, 'm')}}.dump();
  const std::string head = "POST /v2/invoices/hodl HTTP/1.1\r\nHost: 127.0.0.1\r\nGrpc-Metadata-macaroon: " +
                           MacaroonHex("coordinator") +
                           "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                           "Connection: close\r\n\r\n";
  const std::string& cert = Node("coordinator").tls_cert_path;
  const uint16_t port = PortOf(Node("coordinator").rest_url);
  RawReply added = RawHttpExchange(port, cert, head + Chunked(body, 128));  // six chunks
  ASSERT_TRUE(added.error.empty()) << added.error;
  ASSERT_EQ(added.status, 200) << added.head << added.body;
  json answer = json::parse(added.body, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << added.body;
  EXPECT_EQ(answer["payment_request"].get<std::string>().rfind("lnbcrt", 0), 0u);
  json inv = Get("coordinator", "/v1/invoice/" + ToHex(hash)).Json();
  EXPECT_EQ(inv["value"], "4242");
  EXPECT_EQ(inv["memo"], std::string(600, 'm'));

  // The body cap (1 MiB) holds for chunked bodies too.
  const std::string huge = json{{"hash", B64(HashOf(Sha256("huge")))}, {"memo", std::string(1100 * 1024, 'x')}}.dump();
  RawReply refused = RawHttpExchange(port, cert, head + Chunked(huge, 64 * 1024));
  ASSERT_TRUE(refused.error.empty()) << refused.error;
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(Get("coordinator", "/v1/invoice/" + ToHex(HashOf(Sha256("huge")))).status, 404);
}

TEST_F(DaemonTest, PayingAPaidInvoiceIsAlreadyExists) {
  HttpResult inv = Post("bob", "/v1/invoices", {{"value", "1000"}, {"memo", "coffee"}});
  ASSERT_EQ(inv.status, 200) << inv.body;
  json added = inv.Json();
  EXPECT_EQ(base::Base64Decode(added["r_hash"].get<std::string>())->size(), 32u);
  EXPECT_TRUE(added["add_index"].is_string());
  json send = {{"payment_request", added["payment_request"]},
               {"fee_limit_msat", 100000},
               {"no_inflight_updates", true}};

  testsupport::HttpStream pay("POST", Url("alice", "/v2/router/send"), send.dump(), Auth("alice"));
  json only = Line(pay.NextLine(kWait));
  EXPECT_EQ(only["result"]["status"], "SUCCEEDED");  // no_inflight_updates: the final update only
  ASSERT_TRUE(pay.WaitFinished(kWait).has_value());

  HttpResult again = Post("alice", "/v2/router/send", send);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Json(),
            json::parse(R"({"error":{"code":6,"message":"invoice is already paid","details":[]}})"));

  json looked = Get("bob", "/v2/invoices/lookup?payment_hash=" +
                               base::Base64UrlEncode(*base::Base64Decode(added["r_hash"].get<std::string>())))
                    .Json();
  EXPECT_EQ(looked["state"], "SETTLED");
}

TEST_F(DaemonTest, DecodePayReqAndNumbersAsStringsOrNumbers) {
  Hash32 hash = HashOf(Sha256("decode"));
  // int64 fields accepted as JSON numbers or strings, bytes in the URL-safe alphabet too.
  HttpResult added = Post("coordinator", "/v2/invoices/hodl",
                          {{"hash", B64Url(hash)},
                           {"value", 5000},
                           {"expiry", "600"},
                           {"memo", "m"},
                           {"unknown_field", "ignored"}});
  ASSERT_EQ(added.status, 200) << added.body;
  std::string payreq = added.Json()["payment_request"];
  HttpResult decoded = Get("alice", "/v1/payreq/" + payreq);
  ASSERT_EQ(decoded.status, 200) << decoded.body;
  json d = decoded.Json();
  EXPECT_EQ(d["destination"], Node("coordinator").pubkey);
  EXPECT_EQ(d["payment_hash"], ToHex(hash));  // lnrpc.PayReq.payment_hash: hex string
  EXPECT_EQ(d["num_satoshis"], "5000");
  EXPECT_EQ(d["num_msat"], "5000000");
  EXPECT_EQ(d["expiry"], "600");
  EXPECT_EQ(d["description"], "m");
  EXPECT_TRUE(d["timestamp"].is_string());
  EXPECT_TRUE(d["cltv_expiry"].is_string());
  EXPECT_TRUE(d["features"].is_object());
  EXPECT_TRUE(d["route_hints"].is_array());

  EXPECT_NE(Get("alice", "/v1/payreq/lnbcrt1garbage").status, 200);
}

TEST_F(DaemonTest, KeepAliveReusesTheConnection) {
  testsupport::HttpClient client;
  HttpResult first = client.Call("GET", Url("alice", "/v1/getinfo"), "", Auth("alice"));
  HttpResult second = client.Call("GET", Url("alice", "/v1/balance/channels"), "", Auth("alice"));
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(first.connects, 1);
  EXPECT_EQ(second.connects, 0);
}

TEST_F(DaemonTest, OversizedBodiesAreRefused) {
  std::string huge(2 * 1024 * 1024, 'x');
  HttpResult r = testsupport::HttpCall("POST", Url("alice", "/v2/invoices/hodl"), huge, Auth("alice"));
  EXPECT_EQ(r.status, 413);
}

TEST_F(DaemonTest, RestartKeepsPortsCertificatesAndMacaroons) {
  std::string url = Node("alice").rest_url;
  std::string cert = testsupport::ReadFile(Node("alice").tls_cert_path);
  std::string macaroon = MacaroonHex("alice");
  m_daemon.reset();
  StartDaemon();
  EXPECT_EQ(Node("alice").rest_url, url);
  EXPECT_EQ(testsupport::ReadFile(Node("alice").tls_cert_path), cert);
  EXPECT_EQ(MacaroonHex("alice"), macaroon);
  EXPECT_EQ(Get("alice", "/v1/getinfo").status, 200);
}

TEST_F(DaemonTest, StopEndsOpenStreams) {
  Hash32 hash = HashOf(Sha256("stop"));
  ASSERT_EQ(Post("coordinator", "/v2/invoices/hodl", {{"hash", B64(hash)}, {"value", "10"}}).status, 200);
  testsupport::HttpStream stream("GET", Url("coordinator", "/v2/invoices/subscribe/" + B64Url(hash)), "",
                                 Auth("coordinator"));
  EXPECT_EQ(Line(stream.NextLine(kWait))["result"]["state"], "OPEN");
  m_daemon->Stop();
  EXPECT_TRUE(stream.WaitFinished(kWait).has_value());
}

}  // namespace
}  // namespace simln_rest_test
