// RoboSats' error codes and messages (RoboSats api/errors.py), so that clients written for
// RoboSats show the same texts. The JSON field that carries the message depends on the range:
// 2000s "bad_statement", 3000s "bad_invoice", 4000s "bad_address", 5000s "bad_summary",
// everything else "bad_request".
#pragma once

#include <string>
#include <string_view>

#include "config/base/status.h"

namespace coordinator {

namespace err {
constexpr int kAlreadyMaker = 1000;
constexpr int kAlreadyTaker = 1001;
constexpr int kAlreadyTaking = 1002;
constexpr int kPendingPayout = 1003;
constexpr int kTooBig = 1004;
constexpr int kTooSmall = 1005;
constexpr int kRangeTooNarrow = 1006;
constexpr int kRangeMaxTooBig = 1007;
constexpr int kRangeMinTooSmall = 1008;
constexpr int kRangeTooWide = 1009;
constexpr int kAmountOutOfRange = 1011;
constexpr int kTakePenalty = 1012;
constexpr int kCannotDispute = 1013;
constexpr int kStatementNotNow = 1014;
constexpr int kOnlyBuyerInvoice = 1017;
constexpr int kWaitTaken = 1018;
constexpr int kBondsNotLocked = 1019;
constexpr int kCancelStatusMismatch = 1020;
constexpr int kCannotCancel = 1021;
constexpr int kNodeDown = 1023;
constexpr int kSellerConfirmsFirst = 1027;
constexpr int kCannotConfirm = 1029;
constexpr int kOnlyBuyerUndo = 1030;
constexpr int kCannotUndo = 1031;
constexpr int kNotYourOrderToPause = 1032;
constexpr int kCannotPause = 1033;
constexpr int kNoRobot = 1036;
constexpr int kBookFull = 1037;
constexpr int kRangeNeedsMinMax = 1038;
constexpr int kNeedAmount = 1039;
constexpr int kMissingOrderId = 1041;
constexpr int kInvalidOrderId = 1042;
constexpr int kOrderCancelled = 1043;
constexpr int kOrderNotAvailable = 1044;
constexpr int kWrongPassword = 1045;
constexpr int kNotPublic = 1046;
constexpr int kNotParticipant = 1047;
constexpr int kBadSignature = 1048;
constexpr int kNotUnderstood = 1049;  // generic validation failure of a field
constexpr int kBadDate = 1050;
constexpr int kTooManyTicks = 1051;
constexpr int kNoFinishedOrder = 1052;
constexpr int kWrongPubkey = 1053;
constexpr int kDisputeTooEarly = 1054;
constexpr int kKeyTooNew = 1056;
constexpr int kEmptyInvoice = 3000;
constexpr int kInvoiceNotNow = 3001;
constexpr int kNewInvoice = 3002;
constexpr int kNoRewards = 3003;
constexpr int kBadInvoice = 3004;
constexpr int kPaymentFailed = 3005;
constexpr int kStatementTooLong = 2000;
constexpr int kStatementTooShort = 2001;
constexpr int kChatNoOrder = 6000;
constexpr int kChatNotParticipant = 6001;
constexpr int kChatNotNow = 6002;
constexpr int kChatInvalid = 6003;
constexpr int kBadToken = 7000;
constexpr int kFirstRequestNeedsKeys = 7001;
constexpr int kBadKeys = 7002;
constexpr int kNoCredentials = 7003;
}  // namespace err

// RoboSats' message for `code` (without parameters filled in), or "" for unknown codes.
std::string_view ErrorText(int code);
// A Status with RoboSats' code and `message` (defaults to ErrorText(code)).
base::Status Error(int code, std::string message = {});
// The same, ready to return from a function answering base::Result<T>.
inline base::Unexpected<base::Status> Refuse(int code, std::string message = {}) {
  return base::Err(Error(code, std::move(message)));
}
// The JSON field name that carries the message for `code`.
const char* ErrorField(int code);

}  // namespace coordinator
