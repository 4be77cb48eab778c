// Transport and unary calls: pinning, macaroon, refused/timeout, error mapping, idempotence.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "escrow/lnd/lnd_node.h"
#include "tests/adapter/lnd_http/harness.h"

namespace lndtest {
namespace {

using escrow::LnErrorCode;
using nlohmann::json;

constexpr const char* kGetInfo =
    R"({"version":"0.18.3-beta","identity_pubkey":"03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad",)"
    R"("alias":"alice","block_height":812,"block_hash":"00ab","synced_to_chain":true,"num_active_channels":2,)"
    R"("chains":[{"chain":"bitcoin","network":"regtest"}]})";

TEST_F(LndHttpTest, PinnedCertificateIsAcceptedAndMacaroonSentHex) {
  TlsServer server(m_cert, [](Exchange& ex) { ex.Respond(200, kGetInfo); });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  auto info = node->GetInfo();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->alias, "alice");
  EXPECT_EQ(info->block_height, 812u);
  EXPECT_EQ(info->network, "regtest");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/v1/getinfo");
  // LND REST: "Grpc-Metadata-macaroon: <hex>".
  EXPECT_EQ(requests[0].Header("grpc-metadata-macaroon"), MacaroonHex());
  EXPECT_EQ(MacaroonHex(), "0201036c6e640200ff1042");
  EXPECT_TRUE(requests[0].body.empty());
}

TEST_F(LndHttpTest, TrailingSlashInUrlIsHarmless) {
  TlsServer server(m_cert, [](Exchange& ex) { ex.Respond(200, kGetInfo); });
  auto node = Node(Config(server.url() + "/"));
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(node->GetInfo().ok());
  EXPECT_EQ(server.requests().at(0).target, "/v1/getinfo");
}

TEST_F(LndHttpTest, AnotherSelfSignedCertificateIsATlsMismatch) {
  TlsServer server(m_cert, [](Exchange& ex) { ex.Respond(200, kGetInfo); });
  CertFiles other = MakeSelfSignedCert(m_dir, "other");
  auto config = Config(server.url());
  config.tls_cert_path = other.cert_path;
  auto node = Node(config);
  ASSERT_NE(node, nullptr);
  auto info = node->GetInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, LnErrorCode::kTlsMismatch);
  EXPECT_NE(info.error().message.find(other.cert_path), std::string::npos) << info.error().message;
  EXPECT_EQ(info.error().message.find(MacaroonHex()), std::string::npos);
  EXPECT_EQ(server.requests().size(), 0u);  // nothing was sent to the impostor
}

TEST_F(LndHttpTest, TrustedButNotPinnedKeyIsATlsMismatch) {
  // A bundle whose first certificate (the pin) is another key, and which also contains the
  // server's certificate: chain verification passes, the public-key pin does not.
  TlsServer server(m_cert, [](Exchange& ex) { ex.Respond(200, kGetInfo); });
  CertFiles other = MakeSelfSignedCert(m_dir, "other");
  const std::string bundle = m_dir + "/bundle.pem";
  {
    std::ofstream out(bundle);
    out << testsupport::ReadFile(other.cert_path) << testsupport::ReadFile(m_cert.cert_path);
  }
  auto config = Config(server.url());
  config.tls_cert_path = bundle;
  auto node = Node(config);
  ASSERT_NE(node, nullptr);
  auto info = node->GetInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, LnErrorCode::kTlsMismatch) << info.error().message;
  EXPECT_EQ(server.requests().size(), 0u);
}

TEST_F(LndHttpTest, MacaroonReadableByOthersIsRefused) {
  for (mode_t mode : {0644, 0640, 0604, 0660, 0666, 0700 | 0010}) {
    WriteMacaroon(mode);
    auto node = escrow::lnd::CreateLndNode(Config("https://127.0.0.1:1"));
    ASSERT_FALSE(node.ok()) << std::oct << mode;
    EXPECT_EQ(node.error().code, LnErrorCode::kInvalidArgument);
    EXPECT_NE(node.error().message.find(m_macaroon_path), std::string::npos) << node.error().message;
    EXPECT_EQ(node.error().message.find(MacaroonHex()), std::string::npos);
  }
  for (mode_t mode : {0600, 0400}) {
    WriteMacaroon(mode);
    EXPECT_TRUE(escrow::lnd::CreateLndNode(Config("https://127.0.0.1:1")).ok()) << std::oct << mode;
  }
}

