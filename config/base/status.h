// Status: the error of the layers above escrow/. `code` is RoboSats' error number where one
// exists (API.md: 1000–1056 orders, 3000–3005 invoices, 7000–7004 auth, …) or one of the
// generic codes below; `message` is safe to show to the client (never a secret).
#pragma once

#include <string>
#include <utility>

#include "config/base/expected.h"

namespace base {

struct Status {
  // Generic codes, outside RoboSats' ranges.
  static constexpr int kOk = 0;
  static constexpr int kInvalid = 1;       // input rejected
  static constexpr int kNotFound = 2;
  static constexpr int kUnavailable = 3;   // a dependency is down; retry later
  static constexpr int kInternal = 4;      // a bug or a broken invariant

  int code = kOk;
  std::string message;

  static Status Ok() { return {}; }
  static Status Error(int code, std::string message) { return {code, std::move(message)}; }
  bool ok() const { return code == kOk; }
};

template <class T>
using Result = Expected<T, Status>;

}  // namespace base
