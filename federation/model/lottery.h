// The order in which a RoboSats client lists coordinators (and so the joint book): a random
// draw weighted by each coordinator's dev-fund donation.
//
// RoboSats: frontend/src/utils/federationLottery.ts (v0.8.6), for each coordinator in file order:
//   const chance = coor.badges.donatesToDevFund > 50 ? 50 : coor.badges?.donatesToDevFund || 0;
//   weight: chance > 0 ? -Math.log(Math.random()) / chance : Number.POSITIVE_INFINITY,
//   tie: Math.random(),
// then sorted by (a.weight - b.weight || a.tie - b.tie): an exponential race, i.e. weighted
// sampling without replacement with weights min(donation, 50); a 0 % donor's weight is +∞, so
// non-donors come last, among themselves in random (tie) order (∞ − ∞ is NaN, falsy in JS).
// Math.random() is drawn in that order (the weight's draw only when chance > 0), so an injected
// sequence of numbers gives exactly the client's order.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace federation {

struct LotteryTicket {
  std::string short_alias;
  int donates_to_dev_fund = 0;  // percent
};

// Short aliases in drawn order. `random` returns numbers in [0, 1) (Math.random()).
std::vector<std::string> FederationLottery(const std::vector<LotteryTicket>& tickets,
                                           const std::function<double()>& random);

// The weight cap of the draw (RoboSats: "> 50 ? 50").
inline constexpr int kLotteryMaxChance = 50;

}  // namespace federation
