#include "escrow/payout_desk.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace escrow {
namespace {

PayOutcome OutcomeOf(const Payment& p) {
  PayOutcome o;
  o.status = p.status;
  o.fee_msat = p.fee_msat;
  o.value_msat = p.value_msat;
  o.preimage = p.payment_preimage;
  o.failure_reason = p.failure_reason;
  return o;
}

bool IsFinal(PaymentStatus s) { return s == PaymentStatus::kSucceeded || s == PaymentStatus::kFailed; }

}  // namespace

struct PayoutDesk::Job {
  uint64_t id = 0;
  PaySpec spec;
  PriorFailure prior = PriorFailure::kIsThisAttempt;
  std::function<void(LnResult<PayOutcome>)> done;
  // Guarded by PayoutDesk::m_mu:
  std::unique_ptr<Subscription> sub;  // the stream of the current stage
  bool finished = false;              // `done` was called, or never will be
  bool sent = false;                  // we POSTed a send for this job
  bool sent_noted = false;            // spec.on_sent was called
  // Each stage (track, send, re-track) bumps this; a stage keeps its stream only if it is
  // still the current one when the subscribing call returns (the node may answer before).
  int stage = 0;
};

PayoutDesk::PayoutDesk(LightningNode& node) : m_node(node) {}

PayoutDesk::~PayoutDesk() {
  std::vector<std::unique_ptr<Subscription>> streams;
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
    for (auto& [id, job] : m_jobs) {
      job->finished = true;
      if (job->sub) streams.push_back(std::move(job->sub));
    }
  }
  m_gate.Close();
  // Cancelling a stream waits out its running callback. The gate then waits for callbacks of
  // streams the desk does not hold: one a Track/Send has not handed back yet, or one whose
  // callback has called `done` and is still on its way out of the desk.
  streams.clear();
  m_gate.WaitIdle();
  // m_workers is destroyed next: a Track/Send still running there finds its job finished and
  // cancels the stream it opened itself.
}

size_t PayoutDesk::InFlight() const {
  std::lock_guard lock(m_mu);
  return static_cast<size_t>(
      std::count_if(m_jobs.begin(), m_jobs.end(), [](const auto& entry) { return !entry.second->finished; }));
}

void PayoutDesk::Pay(const PaySpec& spec, PriorFailure prior,
                     std::function<void(LnResult<PayOutcome>)> done) {
  auto job = std::make_shared<Job>();
  job->spec = spec;
  job->prior = prior;
  job->done = std::move(done);
  {
    std::lock_guard lock(m_mu);
    if (m_stopping) return;
    job->id = m_next_job++;
    m_jobs.emplace(job->id, job);
  }
  Track(job);
}

// Called from a stream callback (holding a gate pass).
void PayoutDesk::Finish(const std::shared_ptr<Job>& job, LnResult<PayOutcome> result) {
  {
    std::lock_guard lock(m_mu);
    if (job->finished) return;
    job->finished = true;
  }
  job->done(std::move(result));
  // Drop the stream and forget the job on the worker: never from the stream's own thread.
  std::lock_guard lock(m_mu);
  if (m_stopping) return;  // the destructor has taken the stream
  m_workers.Post([this, id = job->id] {
    std::unique_ptr<Subscription> sub;  // declared before the lock: cancelled after it is released
    std::shared_ptr<Job> forgotten;
    std::lock_guard lock(m_mu);
    auto it = m_jobs.find(id);
    if (it == m_jobs.end()) return;
    forgotten = std::move(it->second);
    m_jobs.erase(it);
    sub = std::move(forgotten->sub);
  });
}

void PayoutDesk::Then(const std::shared_ptr<Job>& job,
                      std::function<void(const std::shared_ptr<Job>&)> step) {
  std::lock_guard lock(m_mu);
  if (job->finished || m_stopping) return;
  m_workers.Post([job, step = std::move(step)] { step(job); });
}

void PayoutDesk::Keep(const std::shared_ptr<Job>& job, int stage, std::unique_ptr<Subscription> sub) {
  std::unique_ptr<Subscription> discard;  // declared before the lock: cancelled after it is released
  std::lock_guard lock(m_mu);
  // A finished job, or one that moved on to another stage meanwhile, does not keep this stream.
  if (job->finished || job->stage != stage) {
    discard = std::move(sub);
    return;
  }
  discard = std::exchange(job->sub, std::move(sub));
}

