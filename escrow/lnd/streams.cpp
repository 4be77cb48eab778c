#include "escrow/lnd/streams.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "config/base/log.h"
#include "escrow/lnd/errors.h"
#include "escrow/lnd/wire.h"

namespace escrow::lnd {
namespace {

constexpr std::string_view kLogComponent = "lnd";
// After a dropped SendPaymentV2, LND may still be registering the payment when the first
// TrackPaymentV2 arrives; "payment isn't initiated" is believed after this many retries.
constexpr int kNotFoundRetriesAfterDrop = 3;

// Owns the worker thread of one stream; the state the worker needs is shared, so that the
// worker may outlive this object when a callback destroys its own subscription.
class StreamThread final : public Subscription {
 public:
  explicit StreamThread(std::function<void(StreamCanceller&)> body)
      : m_canceller(std::make_shared<StreamCanceller>()) {
    m_thread = std::thread([canceller = m_canceller, body = std::move(body)] {
      try {
        body(*canceller);
      } catch (const std::exception& e) {
        // A callback threw: the stream stops; nothing else may run on this thread.
        base::Log(base::LogLevel::kError, kLogComponent, "stream callback threw; stream stopped",
                  {{"what", e.what()}});
      } catch (...) {
        base::Log(base::LogLevel::kError, kLogComponent, "stream callback threw; stream stopped");
      }
    });
    m_worker = m_thread.get_id();
  }

  ~StreamThread() override {
    m_canceller->Cancel();
    std::lock_guard lock(m_join_mu);
    if (!m_thread.joinable()) return;
    if (std::this_thread::get_id() == m_worker) {
      m_thread.detach();  // destroyed from its own callback: the worker ends after it returns
    } else {
      m_thread.join();
    }
  }

  void Cancel() override {
    m_canceller->Cancel();
    // From a callback: the worker checks the flag before any further callback.
    if (std::this_thread::get_id() == m_worker) return;
    std::lock_guard lock(m_join_mu);
    if (m_thread.joinable()) m_thread.join();
  }

 private:
  std::shared_ptr<StreamCanceller> m_canceller;
  std::mutex m_join_mu;
  std::thread m_thread;
  std::thread::id m_worker;
};

// Delivers to the caller's handlers unless the stream was cancelled; on_done at most once.
template <class T>
class Emitter {
 public:
  Emitter(StreamHandlers<T> handlers, const StreamCanceller& canceller)
      : m_handlers(std::move(handlers)), m_canceller(canceller) {}

  void Update(const T& value) {
    if (!m_canceller.cancelled() && m_handlers.on_update) m_handlers.on_update(value);
  }
  void Done() {
    if (m_canceller.cancelled() || m_done) return;
    m_done = true;
    if (m_handlers.on_done) m_handlers.on_done();
  }
  // The stream's last word: the error, then done.
  void Finish(const LnError& error) {
    if (!m_canceller.cancelled() && m_handlers.on_error) m_handlers.on_error(error);
    Done();
  }

