// NIP-01 events: serialization, id, BIP-340 signature, parsing. Vectors: an event made and
// signed by nostr-tools 2.x (finalizeEvent, secret key 3 = BIP-340 test vector 0's key), whose
// content exercises every escape of the serialization.
#include "coordinator/nostr/event.h"

#include <gtest/gtest.h>

#include "escrow/crypto/sha256.h"

namespace coordinator::nostr {
namespace {

// nostr-tools: finalizeEvent({kind: 38383, created_at: 1700000000, tags: [...], content:
// "quote \" backslash \\ nl \n tab \t cr \r bs \b ff \f ctl \u0001 \u001f del \u007f é 🙂 </script>"}, sk=3)
constexpr const char* kNostrToolsEvent =
    R"({"kind":38383,"created_at":1700000000,"tags":[["d","9f1c2b1e-0000-4000-8000-000000000001"],["pm","Revolut","","SEPA"],["k","sell"]],)"
    R"("content":"quote \" backslash \\ nl \n tab \t cr \r bs \b ff \f ctl \u0001 \u001f del )"
    "\x7f"
    R"( é 🙂 </script>","pubkey":"f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",)"
    R"("id":"fb78ca31131ff963ef0d9927d10c474107fc3ce2ee4c2ceff265d5140803694c",)"
    R"("sig":"0dff2086d9698f35c75c43004e5e5e5f3b9fc08662d45e813729d2eed5e984a1bd5fa480dfca95df83e3fa637610cda0a80a005d02b4525977ac9e6aa9b2d429"})";

Event NostrToolsEvent() {
  auto e = ParseEvent(nlohmann::json::parse(kNostrToolsEvent));
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error());
  return *e;
}

TEST(NostrEvent, IdOfAnEventSignedByNostrToolsMatches) {
  Event e = NostrToolsEvent();
  EXPECT_EQ(ComputeId(e), "fb78ca31131ff963ef0d9927d10c474107fc3ce2ee4c2ceff265d5140803694c");
  EXPECT_TRUE(Verify(e).ok());
}

TEST(NostrEvent, SerializationEscapesAsNip01AndJsonStringify) {
  Event e;
  e.pubkey = std::string(64, 'a');
  e.created_at = 1;
  e.kind = 1;
  e.tags = {{"t", "x\"y"}};
  e.content = std::string("a\nb\\c\x01\x7f/\xc3\xa9");
  EXPECT_EQ(CanonicalSerialization(e),
            "[0,\"" + std::string(64, 'a') + "\",1,1,[[\"t\",\"x\\\"y\"]],\"a\\nb\\\\c\\u0001\x7f/\xc3\xa9\"]");
}

