// Malformed answers: every parser returns kProtocol with a reason, never throws, never crashes.
// Also the lenient side protojson allows: integers as numbers, enums as numbers, base64url.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "escrow/lnd/errors.h"
#include "escrow/lnd/wire.h"
#include "tests/adapter/lnd_wire/fixture.h"

namespace escrow::lnd {
namespace {

using nlohmann::json;
using lndwire::ReadFixture;

// `fixture` with `key` replaced by `value` (or removed when value is discarded).
std::string Patch(const std::string& fixture, const std::string& key, const json& value) {
  json j = json::parse(ReadFixture(fixture));
  if (value.is_discarded()) {
    j.erase(key);
  } else {
    j[key] = value;
  }
  return j.dump();
}
const json kRemove = json(json::value_t::discarded);

template <class T>
void ExpectProtocol(const LnResult<T>& r, const std::string& input) {
  ASSERT_FALSE(r.ok()) << "accepted: " << input;
  EXPECT_EQ(r.error().code, LnErrorCode::kProtocol) << input;
  EXPECT_FALSE(r.error().message.empty());
}

TEST(LndWireMalformed, NotJsonOrNotAnObject) {
  for (const char* body : {"", "{", "null", "[]", "\"text\"", "42", "{\"a\":1}{", "\xff\xfe"}) {
    EXPECT_NO_THROW({
      ExpectProtocol(wire::ParseGetInfo(body), body);
      ExpectProtocol(wire::ParseInvoice(body), body);
      ExpectProtocol(wire::ParsePayReq(body), body);
      ExpectProtocol(wire::ParsePayment(body), body);
      ExpectProtocol(wire::ParseChannelBalance(body), body);
      ExpectProtocol(wire::ParseAddInvoiceResponse(body), body);
      ExpectProtocol(wire::ParseAddHoldInvoiceResp(body, Hash32{}), body);
      ExpectProtocol(wire::ParseRpcStatus(body), body);
      ExpectProtocol(wire::ParseInvoiceStreamLine(body), body);
      ExpectProtocol(wire::ParsePaymentStreamLine(body), body);
    });
  }
}

TEST(LndWireMalformed, EveryTruncationOfAFixtureIsRejected) {
  const std::pair<const char*, std::function<bool(const std::string&)>> fixtures[] = {
      {"invoice_accepted.json", [](const std::string& s) { return wire::ParseInvoice(s).ok(); }},
      {"payment_succeeded.json", [](const std::string& s) { return wire::ParsePayment(s).ok(); }},
      {"payreq_route_hints.json", [](const std::string& s) { return wire::ParsePayReq(s).ok(); }},
  };
  for (const auto& [name, parses] : fixtures) {
    const std::string full = ReadFixture(name);
    ASSERT_FALSE(full.empty()) << name;
    EXPECT_TRUE(parses(full)) << name;
    // The fixtures end in "}\n": every proper prefix up to the closing brace is invalid JSON.
    const size_t end = full.rfind('}');
    for (size_t len = 0; len < end; ++len) {
      bool ok = true;
      EXPECT_NO_THROW(ok = parses(full.substr(0, len))) << name << " cut at " << len;
      EXPECT_FALSE(ok) << name << " cut at " << len;
    }
  }
}

struct Case {
  const char* what;
  std::function<bool(std::string*)> run;  // true if the parser rejected with kProtocol
};

template <class T>
bool Rejects(const LnResult<T>& r, std::string* message) {
  if (r.ok()) return false;
  *message = r.error().message;
  return r.error().code == LnErrorCode::kProtocol;
}

TEST(LndWireMalformed, InvoiceFieldTable) {
  const std::string f = "invoice_accepted.json";
  auto inv = [&](const std::string& key, const json& v) {
    return [=](std::string* m) { return Rejects(wire::ParseInvoice(Patch(f, key, v)), m); };
  };
  json htlc = json::parse(ReadFixture(f)).at("htlcs")[0];
  auto with_htlc = [&](const std::string& key, const json& v) {
    json h = htlc;
    h[key] = v;
    return inv("htlcs", json::array({h}));
  };
  const std::vector<Case> cases = {
      {"missing r_hash", inv("r_hash", kRemove)},
      {"missing state", inv("state", kRemove)},
      {"r_hash bad base64", inv("r_hash", "***not base64***")},
      {"r_hash 31 bytes", inv("r_hash", base::Base64Encode(base::Bytes(31, 1)))},
      {"r_hash number", inv("r_hash", 12)},
      {"r_preimage 33 bytes", inv("r_preimage", base::Base64Encode(base::Bytes(33, 1)))},
      {"value_msat object", inv("value_msat", json::object())},
      {"value_msat float", inv("value_msat", 1.5)},
      {"value_msat junk", inv("value_msat", "12abc")},
      {"value_msat empty string", inv("value_msat", "")},
      {"value_msat beyond int64", inv("value_msat", "9223372036854775808")},
      {"value_msat huge number", inv("value_msat", 1e30)},
      {"add_index negative", inv("add_index", "-1")},
      {"add_index beyond uint64", inv("add_index", "18446744073709551616")},
      {"memo number", inv("memo", 5)},
      {"private string", inv("private", "false")},
      {"state unknown name", inv("state", "PENDING")},
      {"state out of range", inv("state", 9)},
      {"state bool", inv("state", true)},
      {"htlcs object", inv("htlcs", json::object())},
      {"htlc not an object", inv("htlcs", json::array({1}))},
      {"htlc accept_height beyond int32", with_htlc("accept_height", 2147483648LL)},
      {"htlc amt_msat negative", with_htlc("amt_msat", "-1")},
      {"htlc amt_msat beyond int64", with_htlc("amt_msat", "18446744073709551615")},
      {"htlc state unknown", with_htlc("state", "HELD")},
      {"htlc custom record key", with_htlc("custom_records", json{{"abc", "aGk="}})},
      {"htlc custom record value", with_htlc("custom_records", json{{"65537", "%%%"}})},
      {"htlc custom records array", with_htlc("custom_records", json::array())},
  };
  for (const Case& c : cases) {
    std::string message;
    bool rejected = false;
    EXPECT_NO_THROW(rejected = c.run(&message)) << c.what;
    EXPECT_TRUE(rejected) << c.what;
    EXPECT_FALSE(message.empty()) << c.what;
  }
}

TEST(LndWireMalformed, OtherMessagesFieldTable) {
  auto pay = [](const std::string& key, const json& v) {
    return [=](std::string* m) { return Rejects(wire::ParsePayment(Patch("payment_succeeded.json", key, v)), m); };
  };
  auto payreq = [](const std::string& key, const json& v) {
    return [=](std::string* m) { return Rejects(wire::ParsePayReq(Patch("payreq_route_hints.json", key, v)), m); };
  };
  auto info = [](const std::string& key, const json& v) {
    return [=](std::string* m) { return Rejects(wire::ParseGetInfo(Patch("getinfo.json", key, v)), m); };
  };
  auto balance = [](const std::string& key, const json& v) {
    return [=](std::string* m) { return Rejects(wire::ParseChannelBalance(Patch("channel_balance.json", key, v)), m); };
  };
  const std::vector<Case> cases = {
      {"payment missing hash", pay("payment_hash", kRemove)},
      {"payment hash as base64", pay("payment_hash", base::Base64Encode(base::Bytes(32, 1)))},
      {"payment preimage short", pay("payment_preimage", "abcd")},
      {"payment missing status", pay("status", kRemove)},
      {"payment status unknown", pay("status", "DONE")},
      {"payment failure_reason 7", pay("failure_reason", 7)},
      {"payment fee_msat bool", pay("fee_msat", false)},
      {"payreq missing destination", payreq("destination", kRemove)},
      {"payreq destination short", payreq("destination", "02abcd")},
      {"payreq description_hash not hex", payreq("description_hash", "zz")},
      {"payreq route_hints object", payreq("route_hints", json::object())},
      {"payreq hop fee beyond uint32",
       payreq("route_hints", json::array({json{{"hop_hints", json::array({json{
                                                                {"node_id", "02" + std::string(64, 'a')},
                                                                {"fee_base_msat", 4294967296LL}}})}}}))},
      {"payreq hop missing node", payreq("route_hints", json::array({json{{"hop_hints", json::array({json{{"chan_id", "1"}}})}}}))},
      {"payreq feature key", payreq("features", json{{"x", json::object()}})},
      {"payreq feature value", payreq("features", json{{"9", 1}})},
      {"getinfo missing pubkey", info("identity_pubkey", kRemove)},
      {"getinfo block_height negative", info("block_height", -1)},
      {"getinfo block_height beyond uint32", info("block_height", 4294967296LL)},
      {"getinfo chains of strings", info("chains", json::array({"bitcoin"}))},
      {"balance msat negative", balance("local_balance", json{{"msat", "-5"}})},
      {"balance not object", balance("remote_balance", "100")},
      {"balance beyond int64", balance("local_balance", json{{"msat", "18446744073709551615"}})},
      {"stream line with neither", [](std::string* m) { return Rejects(wire::ParseInvoiceStreamLine(R"({"other":{}})"), m); }},
      {"stream result not object", [](std::string* m) { return Rejects(wire::ParseInvoiceStreamLine(R"({"result":5})"), m); }},
      {"stream error wrong type", [](std::string* m) { return Rejects(wire::ParsePaymentStreamLine(R"({"error":{"code":"x","message":1}})"), m); }},
      {"status empty", [](std::string* m) { return Rejects(wire::ParseRpcStatus("{}"), m); }},
  };
  for (const Case& c : cases) {
    std::string message;
    bool rejected = false;
    EXPECT_NO_THROW(rejected = c.run(&message)) << c.what;
    EXPECT_TRUE(rejected) << c.what;
    EXPECT_FALSE(message.empty()) << c.what;
  }
}

TEST(LndWireMalformed, ErrorTextsNeverEchoValues) {
  // A preimage-like value in a bad field must not appear in the error.
  const std::string secret = base::Base64Encode(base::Bytes(33, 0x5a));
  auto r = wire::ParseInvoice(Patch("invoice_settled.json", "r_preimage", secret));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find(secret), std::string::npos);
  EXPECT_NE(r.error().message.find("r_preimage"), std::string::npos);  // names the field
}

TEST(LndWireLenient, NumbersEnumsAndBothBase64Alphabets) {
  json j = json::parse(ReadFixture("invoice_settled.json"));
  j["value_msat"] = 250000000;  // a number instead of a string
  j["add_index"] = 42;
  j["state"] = 1;  // SETTLED by number
  j["htlcs"][0]["state"] = 1;
  j["htlcs"][0]["accept_height"] = "862010";  // int32 as a string
  // base64url and unpadded forms of the same bytes.
  j["description_hash"] = "z2Z_jh6oDAIjF7I8aWtM4YHRiVIGRUksAIIhy4vdnWg";
  auto inv = wire::ParseInvoice(j.dump());
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->value_msat, 250000000);
  EXPECT_EQ(inv->add_index, 42u);
  EXPECT_EQ(inv->state, InvoiceState::kSettled);
  EXPECT_EQ(inv->htlcs[0].state, HtlcState::kSettled);
  EXPECT_EQ(inv->htlcs[0].accept_height, 862010);
  EXPECT_EQ(crypto::ToHex(*inv->description_hash), "cf667f8e1ea80c022317b23c696b4ce181d189520645492c008221cb8bdd9d68");
}

