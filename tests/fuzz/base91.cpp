// basE91 (coordinator/identity/base91.h): any text decodes or is refused; decoding what was
// encoded gives the bytes back; the encoding only uses the alphabet.
#include <cstdint>

#include "coordinator/identity/base91.h"
#include "tests/fuzz/fuzz_support.h"

using namespace coordinator::identity;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzzsupport::AsText(data, size);
  auto decoded = Base91Decode(text);
  if (decoded) {
    // Every string over the alphabet decodes; re-encoding is canonical (possibly different).
    for (char c : text) FUZZ_CHECK(IsBase91Char(c));
    auto again = Base91Decode(Base91Encode(*decoded));
    FUZZ_CHECK(again && *again == *decoded);
  }
  // The input as bytes: encode → decode is the identity.
  const std::string encoded = Base91Encode(data, size);
  for (char c : encoded) FUZZ_CHECK(IsBase91Char(c));
  auto round = Base91Decode(encoded);
  FUZZ_CHECK(round && round->size() == size && std::equal(round->begin(), round->end(), data));
  return 0;
}