TEST(NostrEvent, SignedEventVerifiesWithBip340Vector0Key) {
  auto key = escrow::crypto::Signer::FromSecret(*escrow::crypto::Hash32FromHex(
      "0000000000000000000000000000000000000000000000000000000000000003"));
  ASSERT_TRUE(key);
  Event e;
  e.created_at = 1700000000;
  e.kind = 38383;
  e.tags = {{"d", "x"}, {"s", "pending"}};
  e.content = "hello";
  Sign(e, *key);
  // BIP-340 test vector 0: the public key of secret key 3.
  EXPECT_EQ(e.pubkey, "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9");
  EXPECT_EQ(e.id, ComputeId(e));
  EXPECT_TRUE(Verify(e).ok());
  // The wire form parses back to the same event.
  auto back = ParseEvent(nlohmann::json::parse(ToJson(e)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, e.id);
  EXPECT_EQ(back->sig, e.sig);
  EXPECT_EQ(back->tags, e.tags);
  EXPECT_EQ(nlohmann::json::parse(ToJson(e)), ToJsonValue(e));
}

TEST(NostrEvent, TamperedEventsDoNotVerify) {
  Event e = NostrToolsEvent();
  Event content = e;
  content.content += "!";
  EXPECT_EQ(Verify(content).error(), "invalid: event id does not match");
  Event tags = e;
  tags.tags[0][1] = "other";
  EXPECT_FALSE(Verify(tags).ok());
  // Re-hashed after the change, but the signature is of the old id.
  Event rehashed = content;
  rehashed.id = ComputeId(rehashed);
  EXPECT_EQ(Verify(rehashed).error(), "invalid: bad signature");
  Event sig = e;
  sig.sig[10] = sig.sig[10] == '0' ? '1' : '0';
  EXPECT_EQ(Verify(sig).error(), "invalid: bad signature");
  Event author = e;
  author.pubkey = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
  EXPECT_FALSE(Verify(author).ok());
  Event not_a_key = e;
  not_a_key.pubkey = std::string(64, 'f');  // not an x coordinate on the curve
  EXPECT_FALSE(Verify(not_a_key).ok());
}

TEST(NostrEvent, ParseRejectsMalformedEventsWithAReason) {
  const auto good = nlohmann::json::parse(kNostrToolsEvent);
  struct Case { const char* name; std::function<void(nlohmann::json&)> edit; const char* reason; };
  const Case cases[] = {
      {"upper-case id", [](auto& j) { j["id"] = "FB78CA31131FF963EF0D9927D10C474107FC3CE2EE4C2CEFF265D5140803694C"; }, "id"},
      {"short id", [](auto& j) { j["id"] = "fb78"; }, "id"},
      {"missing pubkey", [](auto& j) { j.erase("pubkey"); }, "pubkey"},
      {"numeric pubkey", [](auto& j) { j["pubkey"] = 5; }, "pubkey"},
      {"negative created_at", [](auto& j) { j["created_at"] = -1; }, "created_at"},
      {"fractional created_at", [](auto& j) { j["created_at"] = 1.5; }, "created_at"},
      {"huge created_at", [](auto& j) { j["created_at"] = 18446744073709551615ull; }, "created_at"},
      {"string kind", [](auto& j) { j["kind"] = "1"; }, "kind"},
      {"kind out of range", [](auto& j) { j["kind"] = 70000; }, "kind"},
      {"tags not array", [](auto& j) { j["tags"] = "x"; }, "tags"},
      {"tag not array", [](auto& j) { j["tags"] = nlohmann::json::array({"d"}); }, "tag"},
      {"empty tag", [](auto& j) { j["tags"] = nlohmann::json::array({nlohmann::json::array()}); }, "tag"},
      {"number in tag", [](auto& j) { j["tags"] = nlohmann::json::array({nlohmann::json::array({"d", 1})}); }, "tag"},
      {"null content", [](auto& j) { j["content"] = nullptr; }, "content"},
      {"short sig", [](auto& j) { j["sig"] = "00"; }, "sig"},
  };
  for (const auto& c : cases) {
    auto j = good;
    c.edit(j);
    auto e = ParseEvent(j);
    ASSERT_FALSE(e.ok()) << c.name;
    EXPECT_NE(e.error().find(c.reason), std::string::npos) << c.name << ": " << e.error();
    EXPECT_EQ(e.error().rfind("invalid: ", 0), 0u) << c.name;
  }
  EXPECT_FALSE(ParseEvent(nlohmann::json::array()).ok());
}

TEST(NostrEvent, TagValueAndKindRanges) {
  Event e = NostrToolsEvent();
  EXPECT_EQ(TagValue(e, "d"), "9f1c2b1e-0000-4000-8000-000000000001");
  EXPECT_EQ(TagValue(e, "pm"), "Revolut");
  EXPECT_EQ(TagValue(e, "zz"), std::nullopt);
  EXPECT_TRUE(IsAddressable(38383));
  EXPECT_TRUE(IsAddressable(31986));
  EXPECT_FALSE(IsAddressable(1059));
  EXPECT_TRUE(IsEphemeral(20001));
  EXPECT_TRUE(IsReplaceable(0));
  EXPECT_TRUE(IsReplaceable(10002));
}

}  // namespace
}  // namespace coordinator::nostr
