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

// Writes `bytes` to 127.0.0.1:port, then reads one response (headers and Content-Length
// bytes of body), until the peer closes or `timeout` passes. Returns what was read.
std::string RawExchange(int port, const std::string& bytes, std::chrono::milliseconds timeout);

// A connection that sent a request and waits, unanswered.
class OpenConnection {
 public:
  OpenConnection(int port, const std::string& request);
  ~OpenConnection();
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;
  // Reads until the server closes the connection (true) or `timeout` passes (false).
  bool WaitForClose(std::chrono::milliseconds timeout);

 private:
  int m_fd = -1;
};

// How many sockets this process has open.
int OpenSocketCount();

}  // namespace apihttp_test
