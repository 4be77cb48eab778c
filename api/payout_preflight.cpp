#include "api/payout_preflight.h"

#include <memory>
#include <mutex>

#include "config/base/log.h"

namespace api {
namespace {

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.remove_suffix(1);
  }
  return s;
}

// One probe's outcome is delivered once: by the node's answer or by the timeout, whichever
// comes first.
struct Pending {
  std::mutex mu;
  std::function<void(coordinator::RouteProbe)> done;  // empty once delivered
  void Deliver(coordinator::RouteProbe probe) {
    std::function<void(coordinator::RouteProbe)> f;
    {
      std::lock_guard lock(mu);
      f = std::move(done);
      done = nullptr;
    }
    if (f) f(std::move(probe));
  }
  bool Delivered() {
    std::lock_guard lock(mu);
    return !done;
  }
};

}  // namespace

std::optional<std::string> SignedMessageText(std::string_view m) {
  // RFC 4880 §7: "-----BEGIN PGP SIGNED MESSAGE-----", one or more "Hash" armor headers, an
  // empty line, the dash-escaped cleartext, then the signature's armor.
  constexpr std::string_view kBegin = "-----BEGIN PGP SIGNED MESSAGE-----";
  constexpr std::string_view kSignature = "-----BEGIN PGP SIGNATURE-----";
  size_t pos = m.find(kBegin);
  if (pos == std::string_view::npos) return std::nullopt;
  pos = m.find('\n', pos + kBegin.size());  // the rest of the armor line
  if (pos == std::string_view::npos) return std::nullopt;
  ++pos;
  // Skip the header lines up to the first empty line.
  while (true) {
    size_t eol = m.find('\n', pos);
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view line = m.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol + 1;
    if (line.empty()) break;
  }
  size_t end = m.find(kSignature, pos);
  if (end == std::string_view::npos) return std::nullopt;
  std::string text;
  std::string_view body = m.substr(pos, end - pos);
  while (!body.empty()) {
    size_t eol = body.find('\n');
    std::string_view line = body.substr(0, eol);
    if (line.substr(0, 2) == "- ") line.remove_prefix(2);
    text.append(line);
    if (eol == std::string_view::npos) break;
    text.push_back('\n');
    body.remove_prefix(eol + 1);
  }
  return std::string(TrimRight(text));
}

PayoutPreflight::PayoutPreflight(escrow::LightningNode& node, Options options)
    : m_node(node), m_options(options), m_workers(options.threads == 0 ? 1 : options.threads) {}

PayoutPreflight::~PayoutPreflight() = default;

void PayoutPreflight::Probe(std::string payment_request, std::function<void(coordinator::RouteProbe)> done) {
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  const auto timeout = m_options.timeout;
  m_timeouts.PostAfter(timeout, [pending, payment_request, timeout] {
    coordinator::RouteProbe probe;
    probe.payment_request = payment_request;
    probe.note = "no answer from the node within " + std::to_string(timeout.count()) + " ms";
    pending->Deliver(std::move(probe));
  });
  const bool posted = m_workers.Post([this, pending, payment_request, timeout] {
    if (pending->Delivered()) return;  // timed out while queued: no call for nobody
    escrow::RouteFeeRequest req;
    req.payment_request = payment_request;
    // LND's probe timeout is in whole seconds; ours bounds the answer anyway.
    req.timeout_seconds = static_cast<uint32_t>((timeout.count() + 999) / 1000);
    auto answer = m_node.EstimateRouteFee(req);
    coordinator::RouteProbe probe;
    probe.payment_request = payment_request;
    if (!answer) {
      probe.note = std::string("the node failed: ") + escrow::LnErrorCodeName(answer.error().code) + ": " +
                   answer.error().message;
    } else {
      probe.decided = true;
      probe.failure_reason = answer->failure_reason;
      probe.routing_fee_msat = answer->routing_fee_msat;
      probe.time_lock_delay = answer->time_lock_delay;
    }
    pending->Deliver(std::move(probe));
  });
  if (!posted) {
    coordinator::RouteProbe probe;
    probe.payment_request = std::move(payment_request);
    probe.note = "the preflight is stopping";
    pending->Deliver(std::move(probe));
  }
}

}  // namespace api
