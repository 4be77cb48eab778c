// A simln Network (ManualClock) served by an in-process Daemon on a temp dir, plus helpers to
// call a node's LND REST API over pinned TLS with its macaroon.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "config/base/clock.h"
#include "config/base/encoding.h"
#include "escrow/crypto/sha256.h"
#include "escrow/simln/daemon.h"
#include "escrow/simln/network.h"
#include "tests/support/simln_rest_client.h"
#include "tests/support/test_support.h"

namespace simln_rest_test {

using nlohmann::json;
using testsupport::HttpOptions;
using testsupport::HttpResult;

inline escrow::simln::NetworkSpec TestSpec() {
  escrow::simln::NetworkSpec spec;
  spec.nodes = {{"coordinator", ""}, {"alice", ""}, {"bob", ""}};
  escrow::simln::ChannelSpec a;
  a.node_a = "alice";
  a.node_b = "coordinator";
  a.a_balance_sat = 1'000'000;
  a.b_balance_sat = 1'000'000;
  escrow::simln::ChannelSpec b = a;
  b.node_a = "bob";
  spec.channels = {a, b};
  return spec;
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("simln-rest");
    auto network = escrow::simln::Network::Open(m_dir + "/simln.db", TestSpec(), m_clock);
    ASSERT_TRUE(network.ok()) << network.error();
    m_network = std::move(*network);
    StartDaemon();
  }

  void TearDown() override {
    m_daemon.reset();
    m_network.reset();
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }

  void StartDaemon() {
    escrow::simln::DaemonOptions options;
    options.state_dir = m_dir;
    options.clock = &m_clock;
    options.advance_clock = [this](std::chrono::seconds s) -> base::Expected<void, std::string> {
      m_clock.Advance(s);
      return {};
    };
    auto daemon = escrow::simln::Daemon::Start(*m_network, options);
    ASSERT_TRUE(daemon.ok()) << daemon.error();
    m_daemon = std::move(*daemon);
  }

  const escrow::simln::ServedNode& Node(const std::string& name) const {
    for (const auto& n : m_daemon->nodes()) {
      if (n.name == name) return n;
    }
    throw std::runtime_error("no node " + name);
  }

  std::string Url(const std::string& node, const std::string& path) const {
    return Node(node).rest_url + path;
  }

  std::string MacaroonHex(const std::string& node) const {
    std::string raw = testsupport::ReadFile(Node(node).macaroon_path);
    return base::HexEncode(base::Bytes(raw.begin(), raw.end()));
  }

  // Pinned certificate + macaroon of `node`.
  HttpOptions Auth(const std::string& node) const {
    HttpOptions o;
    o.ca_file = Node(node).tls_cert_path;
    o.macaroon_hex = MacaroonHex(node);
    return o;
  }

  HttpResult Get(const std::string& node, const std::string& path) {
    return testsupport::HttpCall("GET", Url(node, path), "", Auth(node));
  }
  HttpResult Post(const std::string& node, const std::string& path, const json& body) {
    return testsupport::HttpCall("POST", Url(node, path), body.dump(), Auth(node));
  }

  // Control API.
  std::string Token() const {
    std::string t = testsupport::ReadFile(m_daemon->control_token_path());
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    return t;
  }
  HttpResult Control(const std::string& method, const std::string& path, const json& body = json()) {
    HttpOptions o;
    o.headers = {"Authorization: Bearer " + Token()};
    return testsupport::HttpCall(method, m_daemon->control_url() + path, body.is_null() ? "" : body.dump(),
                                 o);
  }

  static std::string B64(const escrow::crypto::Hash32& h) {
    return base::Base64Encode(escrow::crypto::ToBytes(h));
  }
  static std::string B64Url(const escrow::crypto::Hash32& h) {
    return base::Base64UrlEncode(escrow::crypto::ToBytes(h));
  }

  // A preimage whose hash's standard base64 contains both '+' and '/', so that the two
  // alphabets differ on the wire.
  static escrow::crypto::Hash32 AwkwardPreimage() {
    for (int i = 0;; ++i) {
      auto preimage = escrow::crypto::Sha256("preimage " + std::to_string(i));
      std::string b64 = B64(escrow::crypto::Sha256(escrow::crypto::ToBytes(preimage)));
      if (b64.find('+') != std::string::npos && b64.find('/') != std::string::npos) return preimage;
    }
  }

  std::string m_dir;
  base::ManualClock m_clock{base::ManualClock::FromUnixSeconds(1'700'000'000)};
  std::unique_ptr<escrow::simln::Network> m_network;
  std::unique_ptr<escrow::simln::Daemon> m_daemon;
};

// Parses one stream line; fails the test if it is not a JSON object.
inline json Line(const std::optional<std::string>& line) {
  EXPECT_TRUE(line.has_value()) << "no stream line in time";
  if (!line) return json();
  json j = json::parse(*line, nullptr, false);
  EXPECT_TRUE(j.is_object()) << *line;
  return j;
}

constexpr std::chrono::seconds kWait{20};

}  // namespace simln_rest_test
