#include "coordinator/errors.h"

#include <map>

namespace coordinator {
namespace {

// RoboSats api/errors.py, messages with their {placeholders} left for the caller to fill.
const std::map<int, std::string_view>& Texts() {
  static const std::map<int, std::string_view> kTexts = {
      {1000, "You are already maker of an active order"},
      {1001, "You are already taker of an active order"},
      {1002, "You are already taking an active order"},
      {1003, "You are still pending a payment from a recent order"},
      {1004, "Your order is too big"},
      {1005, "Your order is too small"},
      {1006, "Maximum range amount must be at least 50 percent higher than the minimum amount"},
      {1007, "Your order maximum amount is too big"},
      {1008, "Your order minimum amount is too small"},
      {1009, "Your order amount range is too large. Max amount can only be 15 times bigger than min amount"},
      {1011, "The amount specified is outside the range specified by the maker"},
      {1012, "You need to wait before taking an order"},
      {1013, "You cannot open a dispute of this order at this stage"},
      {1014, "Only orders in dispute accept dispute statements"},
      {1017, "Only the buyer of this order can provide a buyer invoice."},
      {1018, "Wait for your order to be taken."},
      {1019, "You cannot submit an invoice while bonds are not locked."},
      {1020, "Current order status is not the one you asked to cancel"},
      {1021, "You cannot cancel this order"},
      {1023, "The lightning node is down. Write in the Telegram group to make sure the staff is aware."},
      {1027, "You cannot confirm to have received the fiat before it is confirmed to be sent by the buyer."},
      {1029, "You cannot confirm the fiat payment at this stage"},
      {1030, "Only the buyer can undo the fiat sent confirmation."},
      {1031, "Only orders in Chat and with fiat sent confirmed can be reverted."},
      {1032, "You cannot pause or unpause an order you did not make"},
      {1033, "You can only pause/unpause an order that is either public or paused"},
      {1036, "Woops! It seems you do not have a robot avatar"},
      {1037, "The coordinator book is at full capacity!"},
      {1038, "You must specify min_amount and max_amount for a range order"},
      {1039, "You must specify an order amount"},
      {1041, "Order ID parameter not found in request"},
      {1042, "Invalid Order Id"},
      {1043, "This order has been cancelled"},
      {1044, "This order is not available"},
      {1045, "Wrong password"},
      {1046, "This order is not public anymore."},
      {1047, "You are not a participant in this order"},
      {1048, "The PGP signed cleartext message is not valid."},
      {1049, "The Robotic Satoshis working in the warehouse did not understand you."},
      {1050, "Invalid date format"},
      {1051, "More than 5000 market ticks have been found. Please, narrow the date range"},
      {1052, "Robot has no finished order"},
      {1053, "Wrong hex pubkey"},
      {1054, "Cannot open a dispute yet. You need to wait until 18 hours before expiry."},
      {1056, "Your PGP public key was created too recently. Keys must be at least 12 hours old."},
      {2000, "The statement and chat logs are longer than 50,000 characters"},
      {2001, "The statement is too short. Make sure to be thorough."},
      {3000, "You submitted an empty invoice"},
      {3001, "You can only submit an invoice after expiration or 3 failed attempts"},
      {3002, "You must submit a NEW invoice"},
      {3003, "You have not earned rewards"},
      {3004, "Give me a new invoice"},
      {3005, "Invoice payment failure"},
      {6000, "Order ID does not exist"},
      {6001, "You are not participant in this order"},
      {6002, "Order is not in chat status"},
      {6003, "Invalid serializer"},
      {7000, "Robot token SHA256 was provided in the header. However it is not a valid 39 or 40 characters Base91 string."},
      {7001, "On the first request to a RoboSats coordinator, you must provide as well a valid public and encrypted private PGP keys and a nostr pubkey"},
      {7002, "Invalid keys"},
      {7003, "Authentication credentials were not provided."},
  };
  return kTexts;
}

}  // namespace

std::string_view ErrorText(int code) {
  auto it = Texts().find(code);
  return it == Texts().end() ? std::string_view() : it->second;
}

base::Status Error(int code, std::string message) {
  if (message.empty()) message = std::string(ErrorText(code));
  return base::Status::Error(code, std::move(message));
}

const char* ErrorField(int code) {
  if (code >= 2000 && code < 3000) return "bad_statement";
  if (code >= 3000 && code < 4000) return "bad_invoice";
  if (code >= 4000 && code < 5000) return "bad_address";
  if (code >= 5000 && code < 6000) return "bad_summary";
  return "bad_request";
}

}  // namespace coordinator
