// The publisher to outside relays (api/nostr/publisher.h) against a real relay over loopback
// WebSocket (our own /relay/ on HttpServer: a NIP-01 relay that answers OK, refuses what it
// must), with the engine's real SQLite store: every stored event is published and acknowledged,
// the acknowledgements survive a restart (nothing is sent twice, nothing owed is lost), a refusal
// is retried with backoff, a newer state of an order replaces the old on the relay, and a relay
// that lost everything is healed by the reconciler.
#include "api/nostr/publisher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "api/nostr/relay.h"
#include "config/base/clock.h"
#include "coordinator/model.h"
#include "coordinator/nostr/event.h"
#include "coordinator/store/nostr_publications.h"
#include "coordinator/store/store.h"
#include "escrow/crypto/secp256k1.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/test_support.h"

namespace api::nostr {
namespace {

namespace cn = coordinator::nostr;
using namespace std::chrono_literals;

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("nostr-publisher");
    m_db = m_dir + "/coordinator.db";
    auto store = coordinator::Store::Open(m_db);
    ASSERT_TRUE(store.ok()) << store.error();
    m_store = std::move(store.value());
    StartRelay(0);
  }
  void TearDown() override {
    if (m_publisher) m_publisher->Stop();
    StopRelay();
    std::error_code ec;
    if (!HasFailure()) std::filesystem::remove_all(m_dir, ec);
  }

  void StartRelay(uint16_t port) {
    RelayOptions o;
    o.own_pubkey = Pub(m_own);
    o.federation_pubkeys = {Pub(m_own)};  // a stranger's order events are refused ("blocked:")
    o.now = [] { return base::SystemClock().NowSeconds(); };
    o.max_events_per_minute = 1000;
    o.max_messages_per_minute = 5000;
    m_relay = std::make_unique<Relay>(o);
    m_server = std::make_unique<http::HttpServer>();
    ASSERT_TRUE(m_server->AddWebSocket("/relay/", m_relay->Acceptor()).ok());
    http::ServerOptions so;
    so.port = port;
    ASSERT_TRUE(m_server->Start(so).ok());
    m_port = m_server->Port();
  }
  void StopRelay() {
    if (m_server) m_server->Stop();
    m_server.reset();
    m_relay.reset();
  }

  static std::string Pub(const escrow::crypto::Signer& k) {
    auto x = k.XOnlyPublicKey();
    return escrow::crypto::ToHex(escrow::crypto::Hash32{x});
  }
  // Stores an order event as the engine does (one row per address, replaced by newer states).
  cn::Event StoreOrder(const escrow::crypto::Signer& key, const std::string& d, const std::string& s) {
    const int64_t now = base::SystemClock().NowSeconds();
    cn::Event e;
    e.kind = 38383;
    e.created_at = now + (m_bump++);
    e.tags = {{"d", d}, {"k", "sell"}, {"f", "EUR"}, {"s", s}, {"expiration", std::to_string(now + 86400)}};
    cn::Sign(e, key);
    auto previous = m_store->NostrEventAt(38383, e.pubkey, d);
    coordinator::NostrEventRecord r;
    r.id = previous ? previous->id : m_store->NewId(coordinator::Table::kNostrEvent);
    r.event_id = e.id;
    r.kind = e.kind;
    r.pubkey = e.pubkey;
    r.d_tag = d;
    r.order_id = 1;
    r.created_at = e.created_at;
    r.json = cn::ToJson(e);
    EXPECT_TRUE(m_store->Begin().ok());
    EXPECT_TRUE(m_store->Put(r).ok());
    EXPECT_TRUE(m_store->Commit().ok());
    if (m_publisher) m_publisher->Notify();
    return e;
  }

