// bench_hold_roundtrip: the coordinator's hold-invoice round trip over the simln daemon, with
// the production LND backend on both sides (HTTPS, pinned TLS, macaroons), the daemon being a
// separate process:
//   AddHoldInvoice (coordinator) → SubscribeInvoice (coordinator) → SendPayment (the wallet,
//   through its own node's REST API) → ACCEPTED arrives on the subscription → SettleInvoice →
//   the payer's stream reports SUCCEEDED with the preimage.
// Runs 20 warm-up trips, then N (default 1000; `bench_hold_roundtrip N` to change), one at a
// time, and prints the latency distribution in ms (median, p90, p99, max), the median of each
// phase, and the throughput. Printed, not asserted.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "escrow/crypto/sha256.h"
#include "escrow/lnd/lnd_node.h"
#include "escrow/simln/control_client.h"
#include "escrow/stream_queue.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace {

using Clock = std::chrono::steady_clock;
using escrow::Invoice;
using escrow::InvoiceState;
using escrow::Payment;
using escrow::PaymentStatus;
using escrow::StreamQueue;

constexpr int kWarmup = 20;
constexpr int kDefaultTrips = 1000;
constexpr int64_t kAmountMsat = 1'000'000;  // 1000 sat a trip
constexpr std::chrono::seconds kWait{30};

constexpr char kNetworkYaml[] = R"(network: regtest
block_interval_seconds: 86400
nodes: [coordinator, alice]
channels:
  - {node_a: alice, node_b: coordinator, a_balance_sat: 50000000, b_balance_sat: 1000000}
)";

struct Trip {
  double create_ms = 0;    // AddHoldInvoice answered
  double accepted_ms = 0;  // from the payment's start to ACCEPTED on the subscription
  double settled_ms = 0;   // from SettleInvoice to the payer's SUCCEEDED
  double total_ms = 0;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <class T, class Pred>
bool WaitFor(StreamQueue<T>& queue, Pred pred, const char* what, std::string* error) {
  auto deadline = Clock::now() + kWait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto event = left.count() > 0 ? queue.Next(left) : std::nullopt;
    if (!event) {
      *error = std::string("no ") + what + " in time";
      return false;
    }
    if (const T* value = std::get_if<T>(&*event)) {
      if (pred(*value)) return true;
      continue;
    }
    if (const auto* e = std::get_if<escrow::LnError>(&*event)) {
      *error = std::string("stream failed before ") + what + ": " + escrow::LnErrorCodeName(e->code) + " " +
               e->message;
    } else {
      *error = std::string("stream ended before ") + what;
    }
    return false;
  }
}

std::optional<Trip> RoundTrip(escrow::LightningNode& coordinator, escrow::LightningNode& payer, int n,
                              std::string* error) {
  const escrow::Hash32 preimage = escrow::crypto::Sha256("bench hold round trip " + std::to_string(n));
  const escrow::Hash32 hash = escrow::crypto::Sha256(escrow::crypto::ToBytes(preimage));
  Trip trip;
  const auto start = Clock::now();

  escrow::HoldInvoiceRequest hold;
  hold.payment_hash = hash;
  hold.value_msat = kAmountMsat;
  hold.memo = "bench bond";
  hold.cltv_expiry = 144;
  auto added = coordinator.AddHoldInvoice(hold);
  if (!added) {
    *error = "AddHoldInvoice: " + added.error().message;
    return std::nullopt;
  }
  const auto created = Clock::now();
  trip.create_ms = Ms(created - start);

  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator.SubscribeInvoice(hash, invoices.Handlers());
  escrow::SendPaymentRequest pay;
  pay.payment_request = added->payment_request;
  pay.timeout_seconds = 60;
  StreamQueue<Payment> payments;
  auto pay_sub = payer.SendPayment(pay, payments.Handlers());
  if (!WaitFor(
          invoices, [](const Invoice& i) { return i.state == InvoiceState::kAccepted; }, "ACCEPTED", error)) {
    return std::nullopt;
  }
  const auto accepted = Clock::now();
  trip.accepted_ms = Ms(accepted - created);

  if (auto settled = coordinator.SettleInvoice(preimage); !settled) {
    *error = "SettleInvoice: " + settled.error().message;
    return std::nullopt;
  }
  bool preimage_ok = false;
  if (!WaitFor(
          payments,
          [&](const Payment& p) {
            preimage_ok = p.payment_preimage == preimage;
            return p.status == PaymentStatus::kSucceeded;
          },
          "SUCCEEDED", error)) {
    return std::nullopt;
  }
  if (!preimage_ok) {
    *error = "SUCCEEDED without the preimage";
    return std::nullopt;
  }
  const auto done = Clock::now();
  trip.settled_ms = Ms(done - accepted);
  trip.total_ms = Ms(done - start);
  return trip;
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  if (values.empty()) return 0;
  // Nearest rank: the smallest value with at least p of the samples at or below it.
  size_t rank = static_cast<size_t>(std::max(1.0, std::ceil(p * static_cast<double>(values.size()))));
  return values[std::min(rank, values.size()) - 1];
}

