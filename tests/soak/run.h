// What the crash soak's threads share (tests/soak/soak_main.cpp): its options, the trade paths,
// and the Run — where coordinatord serves now, its clock, the tallies and the violations.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace soak {

using Clock = std::chrono::steady_clock;

constexpr int64_t kChannelSat = 50'000'000;
inline const std::string kResolverToken(40, 'r');

struct Options {
  int trades = 24;
  int workers = 4;
  int kill_min_ms = 3000;
  int kill_max_ms = 9000;
  int simln_kill_one_in = 4;  // of the kills, one in K is of the simln daemon (0: never)
  uint64_t seed = 0;
  int trade_timeout_s = 300;
  std::string dir;
  bool keep = false;
};

// The path a trade is meant to take; the order's statuses decide what actually happens.
enum class Path {
  kSuccess,
  kMakerCancels,
  kPublicExpires,
  kTakerBondExpires,
  kEscrowExpires,
  kCollaborativeCancel,
  kDispute,
  kPayoutFails,
  kPayoutInvoiceExpires,
};
inline const char* PathName(Path p) {
  switch (p) {
    case Path::kSuccess: return "success";
    case Path::kMakerCancels: return "maker cancels";
    case Path::kPublicExpires: return "public order expires";
    case Path::kTakerBondExpires: return "taker bond expires";
    case Path::kEscrowExpires: return "escrow expires";
    case Path::kCollaborativeCancel: return "collaborative cancel";
    case Path::kDispute: return "dispute";
    case Path::kPayoutFails: return "payout fails, new invoice";
    case Path::kPayoutInvoiceExpires: return "payout invoice expires";
  }
  return "?";
}

inline bool Terminal(int status) {
  return status == 4 || status == 5 || status == 12 || status == 14 || status == 17 || status == 18;
}

// What every thread shares: where coordinatord serves now, its clock, the tallies.
class Run {
 public:
  explicit Run(const Options& o) : options(o) {}
  const Options options;
  std::string dir, clock_file, resolver_file, simln_state;

  std::string ApiUrl() {
    std::lock_guard lock(m_mu);
    return m_api_url;
  }
  std::string OperatorUrl() {
    std::lock_guard lock(m_mu);
    return m_operator_url;
  }
  void SetUrls(std::string api, std::string op) {
    std::lock_guard lock(m_mu);
    m_api_url = std::move(api);
    m_operator_url = std::move(op);
  }
  int64_t ClockAhead() {
    std::lock_guard lock(m_mu);
    return m_ahead_s;
  }
  // Moves the coordinator's clock `seconds` ahead (it re-reads the file every 50 ms).
  void Advance(int64_t seconds) {
    {
      std::lock_guard lock(m_mu);
      m_ahead_s += seconds;
      std::ofstream(clock_file) << m_ahead_s;
    }
    Count("clock advances");
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }

  void Count(const std::string& what, int n = 1) {
    std::lock_guard lock(m_mu);
    m_counts[what] += n;
  }
  void Violation(const std::string& what) {
    std::lock_guard lock(m_mu);
    std::cerr << "VIOLATION: " << what << "\n";
    m_violations.push_back(what);
  }
  std::map<std::string, int> Counts() {
    std::lock_guard lock(m_mu);
    return m_counts;
  }
  std::vector<std::string> Violations() {
    std::lock_guard lock(m_mu);
    return m_violations;
  }

  std::atomic<int> next_trade{0};
  std::atomic<bool> stop_killing{false};

 private:
  std::mutex m_mu;
  std::string m_api_url, m_operator_url;
  int64_t m_ahead_s = 0;
  std::map<std::string, int> m_counts;
  std::vector<std::string> m_violations;
};

}  // namespace soak
