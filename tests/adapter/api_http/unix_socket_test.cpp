// HttpServer on a unix domain socket (the operator's admin API): owner-only file, stale
// files replaced, a live listener's file left alone, the file removed at Stop.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "tests/adapter/api_http/http_client.h"
#include "tests/adapter/api_http/server_fixture.h"

namespace api::http {
namespace {

using apihttp_test::Fetch;

class UnixSocketTest : public HttpServerTest {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/api_http_unix_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    m_dir = pattern;
    m_path = m_dir + "/admin.sock";
  }
  void TearDown() override {
    m_server.Stop();
    std::filesystem::remove_all(m_dir);
  }
  ServerOptions UnixOptions() const {
    ServerOptions options;
    options.unix_socket_path = m_path;
    return options;
  }
  Reply GetOverUnix(const std::string& path) const {
    return Fetch({.url = "http://localhost" + path, .unix_socket = m_path});
  }

  std::string m_dir;
  std::string m_path;
};

// A socket file bound by a process that is gone: nobody accepts on it.
void MakeStaleSocketFile(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
}

TEST_F(UnixSocketTest, ServesOnAnOwnerOnlySocketFileRemovedAtStop) {
  StartServer(UnixOptions());
  struct stat st {};
  ASSERT_EQ(::stat(m_path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const Reply reply = GetOverUnix("/api/echo/?via=unix");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(Json(reply)["query"]["via"], "unix");
  EXPECT_EQ(Json(reply)["remote_ip"], "unix");
  m_server.Stop();
  EXPECT_FALSE(std::filesystem::exists(m_path));
}

TEST_F(UnixSocketTest, AStaleSocketFileIsReplacedAndALiveOneIsNot) {
  MakeStaleSocketFile(m_path);
  StartServer(UnixOptions());
  EXPECT_EQ(GetOverUnix("/api/echo/").status, 200);

  HttpServer second;
  const auto status = second.Start(UnixOptions());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message.find("another server listens there"), std::string::npos) << status.message;
  EXPECT_EQ(GetOverUnix("/api/echo/").status, 200);  // the first one still serves
}

TEST_F(UnixSocketTest, AFileThatIsNotASocketIsLeftAlone) {
  { std::ofstream(m_path) << "data"; }
  HttpServer server;
  const auto status = server.Start(UnixOptions());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message.find("not a socket"), std::string::npos) << status.message;
  EXPECT_TRUE(std::filesystem::is_regular_file(m_path));
}

}  // namespace
}  // namespace api::http
