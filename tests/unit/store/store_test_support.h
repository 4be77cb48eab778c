// Shared by the unit_store tests: a temp-dir fixture, a graph of rows with every field set,
// and Tie(), which lists every field of a model struct by structured binding, so that a
// field added to model.h breaks this build until the store and its tests map it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>

#include "coordinator/model.h"
#include "coordinator/store/store.h"

namespace coordinator::store_test {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Opens (creating) the store at path(); nullptr (and a test failure) if it fails.
  std::unique_ptr<Store> OpenStore();
  const std::string& dir() const { return m_dir; }
  const std::string& path() const { return m_path; }

 private:
  std::string m_dir;
  std::string m_path;
};

// One trade's rows, every field set to a distinct non-default value, references consistent.
struct Graph {
  Robot maker, taker;
  Order order;
  HoldInvoice maker_bond, taker_bond, escrow;
  Take take;
  Payout payout;
  Intent intent;
  LedgerEntry ledger;
  MarketTick tick;
};
// Ids come from store.NewId; `seed` makes the unique columns unique across graphs.
Graph MakeGraph(Store& store, int seed);
// Sets every field of g but the ids from `seed` (two seeds differ in every field), and every
// reference from g's ids.
void FillGraph(Graph& g, int seed);
// Puts every row of `g` in one transaction, children before their parents.
base::Expected<void, std::string> PutAll(Store& store, const Graph& g);

inline auto Tie(const Robot& r) {
  const auto& [a, b, c, d, e, f, g, h, i, j, k, l] = r;
  return std::tie(a, b, c, d, e, f, g, h, i, j, k, l);
}
inline auto Tie(const Order& o) {
  const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, n, p, q, r, s, t, u, v, w, x, y, z, aa, ab,
               ac, ad, ae, af, ag, ah, ai, aj, ak, al, am, an, ao, ap, aq] = o;
  return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, n, p, q, r, s, t, u, v, w, x, y, z, aa,
                  ab, ac, ad, ae, af, ag, ah, ai, aj, ak, al, am, an, ao, ap, aq);
}
inline auto Tie(const HoldInvoice& h) {
  const auto& [a, b, c, d, e, f, g, i, j, k, l, m, n, p, q, r] = h;
  return std::tie(a, b, c, d, e, f, g, i, j, k, l, m, n, p, q, r);
}
inline auto Tie(const Take& t) {
  const auto& [a, b, c, d, e, f, g, h] = t;
  return std::tie(a, b, c, d, e, f, g, h);
}
inline auto Tie(const Payout& p) {
  const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, q] = p;
  return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, q);
}
inline auto Tie(const Intent& i) {
  const auto& [a, b, c, d, e, f, g, h] = i;
  return std::tie(a, b, c, d, e, f, g, h);
}
inline auto Tie(const LedgerEntry& e) {
  const auto& [a, b, c, d, f, g, h] = e;
  return std::tie(a, b, c, d, f, g, h);
}
inline auto Tie(const MarketTick& t) {
  const auto& [a, b, c, d, e, f, g] = t;
  return std::tie(a, b, c, d, e, f, g);
}

// The secrets MakeGraph plants; no error message may contain one.
bool ContainsSecret(const std::string& text);

}  // namespace coordinator::store_test
