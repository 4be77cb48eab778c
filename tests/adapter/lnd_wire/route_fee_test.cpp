// LND REST: POST /v2/router/route/estimatefee (routerrpc.RouteFeeRequest/RouteFeeResponse, LND
// 0.18's probing form): the body carries the payment request and the probe's timeout (uint32, a
// JSON number); the answer's int64 fields are strings and failure_reason an enum name.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "escrow/lnd/wire.h"

namespace escrow::lnd {
namespace {

using nlohmann::json;

TEST(LndWireRouteFee, BodyCarriesThePaymentRequestAndTheTimeout) {
  RouteFeeRequest req;
  req.payment_request = "lnbcrt1230n1pexample";
  req.timeout_seconds = 10;
  auto body = wire::RouteFeeBody(req);
  ASSERT_TRUE(body.ok());
  json j = json::parse(*body);
  EXPECT_EQ(j, (json{{"payment_request", "lnbcrt1230n1pexample"}, {"timeout", 10}}));
  EXPECT_EQ(wire::kEstimateRouteFeePath, "/v2/router/route/estimatefee");
  req.payment_request.clear();
  EXPECT_FALSE(wire::RouteFeeBody(req).ok());
}

TEST(LndWireRouteFee, ParsesARouteAndAFailure) {
  // As LND's grpc-gateway writes them (EmitUnpopulated: zero values present).
  auto route = wire::ParseRouteFeeResponse(
      R"({"routing_fee_msat":"1012","time_lock_delay":"120","failure_reason":"FAILURE_REASON_NONE"})");
  ASSERT_TRUE(route.ok()) << route.error().message;
  EXPECT_EQ(route->routing_fee_msat, 1012);
  EXPECT_EQ(route->time_lock_delay, 120);
  EXPECT_EQ(route->failure_reason, FailureReason::kNone);
  auto none = wire::ParseRouteFeeResponse(
      R"({"routing_fee_msat":"0","time_lock_delay":"0","failure_reason":"FAILURE_REASON_NO_ROUTE"})");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->failure_reason, FailureReason::kNoRoute);
  // Older gateways omit zero values; numbers for int64 are accepted too.
  auto sparse = wire::ParseRouteFeeResponse(R"({"routing_fee_msat":5})");
  ASSERT_TRUE(sparse.ok());
  EXPECT_EQ(sparse->routing_fee_msat, 5);
  EXPECT_EQ(sparse->failure_reason, FailureReason::kNone);
}

TEST(LndWireRouteFee, MalformedAnswersAreProtocolErrors) {
  for (const char* body : {"", "[]", "{\"routing_fee_msat\":\"x\"}", "{\"failure_reason\":\"NOPE\"}",
                           "{\"routing_fee_msat\":\"-1\"}", "{\"time_lock_delay\":true}"}) {
    auto r = wire::ParseRouteFeeResponse(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, LnErrorCode::kProtocol) << body;
  }
}

}  // namespace
}  // namespace escrow::lnd
