// BOLT 11 decode (escrow/bolt11.h), as every payout invoice, reward invoice and LND answer is
// read: never a crash; an invoice that decodes re-encodes with its signature to the input
// (lower-cased) byte for byte, and that encoding decodes to the same fields.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "escrow/bolt11.h"
#include "tests/fuzz/fuzz_support.h"

using namespace escrow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzzsupport::AsText(data, size);
  auto inv = bolt11::Decode(text);
  if (!inv.ok()) return 0;
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string again = bolt11::EncodeWithSignature(*inv);
  FUZZ_CHECK(again == lower);
  auto re = bolt11::Decode(again);
  FUZZ_CHECK(re.ok());
  FUZZ_CHECK(re->amount_msat == inv->amount_msat && re->payment_hash == inv->payment_hash &&
             re->payee_pubkey == inv->payee_pubkey && re->expiry_seconds == inv->expiry_seconds &&
             re->timestamp == inv->timestamp && re->description == inv->description);
  FUZZ_CHECK(bolt11::SigningHash(*re) == bolt11::SigningHash(*inv));
  return 0;
}