TEST(LndWireLenient, SatFallbacksAndNullFields) {
  // Old LND: sat fields only; protojson may write null for unset messages.
  auto p = wire::ParsePayment(R"({"payment_hash":")" + std::string(64, 'a') +
                              R"(","value_sat":"21","fee_sat":"1","status":"IN_FLIGHT","failure_reason":null})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->value_msat, 21000);
  EXPECT_EQ(p->fee_msat, 1000);
  EXPECT_EQ(p->failure_reason, FailureReason::kNone);
  auto overflow = wire::ParsePayment(R"({"payment_hash":")" + std::string(64, 'a') +
                                     R"(","value_sat":"9223372036854775807","status":"IN_FLIGHT"})");
  EXPECT_EQ(overflow.error().code, LnErrorCode::kProtocol);
}

TEST(LndErrors, MappingTable) {
  struct Row {
    int code;
    const char* message;
    long http;
    LnErrorCode want;
  };
  const Row rows[] = {
      {3, "invalid hash", 400, LnErrorCode::kInvalidArgument},
      {5, "not here", 404, LnErrorCode::kNotFound},
      {6, "exists", 409, LnErrorCode::kAlreadyExists},
      {16, "no", 401, LnErrorCode::kUnauthorized},
      {14, "connection refused", 503, LnErrorCode::kUnreachable},
      {4, "slow", 504, LnErrorCode::kTimeout},
      {13, "boom", 500, LnErrorCode::kInternal},
      {2, "anything", 401, LnErrorCode::kUnauthorized},
      {2, "anything", 403, LnErrorCode::kUnauthorized},
      {2, "anything", 500, LnErrorCode::kInternal},
      {2, "expected 1 macaroon, got 0", 500, LnErrorCode::kUnauthorized},
      {2, "unable to locate invoice", 500, LnErrorCode::kNotFound},
      {2, "there are no existing invoices", 500, LnErrorCode::kNotFound},
      {2, "invoice already settled", 500, LnErrorCode::kAlreadySettled},
      {2, "invoice already canceled", 500, LnErrorCode::kAlreadyCanceled},
      {2, "invoice with payment hash already exists", 500, LnErrorCode::kAlreadyExists},
      {2, "invoice still open", 500, LnErrorCode::kNotAccepted},
      {6, "payment is in transition", 409, LnErrorCode::kAlreadyPaying},
      {2, "already paid", 500, LnErrorCode::kAlreadyPaying},
      {5, "payment isn't initiated", 404, LnErrorCode::kNotFound},
      {2, "the RPC server is in the process of starting up, but not yet ready to accept calls", 500,
       LnErrorCode::kUnreachable},
      {2, "waiting to start, RPC services not available", 500, LnErrorCode::kUnreachable},
      {2, "Invoice Already Settled", 500, LnErrorCode::kAlreadySettled},  // case-insensitive
  };
  for (const Row& row : rows) {
    LnError e = MapRpcError(wire::RpcStatus{row.code, row.message}, row.http);
    EXPECT_EQ(e.code, row.want) << row.code << " " << row.message << " " << row.http;
    EXPECT_NE(e.message.find(row.message), std::string::npos);
  }
}

