#include "escrow/simln/control_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace escrow::simln {
namespace {

using nlohmann::json;

base::Expected<json, std::string> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::Err("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  json doc = json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded()) return base::Err("malformed JSON in " + path);
  return doc;
}

std::string StringField(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

base::Expected<std::vector<ServedNode>, std::string> LoadServedNodes(const std::string& state_dir) {
  std::string path = state_dir + "/nodes.json";
  auto doc = ReadJson(path);
  if (!doc) return base::Err(doc.error());
  if (!doc->is_array()) return base::Err(path + " is not a JSON array");
  std::vector<ServedNode> nodes;
  for (const auto& entry : *doc) {
    if (!entry.is_object()) return base::Err(path + ": entries must be objects");
    ServedNode n;
    n.name = StringField(entry, "name");
    n.pubkey = StringField(entry, "pubkey");
    n.rest_url = StringField(entry, "rest_url");
    n.macaroon_path = StringField(entry, "macaroon_path");
    n.tls_cert_path = StringField(entry, "tls_cert_path");
    if (n.name.empty() || n.rest_url.empty()) return base::Err(path + ": an entry lacks name or rest_url");
    nodes.push_back(std::move(n));
  }
  return nodes;
}

base::Expected<ControlEndpoint, std::string> LoadControlEndpoint(const std::string& state_dir) {
  std::string path = state_dir + "/control.json";
  auto doc = ReadJson(path);
  if (!doc) return base::Err(doc.error());
  if (!doc->is_object()) return base::Err(path + " is not a JSON object");
  std::string url = StringField(*doc, "url");
  std::string token_path = StringField(*doc, "token_path");
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return base::Err(path + ": url must start with http://");
  std::string authority = url.substr(scheme.size());
  if (size_t slash = authority.find('/'); slash != std::string::npos) authority.resize(slash);
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos) return base::Err(path + ": url has no port");
  ControlEndpoint ep;
  ep.host = authority.substr(0, colon);
  if (ep.host.size() >= 2 && ep.host.front() == '[' && ep.host.back() == ']')
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(authority.substr(colon + 1));
  } catch (const std::exception&) {
    port = 0;
  }
  if (port <= 0 || port > 65535) return base::Err(path + ": bad port in url");
  ep.port = static_cast<uint16_t>(port);
  std::ifstream tin(token_path);
  if (!tin) return base::Err("cannot read the control token " + token_path);
  std::getline(tin, ep.token);
  while (!ep.token.empty() && (ep.token.back() == '\r' || ep.token.back() == ' ')) ep.token.pop_back();
  if (ep.token.empty()) return base::Err("empty control token " + token_path);
  return ep;
}

base::Expected<ControlReply, std::string> CallControl(const ControlEndpoint& endpoint,
                                                      const std::string& method, const std::string& path,
                                                      const std::optional<json>& body,
                                                      std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* res = nullptr;
  std::string port = std::to_string(endpoint.port);
  if (::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &res) != 0) {
    return base::Err("bad control host " + endpoint.host);
  }
  int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
  if (fd < 0 || ::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    std::string err = std::strerror(errno);
    ::freeaddrinfo(res);
    if (fd >= 0) ::close(fd);
    return base::Err("cannot connect to the control API at " + endpoint.host + ":" + port + ": " + err);
  }
  ::freeaddrinfo(res);
  std::string payload = body ? body->dump() : std::string();
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + endpoint.host + ":" + port +
                        "\r\nAuthorization: Bearer " + endpoint.token + "\r\nConnection: close\r\n";
  if (body) request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload;
  for (size_t off = 0; off < request.size();) {
    ssize_t n = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return base::Err(std::string("control API write failed: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  std::string response;
  char buf[8192];
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::close(fd);
      return base::Err(std::string("control API timed out"));
    }
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return base::Err(std::string("control API read failed: ") + std::strerror(errno));
    }
    if (n == 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || response.size() < 12) {
    return base::Err(std::string("control API answered something that is not HTTP"));
  }
  ControlReply reply;
  try {
    reply.status = std::stoi(response.substr(9, 3));
  } catch (const std::exception&) {
    return base::Err(std::string("control API answered a bad status line"));
  }
  reply.body = json::parse(response.substr(head_end + 4), nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

}  // namespace escrow::simln
