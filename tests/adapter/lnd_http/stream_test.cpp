// Streams over real HTTPS: split reads, reconnects, SendPayment → TrackPayment after a drop,
// non-retryable errors, and Cancel.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "escrow/stream_queue.h"
#include "tests/adapter/lnd_http/harness.h"

namespace lndtest {
namespace {

using escrow::Invoice;
using escrow::InvoiceState;
using escrow::LnError;
using escrow::LnErrorCode;
using escrow::Payment;
using escrow::PaymentStatus;
using nlohmann::json;

void Pause() { std::this_thread::sleep_for(std::chrono::milliseconds(30)); }

template <class T>
T NextUpdate(escrow::StreamQueue<T>& q) {
  auto ev = q.Next(kWait);
  EXPECT_TRUE(ev.has_value()) << "no event within the bound";
  if (!ev) return T{};
  const T* v = std::get_if<T>(&*ev);
  EXPECT_NE(v, nullptr) << "expected an update";
  return v != nullptr ? *v : T{};
}

template <class T>
LnError NextError(escrow::StreamQueue<T>& q) {
  auto ev = q.Next(kWait);
  EXPECT_TRUE(ev.has_value()) << "no event within the bound";
  if (!ev) return LnError{};
  const LnError* e = std::get_if<LnError>(&*ev);
  EXPECT_NE(e, nullptr) << "expected an error";
  return e != nullptr ? *e : LnError{};
}

template <class T>
void ExpectEnded(escrow::StreamQueue<T>& q) {
  auto ev = q.Next(kWait);
  ASSERT_TRUE(ev.has_value()) << "no end within the bound";
  EXPECT_TRUE(std::holds_alternative<typename escrow::StreamQueue<T>::Ended>(*ev));
  // on_done is the last call: nothing follows it.
  EXPECT_FALSE(q.Next(std::chrono::milliseconds(200)).has_value());
}

const Hash32 kHash = Filled(0xfb);

TEST_F(LndHttpTest, InvoiceStreamSplitAcrossReads) {
  TlsServer server(m_cert, [&](Exchange& ex) {
    ex.BeginStream();
    const std::string open = ResultLine(InvoiceJson(kHash, "OPEN"));
    // One line in three chunks, each flushed separately ...
    ex.Chunk(open.substr(0, 7));
    Pause();
    ex.Chunk(open.substr(7, 40));
    Pause();
    ex.Chunk(open.substr(47));
    Pause();
    // ... then two lines in one chunk.
    ex.Chunk(ResultLine(InvoiceJson(kHash, "ACCEPTED")) + ResultLine(InvoiceJson(kHash, "SETTLED")));
    ex.EndStream();
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Invoice> q;
  auto sub = node->SubscribeInvoice(kHash, q.Handlers());
  EXPECT_EQ(NextUpdate(q).state, InvoiceState::kOpen);
  EXPECT_EQ(NextUpdate(q).state, InvoiceState::kAccepted);
  Invoice settled = NextUpdate(q);
  EXPECT_EQ(settled.state, InvoiceState::kSettled);
  EXPECT_EQ(settled.r_hash, kHash);
  ExpectEnded(q);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/v2/invoices/subscribe/" + B64Url(kHash));
  EXPECT_EQ(requests[0].Header("grpc-metadata-macaroon"), MacaroonHex());
}

TEST_F(LndHttpTest, InvoiceStreamReconnectsAfterDrops) {
  std::atomic<int> connection{0};
  TlsServer server(m_cert, [&](Exchange& ex) {
    const int n = connection++;
    ex.BeginStream();
    if (n == 0) {
      ex.Chunk(ResultLine(InvoiceJson(kHash, "OPEN")));
      Pause();
      ex.Drop();  // connection lost mid-stream
    } else if (n == 1) {
      // LND sends the current state first on a new subscription.
      ex.Chunk(ResultLine(InvoiceJson(kHash, "OPEN")));
      ex.Chunk(ResultLine(InvoiceJson(kHash, "ACCEPTED")));
      ex.EndStream();  // closed cleanly, but not terminal: still reconnect
    } else {
      ex.Chunk(ResultLine(InvoiceJson(kHash, "ACCEPTED")));
      Pause();
      ex.Chunk(ResultLine(InvoiceJson(kHash, "SETTLED")));
      ex.EndStream();
    }
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Invoice> q;
  auto sub = node->SubscribeInvoice(kHash, q.Handlers());
  EXPECT_EQ(NextUpdate(q).state, InvoiceState::kOpen);
  EXPECT_EQ(NextUpdate(q).state, InvoiceState::kAccepted);  // the repeated OPEN is not delivered
  EXPECT_EQ(NextUpdate(q).state, InvoiceState::kSettled);   // nor the repeated ACCEPTED
  ExpectEnded(q);
  EXPECT_EQ(server.Count("GET", "/v2/invoices/subscribe/"), 3u);
}

TEST_F(LndHttpTest, InvoiceStreamReconnectsWhileNodeIsStarting) {
  std::atomic<int> connection{0};
  TlsServer server(m_cert, [&](Exchange& ex) {
    if (connection++ == 0) {
      ex.Respond(500, StatusJson(2, "the RPC server is in the process of starting up, but not yet ready to accept calls"));
      return;
    }
    ex.BeginStream();
    ex.Chunk(ResultLine(InvoiceJson(kHash, "CANCELED")));
    ex.EndStream();
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Invoice> q;
  auto sub = node->SubscribeInvoice(kHash, q.Handlers());
  EXPECT_EQ(NextUpdate(q).state, InvoiceState::kCanceled);
  ExpectEnded(q);
  EXPECT_EQ(server.Count("GET", "/v2/invoices/subscribe/"), 2u);
}

TEST_F(LndHttpTest, InvoiceStreamEndsOnNonRetryableErrors) {
  struct Row {
    int http;
    std::string first;  // answer or first stream line
    LnErrorCode want;
  };
  const std::vector<Row> rows = {
      {404, StatusJson(2, "unable to locate invoice"), LnErrorCode::kNotFound},
      {500, StatusJson(2, "verification failed: signature mismatch after caveat verification"), LnErrorCode::kUnauthorized},
      {200, "{\"error\":" + StatusJson(16, "bad macaroon") + "}\n", LnErrorCode::kUnauthorized},
      {200, "{\"result\":{\"state\":\"OPEN\"}}\n", LnErrorCode::kProtocol},  // no r_hash
  };
  for (const Row& row : rows) {
    TlsServer server(m_cert, [&](Exchange& ex) {
      if (row.http != 200) {
        ex.Respond(row.http, row.first);
        return;
      }
      ex.BeginStream();
      ex.Chunk(row.first);
      ex.HoldOpen();
    });
    auto node = Node(server);
    ASSERT_NE(node, nullptr);
    escrow::StreamQueue<Invoice> q;
    auto sub = node->SubscribeInvoice(kHash, q.Handlers());
    EXPECT_EQ(NextError(q).code, row.want) << row.first;
    ExpectEnded(q);
    EXPECT_EQ(server.Count("GET", "/v2/invoices/subscribe/"), 1u) << row.first;
  }
}

TEST_F(LndHttpTest, CancelStopsAHeldStreamAndSilencesCallbacks) {
  TlsServer server(m_cert, [&](Exchange& ex) {
    ex.BeginStream();
    ex.Chunk(ResultLine(InvoiceJson(kHash, "OPEN")));
    ex.HoldOpen();  // LND keeps a subscription open until the invoice resolves
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Invoice> q;
  auto sub = node->SubscribeInvoice(kHash, q.Handlers());
  EXPECT_EQ(NextUpdate(q).state, InvoiceState::kOpen);
  auto cancelled = std::async(std::launch::async, [&] { sub->Cancel(); });
  ASSERT_EQ(cancelled.wait_for(kWait), std::future_status::ready) << "Cancel did not return";
  sub->Cancel();  // idempotent
  EXPECT_FALSE(q.Next(std::chrono::milliseconds(200)).has_value());  // no error, no done
  sub.reset();
}

TEST_F(LndHttpTest, CancelFromInsideACallback) {
  TlsServer server(m_cert, [&](Exchange& ex) {
    ex.BeginStream();
    ex.Chunk(ResultLine(InvoiceJson(kHash, "OPEN")) + ResultLine(InvoiceJson(kHash, "ACCEPTED")));
    ex.HoldOpen();
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  std::promise<escrow::Subscription*> holder;
  std::shared_future<escrow::Subscription*> self = holder.get_future().share();
  std::atomic<int> updates{0};
  std::atomic<bool> ended{false};
  std::promise<void> first_update;
  escrow::StreamHandlers<Invoice> handlers;
  handlers.on_update = [&](const Invoice&) {
    if (updates++ == 0) first_update.set_value();
    if (self.wait_for(kWait) == std::future_status::ready) self.get()->Cancel();
  };
  handlers.on_error = [&](const LnError&) { ended = true; };
  handlers.on_done = [&] { ended = true; };
  auto sub = node->SubscribeInvoice(kHash, handlers);
  holder.set_value(sub.get());
  ASSERT_EQ(first_update.get_future().wait_for(kWait), std::future_status::ready);
  sub->Cancel();  // joins the worker, which stopped itself
  EXPECT_EQ(updates.load(), 1);  // ACCEPTED, already received, is not delivered after Cancel
  EXPECT_FALSE(ended.load());
}

TEST_F(LndHttpTest, DestroyingTheSubscriptionFromItsCallback) {
  TlsServer server(m_cert, [&](Exchange& ex) {
    ex.BeginStream();
    ex.Chunk(ResultLine(InvoiceJson(kHash, "OPEN")));
    ex.HoldOpen();
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  std::unique_ptr<escrow::Subscription> sub;
  std::mutex mu;
  std::promise<void> destroyed;
  escrow::StreamHandlers<Invoice> handlers;
  handlers.on_update = [&](const Invoice&) {
    std::unique_ptr<escrow::Subscription> mine;
    {
      std::lock_guard lock(mu);
      mine = std::move(sub);
    }
    mine.reset();  // destroys the subscription on its own thread
    destroyed.set_value();
  };
  {
    std::lock_guard lock(mu);
    sub = node->SubscribeInvoice(kHash, handlers);
  }
  ASSERT_EQ(destroyed.get_future().wait_for(kWait), std::future_status::ready);
  // The detached worker winds down; the server sees the connection close.
}

// ---- payments ---------------------------------------------------------------------------------

const Hash32 kPreimage = Filled(0x33);
const Hash32 kPayHash = escrow::crypto::Sha256(kPreimage.data(), kPreimage.size());
const std::string kDest = "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad";

TEST_F(LndHttpTest, SendPaymentFollowsByTrackAfterADrop) {
  TlsServer server(m_cert, [&](Exchange& ex) {
    if (ex.request().method == "POST" && ex.request().target == "/v2/router/send") {
      ex.BeginStream();
      ex.Chunk(ResultLine(PaymentJson(kPayHash, "IN_FLIGHT")));
      Pause();
      ex.Drop();
    } else if (ex.request().target == "/v2/router/track/" + B64Url(kPayHash)) {
      ex.BeginStream();
      ex.Chunk(ResultLine(PaymentJson(kPayHash, "IN_FLIGHT")));  // current state first
      Pause();
      ex.Chunk(ResultLine(PaymentJson(kPayHash, "SUCCEEDED", escrow::crypto::ToHex(kPreimage))));
      ex.EndStream();
    } else {
      ex.Respond(404, StatusJson(5, "unexpected"));
    }
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  auto req = escrow::MakeKeysend(kDest, 21000, kPreimage);
  req.fee_limit_msat = 100;
  auto sub = node->SendPayment(req, q.Handlers());
  EXPECT_EQ(NextUpdate(q).status, PaymentStatus::kInFlight);
  Payment done = NextUpdate(q);  // the repeated IN_FLIGHT is not delivered twice
  EXPECT_EQ(done.status, PaymentStatus::kSucceeded);
  EXPECT_EQ(done.payment_preimage, kPreimage);
  ExpectEnded(q);
  EXPECT_EQ(server.Count("POST", "/v2/router/send"), 1u);  // never re-POSTed
  EXPECT_EQ(server.Count("GET", "/v2/router/track/"), 1u);
  const Request post = server.requests().at(0);
  json body = json::parse(post.body);
  EXPECT_EQ(body.at("payment_hash"), B64(kPayHash));
  EXPECT_EQ(body.at("amt_msat"), "21000");
  EXPECT_EQ(body.at("dest_custom_records").at("5482373484"), B64(kPreimage));
}

TEST_F(LndHttpTest, SendPaymentByPayReqTracksTheDecodedHash) {
  // BOLT #11 example: payment_hash 0001020304050607080900010203040506070809000102030405060708090102.
  const std::string payreq =
      "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqc"
      "yq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s"
      "06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";
  const Hash32 hash = *escrow::crypto::Hash32FromHex("0001020304050607080900010203040506070809000102030405060708090102");
  TlsServer server(m_cert, [&](Exchange& ex) {
    if (ex.request().method == "POST") {
      ex.Drop();  // gone before any answer: the payment may or may not have started
    } else if (ex.request().target == "/v2/router/track/" + B64Url(hash)) {
      ex.BeginStream();
      ex.Chunk(ResultLine(PaymentJson(hash, "FAILED")));
      ex.EndStream();
    } else {
      ex.Respond(404, StatusJson(5, "unexpected"));
    }
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  escrow::SendPaymentRequest req;
  req.payment_request = payreq;
  auto sub = node->SendPayment(req, q.Handlers());
  Payment failed = NextUpdate(q);
  EXPECT_EQ(failed.status, PaymentStatus::kFailed);
  EXPECT_EQ(failed.payment_hash, hash);
  ExpectEnded(q);
  EXPECT_EQ(server.Count("POST", "/v2/router/send"), 1u);
  EXPECT_EQ(server.Count("GET", "/v2/router/track/" + B64Url(hash)), 1u);
}

TEST_F(LndHttpTest, SendPaymentNeverInitiatedAfterDropIsNotFound) {
  TlsServer server(m_cert, [&](Exchange& ex) {
    if (ex.request().method == "POST") {
      ex.Drop();
    } else {
      ex.Respond(404, StatusJson(5, "payment isn't initiated"));
    }
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  auto sub = node->SendPayment(escrow::MakeKeysend(kDest, 1000, kPreimage), q.Handlers());
  EXPECT_EQ(NextError(q).code, LnErrorCode::kNotFound);
  ExpectEnded(q);
  EXPECT_EQ(server.Count("POST", "/v2/router/send"), 1u);
  EXPECT_EQ(server.Count("GET", "/v2/router/track/"), 4u);  // first answer + 3 retries
}

TEST_F(LndHttpTest, SendPaymentRefusedByLndIsNotTracked) {
  TlsServer server(m_cert, [&](Exchange& ex) { ex.Respond(409, StatusJson(6, "invoice is already paid")); });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  auto sub = node->SendPayment(escrow::MakeKeysend(kDest, 1000, kPreimage), q.Handlers());
  EXPECT_EQ(NextError(q).code, LnErrorCode::kAlreadyPaying);
  ExpectEnded(q);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(LndHttpTest, SendPaymentErrorLineEndsTheStream) {
  TlsServer server(m_cert, [&](Exchange& ex) {
    ex.BeginStream();
    ex.Chunk("{\"error\":" + StatusJson(6, "payment is in transition") + "}\n");
    ex.EndStream();
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  auto sub = node->SendPayment(escrow::MakeKeysend(kDest, 1000, kPreimage), q.Handlers());
  EXPECT_EQ(NextError(q).code, LnErrorCode::kAlreadyPaying);
  ExpectEnded(q);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(LndHttpTest, SendPaymentToAnAbsentNodeIsUnreachable) {
  auto node = Node(Config("https://127.0.0.1:" + std::to_string(UnusedPort())));
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  auto sub = node->SendPayment(escrow::MakeKeysend(kDest, 1000, kPreimage), q.Handlers());
  EXPECT_EQ(NextError(q).code, LnErrorCode::kUnreachable);
  ExpectEnded(q);
}

TEST_F(LndHttpTest, SendPaymentRejectedBeforeAnyIo) {
  TlsServer server(m_cert, [&](Exchange& ex) { ex.Respond(500, "{}"); });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  escrow::SendPaymentRequest garbage;
  garbage.payment_request = "lnbc1notaninvoice";
  auto sub = node->SendPayment(garbage, q.Handlers());
  EXPECT_EQ(NextError(q).code, LnErrorCode::kInvalidArgument);
  ExpectEnded(q);
  escrow::StreamQueue<Payment> q2;
  auto sub2 = node->SendPayment(escrow::SendPaymentRequest{}, q2.Handlers());
  EXPECT_EQ(NextError(q2).code, LnErrorCode::kInvalidArgument);
  ExpectEnded(q2);
  EXPECT_EQ(server.requests().size(), 0u);
}

TEST_F(LndHttpTest, TrackPaymentUnknownHashIsNotFound) {
  TlsServer server(m_cert, [&](Exchange& ex) { ex.Respond(404, StatusJson(5, "payment isn't initiated")); });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  auto sub = node->TrackPayment(kPayHash, q.Handlers());
  EXPECT_EQ(NextError(q).code, LnErrorCode::kNotFound);
  ExpectEnded(q);
  EXPECT_EQ(server.Count("GET", "/v2/router/track/" + B64Url(kPayHash)), 1u);
}

TEST_F(LndHttpTest, TrackPaymentReconnects) {
  std::atomic<int> connection{0};
  TlsServer server(m_cert, [&](Exchange& ex) {
    ex.BeginStream();
    if (connection++ == 0) {
      ex.Chunk(ResultLine(PaymentJson(kPayHash, "IN_FLIGHT")));
      Pause();
      ex.Drop();
      return;
    }
    ex.Chunk(ResultLine(PaymentJson(kPayHash, "SUCCEEDED", escrow::crypto::ToHex(kPreimage))));
    ex.EndStream();
  });
  auto node = Node(server);
  ASSERT_NE(node, nullptr);
  escrow::StreamQueue<Payment> q;
  auto sub = node->TrackPayment(kPayHash, q.Handlers());
  EXPECT_EQ(NextUpdate(q).status, PaymentStatus::kInFlight);
  EXPECT_EQ(NextUpdate(q).status, PaymentStatus::kSucceeded);
  ExpectEnded(q);
  EXPECT_EQ(server.Count("GET", "/v2/router/track/"), 2u);
}

}  // namespace
}  // namespace lndtest
