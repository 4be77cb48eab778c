#include "escrow/simln/router.h"

#include <limits>
#include <queue>
#include <tuple>

namespace escrow::simln {
namespace {

// What a node must receive for the payment to reach the destination through it.
struct Label {
  int64_t amt_msat = std::numeric_limits<int64_t>::max();  // incoming HTLC amount
  uint32_t cltv = 0;                                       // incoming delta above current height
  int hops = 0;
  bool operator<(const Label& o) const {
    return std::tie(amt_msat, cltv, hops) < std::tie(o.amt_msat, o.cltv, o.hops);
  }
};

}  // namespace

int64_t ForwardingFee(int64_t base_fee_msat, int64_t fee_rate_ppm, int64_t amount_to_forward_msat) {
  // Split the product so that amount × ppm cannot overflow int64 (amounts up to 2.1e18 msat).
  constexpr int64_t kMillion = 1'000'000;
  int64_t whole = amount_to_forward_msat / kMillion;
  int64_t rest = amount_to_forward_msat % kMillion;
  return base_fee_msat + whole * fee_rate_ppm + rest * fee_rate_ppm / kMillion;
}

std::optional<PlannedRoute> FindCheapestRoute(int num_nodes, const std::vector<GraphEdge>& edges,
                                              const RouteRequest& req) {
  if (req.source == req.dest || req.amt_msat <= 0) return std::nullopt;
  if (req.source < 0 || req.dest < 0 || req.source >= num_nodes || req.dest >= num_nodes) return std::nullopt;

  std::vector<std::vector<int>> incoming(num_nodes);  // edge indices by `to`
  for (size_t i = 0; i < edges.size(); ++i) incoming[edges[i].to].push_back(static_cast<int>(i));

  std::vector<Label> label(num_nodes);
  std::vector<int> next_edge(num_nodes, -1);  // the edge a node uses towards the destination
  std::vector<bool> done(num_nodes, false);
  using Item = std::pair<Label, int>;
  auto later = [](const Item& a, const Item& b) { return b.first < a.first; };
  std::priority_queue<Item, std::vector<Item>, decltype(later)> queue(later);

  label[req.dest] = Label{req.amt_msat, req.final_cltv_delta, 0};
  queue.push({label[req.dest], req.dest});
  while (!queue.empty()) {
    auto [cur, v] = queue.top();
    queue.pop();
    if (done[v] || label[v] < cur) continue;
    done[v] = true;
    if (v == req.source) break;
    for (int ei : incoming[v]) {
      const GraphEdge& e = edges[ei];
      int u = e.from;
      if (done[u]) continue;
      // The HTLC on this channel carries what v must receive.
      if (e.spendable_msat < cur.amt_msat) continue;
      Label cand = cur;
      cand.hops = cur.hops + 1;
      if (u != req.source) {
        int64_t fee = ForwardingFee(e.base_fee_msat, e.fee_rate_ppm, cur.amt_msat);
        if (fee > std::numeric_limits<int64_t>::max() - cur.amt_msat) continue;
        cand.amt_msat = cur.amt_msat + fee;
        cand.cltv = cur.cltv + e.cltv_delta;
      }
      if (cand.amt_msat - req.amt_msat > req.fee_limit_msat) continue;
      if (cand < label[u]) {
        label[u] = cand;
        next_edge[u] = ei;
        queue.push({cand, u});
      }
    }
  }
  if (!done[req.source]) return std::nullopt;

  PlannedRoute route;
  route.fee_msat = label[req.source].amt_msat - req.amt_msat;
  for (int n = req.source; n != req.dest;) {
    const GraphEdge& e = edges[next_edge[n]];
    // The HTLC on e is what e.to must receive; it expires at the height e.to's label implies.
    route.hops.push_back(PlannedHop{e.chan_id, e.from_side, e.to, label[e.to].amt_msat,
                                    req.current_height + label[e.to].cltv});
    n = e.to;
  }
  route.total_time_lock = route.hops.front().expiry_height;
  return route;
}

}  // namespace escrow::simln
