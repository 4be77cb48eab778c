#include "api/public_commands.h"

#include <string>

namespace api {

using coordinator::Command;

std::optional<Command> MakeCommand(Fields& f) {
  coordinator::MakeCmd m;
  auto type = f.Int("type", 0, 1);
  auto currency = f.Int("currency", 1, 100000);
  if (f.ok() && (!type || !currency)) {
    f.Fail(!type ? "type" : "currency", "This field is required.");
    return std::nullopt;
  }
  if (!f.ok()) return std::nullopt;
  m.type = static_cast<coordinator::OrderType>(*type);
  m.currency = static_cast<int>(*currency);
  m.has_range = f.Bool("has_range").value_or(false);
  m.amount = f.Decimal("amount", 10, 8, false).value_or("");
  m.min_amount = f.Decimal("min_amount", 10, 8, false).value_or("");
  m.max_amount = f.Decimal("max_amount", 10, 8, false).value_or("");
  m.payment_method = f.Text("payment_method", 70).value_or("not specified");
  m.is_explicit = f.Bool("is_explicit").value_or(false);
  m.premium = f.Decimal("premium", 3, 2, true).value_or("");
  m.satoshis = f.Int("satoshis", 20000, 5000000);
  m.public_duration = f.Int("public_duration", 0, 86400);
  m.escrow_duration = f.Int("escrow_duration", 0, 36000);
  m.bond_size = f.Decimal("bond_size", 2, 2, false).value_or("");
  // RoboSats api/models/order.py: latitude = DecimalField(max_digits=8, decimal_places=6,
  // validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))]); longitude
  // max_digits=9, −180…180. The serializer inherits the validators: 400 when outside.
  m.latitude = f.DecimalBetween("latitude", 2, 6, -90, 90);
  m.longitude = f.DecimalBetween("longitude", 3, 6, -180, 180);
  m.password = f.Text("password", 2000);
  m.description = f.Text("description", 240).value_or("");
  if (!f.ok()) return std::nullopt;
  return m;
}

std::optional<Command> OrderActionCommand(int64_t order_id, Fields& f) {
  auto action = f.Text("action", 32);
  if (!action) {
    if (f.ok()) f.Fail("action", "This field is required.");
    return std::nullopt;
  }
  const std::string& a = *action;
  if (a == "take") {
    auto amount = f.Decimal("amount", 10, 8, false);
    auto password = f.Text("password", 2000);
    return coordinator::TakeCmd{order_id, amount.value_or(""), password};
  }
  if (a == "pause") return coordinator::PauseCmd{order_id};
  if (a == "cancel") {
    auto st = f.Int("cancel_status", 0, 18);
    return coordinator::CancelCmd{order_id, st ? std::optional<int>(static_cast<int>(*st)) : std::nullopt};
  }
  if (a == "update_invoice") {
    auto invoice = f.Text("invoice", 15000);
    auto ppm = f.Int("routing_budget_ppm", 0, 100001);
    return coordinator::UpdateInvoiceCmd{order_id, invoice.value_or(""), ppm.value_or(0)};
  }
  if (a == "confirm") return coordinator::ConfirmCmd{order_id};
  if (a == "undo_confirm") return coordinator::UndoConfirmCmd{order_id};
  if (a == "dispute") return coordinator::DisputeCmd{order_id};
  if (a == "rate_platform") {
    auto rating = f.Int("rating", 1, 5);
    if (!rating && f.ok()) f.Fail("rating", "This field is required.");
    return coordinator::RatePlatformCmd{order_id, static_cast<int>(rating.value_or(0))};
  }
  if (a == "submit_statement") {
    // RoboSats' serializer allows 500 000 characters (the statement plus an attached chat
    // log); the rules refuse what is over 50 000 with 2000.
    auto statement = f.Text("statement", 500000);
    return coordinator::StatementCmd{order_id, statement.value_or("")};
  }
  if (a == "update_address") {
    f.Fail("action", "\"" + a + "\" is not available on this coordinator yet.");
    return std::nullopt;
  }
  f.Fail("action", "\"" + a + "\" is not a valid choice.");
  return std::nullopt;
}

std::optional<Command> ReviewCommand(Fields& f) {
  auto pubkey = f.Text("pubkey", 64);
  if (!pubkey) {
    if (f.ok()) f.Fail("pubkey", "This field is required.");
    return std::nullopt;
  }
  return coordinator::ReviewCmd{*pubkey};
}

std::optional<Command> StealthCommand(Fields& f) {
  auto wants = f.Bool("wantsStealth");
  if (!wants) {
    if (f.ok()) f.Fail("wantsStealth", "This field is required.");
    return std::nullopt;
  }
  return coordinator::SetStealthCmd{*wants};
}

}  // namespace api
