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
  std::string unix_socket = {};  // non-empty: connect to this unix domain socket (url's host ignored)
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

// A raw connection to 127.0.0.1:port that sent `request` (which may be empty or partial).
class OpenConnection {
 public:
  OpenConnection(int port, const std::string& request);
  ~OpenConnection();
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;
  bool connected() const { return m_fd >= 0; }
  // Writes more bytes. False on failure.
  bool Send(const std::string& bytes);
  // Reads until one whole response (headers and Content-Length bytes of body) is in, and
  // returns it (removed from what was read); "" if the connection closes or `timeout` passes
  // first.
  std::string ReadResponse(std::chrono::milliseconds timeout);
  // Reads until the server closes the connection (true) or `timeout` passes (false). What it
  // reads is appended to received().
  bool WaitForClose(std::chrono::milliseconds timeout);
  // What was read and not returned by ReadResponse.
  const std::string& received() const { return m_received; }

 private:
  // Reads once, waiting at most until `deadline`. False on close, error or timeout;
  // `closed` tells close (EOF or reset) from timeout.
  bool ReadSome(std::chrono::steady_clock::time_point deadline, bool* closed);

  int m_fd = -1;
  std::string m_received;
};

// How many sockets this process has open.
int OpenSocketCount();

}  // namespace apihttp_test