TEST(LndErrors, HttpAnswerWithoutStatusBody) {
  EXPECT_EQ(ErrorFromHttpAnswer(503, "<html>busy</html>").code, LnErrorCode::kUnreachable);
  EXPECT_EQ(ErrorFromHttpAnswer(404, "").code, LnErrorCode::kNotFound);
  EXPECT_EQ(ErrorFromHttpAnswer(500, "oops").code, LnErrorCode::kInternal);
  EXPECT_EQ(ErrorFromHttpAnswer(500, ReadFixture("error_not_found.json")).code, LnErrorCode::kNotFound);
}

TEST(LndErrors, MessagesAreBoundedAndPrintable) {
  std::string noisy(5000, 'x');
  noisy[10] = '\n';
  noisy[11] = '\x1b';
  LnError e = MapRpcError(wire::RpcStatus{2, noisy}, 500);
  EXPECT_LT(e.message.size(), 400u);
  EXPECT_EQ(e.message.find('\n'), std::string::npos);
  EXPECT_EQ(e.message.find('\x1b'), std::string::npos);
}

TEST(LndErrors, Retryable) {
  EXPECT_TRUE(IsRetryable(LnErrorCode::kUnreachable));
  EXPECT_TRUE(IsRetryable(LnErrorCode::kTimeout));
  EXPECT_TRUE(IsRetryable(LnErrorCode::kInternal));
  EXPECT_FALSE(IsRetryable(LnErrorCode::kUnauthorized));
  EXPECT_FALSE(IsRetryable(LnErrorCode::kNotFound));
  EXPECT_FALSE(IsRetryable(LnErrorCode::kInvalidArgument));
  EXPECT_FALSE(IsRetryable(LnErrorCode::kTlsMismatch));
  EXPECT_FALSE(IsRetryable(LnErrorCode::kProtocol));
}

}  // namespace
}  // namespace escrow::lnd
