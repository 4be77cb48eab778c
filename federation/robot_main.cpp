// robot: the trader's command line for a federation of RoboSats-compatible coordinators.
// Everything is in federation/robot/ (cli.h); this only hands over argv and the streams.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "federation/robot/cli.h"

int main(int argc, char** argv) {
  // A coordinator or wallet that closes the connection mid-write must not kill the process.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  return federation::robot::RunRobotCli(args, std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1);
}
