// Parses each fixture (LND REST shapes) and asserts every field the codec maps.
#include <gtest/gtest.h>

#include <variant>

#include "escrow/bolt11.h"
#include "escrow/lnd/errors.h"
#include "escrow/lnd/wire.h"
#include "tests/adapter/lnd_wire/fixture.h"

namespace escrow::lnd {
namespace {

using lndwire::FixtureLines;
using lndwire::ReadFixture;

Hash32 HexHash(const char* hex) {
  auto h = crypto::Hash32FromHex(hex);
  EXPECT_TRUE(h.has_value()) << hex;
  return h.value_or(Hash32{});
}

Hash32 Filled(uint8_t b) {
  Hash32 h;
  h.fill(b);
  return h;
}

// The fixture invoice: preimage 0x01..0x20, hash = SHA256(preimage).
const Hash32 kPreimage = HexHash("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
const Hash32 kHash = HexHash("ae216c2ef5247a3782c135efa279a3e4cdc61094270f5d2be58c6204b7a612c9");
const Hash32 kDescriptionHash = HexHash("cf667f8e1ea80c022317b23c696b4ce181d189520645492c008221cb8bdd9d68");
Hash32 PaymentAddr() {
  Hash32 a;
  for (size_t i = 0; i < 32; ++i) a[i] = i < 16 ? 0xaa : 0x55;
  return a;
}
constexpr const char* kHoldPayReq =
    "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqc"
    "yq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s"
    "06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";

void ExpectCommonInvoiceFields(const Invoice& inv) {
  EXPECT_EQ(inv.memo, "RoboSats bond 1234");
  EXPECT_EQ(inv.r_hash, kHash);
  EXPECT_EQ(inv.value_msat, 250000000);
  EXPECT_EQ(inv.creation_date, 1727000000);
  EXPECT_EQ(inv.payment_request, kHoldPayReq);
  ASSERT_TRUE(inv.description_hash.has_value());
  EXPECT_EQ(*inv.description_hash, kDescriptionHash);
  EXPECT_EQ(inv.expiry, 3600);
  EXPECT_EQ(inv.cltv_expiry, 144u);
  EXPECT_FALSE(inv.is_private);
  EXPECT_EQ(inv.add_index, 42u);
  EXPECT_FALSE(inv.is_keysend);
  EXPECT_EQ(inv.payment_addr, PaymentAddr());
}

void ExpectFixtureHtlc(const InvoiceHtlc& h, HtlcState state, int64_t resolve_time, bool with_records) {
  EXPECT_EQ(h.chan_id, 947411024118497281ull);
  EXPECT_EQ(h.htlc_index, 7u);
  EXPECT_EQ(h.amt_msat, 250000000);
  EXPECT_EQ(h.accept_height, 862010);
  EXPECT_EQ(h.accept_time, 1727000100);
  EXPECT_EQ(h.resolve_time, resolve_time);
  EXPECT_EQ(h.expiry_height, 862154);
  EXPECT_EQ(h.state, state);
  if (!with_records) {
    EXPECT_TRUE(h.custom_records.empty());
    return;
  }
  ASSERT_EQ(h.custom_records.size(), 2u);
  auto keysend = h.custom_records.find(kKeysendPreimageRecord);
  ASSERT_NE(keysend, h.custom_records.end());
  EXPECT_EQ(keysend->second, base::Bytes(32, 0x42));
  auto text = h.custom_records.find(34349334);
  ASSERT_NE(text, h.custom_records.end());
  EXPECT_EQ(std::string(text->second.begin(), text->second.end()), "hello robosats");
}

TEST(LndWireParse, GetInfoResponse) {
  auto info = wire::ParseGetInfo(ReadFixture("getinfo.json"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->identity_pubkey, "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad");
  EXPECT_EQ(info->alias, "robosats-coordinator");
  EXPECT_EQ(info->block_height, 862001u);
  EXPECT_EQ(info->block_hash, "00000000000000000001a7c4a1d8d3a8f0bb1c5f1d6f4e4e1e6f0c2b9a1d3e4f");
  EXPECT_TRUE(info->synced_to_chain);
  EXPECT_EQ(info->num_active_channels, 12u);
  EXPECT_EQ(info->version, "0.18.3-beta commit=v0.18.3-beta");
  EXPECT_EQ(info->network, "mainnet");
}

TEST(LndWireParse, InvoiceOpen) {
  auto inv = wire::ParseInvoice(ReadFixture("invoice_open.json"));
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  ExpectCommonInvoiceFields(*inv);
  EXPECT_EQ(inv->state, InvoiceState::kOpen);
  EXPECT_FALSE(inv->r_preimage.has_value());  // a hold invoice has no preimage before settle
  EXPECT_EQ(inv->settle_date, 0);
  EXPECT_EQ(inv->settle_index, 0u);
  EXPECT_EQ(inv->amt_paid_msat, 0);
  EXPECT_TRUE(inv->htlcs.empty());
}

TEST(LndWireParse, InvoiceAcceptedWithHtlcAndCustomRecords) {
  auto inv = wire::ParseInvoice(ReadFixture("invoice_accepted.json"));
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  ExpectCommonInvoiceFields(*inv);
  EXPECT_EQ(inv->state, InvoiceState::kAccepted);
  EXPECT_FALSE(inv->r_preimage.has_value());
  EXPECT_EQ(inv->amt_paid_msat, 0);
  ASSERT_EQ(inv->htlcs.size(), 1u);
  ExpectFixtureHtlc(inv->htlcs[0], HtlcState::kAccepted, 0, /*with_records=*/true);
}

TEST(LndWireParse, InvoiceSettled) {
  auto inv = wire::ParseInvoice(ReadFixture("invoice_settled.json"));
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  ExpectCommonInvoiceFields(*inv);
  EXPECT_EQ(inv->state, InvoiceState::kSettled);
  ASSERT_TRUE(inv->r_preimage.has_value());
  EXPECT_EQ(*inv->r_preimage, kPreimage);
  EXPECT_EQ(crypto::Sha256(kPreimage.data(), kPreimage.size()), inv->r_hash);
  EXPECT_EQ(inv->settle_date, 1727000200);
  EXPECT_EQ(inv->settle_index, 17u);
  EXPECT_EQ(inv->amt_paid_msat, 250000000);
  ASSERT_EQ(inv->htlcs.size(), 1u);
  ExpectFixtureHtlc(inv->htlcs[0], HtlcState::kSettled, 1727000200, /*with_records=*/true);
}

TEST(LndWireParse, InvoiceCanceled) {
  auto inv = wire::ParseInvoice(ReadFixture("invoice_canceled.json"));
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  ExpectCommonInvoiceFields(*inv);
  EXPECT_EQ(inv->state, InvoiceState::kCanceled);
  EXPECT_FALSE(inv->r_preimage.has_value());
  ASSERT_EQ(inv->htlcs.size(), 1u);
  ExpectFixtureHtlc(inv->htlcs[0], HtlcState::kCanceled, 1727000300, /*with_records=*/false);
}

TEST(LndWireParse, AddHoldInvoiceResp) {
  const Hash32 hash = Filled(0x07);
  auto r = wire::ParseAddHoldInvoiceResp(ReadFixture("add_hold_invoice_resp.json"), hash);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->payment_hash, hash);
  EXPECT_EQ(r->payment_request, kHoldPayReq);
  EXPECT_EQ(r->add_index, 42u);
  EXPECT_EQ(r->payment_addr, PaymentAddr());
}

TEST(LndWireParse, AddHoldInvoiceRespOfOldLndHasOnlyThePayReq) {
  auto r = wire::ParseAddHoldInvoiceResp(R"({"payment_request":"lnbc1x"})", Filled(1));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->payment_request, "lnbc1x");
  EXPECT_EQ(r->add_index, 0u);
  EXPECT_EQ(r->payment_addr, Hash32{});
}

TEST(LndWireParse, AddInvoiceResponse) {
  auto r = wire::ParseAddInvoiceResponse(ReadFixture("add_invoice_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->payment_hash, kHash);
  EXPECT_EQ(r->payment_request, kHoldPayReq);
  EXPECT_EQ(r->add_index, 43u);
  EXPECT_EQ(r->payment_addr, PaymentAddr());
}

TEST(LndWireParse, PayReqWithRouteHints) {
  auto p = wire::ParsePayReq(ReadFixture("payreq_route_hints.json"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->destination, "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad");
  EXPECT_EQ(p->payment_hash, HexHash("0001020304050607080900010203040506070809000102030405060708090102"));
  EXPECT_EQ(p->num_msat, 2000000000);
  EXPECT_EQ(p->timestamp, 1496314658);
  EXPECT_EQ(p->expiry, 3600);
  EXPECT_EQ(p->description, "");
  EXPECT_EQ(p->description_hash, "3925b6f67e2c340036ed12093dd44e0368df1b6ea26c53dbe4811f58fd5db8c1");
  EXPECT_EQ(p->fallback_addr, "1RustyRX2oai4EYYDpQGWvEL62BBGqN9T");
  EXPECT_EQ(p->cltv_expiry, 18);
  ASSERT_EQ(p->route_hints.size(), 1u);
  ASSERT_EQ(p->route_hints[0].size(), 2u);
  const auto& a = p->route_hints[0][0];
  EXPECT_EQ(a.node_id, "029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255");
  EXPECT_EQ(a.chan_id, 0x0102030405060708ull);
  EXPECT_EQ(a.fee_base_msat, 1u);
  EXPECT_EQ(a.fee_proportional_millionths, 20u);
  EXPECT_EQ(a.cltv_expiry_delta, 3u);
  const auto& b = p->route_hints[0][1];
  EXPECT_EQ(b.node_id, "039e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255");
  EXPECT_EQ(b.chan_id, 0x030405060708090aull);
  EXPECT_EQ(b.fee_base_msat, 2u);
  EXPECT_EQ(b.fee_proportional_millionths, 30u);
  EXPECT_EQ(b.cltv_expiry_delta, 4u);
  EXPECT_EQ(p->payment_addr, Filled(0x11));
  EXPECT_EQ(p->features, (std::vector<uint32_t>{8, 14}));
}

// The fixture is what LND answers for BOLT 11's route-hint example: our own decoder must read
// the same values from the same string.
TEST(LndWireParse, PayReqAgreesWithBolt11Decode) {
  auto p = wire::ParsePayReq(ReadFixture("payreq_route_hints.json"));
  ASSERT_TRUE(p.ok());
  const std::string payreq =
      "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsy"
      "qcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfpp3qjmp7lwpagxun9pygexvgpjdc4jdj85fr9y"
      "q20q82gphp2nflc7jtzrcazrra7wwgzxqc8u7754cdlpfrmccae92qgzqvzq2ps8pqqqqqqpqqqqq9qqqvpeuqafqxu92d8lr6fvg0r5gv0he"
      "eeqgcrqlnm6jhphu9y00rrhy4grqszsvpcgpy9qqqqqqgqqqqq7qqzq9qrsgqdfjcdk6w3ak5pca9hwfwfh63zrrz06wwfya0ydlzpgzxkn5x"
      "agsqz7x9j4jwe7yj7vaf2k9lqsdk45kts2fd0fkr28am0u4w95tt2nsq76cqw0";
  auto inv = bolt11::Decode(payreq);
  ASSERT_TRUE(inv.ok()) << inv.error();
  EXPECT_EQ(crypto::ToHex(inv->payee_pubkey), p->destination);
  ASSERT_TRUE(inv->payment_hash.has_value());
  EXPECT_EQ(*inv->payment_hash, p->payment_hash);
  ASSERT_TRUE(inv->amount_msat.has_value());
  EXPECT_EQ(static_cast<int64_t>(*inv->amount_msat), p->num_msat);
  EXPECT_EQ(static_cast<int64_t>(inv->timestamp), p->timestamp);
  ASSERT_TRUE(inv->description_hash.has_value());
  EXPECT_EQ(crypto::ToHex(*inv->description_hash), p->description_hash);
  ASSERT_TRUE(inv->payment_secret.has_value());
  EXPECT_EQ(*inv->payment_secret, p->payment_addr);
  EXPECT_EQ(static_cast<int64_t>(inv->min_final_cltv_expiry), p->cltv_expiry);
  ASSERT_EQ(inv->route_hints.size(), p->route_hints.size());
  for (size_t i = 0; i < inv->route_hints[0].size(); ++i) {
    EXPECT_EQ(crypto::ToHex(inv->route_hints[0][i].pubkey), p->route_hints[0][i].node_id);
    EXPECT_EQ(inv->route_hints[0][i].short_channel_id, p->route_hints[0][i].chan_id);
    EXPECT_EQ(inv->route_hints[0][i].fee_base_msat, p->route_hints[0][i].fee_base_msat);
    EXPECT_EQ(inv->route_hints[0][i].fee_proportional_millionths, p->route_hints[0][i].fee_proportional_millionths);
    EXPECT_EQ(inv->route_hints[0][i].cltv_expiry_delta, p->route_hints[0][i].cltv_expiry_delta);
  }
}

void ExpectCommonPaymentFields(const Payment& p) {
  EXPECT_EQ(p.payment_hash, HexHash("0001020304050607080900010203040506070809000102030405060708090102"));
  EXPECT_EQ(p.value_msat, 2000000000);
  EXPECT_EQ(p.payment_request.substr(0, 9), "lnbc20m1p");
  EXPECT_EQ(p.creation_time_ns, 1727000000123456789);
  EXPECT_EQ(p.payment_index, 9u);
}

TEST(LndWireParse, PaymentInFlight) {
  auto p = wire::ParsePayment(ReadFixture("payment_in_flight.json"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  ExpectCommonPaymentFields(*p);
  EXPECT_EQ(p->status, PaymentStatus::kInFlight);
  EXPECT_EQ(p->failure_reason, FailureReason::kNone);
  EXPECT_EQ(p->fee_msat, 0);
  EXPECT_FALSE(p->payment_preimage.has_value());  // 64 zeros until it succeeds
}

TEST(LndWireParse, PaymentSucceeded) {
  auto p = wire::ParsePayment(ReadFixture("payment_succeeded.json"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  ExpectCommonPaymentFields(*p);
  EXPECT_EQ(p->status, PaymentStatus::kSucceeded);
  EXPECT_EQ(p->failure_reason, FailureReason::kNone);
  EXPECT_EQ(p->fee_msat, 2050);
  ASSERT_TRUE(p->payment_preimage.has_value());
  EXPECT_EQ(*p->payment_preimage, kPreimage);
}

TEST(LndWireParse, PaymentFailedWithReason) {
  auto p = wire::ParsePayment(ReadFixture("payment_failed.json"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  ExpectCommonPaymentFields(*p);
  EXPECT_EQ(p->status, PaymentStatus::kFailed);
  EXPECT_EQ(p->failure_reason, FailureReason::kNoRoute);
  EXPECT_FALSE(p->payment_preimage.has_value());
}

TEST(LndWireParse, InvoiceStreamResultsThenError) {
  auto lines = FixtureLines("stream_subscribe_invoice.ndjson");
  ASSERT_EQ(lines.size(), 3u);
  auto first = wire::ParseInvoiceStreamLine(lines[0]);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(std::holds_alternative<Invoice>(*first));
  EXPECT_EQ(std::get<Invoice>(*first).state, InvoiceState::kOpen);
  EXPECT_EQ(std::get<Invoice>(*first).r_hash, kHash);
  auto second = wire::ParseInvoiceStreamLine(lines[1]);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_TRUE(std::holds_alternative<Invoice>(*second));
  EXPECT_EQ(std::get<Invoice>(*second).state, InvoiceState::kAccepted);
  ASSERT_EQ(std::get<Invoice>(*second).htlcs.size(), 1u);
  auto third = wire::ParseInvoiceStreamLine(lines[2]);
  ASSERT_TRUE(third.ok()) << third.error().message;
  ASSERT_TRUE(std::holds_alternative<wire::RpcStatus>(*third));
  const auto& st = std::get<wire::RpcStatus>(*third);
  EXPECT_EQ(st.code, 2);
  EXPECT_EQ(st.message, "invoice already canceled");
  EXPECT_EQ(MapRpcError(st, 200).code, LnErrorCode::kAlreadyCanceled);
}

TEST(LndWireParse, PaymentStreamResultsThenError) {
  auto lines = FixtureLines("stream_track_payment.ndjson");
  ASSERT_EQ(lines.size(), 3u);
  auto first = wire::ParsePaymentStreamLine(lines[0]);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(std::holds_alternative<Payment>(*first));
  EXPECT_EQ(std::get<Payment>(*first).status, PaymentStatus::kInFlight);
  auto second = wire::ParsePaymentStreamLine(lines[1]);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(std::holds_alternative<Payment>(*second));
  EXPECT_EQ(std::get<Payment>(*second).status, PaymentStatus::kSucceeded);
  EXPECT_EQ(std::get<Payment>(*second).payment_preimage, kPreimage);
  auto third = wire::ParsePaymentStreamLine(lines[2]);
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(std::holds_alternative<wire::RpcStatus>(*third));
  EXPECT_EQ(std::get<wire::RpcStatus>(*third).code, 5);
  EXPECT_EQ(MapRpcError(std::get<wire::RpcStatus>(*third), 200).code, LnErrorCode::kNotFound);
}

TEST(LndWireParse, UnaryErrorObjects) {
  auto not_found = wire::ParseRpcStatus(ReadFixture("error_not_found.json"));
  ASSERT_TRUE(not_found.ok());
  EXPECT_EQ(not_found->code, 2);
  EXPECT_EQ(not_found->message, "unable to locate invoice");
  EXPECT_EQ(MapRpcError(*not_found, 500).code, LnErrorCode::kNotFound);

  auto legacy = wire::ParseRpcStatus(ReadFixture("error_legacy.json"));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->code, 2);
  EXPECT_EQ(legacy->message, "invoice already settled");
  EXPECT_EQ(MapRpcError(*legacy, 500).code, LnErrorCode::kAlreadySettled);

  auto mac = wire::ParseRpcStatus(ReadFixture("error_macaroon.json"));
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(MapRpcError(*mac, 500).code, LnErrorCode::kUnauthorized);

  // SendPaymentV2 answers AlreadyExists (6) with "invoice is already paid": the text wins.
  auto paid = wire::ParseRpcStatus(ReadFixture("error_already_paid.json"));
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->code, 6);
  EXPECT_EQ(MapRpcError(*paid, 409).code, LnErrorCode::kAlreadyPaying);

  // An old gateway's {"error": "..."} without "message".
  auto bare = wire::ParseRpcStatus(R"({"error":"invoice still open","code":2})");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->message, "invoice still open");
  EXPECT_EQ(MapRpcError(*bare, 500).code, LnErrorCode::kNotAccepted);

  // grpc-gateway v1 stream errors.
  auto v1 = wire::ParseRpcStatus(R"({"error":{"grpc_code":5,"http_code":404,"message":"payment isn't initiated","http_status":"Not Found"}})");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->code, 5);
  EXPECT_EQ(MapRpcError(*v1, 404).code, LnErrorCode::kNotFound);
}

TEST(LndWireParse, ChannelBalanceResponse) {
  auto b = wire::ParseChannelBalance(ReadFixture("channel_balance.json"));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->local_msat, 1500000123);
  EXPECT_EQ(b->remote_msat, 2500000000);
  EXPECT_EQ(b->pending_open_local_msat, 100000000);
  EXPECT_EQ(b->unsettled_local_msat, 250000);
  EXPECT_EQ(b->unsettled_remote_msat, 2000000);
}

TEST(LndWireParse, ChannelBalanceFallsBackToSat) {
  auto b = wire::ParseChannelBalance(R"({"local_balance":{"sat":"7"},"remote_balance":{"sat":8,"msat":"8001"}})");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->local_msat, 7000);
  EXPECT_EQ(b->remote_msat, 8001);
}

}  // namespace
}  // namespace escrow::lnd
