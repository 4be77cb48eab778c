// The simulated network's state as plain records: what the store persists and the network
// mutates. No behaviour here beyond small accessors; invariants are kept by Network.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "escrow/lightning_node.h"
#include "escrow/simln/network.h"

namespace escrow::simln {

// Network-wide values, one row.
struct MetaRec {
  std::string network;       // "regtest", …
  int64_t genesis_time = 0;  // Unix seconds at creation: clock-driven blocks count from it
  uint32_t start_height = 0;
  int64_t block_interval_seconds = 600;
  uint32_t mined_blocks = 0;
  uint64_t channels_opened = 0;  // tx index of the next channel's short channel id
};

struct NodeRec {
  std::string name;
  std::string seed;  // identity key = Signer::FromSeed(seed)
  std::string alias;
  FailureSetting failure;
  uint64_t last_add_index = 0;
  uint64_t last_settle_index = 0;
  uint64_t last_payment_index = 0;
};

// A channel; side 0 is node_a, side 1 is node_b. local + pending of both sides never changes.
struct ChannelRec {
  uint64_t chan_id = 0;
  std::string spec_key;  // "a|b|n": the n-th spec channel between a and b
  std::string node[2];
  int64_t local_msat[2] = {0, 0};
  int64_t pending_msat[2] = {0, 0};  // offered by that side in unresolved HTLCs
  int64_t base_fee_msat = 0;
  int64_t fee_rate_ppm = 0;
  uint32_t cltv_delta = 0;
  FailureSetting failure;
  uint64_t next_htlc_index = 0;

  int64_t TotalMsat() const { return local_msat[0] + local_msat[1] + pending_msat[0] + pending_msat[1]; }
};

// One hop of a payment's route: an HTLC offered by side `from_side` of channel `chan_id`.
struct HopRec {
  uint64_t chan_id = 0;
  int from_side = 0;
  int64_t amt_msat = 0;
  uint32_t expiry_height = 0;
  bool locked = false;  // the amount sits in the channel's pending_msat[from_side]
};

using RecordKey = std::pair<std::string, Hash32>;  // (node name, payment hash)

struct InvoiceRec {
  std::string node;
  bool is_hold = false;
  Invoice inv;                           // r_preimage is empty for a hold invoice until settled
  std::vector<std::string> htlc_payers;  // parallel to inv.htlcs: the paying node of each HTLC
};

struct PaymentRec {
  std::string node;  // the sender
  Payment pay;
  std::string dest_node;  // empty when the destination was never resolved
  std::vector<HopRec> route;
  int64_t timeout_at = 0;  // Unix seconds: a payment stuck at a TIMEOUT hop fails then
};

struct NetworkState {
  MetaRec meta;
  std::map<std::string, NodeRec> nodes;
  std::map<uint64_t, ChannelRec> channels;
  std::map<RecordKey, InvoiceRec> invoices;
  std::map<RecordKey, PaymentRec> payments;
};

}  // namespace escrow::simln
