// A soak worker: runs trades one after another — each with fresh robots and a path drawn at
// random (tests/soak/soak_main.cpp lists them) — paying from its two wallets, and follows
// whatever status the order reaches until it ends or the trade's timeout passes.
#pragma once

#include "tests/soak/run.h"
#include "tests/support/coordinator_cluster.h"

namespace soak {

// Takes trade numbers from `run` until its count is reached; a trade that throws is a violation.
void RunWorker(Run& run, int index, testsupport::Wallet& maker_wallet, testsupport::Wallet& taker_wallet);

}  // namespace soak
