// Error bodies of the public API, shaped as RoboSats v0.8.6 answers them, and the few
// answers Django / Django REST framework give before a RoboSats view runs (404, 405).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace api::http {

// RoboSats has no code for a request it cannot parse; its catch-all is 1049 (api/errors.py:
// "The Robotic Satoshis working in the warehouse did not understand you…", returned by
// OrderView when nothing matched the request). We answer malformed JSON, an unsupported
// Content-Type and a body over the limit with it, with our own, specific message.
inline constexpr int kErrorNotUnderstood = 1049;
// RoboSats api/errors.py 1028: "Woah, something broke badly." — our unexpected exceptions.
inline constexpr int kErrorInternal = 1028;

// RoboSats api/errors.py `new_error(code)`: {"error_code": code, <field>: message} where the
// field is "bad_statement" for 2000–2999, "bad_invoice" 3000–3999, "bad_address" 4000–4999,
// "bad_summary" 5000–5999 and "bad_request" otherwise.
nlohmann::json ErrorJson(int code, std::string_view message);

// Django REST framework's NotFound: {"detail": "Not found."}.
nlohmann::json NotFoundJson();
// Django REST framework's MethodNotAllowed: {"detail": "Method \"PATCH\" not allowed."}.
nlohmann::json MethodNotAllowedJson(std::string_view method);
// Our 500: {"error_code": 1028, "bad_request": "Internal error"}. Never the exception text.
nlohmann::json InternalErrorJson();
// Our 503 when a handler's reply does not come within ServerOptions::reply_timeout:
// {"error_code": 1028, "bad_request": "The coordinator did not answer in time. Try again."}.
nlohmann::json ReplyTimeoutJson();

}  // namespace api::http
