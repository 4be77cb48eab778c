// pay, invoice, reward: the money a robot moves.
#include <algorithm>
#include <charconv>
#include <ostream>

#include "escrow/bolt11.h"
#include "federation/robot/cli_commands.h"
#include "federation/robot/payout.h"
#include "federation/robot/pgp_messages.h"
#include "federation/robot/trade_step.h"

namespace federation::robot::cli {
namespace {

std::optional<int64_t> IntArg(const std::string& text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max) return std::nullopt;
  return v;
}

// A routing fee budget for paying a hold invoice of `sats`: --fee-limit-sat, else 1 % (at
// least 10 sats).
base::Expected<int64_t, std::string> FeeLimit(const Context& ctx, int64_t sats) {
  if (auto flag = ctx.args().Get("fee-limit-sat")) {
    auto v = IntArg(*flag, 0, 21'000'000'00000000LL);
    if (!v) return base::Err(std::string("--fee-limit-sat must be a number of sats"));
    return *v;
  }
  return std::max<int64_t>(10, sats / 100);
}

// The invoice's amount in whole sats, as the client reads it:
// Math.floor(decoded.sections[2].value / 1000) (LightningPayout.tsx validateInvoice).
base::Expected<int64_t, std::string> InvoiceSats(const std::string& payreq) {
  auto decoded = escrow::bolt11::Decode(payreq);
  if (!decoded) return base::Err("not a BOLT 11 invoice: " + decoded.error());
  if (!decoded->amount_msat) return base::Err(std::string("the invoice has no amount"));
  return static_cast<int64_t>(*decoded->amount_msat / 1000);
}

// --invoice (checked for `sats`), or a new invoice of `sats` from --wallet.
base::Expected<std::string, std::string> InvoiceFor(Context& ctx, int64_t sats, const std::string& memo) {
  auto given = ctx.args().Get("invoice");
  auto wallet_name = ctx.args().Get("wallet");
  if (given && wallet_name) return base::Err(std::string("give --wallet or --invoice, not both"));
  if (given) {
    auto amount = InvoiceSats(*given);
    if (!amount) return base::Err(amount.error());
    if (*amount != sats) {
      return base::Err("Invalid invoice amount: it is for " + std::to_string(*amount) + " sats, expected exactly " +
                       std::to_string(sats));
    }
    return *given;
  }
  if (!wallet_name) {
    return base::Err("give --wallet NAME (to make the invoice there) or --invoice PAYREQ, for exactly " +
                     std::to_string(sats) + " sats");
  }
  auto wallet = ctx.OpenWallet(*wallet_name);
  if (!wallet) return base::Err(wallet.error());
  return (*wallet)->CreateInvoice(sats, memo);
}

int PayStep(Context& ctx, const OrderRef& ref, const NextStep& step, const std::string& what);

}  // namespace

int PayDue(Context& ctx, const OrderRef& ref) {
  auto view = ctx.GetOrder(ref);
  if (!view) return ctx.Fail(view.error());
  if (!view->ok()) return ctx.Refused(Describe(ref), *view);
  const NextStep step = NextStepOf(view->json);
  if (step.kind != StepKind::kPayBond && step.kind != StepKind::kPayEscrow) {
    return ctx.Fail("nothing to pay on " + Describe(ref) + " now: " + step.text);
  }
  const std::string what = step.kind == StepKind::kPayBond ? "bond" : "escrow";
  NextStep due = step;
  if (due.invoice.empty()) {
    // The coordinator makes the hold invoice right after the make/take/contract: wait for it.
    auto ready = ctx.WaitOrder(
        ref, [&](const Json& v) { return !NextStepOf(v).invoice.empty() || NextStepOf(v).kind != step.kind; },
        "the coordinator's " + what + " invoice");
    if (!ready) return ctx.Fail(ready.error());
    due = NextStepOf(*ready);
    if (due.kind != step.kind || due.invoice.empty()) return ctx.Fail("nothing to pay on " + Describe(ref) + " now: " + due.text);
  }
  return PayStep(ctx, ref, due, what);
}

namespace {

int PayStep(Context& ctx, const OrderRef& ref, const NextStep& step, const std::string& what) {
  Json result = {{"coordinator", ref.coordinator}, {"id", ref.id}, {"kind", what}, {"invoice", step.invoice},
                 {"sats", step.sats}};
  auto wallet_name = ctx.args().Get("wallet");
  if (!wallet_name) {
    ctx.Say("Pay this " + what + " hold invoice of " + std::to_string(step.sats) + " sats:");
    ctx.Say(step.invoice);
    if (!ctx.args().Has("wait")) return ctx.Done(result);
  } else {
    auto fee = FeeLimit(ctx, step.sats);
    if (!fee) return ctx.Usage(fee.error());
    auto wallet = ctx.OpenWallet(*wallet_name);
    if (!wallet) return ctx.Fail(wallet.error());
    auto paid = (*wallet)->Pay(step.invoice, *fee, std::min<std::chrono::milliseconds>(ctx.timeout(), std::chrono::seconds(60)));
    if (!paid) return ctx.Fail(paid.error());
    result["wallet"] = *wallet_name;
    result["payment"] = paid->state;
    ctx.Say("Paid the " + what + " of " + std::to_string(step.sats) + " sats from " + *wallet_name + " (" + paid->state +
            (paid->state == "IN_FLIGHT" ? ": held by the coordinator" : "") + ").");
    if (ctx.args().Has("no-wait")) return ctx.Done(result);
  }
  auto after = ctx.WaitOrder(
      ref, [&](const Json& v) { return NextStepOf(v).invoice != step.invoice; },
      "the coordinator to see the " + what + " locked");
  if (!after) return ctx.Fail(after.error());
  PrintOrder(ctx, ref, *after);
  result["order"] = *after;
  result["next"] = StepJson(NextStepOf(*after));
  return ctx.Done(result);
}

}  // namespace

int CmdPay(Context& ctx) {
  if (ctx.args().positional.size() > 1) return ctx.Usage("usage: robot pay [ORDER] [--wallet NAME]");
  if (ctx.args().Has("wait") && ctx.args().Has("no-wait")) return ctx.Usage("--wait or --no-wait, not both");
  auto ref = ctx.ResolveOrder(ctx.args().positional.empty() ? "" : ctx.args().positional[0]);
  if (!ref) return ctx.Usage(ref.error());
  return PayDue(ctx, *ref);
}

int CmdInvoice(Context& ctx) {
  if (ctx.args().positional.size() > 1) return ctx.Usage("usage: robot invoice [ORDER] (--wallet NAME | --invoice PAYREQ)");
  auto ref = ctx.ResolveOrder(ctx.args().positional.empty() ? "" : ctx.args().positional[0]);
  if (!ref) return ctx.Usage(ref.error());
  int64_t ppm = kDefaultRoutingBudgetPpm;
  if (auto flag = ctx.args().Get("routing-budget-ppm")) {
    auto v = IntArg(*flag, 0, kMaxRoutingBudgetPpm);
    if (!v) return ctx.Usage("--routing-budget-ppm is 0 to " + std::to_string(kMaxRoutingBudgetPpm));
    ppm = *v;
  }
  auto view = ctx.GetOrder(*ref);
  if (!view) return ctx.Fail(view.error());
  if (!view->ok()) return ctx.Refused(Describe(*ref), *view);
  const NextStep step = NextStepOf(view->json);
  if (step.kind != StepKind::kSubmitInvoice || step.sats <= 0) {
    return ctx.Fail("no payout invoice is due on " + Describe(*ref) + " now: " + step.text);
  }
  const int64_t amount = PayoutInvoiceSats(step.sats, ppm);
  auto invoice = InvoiceFor(ctx, amount, "robot payout, order " + std::to_string(ref->id));
  if (!invoice) return ctx.Fail(invoice.error());
  // TradeBox updateInvoice: signCleartextMessage(invoice, encPrivKey, token), then
  // { action: 'update_invoice', invoice: signedInvoice, routing_budget_ppm }.
  auto signed_invoice = ClearSign(*invoice, ctx.robot().encrypted_private_armored, ctx.robot().token);
  if (!signed_invoice) return ctx.Fail(signed_invoice.error());
  Json body = {{"action", "update_invoice"}, {"invoice", *signed_invoice}, {"routing_budget_ppm", ppm}};
  auto reply = ctx.OrderAction(*ref, body);
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused("invoice for " + Describe(*ref), *reply);
  ctx.Say("Submitted a signed invoice of " + std::to_string(amount) + " sats (trade " + std::to_string(step.sats) +
          " sats, routing budget " + std::to_string(ppm) + " ppm).");
  PrintOrder(ctx, *ref, reply->json);
  return ctx.Done(Json{{"coordinator", ref->coordinator},
                       {"id", ref->id},
                       {"invoice_amount", step.sats},
                       {"invoice_sats", amount},
                       {"routing_budget_ppm", ppm},
                       {"routing_budget_sats", RoutingBudgetSats(amount, ppm)},
                       {"payment_request", *invoice},
                       {"order", reply->json},
                       {"next", StepJson(NextStepOf(reply->json))}});
}

int CmdReward(Context& ctx) {
  if (!ctx.args().positional.empty()) return ctx.Usage("usage: robot reward (--wallet NAME | --invoice PAYREQ)");
  auto coordinator = ctx.OneCoordinator();
  if (!coordinator) return ctx.Usage(coordinator.error());
  auto profile = ctx.Call(*coordinator, "GET", "/api/robot/", nullptr, true);
  if (!profile) return ctx.Fail(profile.error());
  if (!profile->ok()) return ctx.Refused("profile at " + coordinator->key, *profile);
  const int64_t earned = profile->json.value("earned_rewards", int64_t{0});
  if (earned <= 0) {
    ctx.Say("No rewards to withdraw at " + coordinator->key + ".");
    return ctx.Done(Json{{"coordinator", coordinator->key}, {"earned_rewards", 0}, {"successful_withdrawal", false}});
  }
  // RobotInfo.tsx: an invoice for the whole balance (no routing budget), cleartext-signed;
  // Robot.model.ts fetchReward: POST /api/reward/ { invoice: signedInvoice }.
  auto invoice = InvoiceFor(ctx, earned, "robot rewards");
  if (!invoice) return ctx.Fail(invoice.error());
  auto signed_invoice = ClearSign(*invoice, ctx.robot().encrypted_private_armored, ctx.robot().token);
  if (!signed_invoice) return ctx.Fail(signed_invoice.error());
  Json body = {{"invoice", *signed_invoice}};
  auto reply = ctx.Call(*coordinator, "POST", "/api/reward/", &body, false);
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok() || !reply->json.value("successful_withdrawal", false)) {
    return ctx.Refused("reward withdrawal at " + coordinator->key, *reply);
  }
  ctx.Say("Withdrew " + std::to_string(earned) + " sats of rewards from " + coordinator->key + ".");
  return ctx.Done(Json{{"coordinator", coordinator->key},
                       {"earned_rewards", earned},
                       {"successful_withdrawal", true},
                       {"payment_request", *invoice}});
}

}  // namespace federation::robot::cli
