#include "federation/robot/coordinator_api.h"

#include "federation/robot/auth_header.h"

namespace federation::robot {
namespace {

// RoboSats puts the reason under one of these names (api/errors.py new_error uses
// "bad_request"; the invoice, address and statement checks their own; the book "not_found").
constexpr const char* kReasonFields[] = {"bad_request", "bad_invoice", "bad_address", "bad_statement",
                                         "not_found",   "bad_message", "detail"};

}  // namespace

int ApiReply::error_code() const {
  if (json.is_object() && json.contains("error_code") && json["error_code"].is_number_integer()) {
    return json["error_code"].get<int>();
  }
  return 0;
}

std::string ApiReply::Describe() const {
  std::string reason;
  if (json.is_object()) {
    for (const char* field : kReasonFields) {
      if (json.contains(field) && json[field].is_string()) {
        reason = json[field].get<std::string>();
        break;
      }
    }
    if (reason.empty()) {
      // Django REST framework's field errors: {"field": ["message"]}.
      for (const auto& [key, value] : json.items()) {
        if (value.is_array() && !value.empty() && value[0].is_string()) {
          reason = key + ": " + value[0].get<std::string>();
          break;
        }
      }
    }
  }
  if (int code = error_code(); code != 0) return "error " + std::to_string(code) + ": " + reason;
  if (!reason.empty()) return "HTTP " + std::to_string(status) + ": " + reason;
  std::string start = body.substr(0, 300);
  for (char& c : start) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return "HTTP " + std::to_string(status) + (start.empty() ? "" : ": " + start);
}

CoordinatorApi::CoordinatorApi(std::string key, std::string url, HttpOptions options)
    : m_key(std::move(key)), m_url(std::move(url)), m_options(std::move(options)) {
  while (!m_url.empty() && m_url.back() == '/') m_url.pop_back();
}

namespace {

ApiReply ToReply(HttpResponse r) {
  ApiReply reply;
  reply.status = r.status;
  reply.body = std::move(r.body);
  reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  return reply;
}

}  // namespace

base::Expected<ApiReply, std::string> CoordinatorApi::Public(const std::string& path) const {
  auto r = HttpCall("GET", m_url + path, {"Accept: application/json"}, "", m_options);
  if (!r) return base::Err(r.error());
  return ToReply(std::move(r.value()));
}

base::Expected<ApiReply, std::string> CoordinatorApi::Call(const RobotFiles& robot, const std::string& method,
                                                           const std::string& path, const nlohmann::json* body,
                                                           bool with_keys) const {
  const std::string authorization =
      with_keys ? FirstRequestAuthorization(robot.derived.token_sha256_b91, robot.public_armored,
                                            robot.encrypted_private_armored, robot.derived.nostr_pubkey)
                : TokenAuthorization(robot.derived.token_sha256_b91);
  std::vector<std::string> headers = {"Authorization: " + authorization, "Accept: application/json"};
  std::string payload;
  if (body != nullptr) {
    headers.push_back("Content-Type: application/json");
    payload = body->dump();
  }
  auto r = HttpCall(method, m_url + path, headers, payload, m_options);
  if (!r) return base::Err(r.error());
  return ToReply(std::move(r.value()));
}

}  // namespace federation::robot
