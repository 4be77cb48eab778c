// The `simln serve` daemon as a child process on a temp state dir, and the production LND
// backend (escrow::lnd::CreateLndNode) pointed at its nodes over HTTPS: the coordinator's node
// and the wallets' nodes alike, so that a payer pays through its own node's REST API.
//
// The network (kNetworkYaml):
//   alice ── coordinator ── bob          direct channels, fee-free for the sender
//   carol ── hop ── coordinator          two hops: hop charges 1000 msat + 100 ppm to forward
// Blocks come only from POST /control/mine (one block a day of clock time), so that heights
// are exact; the clock moves only with POST /control/advance (and real time).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "escrow/lightning_node.h"
#include "escrow/lnd/lnd_node.h"
#include "escrow/simln/control_client.h"
#include "escrow/simln/embedded.h"
#include "escrow/stream_queue.h"
#include "tests/support/process.h"

namespace lnd_backend_test {

using escrow::Hash32;
using escrow::Invoice;
using escrow::LightningNode;
using escrow::Payment;
using escrow::StreamQueue;

// Bound of every wait for something the daemon will do.
constexpr std::chrono::seconds kWait{30};

constexpr int64_t kMsatPerSat = 1000;
// hop's forwarding policy on hop ── coordinator (see kNetworkYaml).
constexpr int64_t kHopBaseFeeMsat = 1000;
constexpr int64_t kHopFeeRatePpm = 100;

extern const char kNetworkYaml[];

class LndBackendTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts `simln serve` on m_state and waits (bounded) for the nodes.json line; loads
  // nodes.json and control.json. Call with ASSERT_NO_FATAL_FAILURE.
  void StartDaemon();
  // Sends `sig` to the daemon and reaps it (bounded). Returns its exit code (128 + signal if
  // killed), or -1 if it did not exit in time.
  int StopDaemon(int sig);

  const escrow::simln::ServedNode& Served(const std::string& name) const;

  // The LND backend for node `name`: pinned to its certificate, with its macaroon, a short
  // reconnect backoff. A config that CreateLndNode refuses is a test failure (nullptr).
  escrow::lnd::LndConfig Config(const std::string& name) const;
  std::unique_ptr<LightningNode> Lnd(const std::string& name);
  std::unique_ptr<LightningNode> Lnd(const escrow::lnd::LndConfig& config);

  // The control API; the reply's status must be 200 (checked), its body is returned.
  nlohmann::json Control(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nlohmann::json());
  void Mine(uint32_t blocks);
  void Advance(std::chrono::seconds by);
  void SetNodeFailure(const std::string& node, const std::string& mode, int64_t delay_ms = 0);
  void SetChannelFailure(const std::string& node_a, const std::string& node_b, const std::string& mode);
  int64_t TotalMsat();

  // A 0600 file in the test dir holding `content` (a foreign or forged macaroon).
  std::string PrivateFile(const std::string& name, const std::string& content);

  std::string m_dir;
  std::string m_state;
  std::string m_log;
  std::string m_yaml;
  std::unique_ptr<testsupport::Process> m_daemon;
  std::vector<escrow::simln::ServedNode> m_nodes;
  escrow::simln::ControlEndpoint m_control;
};

// A preimage and its payment hash.
struct Secret {
  Hash32 preimage{};
  Hash32 hash{};
};
Secret MakeSecret(const std::string& seed);

escrow::HoldInvoiceRequest HoldRequest(const Hash32& hash, int64_t value_msat, uint64_t cltv_expiry = 80);
escrow::SendPaymentRequest PayRequest(const std::string& payment_request, int64_t fee_limit_msat = 0,
                                      int32_t timeout_seconds = 60);

// Waits (bounded by kWait) for the first update satisfying `pred`. An error or the end of
// the stream before it is a test failure naming `what` and the error, and yields nullopt.
template <class T, class Pred>
std::optional<T> Await(StreamQueue<T>& queue, Pred pred, const std::string& what) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto event = left.count() > 0 ? queue.Next(left) : std::nullopt;
    if (!event) {
      ADD_FAILURE() << "no " << what << " within " << kWait.count() << " s";
      return std::nullopt;
    }
    if (const T* value = std::get_if<T>(&*event)) {
      if (pred(*value)) return *value;
      continue;
    }
    if (const auto* error = std::get_if<escrow::LnError>(&*event)) {
      ADD_FAILURE() << "stream failed before " << what << ": " << escrow::LnErrorCodeName(error->code) << " "
                    << error->message;
    } else {
      ADD_FAILURE() << "stream ended before " << what;
    }
    return std::nullopt;
  }
}

std::optional<Invoice> AwaitInvoice(StreamQueue<Invoice>& queue, escrow::InvoiceState state);
std::optional<Payment> AwaitPayment(StreamQueue<Payment>& queue, escrow::PaymentStatus status);

// The stream's next event is its end (on_done), bounded; updates before it are skipped.
bool AwaitEnd(StreamQueue<Payment>& queue);
bool AwaitEnd(StreamQueue<Invoice>& queue);

// The first error the stream delivers (bounded), skipping updates; nullopt if it ended or
// stayed silent instead.
std::optional<escrow::LnError> AwaitError(StreamQueue<Payment>& queue);
std::optional<escrow::LnError> AwaitError(StreamQueue<Invoice>& queue);

// GetChannelBalance through the LND backend; a failed call is a test failure (zeros).
escrow::ChannelBalance Balance(LightningNode& node);

}  // namespace lnd_backend_test
