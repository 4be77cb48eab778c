#include "federation/robot/cli.h"

#include <exception>
#include <ostream>

#include "federation/robot/cli_commands.h"

namespace federation::robot {

int RunRobotCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, bool err_is_tty) {
  using namespace cli;
  auto parsed = ParseArgs(argv);
  if (!parsed) {
    err << "robot: " << parsed.error() << "\n(robot --help)\n";
    return kExitUsage;
  }
  Args args = std::move(parsed.value());
  if (args.command.empty()) {
    if (args.help) {
      out << ToolHelp();
      return kExitOk;
    }
    err << ToolHelp();
    return kExitUsage;
  }
  if (args.command == "help") {
    const CommandHelp* about = args.positional.empty() ? nullptr : FindCommand(args.positional[0]);
    out << (about != nullptr ? CommandHelpText(*about) : ToolHelp());
    return kExitOk;
  }
  const CommandHelp* command = FindCommand(args.command);
  if (command == nullptr) {
    err << "robot: unknown command '" << args.command << "'\n(robot --help)\n";
    return kExitUsage;
  }
  if (args.help) {
    out << CommandHelpText(*command);
    return kExitOk;
  }
  Context ctx(args, out, err, err_is_tty);
  if (auto ok = CheckOptions(args, *command); !ok) return ctx.Usage(ok.error());
  if (auto ok = ctx.Prepare(); !ok) return ctx.Usage(ok.error());
  const std::string& name = args.command;
  try {
    if (name == "init") return CmdInit(ctx);
    if (auto loaded = ctx.LoadRobot(); !loaded) return ctx.Fail(loaded.error());
    if (name == "register") return CmdRegister(ctx);
    if (name == "whoami") return CmdWhoami(ctx);
    if (name == "profile") return CmdProfile(ctx);
    if (name == "book") return CmdBook(ctx);
    if (name == "make") return CmdMake(ctx);
    if (name == "take") return CmdTake(ctx);
    if (name == "order") return CmdOrder(ctx);
    if (name == "orders") return CmdOrders(ctx);
    if (name == "pay") return CmdPay(ctx);
    if (name == "invoice") return CmdInvoice(ctx);
    if (name == "confirm") return CmdSimpleAction(ctx, "confirm");
    if (name == "undo-confirm") return CmdSimpleAction(ctx, "undo_confirm");
    if (name == "pause") return CmdSimpleAction(ctx, "pause");
    if (name == "dispute") return CmdSimpleAction(ctx, "dispute");
    if (name == "cancel") return CmdCancel(ctx);
    if (name == "rate") return CmdRate(ctx);
    if (name == "wait") return CmdWait(ctx);
    if (name == "chat") return CmdChat(ctx);
    if (name == "statement") return CmdStatement(ctx);
    if (name == "reward") return CmdReward(ctx);
  } catch (const std::exception& e) {
    // A JSON field of an unexpected type, out of memory: a bug or a strange answer, reported
    // as such (what() names types and fields, never secrets).
    return ctx.Fail(std::string("internal error: ") + e.what());
  }
  return ctx.Usage("unknown command '" + name + "'");
}

}  // namespace federation::robot
