// Shared fixture of the simln unit tests: a network in a temp dir on a ManualClock, helpers to
// pay and wait for streams (every wait bounded), and the conservation check after each test.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "config/base/clock.h"
#include "escrow/crypto/secp256k1.h"
#include "escrow/crypto/sha256.h"
#include "escrow/lightning_node.h"
#include "escrow/simln/network.h"
#include "escrow/stream_queue.h"
#include "tests/support/test_support.h"

namespace simln_test {

using escrow::CustomRecords;
using escrow::FailureReason;
using escrow::Hash32;
using escrow::Invoice;
using escrow::InvoiceState;
using escrow::LnErrorCode;
using escrow::Payment;
using escrow::PaymentStatus;
using escrow::simln::FailureMode;
using escrow::simln::FailureSetting;
using escrow::simln::Network;
using escrow::simln::NetworkSpec;

constexpr std::chrono::seconds kWait{10};  // bound of every stream wait; never reached when green

// alice —— bob —— carol, 1 000 000 sat on each side; dave —— erin off to the side; bob charges
// the default policy (1000 msat + 1 ppm, cltv_delta 40).
inline NetworkSpec LineSpec() {
  NetworkSpec spec;
  for (const char* n : {"alice", "bob", "carol", "dave", "erin"}) spec.nodes.push_back({n, ""});
  spec.channels.push_back({"alice", "bob", 1'000'000, 1'000'000});
  spec.channels.push_back({"bob", "carol", 1'000'000, 1'000'000});
  spec.channels.push_back({"dave", "erin", 500'000, 500'000});
  return spec;
}

inline Hash32 Preimage(uint8_t seed) {
  Hash32 p{};
  p.fill(seed);
  return p;
}
inline Hash32 HashOf(const Hash32& preimage) {
  return escrow::crypto::Sha256(preimage.data(), preimage.size());
}

// The error code of a result, nullopt if it succeeded (never asserts on an ok result).
template <class R>
std::optional<LnErrorCode> ErrorOf(const R& r) {
  if (r.ok()) return std::nullopt;
  return r.error().code;
}

// The terminal event of a stream, or its error.
struct StreamEnd {
  std::vector<Payment> updates;  // everything seen, in order
  std::optional<escrow::LnError> error;
  bool done = false;
};

class SimlnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("simln-unit");
    Open(LineSpec());
    m_total = m_net->TotalMsat();
  }

  void TearDown() override {
    if (m_net) {
      // Conservation: no operation creates or destroys a millisatoshi.
      EXPECT_EQ(m_net->TotalMsat(), m_total) << "conservation broken";
    }
    m_nodes.clear();
    m_net.reset();
    std::filesystem::remove_all(m_dir);
  }

  void Open(const NetworkSpec& spec) {
    m_nodes.clear();
    m_net.reset();
    auto net = Network::Open(DbPath(), spec, m_clock);
    ASSERT_TRUE(net.ok()) << net.error();
    m_net = std::move(*net);
  }
  // Closes and opens the same file again (a restart).
  void Reopen(const NetworkSpec& spec = LineSpec()) { Open(spec); }

  std::string DbPath() const { return m_dir + "/simln.db"; }

  escrow::LightningNode& Node(const std::string& name) {
    auto it = m_nodes.find(name);
    if (it == m_nodes.end()) it = m_nodes.emplace(name, m_net->Node(name)).first;
    EXPECT_NE(it->second, nullptr) << name;
    return *it->second;
  }

  std::string Pubkey(const std::string& name) { return m_net->GetNode(name)->pubkey_hex; }

  escrow::AddInvoiceResult AddHold(const std::string& node, const Hash32& hash, int64_t msat,
                                   uint64_t cltv = 40, int64_t expiry = 3600) {
    escrow::HoldInvoiceRequest req;
    req.payment_hash = hash;
    req.value_msat = msat;
    req.memo = "bond";
    req.cltv_expiry = cltv;
    req.expiry_seconds = expiry;
    auto r = Node(node).AddHoldInvoice(req);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : escrow::AddInvoiceResult{};
  }

  escrow::AddInvoiceResult AddRegular(const std::string& node, int64_t msat,
                                      std::optional<Hash32> preimage = {}) {
    escrow::InvoiceRequest req;
    req.value_msat = msat;
    req.memo = "payout";
    req.preimage = preimage;
    auto r = Node(node).AddInvoice(req);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : escrow::AddInvoiceResult{};
  }

  // Starts a payment and reads its stream until it ends or `until` is seen.
  StreamEnd Pay(const std::string& from, const escrow::SendPaymentRequest& req,
                std::optional<PaymentStatus> until = std::nullopt) {
    escrow::StreamQueue<Payment> q;
    auto sub = Node(from).SendPayment(req, q.Handlers());
    return Drain(q, until);
  }
  StreamEnd PayInvoice(const std::string& from, const std::string& payreq, int64_t fee_limit_msat = 1'000'000,
                       std::optional<PaymentStatus> until = std::nullopt) {
    escrow::SendPaymentRequest req;
    req.payment_request = payreq;
    req.fee_limit_msat = fee_limit_msat;
    return Pay(from, req, until);
  }

  static StreamEnd Drain(escrow::StreamQueue<Payment>& q, std::optional<PaymentStatus> until) {
    StreamEnd end;
    for (int i = 0; i < 100; ++i) {
      auto ev = q.Next(kWait);
      if (!ev) {
        ADD_FAILURE() << "stream stalled";
        return end;
      }
      if (auto* p = std::get_if<Payment>(&*ev)) {
        end.updates.push_back(*p);
        if (until && p->status == *until) return end;
      } else if (auto* e = std::get_if<escrow::LnError>(&*ev)) {
        end.error = *e;
      } else {
        end.done = true;
        return end;
      }
    }
    return end;
  }

  // The payment as the sender's node reports it now.
  std::optional<Payment> PaymentOf(const std::string& node, const Hash32& hash) {
    for (const Payment& p : m_net->ListPayments(node)) {
      if (p.payment_hash == hash) return p;
    }
    return std::nullopt;
  }
  Invoice InvoiceOf(const std::string& node, const Hash32& hash) {
    auto r = Node(node).LookupInvoice(hash);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Invoice{};
  }

  escrow::ChannelBalance Balance(const std::string& node) { return m_net->GetNode(node)->balance; }

  uint64_t ChannelId(const std::string& a, const std::string& b) {
    for (const auto& c : m_net->Channels()) {
      if ((c.node_a == a && c.node_b == b) || (c.node_a == b && c.node_b == a)) return c.chan_id;
    }
    ADD_FAILURE() << "no channel " << a << "-" << b;
    return 0;
  }

  void Advance(int64_t seconds) { m_clock.Advance(std::chrono::seconds(seconds)); }

  base::ManualClock m_clock;
  std::string m_dir;
  std::unique_ptr<Network> m_net;
  std::map<std::string, std::unique_ptr<escrow::LightningNode>> m_nodes;
  int64_t m_total = 0;
};

}  // namespace simln_test
