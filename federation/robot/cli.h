// The robot CLI (the `robot` executable's whole behaviour; federation/robot_main.cpp only
// hands it argv and the standard streams). See `robot --help` and federation/README.md.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace federation::robot {

// Runs one command. `argv` excludes the program name. Human output and --json results go to
// `out`; errors, warnings and progress lines to `err` (`err_is_tty`: rewrite the progress line
// in place). Returns the exit code: 0 done, 1 failed (refused, unreachable, timed out), 2 usage.
int RunRobotCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, bool err_is_tty);

}  // namespace federation::robot
