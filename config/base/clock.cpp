#include "config/base/clock.h"

namespace base {

int64_t Clock::NowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
}

}  // namespace base
