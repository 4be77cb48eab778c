// librnp fdopen()s the log descriptor a keyring is given and fclose()s it when the keyring is
// destroyed. The keyrings of pgp.cpp must therefore each get a descriptor of their own: with a
// shared one, the first keyring closed it and every later one closed whatever descriptor had
// reused its number (found as coordinatord losing client connections and curl sockets).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "coordinator/identity/pgp.h"
#include "tests/unit/identity/identity_fixtures.h"

namespace identity_test {
namespace {

using coordinator::identity::ValidatePublicKey;

TEST(PgpDescriptors, KeyringsNeverCloseADescriptorTheyDoNotOwn) {
  const std::string key = Fixture("robot_pub.asc");
  const int64_t now = kFixtureKeysCreated + kDay;
  ASSERT_TRUE(ValidatePublicKey(key, now).ok());  // a first keyring came and went
  // New descriptors take the lowest free numbers: the ones a keyring might wrongly close. A
  // socket pair is writable both ways, as curl's wake-up pair is (fdopen(…, "a") of a pipe's
  // read end would fail and hide the bug).
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ValidatePublicKey(key, now).ok());
  EXPECT_NE(::fcntl(fds[0], F_GETFD), -1) << "a keyring closed one end of the pair";
  EXPECT_NE(::fcntl(fds[1], F_GETFD), -1) << "a keyring closed the other end of the pair";
  ASSERT_EQ(::write(fds[1], "x", 1), 1);
  char c = 0;
  EXPECT_EQ(::read(fds[0], &c, 1), 1);
  EXPECT_EQ(c, 'x');
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace identity_test
