// The YAML configuration (config/coordinator_config.h, config/federationd_config.h), as the
// daemons read it at start: never a crash nor an escaping exception; a refusal is a message.
// The first input byte picks the daemon (even: coordinatord, odd: federationd).
#include <cstdint>
#include <string>

#include "config/coordinator_config.h"
#include "config/federationd_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view yaml = fuzzsupport::AsText(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto config = config::ParseCoordinatorConfig(yaml);
    if (!config.ok()) {
      FUZZ_CHECK(!config.error().empty());
    } else {
      (void)config::ListenRefusal(*config);
      (void)config::SimlnStateDir(*config);
    }
  } else {
    auto config = config::ParseFederationdConfig(yaml);
    if (!config.ok()) FUZZ_CHECK(!config.error().empty());
  }
  return 0;
}
