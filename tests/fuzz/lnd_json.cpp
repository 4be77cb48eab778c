// LND's REST answers (escrow/lnd/wire.h), as the lnd backend reads every unary response: never
// a crash nor an escaping exception; a refusal is a kProtocol error (or the RPC's own error).
// The first input byte picks the message.
#include <cstdint>
#include <string>

#include "escrow/lnd/json_reader.h"
#include "escrow/lnd/wire.h"
#include "tests/fuzz/fuzz_support.h"

using namespace escrow;
using namespace escrow::lnd;

namespace {
template <class T>
void Check(const LnResult<T>& r) {
  if (!r.ok()) FUZZ_CHECK(!r.error().message.empty() || r.error().code != LnErrorCode::kProtocol);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body = fuzzsupport::AsText(data + 1, size - 1);
  Hash32 hash{};
  hash[0] = 0x42;
  switch (data[0] % 10) {
    case 0: Check(wire::ParseGetInfo(body)); break;
    case 1: Check(wire::ParseAddHoldInvoiceResp(body, hash)); break;
    case 2: Check(wire::ParseAddInvoiceResponse(body)); break;
    case 3: Check(wire::ParseInvoice(body)); break;
    case 4: Check(wire::ParsePayReq(body)); break;
    case 5: Check(wire::ParsePayment(body)); break;
    case 6: Check(wire::ParseChannelBalance(body)); break;
    case 7: Check(wire::ParseRouteFeeResponse(body)); break;
    case 8: Check(wire::ParseRpcStatus(body)); break;
    default: {
      // The JSON helpers on their own: integers as LND writes them (strings or numbers).
      if (auto v = wire::DecimalToUint64(body)) FUZZ_CHECK(std::to_string(*v).size() <= body.size());
      break;
    }
  }
  return 0;
}
