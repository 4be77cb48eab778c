// The robot CLI's command line: `robot [OPTIONS] COMMAND [ARGS] [OPTIONS]`. Options may come
// before or after the command; `--name value` and `--name=value` are the same; `--` ends the
// options. Each command accepts the global options plus its own; anything else is a usage
// error that names the option.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/base/expected.h"

namespace federation::robot::cli {

struct Args {
  std::string command;               // "" when none was given
  std::vector<std::string> positional;  // after the command
  std::map<std::string, std::string> values;  // --name value
  std::set<std::string> switches;             // --json, --help, …
  bool help = false;

  std::optional<std::string> Get(const std::string& name) const;
  bool Has(const std::string& name) const { return switches.count(name) > 0; }
};

// Splits argv (without the program name). Errors: an option that needs a value at the end.
base::Expected<Args, std::string> ParseArgs(const std::vector<std::string>& argv);

// The commands, in the order `robot --help` lists them.
struct CommandHelp {
  const char* name;
  const char* synopsis;     // "take ORDER [--amount N] [--password P] [--wallet NAME]"
  const char* summary;      // one line
  const char* details;      // the paragraph `robot COMMAND --help` adds
  std::vector<const char*> options;  // accepted besides the global ones (value options and switches)
};
const std::vector<CommandHelp>& Commands();
const CommandHelp* FindCommand(const std::string& name);

// `robot --help` and `robot COMMAND --help`.
std::string ToolHelp();
std::string CommandHelpText(const CommandHelp& command);

// Usage errors: an option the command does not take, a missing or extra argument.
base::Expected<void, std::string> CheckOptions(const Args& args, const CommandHelp& command);

}  // namespace federation::robot::cli