template <class F>
std::vector<double> Column(const std::vector<Trip>& trips, F field) {
  std::vector<double> out;
  out.reserve(trips.size());
  for (const Trip& t : trips) out.push_back(field(t));
  return out;
}

std::unique_ptr<escrow::LightningNode> Connect(const std::vector<escrow::simln::ServedNode>& nodes,
                                               const std::string& name) {
  for (const auto& n : nodes) {
    if (n.name != name) continue;
    escrow::lnd::LndConfig config;
    config.rest_url = n.rest_url;
    config.tls_cert_path = n.tls_cert_path;
    config.macaroon_path = n.macaroon_path;
    auto node = escrow::lnd::CreateLndNode(config);
    if (!node) {
      std::fprintf(stderr, "CreateLndNode(%s): %s\n", name.c_str(), node.error().message.c_str());
      return nullptr;
    }
    return std::move(*node);
  }
  std::fprintf(stderr, "no node %s in nodes.json\n", name.c_str());
  return nullptr;
}

int Run(int trips_wanted) {
  const std::string dir = testsupport::MakeTempDir("bench-hold");
  const std::string yaml = dir + "/network.yaml";
  const std::string state = dir + "/state";
  const std::string log = dir + "/simln.log";
  std::ofstream(yaml) << kNetworkYaml;
  auto daemon = testsupport::Process::Start(
      {testsupport::BinaryPath("simln"), "serve", "--network", yaml, "--state-dir", state}, log);
  if (!daemon || !daemon->ReadLine(kWait)) {
    std::fprintf(stderr, "simln did not start; see %s\n", log.c_str());
    return 1;
  }
  auto nodes = escrow::simln::LoadServedNodes(state);
  if (!nodes) {
    std::fprintf(stderr, "%s\n", nodes.error().c_str());
    return 1;
  }
  auto coordinator = Connect(*nodes, "coordinator");
  auto alice = Connect(*nodes, "alice");
  if (!coordinator || !alice) return 1;

  std::string error;
  for (int i = 0; i < kWarmup; ++i) {
    if (!RoundTrip(*coordinator, *alice, -1 - i, &error)) {
      std::fprintf(stderr, "warm-up trip %d: %s (daemon log: %s)\n", i, error.c_str(), log.c_str());
      return 1;
    }
  }
  std::vector<Trip> trips;
  trips.reserve(static_cast<size_t>(trips_wanted));
  const auto start = Clock::now();
  for (int i = 0; i < trips_wanted; ++i) {
    auto trip = RoundTrip(*coordinator, *alice, i, &error);
    if (!trip) {
      std::fprintf(stderr, "trip %d: %s (daemon log: %s)\n", i, error.c_str(), log.c_str());
      return 1;
    }
    trips.push_back(*trip);
  }
  const double wall_s = Ms(Clock::now() - start) / 1000.0;

  auto total = Column(trips, [](const Trip& t) { return t.total_ms; });
  std::printf(
      "hold-invoice round trip over the simln daemon (LND REST over HTTPS), %d trips after %d warm-up\n",
      trips_wanted, kWarmup);
  std::printf("  create → pay → ACCEPTED event → settle → payer SUCCEEDED, one trip at a time\n");
  std::printf("  total ms:   median %.2f  p90 %.2f  p99 %.2f  max %.2f\n", Percentile(total, 0.5),
              Percentile(total, 0.9), Percentile(total, 0.99), Percentile(total, 1.0));
  std::printf("  phase median ms: create %.2f | pay → ACCEPTED %.2f | settle → SUCCEEDED %.2f\n",
              Percentile(Column(trips, [](const Trip& t) { return t.create_ms; }), 0.5),
              Percentile(Column(trips, [](const Trip& t) { return t.accepted_ms; }), 0.5),
              Percentile(Column(trips, [](const Trip& t) { return t.settled_ms; }), 0.5));
  std::printf("  throughput: %.1f round trips/s (%.2f s wall)\n", trips_wanted / wall_s, wall_s);

  coordinator.reset();
  alice.reset();
  daemon->Signal(SIGTERM);
  if (daemon->Wait(kWait) != std::optional<int>(0)) std::fprintf(stderr, "simln did not stop cleanly\n");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int trips = kDefaultTrips;
  if (argc > 1) {
    trips = std::atoi(argv[1]);
    if (trips < 1) {
      std::fprintf(stderr, "usage: %s [TRIPS]\n", argv[0]);
      return 2;
    }
  }
  return Run(trips);
}
