// BOLT 11 as simln's nodes write and read it: the network ↔ prefix table, the invoice a node
// signs for AddInvoice/AddHoldInvoice (LND's field choices), and bolt11::Invoice → PayReq.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "escrow/bolt11.h"
#include "escrow/lightning_node.h"

namespace escrow::simln {

// "regtest" → "bcrt", "mainnet" → "bc", "testnet" → "tb", "signet" → "tbs", "simnet" → "sb".
std::optional<std::string> Bolt11PrefixForNetwork(std::string_view network);

struct PayReqFields {
  std::string network_prefix;
  Hash32 payment_hash{};
  Hash32 payment_secret{};
  int64_t amount_msat = 0;                 // 0: no amount ("any amount")
  int64_t timestamp = 0;                   // Unix seconds
  std::string memo;                        // written as `d` unless description_hash is set
  std::optional<Hash32> description_hash;  // written as `h`
  int64_t expiry_seconds = 0;
  uint64_t min_final_cltv_expiry = 0;
};

// Builds and signs the payment request. Features as LND 0.17 sets them on invoices:
// var_onion_optin and payment_secret required (bits 8 and 14), basic_mpp optional (17).
std::string EncodePayReq(const PayReqFields& fields, const crypto::Signer& signer);

// LND REST: lnrpc.PayReq as GET /v1/payreq/{pay_req} returns it for a decoded invoice.
PayReq ToPayReq(const bolt11::Invoice& inv);

}  // namespace escrow::simln
