// LND's streams (escrow/lnd/line_framer.h and wire.h's stream lines), as the lnd backend reads
// SubscribeSingleInvoice, SendPaymentV2 and TrackPaymentV2: bytes arrive in chunks (the first
// input byte seeds the chunk sizes, the second picks the stream), are framed into lines, and
// each line is parsed. Never a crash; the framing does not depend on how the bytes were
// chunked, and drops no non-blank line.
#include <cstdint>
#include <string>
#include <vector>

#include "escrow/lnd/line_framer.h"
#include "escrow/lnd/wire.h"
#include "tests/fuzz/fuzz_support.h"

using namespace escrow;
using namespace escrow::lnd;

namespace {
constexpr size_t kMaxLine = 64 * 1024;  // small, so that the fuzzer reaches the overflow

struct Framed {
  std::vector<std::string> lines;
  bool overflow = false;
};

Framed Frame(std::string_view bytes, uint8_t seed) {
  Framed out;
  LineFramer framer(kMaxLine);
  size_t pos = 0;
  uint32_t state = seed;
  while (pos < bytes.size()) {
    state = state * 1103515245u + 12345u;
    const size_t chunk = seed == 0 ? bytes.size() : 1 + (state >> 16) % 64;
    const std::string_view piece = bytes.substr(pos, chunk);
    pos += piece.size();
    if (!framer.Append(piece)) {
      out.overflow = true;
      return out;
    }
    for (auto& line : framer.TakeLines()) out.lines.push_back(std::move(line));
  }
  framer.Finish();
  for (auto& line : framer.TakeLines()) out.lines.push_back(std::move(line));
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t seed = data[0];
  const bool payments = data[1] % 2 == 1;
  const std::string_view bytes = fuzzsupport::AsText(data + 2, size - 2);
  const Framed chunked = Frame(bytes, seed);
  const Framed whole = Frame(bytes, 0);
  if (!chunked.overflow && !whole.overflow) FUZZ_CHECK(chunked.lines == whole.lines);
  for (const std::string& line : chunked.lines) {
    FUZZ_CHECK(line.find('\n') == std::string::npos);
    FUZZ_CHECK(line.find_first_not_of(" \t") != std::string::npos);
    if (payments) {
      auto item = wire::ParsePaymentStreamLine(line);
      (void)item;
    } else {
      auto item = wire::ParseInvoiceStreamLine(line);
      (void)item;
    }
  }
  return 0;
}
