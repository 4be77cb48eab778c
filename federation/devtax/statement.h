// Dev-tax statements: what a coordinator owes and paid the developers over a period, signed with
// its nostr key (BIP-340, the key of its federation entry) so that anyone can check it.
//
// A statement is a JSON object of integers and strings only, serialized canonically (keys
// sorted, no whitespace: nlohmann::json's dump() of an object, whose keys are ordered); the
// signature is BIP-340 over those bytes (Signer::SignSchnorrMessage). Served as
//   {"statement": {...}, "pubkey": "<x-only hex>", "sig": "<64-byte hex>"}.
// Fields of "statement" (version 1):
//   version, coordinator (x-only pubkey hex), period_start, period_end (Unix s, [start, end)),
//   share_ppm (the share now in force, millionths),
//   accruals: [{id, ledger_id, order_id, proceeds_sat, share_ppm, accrued_msat, created_at}],
//   proceeds_sat, accrued_msat (sums over the period's accruals),
//   payments: [{id, first_accrual_id, last_accrual_id, accrued_msat_through, amount_sat, payee,
//               payment_hash, preimage ("" unless succeeded), state ("succeeded", "failed",
//               "in_flight"), attempt, fee_sat, failure_reason, created_at, finished_at}],
//   paid_sat (Σ succeeded in the period), failed_payments,
//   cumulative_accrued_msat, cumulative_paid_sat (everything before period_end),
//   owed_sat (floor(cumulative_accrued_msat / 1000) − cumulative_paid_sat).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/store/store.h"
#include "escrow/crypto/secp256k1.h"

namespace federation {

// The start of the period holding `t` (periods aligned on the Unix epoch, i.e. UTC midnight).
int64_t DevTaxPeriodStart(int64_t t, int64_t period_s);

// The statement of [start, end) from the coordinator's store.
nlohmann::json BuildDevTaxStatement(coordinator::Store& store, int64_t start, int64_t end,
                                    const std::string& coordinator_pubkey_hex, int64_t share_ppm);

// The canonical bytes that are signed.
std::string CanonicalJson(const nlohmann::json& statement);

// {"statement", "pubkey", "sig"}.
nlohmann::json SignDevTaxStatement(const nlohmann::json& statement, const escrow::crypto::Signer& key);

// Every check a developer can run on a signed statement without the dev fund's node: the
// signature against `expected_pubkey_hex` (the federation entry's nostrHexPubkey), each
// accrual's rounding, the sums, each paid preimage against its hash, owed ≥ 0. Returns one line
// per claim that does not hold (empty: it holds).
std::vector<std::string> VerifyDevTaxStatement(const nlohmann::json& signed_statement,
                                               const std::string& expected_pubkey_hex);

}  // namespace federation
