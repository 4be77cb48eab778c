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

#include "escrow/callback_gate.h"
#include "escrow/lightning_node.h"
#include "escrow/workers.h"

namespace escrow {

struct PaySpec {
  std::string payment_request;
  Hash32 payment_hash{};
  int64_t fee_limit_sat = 0;
  int32_t timeout_seconds = 60;
  int32_t cltv_limit = 0;  // max total time lock of the route, blocks (0: the node's maximum)
  // A keysend instead of an invoice (payment_request empty): to `keysend_dest` (hex pubkey),
  // `keysend_amt_msat`, with `keysend_preimage` (whose SHA256 is payment_hash) and extra records.
  std::string keysend_dest;
  int64_t keysend_amt_msat = 0;
  Hash32 keysend_preimage{};
  CustomRecords keysend_records;
  // Called once (on a stream thread), when the node first reports on a payment this desk sent:
  // the payment has left (tests put a crash point here). May be empty.
  std::function<void()> on_sent;
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

// Callbacks (`done`) run on the node's stream threads. The desk must outlive none of their
// targets, and must not be destroyed from inside one of its own callbacks.
class PayoutDesk {
 public:
  explicit PayoutDesk(LightningNode& node);
  // Cancels every stream and joins: once it returns no callback of the desk is running, not
  // even one that has just called `done`. `done` callbacks not yet run never run.
  ~PayoutDesk();

  // Calls `done` exactly once with the final outcome (SUCCEEDED or FAILED), or with an error
  // if the node could not be asked (then nothing was sent unless the error says so: the
  // caller re-drives the same attempt later with kIsThisAttempt).
  void Pay(const PaySpec& spec, PriorFailure prior, std::function<void(LnResult<PayOutcome>)> done);
  // Payments whose `done` has not been called yet.
  size_t InFlight() const;

 private:
  struct Job;
  void Track(const std::shared_ptr<Job>& job);
  void Send(const std::shared_ptr<Job>& job);
  void Finish(const std::shared_ptr<Job>& job, LnResult<PayOutcome> result);
  // Runs `step` for `job` on the worker, unless the job finished or the desk is stopping.
  void Then(const std::shared_ptr<Job>& job, std::function<void(const std::shared_ptr<Job>&)> step);
  // Installs `sub` as the job's stream if `stage` is still current; else it is cancelled here.
  void Keep(const std::shared_ptr<Job>& job, int stage, std::unique_ptr<Subscription> sub);

  LightningNode& m_node;
  CallbackGate m_gate;  // every stream callback holds a pass while it runs
  mutable std::mutex m_mu;
  // Every job whose stream the desk still holds: until `done`, then until a worker has dropped
  // the stream. A job owns its stream; the stream's handlers hold the job only weakly.
  std::map<uint64_t, std::shared_ptr<Job>> m_jobs;  // guarded by m_mu
  uint64_t m_next_job = 1;                          // guarded by m_mu
  bool m_stopping = false;                          // guarded by m_mu
  Workers m_workers{1};  // last: destroyed (joined) first, while the members above still exist
};

}  // namespace escrow
