// Shared set-up for the lnd_http tests: a temp dir with a fresh certificate and a 0600
// macaroon, the LndConfig pointing at a TlsServer, and JSON answers in LND's shapes.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "escrow/lnd/lnd_node.h"
#include "tests/adapter/lnd_http/tls_server.h"
#include "tests/support/test_support.h"

namespace lndtest {

using escrow::Hash32;

inline Hash32 Filled(uint8_t b) {
  Hash32 h;
  h.fill(b);
  return h;
}

inline std::string B64(const Hash32& h) { return base::Base64Encode(base::Bytes(h.begin(), h.end())); }
inline std::string B64Url(const Hash32& h) { return base::Base64UrlEncode(base::Bytes(h.begin(), h.end())); }

// One stream line, as LND's gateway writes it.
inline std::string ResultLine(const std::string& message_json) { return "{\"result\":" + message_json + "}\n"; }

inline std::string InvoiceJson(const Hash32& r_hash, const char* state) {
  return std::string(R"({"memo":"bond","r_hash":")") + B64(r_hash) + R"(","value_msat":"250000","state":")" + state +
         R"(","htlcs":[],"amt_paid_msat":"0","add_index":"3"})";
}

inline std::string PaymentJson(const Hash32& hash, const char* status, const std::string& preimage_hex = std::string(64, '0')) {
  return std::string(R"({"payment_hash":")") + escrow::crypto::ToHex(hash) + R"(","value_msat":"1000","fee_msat":"0",)" +
         R"("payment_preimage":")" + preimage_hex + R"(","status":")" + status +
         R"(","failure_reason":"FAILURE_REASON_NONE","payment_index":"1"})";
}

inline std::string StatusJson(int code, const std::string& message) {
  return "{\"code\":" + std::to_string(code) + ",\"message\":\"" + message + "\",\"details\":[]}";
}

class LndHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("lnd-http");
    m_cert = MakeSelfSignedCert(m_dir, "tls");
    m_macaroon_path = m_dir + "/admin.macaroon";
    WriteMacaroon(0600);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  void WriteMacaroon(mode_t mode) {
    std::ofstream out(m_macaroon_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(m_macaroon.data()), static_cast<std::streamsize>(m_macaroon.size()));
    out.close();
    ::chmod(m_macaroon_path.c_str(), mode);
  }

  escrow::lnd::LndConfig Config(const std::string& url) const {
    escrow::lnd::LndConfig c;
    c.rest_url = url;
    c.tls_cert_path = m_cert.cert_path;
    c.macaroon_path = m_macaroon_path;
    c.connect_timeout = std::chrono::milliseconds(5000);
    c.request_timeout = std::chrono::milliseconds(10000);
    c.reconnect_backoff_min = std::chrono::milliseconds(20);
    c.reconnect_backoff_max = std::chrono::milliseconds(100);
    return c;
  }

  std::unique_ptr<escrow::LightningNode> Node(const escrow::lnd::LndConfig& config) {
    auto node = escrow::lnd::CreateLndNode(config);
    EXPECT_TRUE(node.ok()) << (node.ok() ? "" : node.error().message);
    if (!node.ok()) return nullptr;
    return std::move(*node);
  }
  std::unique_ptr<escrow::LightningNode> Node(const TlsServer& server) { return Node(Config(server.url())); }

  std::string MacaroonHex() const { return base::HexEncode(m_macaroon); }

  std::string m_dir;
  CertFiles m_cert;
  std::string m_macaroon_path;
  // Starts like a real macaroon (version 2 binary) and contains a NUL and 0xff.
  const base::Bytes m_macaroon = {0x02, 0x01, 0x03, 0x6c, 0x6e, 0x64, 0x02, 0x00, 0xff, 0x10, 0x42};
};

inline constexpr std::chrono::seconds kWait{10};  // bound for every wait on a stream event

}  // namespace lndtest