TEST_F(LndHttpTest, ConfigurationErrors) {
  auto missing_macaroon = Config("https://127.0.0.1:1");
  missing_macaroon.macaroon_path = m_dir + "/nope.macaroon";
  auto r1 = escrow::lnd::CreateLndNode(missing_macaroon);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message.find("nope.macaroon"), std::string::npos);

  auto missing_cert = Config("https://127.0.0.1:1");
  missing_cert.tls_cert_path = m_dir + "/nope.cert";
  EXPECT_FALSE(escrow::lnd::CreateLndNode(missing_cert).ok());

  auto not_pem = Config("https://127.0.0.1:1");
  not_pem.tls_cert_path = m_macaroon_path;
  EXPECT_FALSE(escrow::lnd::CreateLndNode(not_pem).ok());

  for (const char* url : {"http://127.0.0.1:8080", "127.0.0.1:8080", "https://", "https://h:1/?x=1", "ftp://h",
                          "https://h:1/#frag", ""}) {
    auto r = escrow::lnd::CreateLndNode(Config(url));
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code, LnErrorCode::kInvalidArgument) << url;
  }

  auto bad_backoff = Config("https://127.0.0.1:1");
  bad_backoff.reconnect_backoff_max = std::chrono::milliseconds(1);
  EXPECT_FALSE(escrow::lnd::CreateLndNode(bad_backoff).ok());
}

TEST_F(LndHttpTest, ConnectionRefusedIsUnreachable) {
  auto node = Node(Config("https://127.0.0.1:" + std::to_string(UnusedPort())));
  ASSERT_NE(node, nullptr);
  auto info = node->GetInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, LnErrorCode::kUnreachable) << info.error().message;
}

TEST_F(LndHttpTest, SilentServerIsATimeout) {
  TlsServer server(m_cert, [](Exchange& ex) { ex.HoldOpen(); });
  auto config = Config(server.url());
  config.request_timeout = std::chrono::milliseconds(300);
  auto node = Node(config);
  ASSERT_NE(node, nullptr);
  auto info = node->GetInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, LnErrorCode::kTimeout) << info.error().message;
}

TEST_F(LndHttpTest, AddHoldInvoiceSendsLndJson) {
  const Hash32 addr = Filled(0x5a);
  TlsServer server(m_cert, [&](Exchange& ex) {
    ex.Respond(200, R"({"payment_request":"lnbcrt1hold","add_index":"5","payment_addr":")" + B64(addr) + "\"}");
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::HoldInvoiceRequest req;
  req.payment_hash = Filled(0xfb);
  req.value_msat = 3000000000;
  req.memo = "maker bond";
  req.expiry_seconds = 900;
  req.cltv_expiry = 250;
  auto r = node->AddHoldInvoice(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->payment_request, "lnbcrt1hold");
  EXPECT_EQ(r->payment_hash, req.payment_hash);
  EXPECT_EQ(r->add_index, 5u);
  EXPECT_EQ(r->payment_addr, addr);
  const Request sent = server.requests().at(0);
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/v2/invoices/hodl");
  EXPECT_EQ(sent.Header("content-type"), "application/json");
  json body = json::parse(sent.body);
  EXPECT_EQ(body.at("hash"), B64(req.payment_hash));
  EXPECT_EQ(body.at("value_msat"), "3000000000");
  EXPECT_EQ(body.at("expiry"), "900");
  EXPECT_EQ(body.at("cltv_expiry"), "250");
  EXPECT_EQ(body.at("memo"), "maker bond");
}

TEST_F(LndHttpTest, ErrorsAreTyped) {
  struct Row {
    int http;
    std::string body;
    LnErrorCode want;
  };
  const std::vector<Row> rows = {
      {500, StatusJson(2, "invoice with payment hash already exists"), LnErrorCode::kAlreadyExists},
      {500, StatusJson(2, "verification failed: signature mismatch after caveat verification"), LnErrorCode::kUnauthorized},
      {401, "Unauthorized", LnErrorCode::kUnauthorized},
      {403, StatusJson(7, "permission denied"), LnErrorCode::kUnauthorized},
      {400, StatusJson(3, "invalid hash length"), LnErrorCode::kInvalidArgument},
      {503, StatusJson(14, "unavailable"), LnErrorCode::kUnreachable},
      {500, "<html>", LnErrorCode::kInternal},
      {200, "not json", LnErrorCode::kProtocol},
      {200, R"({"add_index":"1"})", LnErrorCode::kProtocol},
  };
  for (const Row& row : rows) {
    TlsServer server(m_cert, [&](Exchange& ex) { ex.Respond(row.http, row.body); });
    auto node = Node(server);
    ASSERT_NE(node, nullptr);
    escrow::HoldInvoiceRequest req;
    req.payment_hash = Filled(1);
    auto r = node->AddHoldInvoice(req);
    ASSERT_FALSE(r.ok()) << row.body;
    EXPECT_EQ(r.error().code, row.want) << row.http << " " << row.body << " → " << r.error().message;
    EXPECT_EQ(r.error().message.find(MacaroonHex()), std::string::npos);
  }
}

TEST_F(LndHttpTest, LookupInvoiceUsesBase64UrlQuery) {
  const Hash32 hash = Filled(0xfb);  // base64 "+/v7…": base64url "-_v7…"
  TlsServer server(m_cert, [&](Exchange& ex) {
    if (ex.request().target == "/v2/invoices/lookup?payment_hash=" + B64Url(hash)) {
      ex.Respond(200, InvoiceJson(hash, "ACCEPTED"));
    } else {
      ex.Respond(404, StatusJson(5, "unable to locate invoice"));
    }
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  auto inv = node->LookupInvoice(hash);
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->state, escrow::InvoiceState::kAccepted);
  auto missing = node->LookupInvoice(Filled(2));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, LnErrorCode::kNotFound);
  EXPECT_NE(B64Url(hash).find('_'), std::string::npos);
}

TEST_F(LndHttpTest, LookupAnsweringAnotherInvoiceIsAProtocolError) {
  TlsServer server(m_cert, [&](Exchange& ex) { ex.Respond(200, InvoiceJson(Filled(9), "OPEN")); });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  auto inv = node->LookupInvoice(Filled(8));
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.error().code, LnErrorCode::kProtocol);
}