// First ask the node what it knows about the hash (LND REST: GET /v2/router/track/{hash}).
void PayoutDesk::Track(const std::shared_ptr<Job>& job) {
  int stage;
  {
    std::lock_guard lock(m_mu);
    stage = ++job->stage;
  }
  auto sent_already = [this](const Job& j) {
    std::lock_guard lock(m_mu);
    return j.sent;
  };
  // The handlers hold the job weakly: the job owns the stream that owns them.
  std::weak_ptr<Job> weak = job;
  auto first = std::make_shared<bool>(true);
  StreamHandlers<Payment> h;
  h.on_update = [this, weak, first, sent_already](const Payment& p) {
    CallbackGate::Pass pass(m_gate);
    auto job = weak.lock();
    if (!pass || !job) return;
    bool is_first = std::exchange(*first, false);
    if (is_first && p.status == PaymentStatus::kFailed && job->prior == PriorFailure::kResend &&
        !sent_already(*job)) {
      // The node's record is the previous attempt's failure: this is a new attempt.
      Then(job, [this](const std::shared_ptr<Job>& j) { Send(j); });
      return;
    }
    if (IsFinal(p.status)) Finish(job, OutcomeOf(p));
  };
  h.on_error = [this, weak, sent_already](const LnError& e) {
    CallbackGate::Pass pass(m_gate);
    auto job = weak.lock();
    if (!pass || !job) return;
    if (e.code == LnErrorCode::kNotFound && !sent_already(*job)) {
      // The node has never seen this hash: safe to send.
      Then(job, [this](const std::shared_ptr<Job>& j) { Send(j); });
      return;
    }
    Finish(job, base::Err(e));
  };
  Keep(job, stage, m_node.TrackPayment(job->spec.payment_hash, std::move(h)));
}

// LND REST: POST /v2/router/send. Sent at most once per job.
void PayoutDesk::Send(const std::shared_ptr<Job>& job) {
  std::unique_ptr<Subscription> old;
  int stage;
  {
    std::lock_guard lock(m_mu);
    if (job->finished || job->sent) return;
    job->sent = true;
    stage = ++job->stage;
    old = std::move(job->sub);
  }
  old.reset();
  SendPaymentRequest req;
  if (!job->spec.keysend_dest.empty()) {
    req = MakeKeysend(job->spec.keysend_dest, job->spec.keysend_amt_msat, job->spec.keysend_preimage,
                      job->spec.keysend_records);
  } else {
    req.payment_request = job->spec.payment_request;
  }
  req.fee_limit_msat = job->spec.fee_limit_sat * 1000;
  req.timeout_seconds = job->spec.timeout_seconds;
  req.cltv_limit = job->spec.cltv_limit;
  std::weak_ptr<Job> weak = job;
  StreamHandlers<Payment> h;
  h.on_update = [this, weak](const Payment& p) {
    CallbackGate::Pass pass(m_gate);
    auto job = weak.lock();
    if (!pass || !job) return;
    if (job->spec.on_sent) {
      bool first = false;
      {
        std::lock_guard lock(m_mu);
        first = !job->sent_noted;
        job->sent_noted = true;
      }
      if (first) job->spec.on_sent();
    }
    if (IsFinal(p.status)) Finish(job, OutcomeOf(p));
  };
  h.on_error = [this, weak](const LnError& e) {
    CallbackGate::Pass pass(m_gate);
    auto job = weak.lock();
    if (!pass || !job) return;
    if (e.code == LnErrorCode::kAlreadyPaying) {
      // In flight or paid already (a concurrent attempt): follow it instead.
      Then(job, [this](const std::shared_ptr<Job>& j) {
        std::unique_ptr<Subscription> old;
        {
          std::lock_guard lock(m_mu);
          if (j->finished) return;
          old = std::move(j->sub);
        }
        old.reset();
        Track(j);
      });
      return;
    }
    Finish(job, base::Err(e));
  };
  Keep(job, stage, m_node.SendPayment(req, std::move(h)));
}

}  // namespace escrow