  void StartPublisher() {
    PublisherOptions o;
    o.relays = {Url()};
    o.db_path = m_db;
    o.own_pubkey = Pub(m_own);
    o.timeout = 5s;
    o.retry_base_s = 1;
    o.retry_max_s = 1;
    o.reconcile_interval = 300ms;
    o.now = [] { return base::SystemClock().NowSeconds(); };
    auto p = Publisher::Open(o);
    ASSERT_TRUE(p.ok()) << p.error();
    m_publisher = std::move(p.value());
    m_publisher->Start();
  }
  std::string Url() const { return "ws://127.0.0.1:" + std::to_string(m_port) + "/relay/"; }
  RelayStatus Status() { return m_publisher->Status().at(0); }
  size_t Owed() {
    auto pubs = coordinator::store::NostrPublications::Open(m_db);
    EXPECT_TRUE(pubs.ok());
    auto owed = (*pubs)->Owed(Url(), base::SystemClock().NowSeconds() + 100000, 1000);
    EXPECT_TRUE(owed.ok());
    return owed.ok() ? owed->size() : 0;
  }

  escrow::crypto::Signer m_own = escrow::crypto::Signer::FromSeed("publisher-test-own");
  escrow::crypto::Signer m_stranger = escrow::crypto::Signer::FromSeed("publisher-test-stranger");
  std::string m_dir, m_db;
  uint16_t m_port = 0;
  int64_t m_bump = 0;
  std::unique_ptr<coordinator::Store> m_store;
  std::unique_ptr<Relay> m_relay;
  std::unique_ptr<http::HttpServer> m_server;
  std::unique_ptr<Publisher> m_publisher;
};

TEST_F(PublisherTest, EveryStoredEventIsAcknowledgedAndARestartResendsNothing) {
  StoreOrder(m_own, "a", "pending");
  StoreOrder(m_own, "b", "pending");
  StartPublisher();
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Status().acked == 2 && m_relay->EventCount() == 2; }, 30s));
  EXPECT_EQ(Status().events, 2);
  // A new state of "a": owed at once, and the relay replaces the old one.
  StoreOrder(m_own, "a", "canceled");
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Status().acked == 2 && Status().published >= 3; }, 30s));
  EXPECT_EQ(m_relay->EventCount(), 2u);
  // Restart: the store says everything is acknowledged; nothing is owed, nothing sent again
  // (only the reconciler's look, which finds nothing missing).
  m_publisher->Stop();
  m_publisher.reset();
  EXPECT_EQ(Owed(), 0u);
  StartPublisher();
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Status().reconciliations >= 1; }, 30s));
  EXPECT_EQ(Status().published, 0);
  EXPECT_EQ(Status().healed, 0);
  EXPECT_EQ(Status().acked, 2);
}

TEST_F(PublisherTest, WhatARelayLostIsRepublishedByTheReconciler) {
  StoreOrder(m_own, "a", "pending");
  StoreOrder(m_own, "a", "in-progress");
  StoreOrder(m_own, "b", "canceled");
  StartPublisher();
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Status().acked == 2; }, 30s));
  // The relay comes back on the same port having lost everything.
  const uint16_t port = m_port;
  StopRelay();
  StartRelay(port);
  ASSERT_EQ(m_relay->EventCount(), 0u);
  ASSERT_TRUE(testsupport::WaitUntil([&] { return m_relay->EventCount() == 2 && Status().acked == 2; }, 30s))
      << "last error: " << Status().last_error;
  EXPECT_GE(Status().healed, 2);
}

TEST_F(PublisherTest, ARefusedEventIsRetriedWithBackoffAndOthersStillGo) {
  StoreOrder(m_stranger, "x", "pending");  // the relay refuses it: "blocked:"
  StoreOrder(m_own, "a", "pending");
  StartPublisher();
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return Status().acked == 1 && Status().failing == 1 && m_relay->EventCount() == 1; }, 30s));
  // Still owed (after its retry time), never marked done.
  EXPECT_EQ(Owed(), 1u);
}

TEST_F(PublisherTest, AnUnreachableRelayCostsTheEngineNothingAndGetsEverythingWhenBack) {
  StoreOrder(m_own, "a", "pending");
  const uint16_t port = m_port;
  StopRelay();
  StartPublisher();
  // Stored while the relay is away: the store commits and Notify returns (nothing waits on it).
  StoreOrder(m_own, "b", "pending");
  ASSERT_TRUE(testsupport::WaitUntil([&] { return !Status().last_error.empty(); }, 30s));
  EXPECT_EQ(Status().acked, 0);
  StartRelay(port);
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Status().acked == 2 && m_relay->EventCount() == 2; }, 30s))
      << Status().last_error;
}

}  // namespace
}  // namespace api::nostr
