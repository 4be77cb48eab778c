// Pathfinding over a snapshot of the channel graph: the cheapest route (fees, then time lock,
// then hops) whose every channel can carry the HTLC it would hold. Pure: no network state.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace escrow::simln {

// One usable direction of a channel: `from` may offer an HTLC of up to `spendable_msat`.
struct GraphEdge {
  uint64_t chan_id = 0;
  int from = 0;       // node index
  int to = 0;         // node index
  int from_side = 0;  // which side of the channel `from` is (0: node_a)
  int64_t spendable_msat = 0;
  // The forwarding policy `from` applies when it forwards over this channel.
  int64_t base_fee_msat = 0;
  int64_t fee_rate_ppm = 0;
  uint32_t cltv_delta = 0;
};

struct RouteRequest {
  int source = 0;
  int dest = 0;
  int64_t amt_msat = 0;           // delivered to dest
  int64_t fee_limit_msat = 0;     // total fees must not exceed this
  uint32_t final_cltv_delta = 0;  // the invoice's min_final_cltv_expiry
  uint32_t current_height = 0;
};

struct PlannedHop {
  uint64_t chan_id = 0;
  int from_side = 0;
  int to = 0;
  int64_t amt_msat = 0;        // the HTLC's amount on this channel
  uint32_t expiry_height = 0;  // the HTLC's absolute CLTV expiry
};

struct PlannedRoute {
  std::vector<PlannedHop> hops;  // from the source to the destination
  int64_t fee_msat = 0;          // hops[0].amt_msat - amt_msat
  uint32_t total_time_lock = 0;  // hops[0].expiry_height
};

// BOLT #7: "the fee a node should charge for forwarding: fee_base_msat + ( amount_to_forward *
// fee_proportional_millionths / 1000000 )" (rounded down). Safe for any msat amount.
int64_t ForwardingFee(int64_t base_fee_msat, int64_t fee_rate_ppm, int64_t amount_to_forward_msat);

// Dijkstra from the destination back to the source, as LND searches: each hop's amount is the
// next hop's amount plus the fee of the node forwarding it (the source charges none); the
// final hop expires at current_height + final_cltv_delta and each forwarding node adds its
// outgoing channel's cltv_delta. Nodes are never repeated. nullopt when no route exists within
// the channels' spendable balances and the fee limit, or when source == dest.
std::optional<PlannedRoute> FindCheapestRoute(int num_nodes, const std::vector<GraphEdge>& edges,
                                              const RouteRequest& req);

}  // namespace escrow::simln