 private:
  StreamHandlers<T> m_handlers;
  const StreamCanceller& m_canceller;
  bool m_done = false;
};

bool IsTerminal(const Invoice& inv) {
  switch (inv.state) {
    case InvoiceState::kSettled:
    case InvoiceState::kCanceled:
      return true;
    case InvoiceState::kOpen:
    case InvoiceState::kAccepted:
      return false;
  }
  return false;
}

bool IsTerminal(const Payment& p) {
  switch (p.status) {
    case PaymentStatus::kSucceeded:
    case PaymentStatus::kFailed:
      return true;
    case PaymentStatus::kUnknown:
    case PaymentStatus::kInFlight:
    case PaymentStatus::kInitiated:
      return false;
  }
  return false;
}

// What a consumer can observe of an invoice; equal states are not delivered twice.
bool SameState(const Invoice& a, const Invoice& b) {
  if (a.state != b.state || a.amt_paid_msat != b.amt_paid_msat || a.settle_index != b.settle_index ||
      a.htlcs.size() != b.htlcs.size()) {
    return false;
  }
  for (size_t i = 0; i < a.htlcs.size(); ++i) {
    if (a.htlcs[i].state != b.htlcs[i].state || a.htlcs[i].htlc_index != b.htlcs[i].htlc_index ||
        a.htlcs[i].chan_id != b.htlcs[i].chan_id) {
      return false;
    }
  }
  return true;
}

bool SameState(const Payment& a, const Payment& b) {
  return a.status == b.status && a.failure_reason == b.failure_reason && a.value_msat == b.value_msat &&
         a.fee_msat == b.fee_msat && a.payment_preimage == b.payment_preimage;
}

LnResult<wire::StreamItem<Invoice>> ParseLine(std::string_view line, const Invoice*) {
  return wire::ParseInvoiceStreamLine(line);
}
LnResult<wire::StreamItem<Payment>> ParseLine(std::string_view line, const Payment*) {
  return wire::ParsePaymentStreamLine(line);
}

// Why a connection ended without a terminal update or an error line.
LnError EndError(const StreamResult& res, std::string_view path) {
  if (res.end == StreamResult::End::kFailed && res.error) return *res.error;
  if (res.http_status >= 200 && res.http_status < 300) {
    return LnError{LnErrorCode::kUnreachable, "LND closed the stream " + std::string(path)};
  }
  if (res.http_status == 0) return LnError{LnErrorCode::kUnreachable, "no answer on " + std::string(path)};
  return ErrorFromHttpAnswer(res.http_status, res.error_body);
}

// One connection of a stream.
struct Leg {
  StreamResult res;
  bool terminal = false;
  bool progressed = false;          // at least one update arrived
  std::optional<LnError> error;     // an error line, or an unparseable line
};

template <class T>
Leg RunLeg(const HttpClient& http, HttpMethod method, std::string_view path, std::string_view body,
           StreamCanceller& canceller, Emitter<T>& out, std::optional<T>& last) {
  Leg leg;
  bool first = true;
  leg.res = http.Stream(method, path, body, canceller, [&](std::string_view line) {
    auto item = ParseLine(line, static_cast<const T*>(nullptr));
    if (!item) {
      leg.error = item.error();
      return false;
    }
    if (const auto* status = std::get_if<wire::RpcStatus>(&*item)) {
      leg.error = MapRpcError(*status, 200);  // an error line arrives inside a 200 answer
      return false;
    }
    const T& update = std::get<T>(*item);
    leg.progressed = true;
    // LND REST: every new subscription starts with the current state; skip it if it is the
    // state we delivered last, before the connection dropped.
    if (!(first && last && SameState(*last, update))) out.Update(update);
    first = false;
    last = update;
    leg.terminal = IsTerminal(update);
    return !leg.terminal;
  });
  return leg;
}

void LogReconnect(std::string_view path, const LnError& error, std::chrono::milliseconds delay) {
  base::Log(base::LogLevel::kWarn, kLogComponent, "stream interrupted; reconnecting",
            {{"path", std::string(path)},
             {"error", std::string(LnErrorCodeName(error.code))},
             {"detail", error.message},
             {"delay_ms", std::to_string(delay.count())}});
}

// A GET stream that reconnects until a terminal update, a non-retryable error or Cancel.
// `not_found_retries`: how many "not found" answers to treat as retryable.
template <class T>
void FollowStream(const HttpClient& http, const std::string& path, Backoff backoff, int not_found_retries,
                  StreamCanceller& canceller, Emitter<T>& out, std::optional<T>& last) {
  auto delay = backoff.min;
  while (!canceller.cancelled()) {
    Leg leg = RunLeg(http, HttpMethod::kGet, path, "", canceller, out, last);
    if (canceller.cancelled()) return;
    if (leg.terminal) {
      out.Done();
      return;
    }
    const LnError error = leg.error ? *leg.error : EndError(leg.res, path);
    const bool retry = IsRetryable(error.code) || (error.code == LnErrorCode::kNotFound && not_found_retries-- > 0);
    if (!retry) {
      out.Finish(error);
      return;
    }
    if (leg.progressed) delay = backoff.min;
    LogReconnect(path, error, delay);
    if (!canceller.SleepFor(delay)) return;
    delay = std::min(delay * 2, backoff.max);
  }
}

}  // namespace

std::unique_ptr<Subscription> StartInvoiceStream(std::shared_ptr<const HttpClient> http, const Hash32& r_hash,
                                                 StreamHandlers<Invoice> handlers, Backoff backoff) {
  return std::make_unique<StreamThread>(
      [http = std::move(http), r_hash, handlers = std::move(handlers), backoff](StreamCanceller& canceller) {
        Emitter<Invoice> out(handlers, canceller);
        std::optional<Invoice> last;
        // LND REST: GET /v2/invoices/subscribe/{r_hash}: "Initially the current invoice state
        // is always sent out."
        FollowStream(*http, wire::SubscribeInvoicePath(r_hash), backoff, 0, canceller, out, last);
      });
}

std::unique_ptr<Subscription> StartTrackPayment(std::shared_ptr<const HttpClient> http, const Hash32& payment_hash,
                                                StreamHandlers<Payment> handlers, Backoff backoff) {
  return std::make_unique<StreamThread>(
      [http = std::move(http), payment_hash, handlers = std::move(handlers), backoff](StreamCanceller& canceller) {
        Emitter<Payment> out(handlers, canceller);
        std::optional<Payment> last;
        // LND REST: GET /v2/router/track/{payment_hash}; a payment never sent answers
        // NotFound "payment isn't initiated".
        FollowStream(*http, wire::TrackPaymentPath(payment_hash), backoff, 0, canceller, out, last);
      });
}

std::unique_ptr<Subscription> StartSendPayment(std::shared_ptr<const HttpClient> http, std::string body,
                                               const Hash32& payment_hash, StreamHandlers<Payment> handlers,
                                               Backoff backoff) {
  return std::make_unique<StreamThread>([http = std::move(http), body = std::move(body), payment_hash,
                                         handlers = std::move(handlers), backoff](StreamCanceller& canceller) {
    Emitter<Payment> out(handlers, canceller);
    std::optional<Payment> last;
    // LND REST: POST /v2/router/send streams lnrpc.Payment updates. Sent once, never again.
    Leg leg = RunLeg(*http, HttpMethod::kPost, wire::kSendPaymentPath, body, canceller, out, last);
    if (canceller.cancelled()) return;
    if (leg.terminal) {
      out.Done();
      return;
    }
    if (leg.error) {
      // LND reported an error (or sent garbage) on the stream. A definite refusal ends it; a
      // transient one leaves the payment's fate open: follow it below.
      if (!IsRetryable(leg.error->code)) {
        out.Finish(*leg.error);
        return;
      }
    } else if (leg.res.end == StreamResult::End::kEof &&
               (leg.res.http_status < 200 || leg.res.http_status >= 300)) {
      // LND answered with an error status: it refused the payment ("invoice is already paid",
      // "payment is in transition", a malformed request, not ready…).
      out.Finish(EndError(leg.res, wire::kSendPaymentPath));
      return;
    } else if (leg.res.end == StreamResult::End::kFailed && !leg.res.request_sent) {
      out.Finish(*leg.res.error);  // never left this host: nothing can be in flight
      return;
    }
    // The connection dropped after the request may have reached LND. Re-POSTing could pay
    // twice; follow the payment by its hash instead.
    base::Log(base::LogLevel::kWarn, kLogComponent, "send stream dropped; following the payment by hash",
              {{"payment_hash", crypto::ToHex(payment_hash)}});
    if (!canceller.SleepFor(backoff.min)) return;
    FollowStream(*http, wire::TrackPaymentPath(payment_hash), backoff, kNotFoundRetriesAfterDrop, canceller,
                 out, last);
  });
}

std::unique_ptr<Subscription> StartFailedStream(LnError error, StreamHandlers<Payment> handlers) {
  return std::make_unique<StreamThread>(
      [error = std::move(error), handlers = std::move(handlers)](StreamCanceller& canceller) {
        Emitter<Payment> out(handlers, canceller);
        out.Finish(error);
      });
}

}  // namespace escrow::lnd
