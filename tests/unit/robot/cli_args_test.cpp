// The robot CLI's command line: parsing, per-command options, help, usage errors.
#include <gtest/gtest.h>

#include <sstream>

#include "federation/robot/cli.h"
#include "federation/robot/cli_args.h"

namespace {

using namespace federation::robot::cli;

TEST(CliArgs, OptionsMayComeAnywhere) {
  auto a = ParseArgs({"--json", "take", "temple/7", "--wallet=bob", "--federation", "f.json"});
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->command, "take");
  EXPECT_EQ(a->positional, std::vector<std::string>{"temple/7"});
  EXPECT_EQ(a->Get("wallet"), "bob");
  EXPECT_EQ(a->Get("federation"), "f.json");
  EXPECT_TRUE(a->Has("json"));
  auto dash = ParseArgs({"chat", "send", "--", "--not-an-option"});
  ASSERT_TRUE(dash.ok());
  EXPECT_EQ(dash->positional, (std::vector<std::string>{"send", "--not-an-option"}));
  EXPECT_FALSE(ParseArgs({"make", "--amount"}).ok());
  EXPECT_FALSE(ParseArgs({"--json=yes"}).ok());
}

TEST(CliArgs, EachCommandTakesItsOwnOptionsOnly) {
  auto a = ParseArgs({"confirm", "--wallet", "bob"});
  ASSERT_TRUE(a.ok());
  auto checked = CheckOptions(*a, *FindCommand("confirm"));
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().find("--wallet"), std::string::npos);
  auto b = ParseArgs({"pay", "--wallet", "bob", "--url", "http://x", "--json"});
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(CheckOptions(*b, *FindCommand("pay")).ok());
}

int RunCli(const std::vector<std::string>& argv, std::string* out_text = nullptr, std::string* err_text = nullptr) {
  std::stringstream out, err;
  int code = federation::robot::RunRobotCli(argv, out, err, false);
  if (out_text) *out_text = out.str();
  if (err_text) *err_text = err.str();
  return code;
}

TEST(CliArgs, HelpForTheToolAndEveryCommand) {
  std::string out;
  EXPECT_EQ(RunCli({"--help"}, &out), 0);
  for (const auto& c : Commands()) {
    EXPECT_NE(out.find(std::string("  ") + c.name), std::string::npos) << c.name;
    std::string command_help;
    EXPECT_EQ(RunCli({c.name, "--help"}, &command_help), 0) << c.name;
    EXPECT_NE(command_help.find(std::string("usage: robot ") + c.name), std::string::npos) << command_help;
  }
  EXPECT_EQ(RunCli({"help", "make"}, &out), 0);
  EXPECT_NE(out.find("--premium"), std::string::npos);
}

TEST(CliArgs, UsageErrorsExitTwoAndSayWhy) {
  std::string err;
  EXPECT_EQ(RunCli({}, nullptr, &err), 2);
  EXPECT_EQ(RunCli({"fly"}, nullptr, &err), 2);
  EXPECT_NE(err.find("unknown command 'fly'"), std::string::npos);
  EXPECT_EQ(RunCli({"confirm", "--wallet", "x"}, nullptr, &err), 2);
  EXPECT_EQ(RunCli({"book", "--timeout", "0"}, nullptr, &err), 2);
  EXPECT_EQ(RunCli({"book", "--proxy", "socks5://127.0.0.1:9050"}, nullptr, &err), 2);
  EXPECT_NE(err.find("socks5h"), std::string::npos) << err;
}

TEST(CliArgs, NoRobotYetIsAClearFailure) {
  std::string err;
  EXPECT_EQ(RunCli({"whoami", "--dir", "/nonexistent/robot-dir"}, nullptr, &err), 1);
  EXPECT_NE(err.find("robot init"), std::string::npos) << err;
}

}  // namespace
