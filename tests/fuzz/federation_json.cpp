// federation.json (federation/model/federation_json.h), as coordinatord, federationd and the
// `federation` tool read it: never a crash; a file that parses is written in the file's layout,
// and that text parses to the same model and is written the same again.
#include <cstdint>
#include <string>

#include "federation/model/federation_json.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzzsupport::AsText(data, size);
  auto parsed = federation::ParseFederation(text, "federation.json");
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  const std::string written = federation::SerializeFederation(*parsed);
  auto again = federation::ParseFederation(written, "federation.json");
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *parsed);
  FUZZ_CHECK(federation::SerializeFederation(*again) == written);
  return 0;
}
