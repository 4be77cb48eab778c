#include "api/http/errors.h"

namespace api::http {

nlohmann::json ErrorJson(int code, std::string_view message) {
  // RoboSats api/errors.py, new_error(): the message field is named after the code's range.
  const char* field = "bad_request";
  if (code >= 2000 && code < 3000) field = "bad_statement";
  if (code >= 3000 && code < 4000) field = "bad_invoice";
  if (code >= 4000 && code < 5000) field = "bad_address";
  if (code >= 5000 && code < 6000) field = "bad_summary";
  return nlohmann::json{{"error_code", code}, {field, std::string(message)}};
}

nlohmann::json NotFoundJson() { return nlohmann::json{{"detail", "Not found."}}; }

nlohmann::json MethodNotAllowedJson(std::string_view method) {
  return nlohmann::json{{"detail", "Method \"" + std::string(method) + "\" not allowed."}};
}

nlohmann::json InternalErrorJson() { return ErrorJson(kErrorInternal, "Internal error"); }

nlohmann::json ReplyTimeoutJson() {
  return ErrorJson(kErrorInternal, "The coordinator did not answer in time. Try again.");
}

}  // namespace api::http
