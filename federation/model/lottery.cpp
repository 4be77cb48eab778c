#include "federation/model/lottery.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace federation {

std::vector<std::string> FederationLottery(const std::vector<LotteryTicket>& tickets,
                                           const std::function<double()>& random) {
  struct Draw {
    const LotteryTicket* ticket;
    double weight;
    double tie;
  };
  std::vector<Draw> draws;
  draws.reserve(tickets.size());
  for (const auto& t : tickets) {
    const int chance = t.donates_to_dev_fund > kLotteryMaxChance ? kLotteryMaxChance : std::max(t.donates_to_dev_fund, 0);
    const double weight =
        chance > 0 ? -std::log(random()) / chance : std::numeric_limits<double>::infinity();
    const double tie = random();
    draws.push_back({&t, weight, tie});
  }
  // JS: (a.weight - b.weight) || (a.tie - b.tie). Equal weights (also ∞ and ∞) fall to the tie.
  std::stable_sort(draws.begin(), draws.end(), [](const Draw& a, const Draw& b) {
    if (a.weight != b.weight) return a.weight < b.weight;
    return a.tie < b.tie;
  });
  std::vector<std::string> order;
  order.reserve(draws.size());
  for (const auto& d : draws) order.push_back(d.ticket->short_alias);
  return order;
}

}  // namespace federation
