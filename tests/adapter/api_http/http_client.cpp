#include "tests/adapter/api_http/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include <curl/curl.h>

namespace apihttp_test {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<Reply*>(user)->body.append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<Reply*>(user);
  std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    reply->headers.clear();  // a new response (after 100 Continue)
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(value.begin());
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  reply->headers[name] = value;
  return size * count;
}

struct Easy {
  CURL* handle = nullptr;
  curl_slist* headers = nullptr;
  ~Easy() {
    if (headers) curl_slist_free_all(headers);
    if (handle) curl_easy_cleanup(handle);
  }
};

std::unique_ptr<Easy> Prepare(const Call& call, Reply* reply) {
  GlobalInit();
  auto easy = std::make_unique<Easy>();
  easy->handle = curl_easy_init();
  CURL* h = easy->handle;
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (call.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (call.send_body) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  for (const auto& header : call.headers) easy->headers = curl_slist_append(easy->headers, header.c_str());
  if (easy->headers) curl_easy_setopt(h, CURLOPT_HTTPHEADER, easy->headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, reply);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  if (!call.unix_socket.empty()) curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, call.unix_socket.c_str());
  return easy;
}

// Reads one response: headers, then Content-Length bytes of body.
bool ResponseComplete(const std::string& data) {
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  std::string head = data.substr(0, end);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = head.find("content-length:");
  if (at == std::string::npos) return true;
  const size_t length = std::stoul(head.substr(at + 15));
  return data.size() >= end + 4 + length;
}

}  // namespace

std::string Reply::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

Reply Fetch(const Call& call) {
  Reply reply;
  auto easy = Prepare(call, &reply);
  const CURLcode rc = curl_easy_perform(easy->handle);
  if (rc != CURLE_OK) reply.error = curl_easy_strerror(rc);
  curl_easy_getinfo(easy->handle, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

std::vector<Reply> FetchAll(const std::vector<Call>& calls, std::chrono::milliseconds overall_timeout) {
  GlobalInit();
  std::vector<Reply> replies(calls.size());
  std::vector<std::unique_ptr<Easy>> easies;
  CURLM* multi = curl_multi_init();
  for (size_t i = 0; i < calls.size(); ++i) {
    easies.push_back(Prepare(calls[i], &replies[i]));
    curl_easy_setopt(easies.back()->handle, CURLOPT_PRIVATE, reinterpret_cast<char*>(i));
    curl_multi_add_handle(multi, easies.back()->handle);
  }
  const auto deadline = std::chrono::steady_clock::now() + overall_timeout;
  int running = 1;
  while (running > 0 && std::chrono::steady_clock::now() < deadline) {
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      char* index = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &index);
      Reply& reply = replies[reinterpret_cast<size_t>(index)];
      if (msg->data.result != CURLE_OK) reply.error = curl_easy_strerror(msg->data.result);
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &reply.status);
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (auto& easy : easies) curl_multi_remove_handle(multi, easy->handle);
  easies.clear();
  curl_multi_cleanup(multi);
  return replies;
}

namespace {

// A socket connected to 127.0.0.1:port that sent `bytes`; -1 on failure.
int ConnectAndSend(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  return fd;
}

}  // namespace

OpenConnection::OpenConnection(int port, const std::string& request) : m_fd(ConnectAndSend(port, request)) {}

OpenConnection::~OpenConnection() {
  if (m_fd >= 0) ::close(m_fd);
}

bool OpenConnection::Send(const std::string& bytes) {
  if (m_fd < 0) return false;
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(m_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool OpenConnection::ReadSome(std::chrono::steady_clock::time_point deadline, bool* closed) {
  *closed = false;
  if (m_fd < 0) {
    *closed = true;
    return false;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd pfd{m_fd, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
  char buffer[4096];
  const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
  if (n <= 0) {
    *closed = true;  // EOF or reset
    return false;
  }
  m_received.append(buffer, static_cast<size_t>(n));
  return true;
}

std::string OpenConnection::ReadResponse(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool closed = false;
  while (!ResponseComplete(m_received)) {
    if (!ReadSome(deadline, &closed)) return {};
  }
  const size_t end = m_received.find("\r\n\r\n") + 4;
  std::string head = m_received.substr(0, end);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = head.find("content-length:");
  const size_t length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 15));
  std::string response = m_received.substr(0, end + length);
  m_received.erase(0, end + length);
  return response;
}

bool OpenConnection::WaitForClose(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool closed = false;
  while (ReadSome(deadline, &closed)) {
  }
  return closed;
}

int OpenSocketCount() {
  int count = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      char target[64] = {};
      const std::string link = std::string("/proc/self/fd/") + entry->d_name;
      if (::readlink(link.c_str(), target, sizeof target - 1) > 0 && std::string(target).rfind("socket:", 0) == 0) {
        ++count;
      }
    }
    ::closedir(dir);
  }
  return count;
}

std::string RawExchange(int port, const std::string& bytes, std::chrono::milliseconds timeout) {
  const int fd = ConnectAndSend(port, bytes);
  if (fd < 0) return {};
  std::string received;
  {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    while (!ResponseComplete(received)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      received.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return received;
}

}  // namespace apihttp_test
