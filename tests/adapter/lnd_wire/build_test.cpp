// Request builders and paths: int64 as JSON strings, bytes as standard base64 in bodies and
// base64url in paths and queries, int32 as numbers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "escrow/lnd/wire.h"

namespace escrow::lnd {
namespace {

using nlohmann::json;

// A hash whose base64 has both '+' and '/' (and so '-' and '_' in base64url).
Hash32 AwkwardHash() {
  Hash32 h;
  for (size_t i = 0; i < h.size(); ++i) h[i] = i % 2 == 0 ? 0xfb : 0xff;
  return h;
}
constexpr const char* kAwkwardB64 = "+//7//v/+//7//v/+//7//v/+//7//v/+//7//v/+/8=";
constexpr const char* kAwkwardB64Url = "-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-_8=";

json Parse(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << body;
  return j;
}

TEST(LndWireBuild, Base64Constants) {
  // Guards the constants below against a wrong hand computation.
  const Hash32 h = AwkwardHash();
  EXPECT_EQ(base::Base64Encode(base::Bytes(h.begin(), h.end())), kAwkwardB64);
  EXPECT_EQ(base::Base64UrlEncode(base::Bytes(h.begin(), h.end())), kAwkwardB64Url);
}

TEST(LndWireBuild, AddHoldInvoiceBody) {
  HoldInvoiceRequest req;
  req.payment_hash = AwkwardHash();
  req.value_msat = 9223372036854775807;  // int64 max survives as a string
  req.memo = "bond #7";
  req.description_hash = AwkwardHash();
  req.expiry_seconds = 7200;
  req.cltv_expiry = 288;
  req.private_route_hints = true;
  json j = Parse(wire::AddHoldInvoiceBody(req));
  EXPECT_EQ(j.at("hash"), kAwkwardB64);
  EXPECT_EQ(j.at("value_msat"), "9223372036854775807");
  EXPECT_TRUE(j.at("value_msat").is_string());
  EXPECT_EQ(j.at("memo"), "bond #7");
  EXPECT_EQ(j.at("description_hash"), kAwkwardB64);
  EXPECT_EQ(j.at("expiry"), "7200");
  EXPECT_EQ(j.at("cltv_expiry"), "288");
  EXPECT_EQ(j.at("private"), true);
  EXPECT_FALSE(j.contains("value"));  // value and value_msat are mutually exclusive
}

TEST(LndWireBuild, AddHoldInvoiceBodyWithoutDescriptionHash) {
  HoldInvoiceRequest req;
  req.payment_hash = AwkwardHash();
  req.value_msat = 1000;
  json j = Parse(wire::AddHoldInvoiceBody(req));
  EXPECT_FALSE(j.contains("description_hash"));
  EXPECT_EQ(j.at("value_msat"), "1000");
  EXPECT_EQ(j.at("private"), false);
}

TEST(LndWireBuild, InvalidUtf8MemoDoesNotThrow) {
  HoldInvoiceRequest req;
  req.memo = std::string("bad \xff\xfe utf8");
  std::string body;
  EXPECT_NO_THROW(body = wire::AddHoldInvoiceBody(req));
  EXPECT_FALSE(Parse(body).is_discarded());
}

TEST(LndWireBuild, AddInvoiceBody) {
  InvoiceRequest req;
  req.preimage = AwkwardHash();
  req.value_msat = 123456;
  req.memo = "wallet";
  req.expiry_seconds = 600;
  req.cltv_expiry = 40;
  json j = Parse(wire::AddInvoiceBody(req));
  EXPECT_EQ(j.at("r_preimage"), kAwkwardB64);
  EXPECT_EQ(j.at("value_msat"), "123456");
  EXPECT_EQ(j.at("expiry"), "600");
  EXPECT_EQ(j.at("cltv_expiry"), "40");
  EXPECT_EQ(j.at("memo"), "wallet");

  InvoiceRequest plain;
  plain.value_msat = 1;
  json k = Parse(wire::AddInvoiceBody(plain));
  EXPECT_FALSE(k.contains("r_preimage"));  // the node picks the preimage
  EXPECT_FALSE(k.contains("cltv_expiry"));  // 0: the node's default
}

TEST(LndWireBuild, SettleAndCancelBodies) {
  EXPECT_EQ(Parse(wire::SettleInvoiceBody(AwkwardHash())), (json{{"preimage", kAwkwardB64}}));
  EXPECT_EQ(Parse(wire::CancelInvoiceBody(AwkwardHash())), (json{{"payment_hash", kAwkwardB64}}));
}

TEST(LndWireBuild, SendPaymentBodyForPayReq) {
  SendPaymentRequest req;
  req.payment_request = "lnbc1xyz";
  req.fee_limit_msat = 5000;
  req.timeout_seconds = 30;
  json j = Parse(*wire::SendPaymentBody(req));
  EXPECT_EQ(j.at("payment_request"), "lnbc1xyz");
  EXPECT_FALSE(j.contains("amt_msat"));  // the amount is in the payreq
  EXPECT_FALSE(j.contains("dest"));
  EXPECT_FALSE(j.contains("payment_hash"));
  EXPECT_EQ(j.at("fee_limit_msat"), "5000");
  EXPECT_TRUE(j.at("timeout_seconds").is_number_integer());  // int32: a number
  EXPECT_EQ(j.at("timeout_seconds"), 30);
  EXPECT_FALSE(j.contains("allow_self_payment"));

  req.amt_msat = 21000;  // a zero-amount payreq
  req.allow_self_payment = true;
  json k = Parse(*wire::SendPaymentBody(req));
  EXPECT_EQ(k.at("amt_msat"), "21000");
  EXPECT_EQ(k.at("allow_self_payment"), true);
}

TEST(LndWireBuild, SendPaymentBodyForKeysend) {
  const std::string dest = "02" + std::string(64, 'f');
  SendPaymentRequest req = MakeKeysend(dest, 5000000, AwkwardHash(), {{65537, base::Bytes{'h', 'i'}}});
  req.fee_limit_msat = 100;
  json j = Parse(*wire::SendPaymentBody(req));
  base::Bytes dest_bytes = *base::HexDecode(dest);
  EXPECT_EQ(j.at("dest"), base::Base64Encode(dest_bytes));
  EXPECT_EQ(j.at("amt_msat"), "5000000");
  const Hash32 preimage = AwkwardHash();
  const Hash32 hash = crypto::Sha256(preimage.data(), preimage.size());
  EXPECT_EQ(j.at("payment_hash"), base::Base64Encode(base::Bytes(hash.begin(), hash.end())));
  const json& records = j.at("dest_custom_records");
  ASSERT_TRUE(records.is_object());
  EXPECT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at("5482373484"), kAwkwardB64);  // map<uint64, bytes>: decimal keys
  EXPECT_EQ(records.at("65537"), "aGk=");
  EXPECT_FALSE(j.contains("payment_request"));
}

TEST(LndWireBuild, SendPaymentBodyRejectsIncompleteKeysend) {
  SendPaymentRequest none;
  EXPECT_EQ(wire::SendPaymentBody(none).error().code, LnErrorCode::kInvalidArgument);

  SendPaymentRequest bad_dest = MakeKeysend("02abc", 1000, AwkwardHash());
  EXPECT_EQ(wire::SendPaymentBody(bad_dest).error().code, LnErrorCode::kInvalidArgument);

  SendPaymentRequest not_hex = MakeKeysend(std::string(66, 'z'), 1000, AwkwardHash());
  EXPECT_EQ(wire::SendPaymentBody(not_hex).error().code, LnErrorCode::kInvalidArgument);

  SendPaymentRequest no_amount = MakeKeysend("02" + std::string(64, '1'), 0, AwkwardHash());
  EXPECT_EQ(wire::SendPaymentBody(no_amount).error().code, LnErrorCode::kInvalidArgument);

  SendPaymentRequest no_hash = MakeKeysend("02" + std::string(64, '1'), 1000, AwkwardHash());
  no_hash.payment_hash.reset();
  EXPECT_EQ(wire::SendPaymentBody(no_hash).error().code, LnErrorCode::kInvalidArgument);

  SendPaymentRequest negative_fee;
  negative_fee.payment_request = "lnbc1x";
  negative_fee.fee_limit_msat = -1;
  EXPECT_EQ(wire::SendPaymentBody(negative_fee).error().code, LnErrorCode::kInvalidArgument);
}

TEST(LndWireBuild, PathsUseBase64Url) {
  EXPECT_EQ(wire::LookupInvoicePath(AwkwardHash()), std::string("/v2/invoices/lookup?payment_hash=") + kAwkwardB64Url);
  EXPECT_EQ(wire::SubscribeInvoicePath(AwkwardHash()), std::string("/v2/invoices/subscribe/") + kAwkwardB64Url);
  EXPECT_EQ(wire::TrackPaymentPath(AwkwardHash()), std::string("/v2/router/track/") + kAwkwardB64Url);
}

TEST(LndWireBuild, DecodePayReqPath) {
  EXPECT_EQ(*wire::DecodePayReqPath("lnbc20m1pvjluez"), "/v1/payreq/lnbc20m1pvjluez");
  for (const char* bad : {"", "lnbc1/../getinfo", "lnbc1?x=1", "lnbc1 x", "lnbc1%2f", "lnbc1#"}) {
    auto path = wire::DecodePayReqPath(bad);
    ASSERT_FALSE(path.ok()) << bad;
    EXPECT_EQ(path.error().code, LnErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace escrow::lnd
