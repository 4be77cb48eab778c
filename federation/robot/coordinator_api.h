// One coordinator's RoboSats API as one robot calls it. Requests carry `Authorization: Token …`;
// the first request to a coordinator that does not know the robot yet, and the calls where
// RoboSats' client always sends them (GET /api/robot/, POST /api/make/, GET /api/order/:
// models/Robot.model.ts fetch, Order.model.ts make and fecth use getAuthHeaders()), also carry
// the keys. JSON bodies, as the web client sends them ('Content-Type: application/json').
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"
#include "federation/robot/http_client.h"
#include "federation/robot/robot_dir.h"

namespace federation::robot {

struct ApiReply {
  long status = 0;
  std::string body;
  nlohmann::json json;  // discarded when the body is not JSON

  bool ok() const { return status >= 200 && status < 300; }
  // RoboSats' error JSON ({"error_code": N, "bad_request": "…"} or bad_invoice, bad_statement,
  // bad_address, not_found, …) as "error N: text", or "HTTP <status>: <start of the body>".
  std::string Describe() const;
  // The RoboSats error code, 0 if none.
  int error_code() const;
};

class CoordinatorApi {
 public:
  // `key`: the short alias (or the URL); `url`: its base URL, without a trailing slash.
  CoordinatorApi(std::string key, std::string url, HttpOptions options);

  const std::string& key() const { return m_key; }
  const std::string& url() const { return m_url; }

  // A public call (no Authorization), e.g. "/api/book/?currency=0&type=2".
  base::Expected<ApiReply, std::string> Public(const std::string& path) const;

  // A call as `robot`. `with_keys` sends the first-request header. Errors are transport
  // failures only; a 4xx is an ApiReply.
  base::Expected<ApiReply, std::string> Call(const RobotFiles& robot, const std::string& method,
                                             const std::string& path, const nlohmann::json* body,
                                             bool with_keys) const;

 private:
  std::string m_key, m_url;
  HttpOptions m_options;
};

}  // namespace federation::robot
