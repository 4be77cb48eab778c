// The robot CLI's commands (internal). Each returns the process's exit code.
#pragma once

#include "federation/robot/cli_context.h"
#include "federation/robot/trade_step.h"

namespace federation::robot::cli {

// cli_identity.cpp
int CmdInit(Context& ctx);
int CmdRegister(Context& ctx);
int CmdWhoami(Context& ctx);
int CmdProfile(Context& ctx);

// cli_orders.cpp
int CmdBook(Context& ctx);
int CmdMake(Context& ctx);
int CmdTake(Context& ctx);
int CmdOrder(Context& ctx);
int CmdOrders(Context& ctx);
int CmdSimpleAction(Context& ctx, const char* action);  // confirm, undo_confirm, pause, dispute
int CmdCancel(Context& ctx);
int CmdRate(Context& ctx);
int CmdWait(Context& ctx);

// cli_money.cpp
int CmdPay(Context& ctx);
int CmdInvoice(Context& ctx);
int CmdReward(Context& ctx);
// Pays the bond due now on `ref` from --wallet and waits for the coordinator to see it
// (make/take --wallet). Returns the exit code.
int PayDue(Context& ctx, const OrderRef& ref);

// cli_chat.cpp
int CmdChat(Context& ctx);
int CmdStatement(Context& ctx);

// Shared by the commands (cli_orders.cpp): the order view in a few human lines, and the next
// step as JSON ({kind, text, status, invoice?, sats?}).
void PrintOrder(Context& ctx, const OrderRef& ref, const Json& view);
Json StepJson(const NextStep& step);

}  // namespace federation::robot::cli