TEST_F(LndHttpTest, SettleIsIdempotent) {
  struct Row {
    int http;
    std::string body;
    bool ok;
    LnErrorCode want;
  };
  const std::vector<Row> rows = {
      {200, "{}", true, LnErrorCode::kInternal},
      {500, StatusJson(2, "invoice already settled"), true, LnErrorCode::kInternal},
      {500, StatusJson(2, "invoice already canceled"), false, LnErrorCode::kAlreadyCanceled},
      {500, StatusJson(2, "invoice still open"), false, LnErrorCode::kNotAccepted},
      {500, StatusJson(2, "unable to locate invoice"), false, LnErrorCode::kNotFound},
  };
  const Hash32 preimage = Filled(0xfe);
  for (const Row& row : rows) {
    TlsServer server(m_cert, [&](Exchange& ex) { ex.Respond(row.http, row.body); });
    auto node = Node(server);
    ASSERT_NE(node, nullptr);
    auto r = node->SettleInvoice(preimage);
    EXPECT_EQ(r.ok(), row.ok) << row.body;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, row.want) << row.body;
      EXPECT_EQ(r.error().message.find(escrow::crypto::ToHex(preimage)), std::string::npos);
      EXPECT_EQ(r.error().message.find(B64(preimage)), std::string::npos);
    }
    const Request sent = server.requests().at(0);
    EXPECT_EQ(sent.target, "/v2/invoices/settle");
    EXPECT_EQ(json::parse(sent.body), (json{{"preimage", B64(preimage)}}));
  }
}

TEST_F(LndHttpTest, CancelIsIdempotent) {
  struct Row {
    int http;
    std::string body;
    bool ok;
    LnErrorCode want;
  };
  const std::vector<Row> rows = {
      {200, "{}", true, LnErrorCode::kInternal},
      {500, StatusJson(2, "invoice already canceled"), true, LnErrorCode::kInternal},
      {500, StatusJson(2, "invoice already settled"), false, LnErrorCode::kAlreadySettled},
      {500, StatusJson(2, "unable to locate invoice"), false, LnErrorCode::kNotFound},
  };
  for (const Row& row : rows) {
    TlsServer server(m_cert, [&](Exchange& ex) { ex.Respond(row.http, row.body); });
    auto node = Node(server);
    ASSERT_NE(node, nullptr);
    auto r = node->CancelInvoice(Filled(0x3e));
    EXPECT_EQ(r.ok(), row.ok) << row.body;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, row.want) << row.body;
    }
    const Request sent = server.requests().at(0);
    EXPECT_EQ(sent.target, "/v2/invoices/cancel");
    EXPECT_EQ(json::parse(sent.body), (json{{"payment_hash", B64(Filled(0x3e))}}));
  }
}

TEST_F(LndHttpTest, DecodePayReqAndBalance) {
  TlsServer server(m_cert, [&](Exchange& ex) {
    if (ex.request().target == "/v1/payreq/lnbcrt10u1abc") {
      ex.Respond(200, R"({"destination":"03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad",)"
                      R"("payment_hash":")" + std::string(64, 'c') + R"(","num_msat":"1000000","cltv_expiry":"40"})");
    } else if (ex.request().target == "/v1/balance/channels") {
      ex.Respond(200, R"({"local_balance":{"sat":"10","msat":"10000"},"remote_balance":{"sat":"20","msat":"20000"}})");
    } else {
      ex.Respond(404, StatusJson(5, "not found"));
    }
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  auto p = node->DecodePayReq("lnbcrt10u1abc");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->num_msat, 1000000);
  EXPECT_EQ(p->cltv_expiry, 40);
  auto bad = node->DecodePayReq("lnbc/../../v1/getinfo");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, LnErrorCode::kInvalidArgument);
  auto b = node->GetChannelBalance();
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->local_msat, 10000);
  EXPECT_EQ(b->remote_msat, 20000);
  EXPECT_EQ(server.requests().size(), 2u);  // the bad payreq never left
}

}  // namespace
}  // namespace lndtest
