// PayoutDesk: pays an invoice at most once per attempt, across crashes. Before any send it
// asks the node about the payment hash (TrackPayment): a payment the node already has in
// flight or succeeded is followed, never re-sent. Only a hash the node has never seen — or,
// for a fresh retry, one whose previous attempt is known to have FAILED — is sent.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "escrow/lightning_node.h"
#include "escrow/workers.h"

namespace escrow {

struct PaySpec {
  std::string payment_request;
  Hash32 payment_hash{};
  int64_t fee_limit_sat = 0;
  int32_t timeout_seconds = 60;
  int32_t cltv_limit = 0;  // max total time lock of the route, blocks (0: the node's maximum)
};

struct PayOutcome {
  PaymentStatus status = PaymentStatus::kUnknown;  // kSucceeded or kFailed
  int64_t fee_msat = 0;
  int64_t value_msat = 0;
  std::optional<Hash32> preimage;
  FailureReason failure_reason = FailureReason::kNone;
};

// How to treat a FAILED payment that the node already has for this hash.
enum class PriorFailure {
  kIsThisAttempt,  // re-driving an attempt after a restart: its outcome is that failure
  kResend,         // a new attempt after a recorded failure: send again
};

class PayoutDesk {
 public:
  explicit PayoutDesk(LightningNode& node);
  ~PayoutDesk();  // cancels every stream and joins; `done` callbacks not yet run never run

  // Calls `done` exactly once with the final outcome (SUCCEEDED or FAILED), or with an error
  // if the node could not be asked (then nothing was sent unless the error says so: the
  // caller re-drives the same attempt later with kIsThisAttempt).
  void Pay(const PaySpec& spec, PriorFailure prior, std::function<void(LnResult<PayOutcome>)> done);
  size_t InFlight() const;

 private:
  struct Job;
  void Track(const std::shared_ptr<Job>& job);
  void Send(const std::shared_ptr<Job>& job);
  void Finish(const std::shared_ptr<Job>& job, LnResult<PayOutcome> result);

  LightningNode& m_node;
  mutable std::mutex m_mu;
  std::map<uint64_t, std::shared_ptr<Job>> m_jobs;
  uint64_t m_next_job = 1;
  bool m_stopping = false;
  Workers m_workers{1};
};

}  // namespace escrow
