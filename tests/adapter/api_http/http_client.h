// A small libcurl client for driving api::http::HttpServer in tests, plus a raw-socket one
// for requests curl will not send (lying Content-Length, malformed request lines).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace apihttp_test {

struct Call {
  std::string method = "GET";
  std::string url = {};
  std::vector<std::string> headers = {};  // "Name: value"
  std::string body = {};
  bool send_body = false;  // attach `body` (even if empty) as the request body
  std::chrono::milliseconds timeout{10000};
};

struct Reply {
  long status = 0;         // 0: no HTTP response (see error)
  std::string error;       // curl's error, if any
  std::string body = {};
  std::map<std::string, std::string> headers;  // lower-case names, of the final response
  std::string Header(const std::string& lower_name) const;
};

Reply Fetch(const Call& call);
// All calls concurrently over one curl multi handle; replies in the calls' order.
std::vector<Reply> FetchAll(const std::vector<Call>& calls, std::chrono::milliseconds overall_timeout);

// Writes `bytes` to 127.0.0.1:port, then reads until the peer closes, `stop_after` bytes
// were read (0: no limit), or `timeout` passes. Returns what was read.
std::string RawExchange(int port, const std::string& bytes, std::chrono::milliseconds timeout,
                        size_t stop_after = 0);

}  // namespace apihttp_test
