// simln: a simulated Lightning network. Nodes with secp256k1 identities, channels with
// balances on both sides, multi-hop routing with fees and CLTV deltas, a block height driven
// by the injected clock, real BOLT 11 invoices signed by each node's key, LND's invoice state
// machine for regular and hold invoices, HTLCs that lock balance along the route until the
// invoice resolves, keysend, and failures injected per node or channel. State lives in one
// SQLite file and survives a restart (kill -9 included: every mutation is one transaction,
// committed before any stream hears of it). See escrow/simln/README.md for the rules.
//
// Network is thread-safe. Stream callbacks run on the network's notifier thread, never while
// the network's lock is held, so a callback may call back into the network.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/clock.h"
#include "config/base/expected.h"
#include "escrow/lightning_node.h"

namespace escrow::simln {

struct NodeSpec {
  std::string name;  // unique, [a-z0-9_-]+; also the default alias
  std::string seed;  // identity key = Signer::FromSeed(seed); defaults to "simln:" + name
};

struct ChannelSpec {
  std::string node_a;
  std::string node_b;
  int64_t a_balance_sat = 0;  // a's local balance
  int64_t b_balance_sat = 0;  // b's local balance
  // Forwarding policy, the same in both directions.
  int64_t base_fee_msat = 1000;
  int64_t fee_rate_ppm = 1;
  uint32_t cltv_delta = 40;
};

struct NetworkSpec {
  std::vector<NodeSpec> nodes;
  std::vector<ChannelSpec> channels;
  std::string network = "regtest";  // BOLT 11 prefix follows: regtest → "bcrt"
  uint32_t start_height = 800000;
  int64_t block_interval_seconds = 600;  // one block per interval of clock time
};

// Parses the network YAML (see escrow/simln/example-network.yaml) and validates it. Errors
// name the key ("channels[1].node_b: unknown node 'erin'"); unknown keys are errors.
base::Expected<NetworkSpec, std::string> LoadNetworkSpec(const std::string& yaml_path);
base::Expected<NetworkSpec, std::string> ParseNetworkSpec(const std::string& yaml_text);
// Checks names ([a-z0-9_-]+, unique), channel endpoints (known, distinct), amounts (≥ 0),
// fee policy (0 ≤ ppm ≤ 1 000 000, base ≥ 0), the network name and the block interval (> 0).
base::Expected<void, std::string> ValidateNetworkSpec(const NetworkSpec& spec);

// Failure modes, settable per node or per channel (LND's failure_reason in parentheses).
enum class FailureMode {
  kNone,
  kNoRoute,              // route finding through/to/from this node or channel fails (NO_ROUTE)
  kInsufficientBalance,  // the node's outgoing payments fail; a channel counts as empty
                         // (INSUFFICIENT_BALANCE)
  kTimeout,              // payments reaching it stay IN_FLIGHT with the HTLCs up to it locked,
                         // then fail once their timeout_seconds of clock time pass (TIMEOUT)
  kOffline,              // the node is down: its LightningNode calls fail kUnreachable, its
                         // REST API refuses, routes avoid it (NO_ROUTE)
  kSlowReplies,          // only stored: the daemon delays every REST reply of the node by `delay_ms`
};
const char* FailureModeName(FailureMode m);
std::optional<FailureMode> FailureModeFromName(std::string_view name);

struct FailureSetting {
  FailureMode mode = FailureMode::kNone;
  int64_t delay_ms = 0;  // for kSlowReplies
};

struct ChannelView {
  uint64_t chan_id = 0;  // short channel id
  std::string node_a, node_b;
  int64_t a_local_msat = 0, b_local_msat = 0;
  int64_t a_pending_out_msat = 0, b_pending_out_msat = 0;  // locked in HTLCs
  int64_t base_fee_msat = 0;
  int64_t fee_rate_ppm = 0;
  uint32_t cltv_delta = 0;
  FailureSetting failure;
};

struct NodeView {
  std::string name;
  std::string pubkey_hex;
  ChannelBalance balance;
  FailureSetting failure;
};

class Network {
 public:
  // Opens `db_path`, creating it from `spec` on first use. On later opens the stored state
  // wins; nodes or channels in `spec` that are missing from the store are added (a channel is
  // known by its endpoints and its rank among the spec's channels between them). `clock` must
  // outlive the network. Errors: an invalid spec (naming the key), an unopenable, foreign or
  // newer-schema store, two nodes with the same seed.
  static base::Expected<std::unique_ptr<Network>, std::string> Open(const std::string& db_path,
                                                                    const NetworkSpec& spec,
                                                                    const base::Clock& clock);
  virtual ~Network() = default;

  // An in-process LightningNode for node `name` (nullptr if unknown). The node object may
  // outlive nothing: it must be destroyed before the Network. (Its subscriptions may outlive
  // it; they go quiet when the Network is destroyed, after what was queued is delivered.)
  virtual std::unique_ptr<LightningNode> Node(const std::string& name) = 0;

  virtual std::vector<std::string> NodeNames() const = 0;
  virtual std::optional<NodeView> GetNode(const std::string& name) const = 0;
  virtual std::vector<ChannelView> Channels() const = 0;

  // Every invoice / payment of node `name`, by add_index / payment_index (empty if unknown).
  virtual std::vector<Invoice> ListInvoices(const std::string& name) const = 0;
  virtual std::vector<Payment> ListPayments(const std::string& name) const = 0;

  // Block height = start_height + floor((now - genesis_time) / block_interval) + mined blocks,
  // genesis_time being the clock's time when the store was created.
  virtual uint32_t BlockHeight() const = 0;
  // Adds n blocks (persisted), then applies what the new height implies, as Tick does.
  virtual void MineBlocks(uint32_t n) = 0;

  // Failures; an empty/none setting clears. Persisted. Unknown names/ids are ignored.
  virtual void SetNodeFailure(const std::string& node, FailureSetting f) = 0;
  virtual void SetChannelFailure(uint64_t chan_id, FailureSetting f) = 0;

  // Applies everything the clock and the height imply: OPEN invoices past expiry → CANCELED;
  // accepted HTLCs of hold invoices within 12 blocks (LND's holdexpirydelta) of their
  // expiry_height → invoice CANCELED and HTLCs released; timed-out in-flight payments → FAILED.
  // The daemon calls it on a timer; in-process users call it after moving the clock. Every
  // LightningNode call also applies the clock first, so a node never shows a stale state.
  virtual void Tick() = 0;

  // Total msat in channels (local + pending of both sides): constant across any operation.
  virtual int64_t TotalMsat() const = 0;
};

}  // namespace escrow::simln
