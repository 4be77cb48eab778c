// Client side of a running simln daemon's state directory, for the `simln` CLI and tests:
// reads nodes.json and control.json, and calls the control API (plain HTTP on loopback).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/base/expected.h"
#include "escrow/simln/embedded.h"

namespace escrow::simln {

// <state>/nodes.json. Errors: missing file, malformed JSON.
base::Expected<std::vector<ServedNode>, std::string> LoadServedNodes(const std::string& state_dir);

struct ControlEndpoint {
  std::string host;  // as in the URL (IPv6 without brackets)
  uint16_t port = 0;
  std::string token;  // secret: never print it
};

// <state>/control.json and the token file it names.
base::Expected<ControlEndpoint, std::string> LoadControlEndpoint(const std::string& state_dir);

struct ControlReply {
  int status = 0;
  nlohmann::json body;  // the parsed JSON body (null if not JSON)
};

// One request (Connection: close). Errors: connect/IO failures, timeout, a non-HTTP answer.
base::Expected<ControlReply, std::string> CallControl(
    const ControlEndpoint& endpoint, const std::string& method, const std::string& path,
    const std::optional<nlohmann::json>& body = std::nullopt,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace escrow::simln
