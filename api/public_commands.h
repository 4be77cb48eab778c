// The typed engine command of each public request that carries fields, built from the request's
// body (Fields): what api/public_api.cpp's handlers submit, without authentication, rate limits
// or the engine, so that tests/fuzz drives the same parsing the handlers run.
//
// Each returns nullopt when a field is refused; the reason is then in `f.error()` (1049).
#pragma once
#include <cstdint>
#include <optional>

#include "api/fields.h"
#include "coordinator/commands.h"

namespace api {

// POST /api/make/.
std::optional<coordinator::Command> MakeCommand(Fields& f);
// POST /api/order/?order_id=<order_id> {"action": …}.
std::optional<coordinator::Command> OrderActionCommand(int64_t order_id, Fields& f);
// POST /api/review/ {"pubkey": …}.
std::optional<coordinator::Command> ReviewCommand(Fields& f);
// POST /api/stealth/ {"wantsStealth": …}.
std::optional<coordinator::Command> StealthCommand(Fields& f);

}  // namespace api
