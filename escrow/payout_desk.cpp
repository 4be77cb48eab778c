#include "escrow/payout_desk.h"

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
  std::unique_ptr<Subscription> sub;  // guarded by m_mu: the stream of the current stage
  bool finished = false;              // guarded by m_mu
  bool sent = false;                  // we POSTed a send for this job
  // Each stage (track, send, re-track) bumps this; a stage keeps its stream only if it is
  // still the current one when the subscribing call returns (the node may answer before).
  int stage = 0;                      // guarded by m_mu
};

PayoutDesk::PayoutDesk(LightningNode& node) : m_node(node) {}

PayoutDesk::~PayoutDesk() {
  std::map<uint64_t, std::shared_ptr<Job>> jobs;
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
    jobs.swap(m_jobs);
    for (auto& [id, job] : jobs) job->finished = true;
  }
  for (auto& [id, job] : jobs) {
    std::unique_ptr<Subscription> sub;
    {
      std::lock_guard lock(m_mu);
      sub = std::move(job->sub);
    }
  }
}

size_t PayoutDesk::InFlight() const {
  std::lock_guard lock(m_mu);
  return m_jobs.size();
}

void PayoutDesk::Pay(const PaySpec& spec, PriorFailure prior, std::function<void(LnResult<PayOutcome>)> done) {
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

void PayoutDesk::Finish(const std::shared_ptr<Job>& job, LnResult<PayOutcome> result) {
  {
    std::lock_guard lock(m_mu);
    if (job->finished) return;
    job->finished = true;
    m_jobs.erase(job->id);
  }
  job->done(std::move(result));
  // Drop the stream from a worker: never from its own callback thread.
  m_workers.Post([this, job] {
    std::unique_ptr<Subscription> sub;
    std::lock_guard lock(m_mu);
    sub = std::move(job->sub);
  });
}

// First ask the node what it knows about the hash (LND REST: GET /v2/router/track/{hash}).
void PayoutDesk::Track(const std::shared_ptr<Job>& job) {
  int my_stage;
  {
    std::lock_guard lock(m_mu);
    my_stage = ++job->stage;
  }
  auto first = std::make_shared<bool>(true);
  StreamHandlers<Payment> h;
  h.on_update = [this, job, first](const Payment& p) {
    bool is_first = *first;
    *first = false;
    if (is_first && p.status == PaymentStatus::kFailed && job->prior == PriorFailure::kResend && !job->sent) {
      // The node's record is the previous attempt's failure: this is a new attempt.
      m_workers.Post([this, job] { Send(job); });
      return;
    }
    if (IsFinal(p.status)) Finish(job, OutcomeOf(p));
  };
  h.on_error = [this, job](const LnError& e) {
    if (e.code == LnErrorCode::kNotFound && !job->sent) {
      // The node has never seen this hash: safe to send.
      m_workers.Post([this, job] { Send(job); });
      return;
    }
    Finish(job, base::Err(e));
  };
  auto sub = m_node.TrackPayment(job->spec.payment_hash, std::move(h));
  std::lock_guard lock(m_mu);
  // A finished job, or one that moved on to sending meanwhile, does not keep this stream:
  // `sub` dies after the lock is released (declared before it).
  if (job->finished || job->stage != my_stage) return;
  job->sub.swap(sub);
}

// LND REST: POST /v2/router/send. Sent at most once per job.
void PayoutDesk::Send(const std::shared_ptr<Job>& job) {
  std::unique_ptr<Subscription> old;
  int my_stage;
  {
    std::lock_guard lock(m_mu);
    if (job->finished || job->sent) return;
    job->sent = true;
    my_stage = ++job->stage;
    old = std::move(job->sub);
  }
  old.reset();
  SendPaymentRequest req;
  req.payment_request = job->spec.payment_request;
  req.fee_limit_msat = job->spec.fee_limit_sat * 1000;
  req.timeout_seconds = job->spec.timeout_seconds;
  req.cltv_limit = job->spec.cltv_limit;
  StreamHandlers<Payment> h;
  h.on_update = [this, job](const Payment& p) {
    if (IsFinal(p.status)) Finish(job, OutcomeOf(p));
  };
  h.on_error = [this, job](const LnError& e) {
    if (e.code == LnErrorCode::kAlreadyPaying) {
      // In flight or paid already (a concurrent attempt): follow it instead.
      m_workers.Post([this, job] {
        std::unique_ptr<Subscription> old;
        {
          std::lock_guard lock(m_mu);
          if (job->finished) return;
          old = std::move(job->sub);
        }
        old.reset();
        Track(job);
      });
      return;
    }
    Finish(job, base::Err(e));
  };
  auto sub = m_node.SendPayment(req, std::move(h));
  std::lock_guard lock(m_mu);
  if (job->finished || job->stage != my_stage) return;
  job->sub.swap(sub);
}

}  // namespace escrow
