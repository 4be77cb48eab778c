// federation.json: the real RoboSats file loads, validates and writes back byte for byte; each
// broken field is reported with its entry and field.
#include <gtest/gtest.h>

#include <filesystem>

#include "federation/model/federation_json.h"
#include "federation/model/validate.h"
#include "tests/support/test_support.h"

namespace {

using federation::FederationFile;
using Json = nlohmann::ordered_json;

std::string RealFile() { return testsupport::ReadFile(testsupport::FixturePath("robosats/federation.json")); }

TEST(FederationModel, RealRoboSatsFileLoadsAndIsValid) {
  auto file = federation::ParseFederation(RealFile(), "federation.json");
  ASSERT_TRUE(file.ok()) << file.error().front();
  ASSERT_EQ(file->entries.size(), 5u);
  const auto* temple = file->Find("temple");
  ASSERT_NE(temple, nullptr);
  EXPECT_EQ(temple->long_alias, "Temple of Sats");
  EXPECT_EQ(temple->identifier, "templeofsats");
  EXPECT_EQ(temple->badges.donates_to_dev_fund, 30);
  EXPECT_TRUE(temple->badges.is_founder);
  EXPECT_EQ(temple->Contact("email"), "coordinator@templeofsats.org");
  EXPECT_EQ(temple->policies.size(), 9u);
  EXPECT_EQ(federation::OrEmpty(temple->mainnet.onion),
            "http://ngdk7ocdzmz5kzsysa3om6du7ycj2evxp2f2olfkyq37htx3gllwp2yd.onion");
  const auto* bazaar = file->Find("bazaar");
  ASSERT_NE(bazaar, nullptr);
  EXPECT_FALSE(bazaar->mainnet.clearnet.has_value());  // null in the file
  EXPECT_TRUE(bazaar->testnet_nodes_pubkeys.empty());
  auto problems = federation::ValidateFederation(*file, "federation.json");
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(FederationModel, RealFileWritesBackByteForByte) {
  const std::string text = RealFile();
  auto file = federation::ParseFederation(text, "federation.json");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(federation::SerializeFederation(*file), text);
}

TEST(FederationModel, RoundTripKeepsEveryFieldIncludingUnknownOnes) {
  auto file = federation::ParseFederation(RealFile(), "federation.json");
  ASSERT_TRUE(file.ok());
  auto& lake = file->entries[1].second;
  lake.extra["futureField"] = {{"a", 1}};
  lake.contact.emplace_back("twitter", std::nullopt);
  lake.badges.donates_to_dev_fund = 7;
  auto again = federation::ParseFederation(federation::SerializeFederation(*file), "federation.json");
  ASSERT_TRUE(again.ok()) << again.error().front();
  EXPECT_TRUE(*again == *file);
}

// One mutation of the lake entry and the message it must produce.
struct Broken {
  const char* pointer;  // JSON pointer inside the entry
  Json value;
  const char* expected;  // the whole problem line
};

class FederationModelBroken : public ::testing::TestWithParam<Broken> {};

TEST_P(FederationModelBroken, NamesEntryAndField) {
  auto doc = Json::parse(RealFile());
  const Broken& b = GetParam();
  doc["lake"][Json::json_pointer(b.pointer)] = b.value;
  auto parsed = federation::ParseFederation(doc.dump(), "federation.json");
  federation::Problems problems;
  if (!parsed.ok()) {
    problems = parsed.error();
  } else {
    problems = federation::ValidateFederation(*parsed, "federation.json");
  }
  ASSERT_EQ(problems.size(), 1u) << (problems.empty() ? "no problem" : problems[0] + " …");
  EXPECT_EQ(problems[0], b.expected);
}

const char* kOnion = "http://4t4jxmivv6uqej6xzx2jx3fxh75gtt65v3szjoqmc4ugdlhipzdat6yd.onion";

INSTANTIATE_TEST_SUITE_P(
    EachField, FederationModelBroken,
    ::testing::Values(
        Broken{"/longAlias", "", "federation.json: entry \"lake\": longAlias: must not be empty"},
        Broken{"/longAlias", 3, "federation.json: entry \"lake\": longAlias: expected a string, got 3"},
        Broken{"/shortAlias", "pond",
               "federation.json: entry \"lake\": shortAlias: \"pond\" differs from the entry's key \"lake\""},
        Broken{"/shortAlias", "La ke",
               "federation.json: entry \"lake\": shortAlias: \"La ke\" is not 1..32 of a-z 0-9 _ - (starting with "
               "a letter or digit)"},
        Broken{"/identifier", "Big Lake",
               "federation.json: entry \"lake\": identifier: \"Big Lake\" is not 1..64 of a-z 0-9 _ - ."},
        Broken{"/color", "blue",
               "federation.json: entry \"lake\": color: \"blue\" is not a CSS colour #rgb or #rrggbb"},
        Broken{"/established", "2023-02-30",
               "federation.json: entry \"lake\": established: \"2023-02-30\" is not a date YYYY-MM-DD"},
        Broken{"/nostrHexPubkey", "F2D4",
               "federation.json: entry \"lake\": nostrHexPubkey: \"F2D4\" is not 64 lower-case hex characters"},
        Broken{"/contact/email", "nobody",
               "federation.json: entry \"lake\": contact.email: \"nobody\" is not an e-mail address"},
        Broken{"/contact/website", "ftp://x",
               "federation.json: entry \"lake\": contact.website: \"ftp://x\" is not an http(s):// URL"},
        Broken{"/contact/fingerprint", "1234",
               "federation.json: entry \"lake\": contact.fingerprint: \"1234\" is not an OpenPGP fingerprint (40 hex "
               "characters)"},
        Broken{"/contact/fax", "123",
               "federation.json: entry \"lake\": contact.fax: unknown contact (known: email, telegram, reddit, "
               "matrix, simplex, twitter, website, nostr, pgp, fingerprint)"},
        Broken{"/contact/telegram", 5,
               "federation.json: entry \"lake\": contact.telegram: expected a string or null, got 5"},
        Broken{"/badges/donatesToDevFund", 101,
               "federation.json: entry \"lake\": badges.donatesToDevFund: 101 is out of range 0..100"},
        Broken{"/badges/donatesToDevFund", "30",
               "federation.json: entry \"lake\": badges.donatesToDevFund: expected an integer, got \"30\""},
        Broken{"/badges/isFounder", "yes",
               "federation.json: entry \"lake\": badges.isFounder: expected true or false, got \"yes\""},
        Broken{"/mainnet/onion", "http://lake.onion",
               "federation.json: entry \"lake\": mainnet.onion: \"http://lake.onion\" is not http://<56 base32 "
               "characters>.onion[:port]"},
        Broken{"/mainnet/onion", std::string(kOnion) + "/api",
               "federation.json: entry \"lake\": mainnet.onion: \"http://4t4jxmivv6uqej6xzx2jx3fxh75gtt65v3szjoqmc4ugdlh"
               "ipzdat6yd.onion/api\" is not http://<56 base32 characters>.onion[:port]"},
        Broken{"/testnet/clearnet", "unsafe.thebiglake.org",
               "federation.json: entry \"lake\": testnet.clearnet: \"unsafe.thebiglake.org\" is not "
               "http(s)://host[:port]"},
        Broken{"/testnet/i2p", "http://lake.example",
               "federation.json: entry \"lake\": testnet.i2p: \"http://lake.example\" is not http(s)://<name>.i2p"},
        Broken{"/mainnet", "x", "federation.json: entry \"lake\": mainnet: expected an object, got \"x\""},
        Broken{"/mainnetNodesPubkeys/0", "0485",
               "federation.json: entry \"lake\": mainnetNodesPubkeys[0]: \"0485\" is not a node public key (66 "
               "lower-case hex, 02… or 03…)"},
        Broken{"/testnetNodesPubkeys", "0355",
               "federation.json: entry \"lake\": testnetNodesPubkeys: expected an array of strings, got \"0355\""},
        Broken{"/federated", 1, "federation.json: entry \"lake\": federated: expected true or false, got 1"},
        Broken{"/policies/Rule", 2, "federation.json: entry \"lake\": policies.\"Rule\": expected a string, got 2"},
        Broken{"/identifier", "templeofsats",
               "federation.json: entry \"lake\": identifier: \"templeofsats\" is also entry \"temple\"'s"}));

TEST(FederationModel, MissingRequiredFieldsAreNamed) {
  auto doc = Json::parse(RealFile());
  doc["lake"].erase("nostrHexPubkey");
  doc["lake"]["badges"].erase("donatesToDevFund");
  auto parsed = federation::ParseFederation(doc.dump(), "federation.json");
  ASSERT_FALSE(parsed.ok());
  ASSERT_EQ(parsed.error().size(), 2u);
  EXPECT_EQ(parsed.error()[0], "federation.json: entry \"lake\": nostrHexPubkey: missing");
  EXPECT_EQ(parsed.error()[1], "federation.json: entry \"lake\": badges.donatesToDevFund: missing");
}

TEST(FederationModel, AnEntryWithoutAnyUrlIsRefused) {
  auto doc = Json::parse(RealFile());
  for (const char* net : {"mainnet", "testnet"}) doc["lake"][net] = {{"onion", ""}, {"clearnet", nullptr}};
  auto parsed = federation::ParseFederation(doc.dump(), "federation.json");
  ASSERT_TRUE(parsed.ok());
  auto problems = federation::ValidateFederation(*parsed, "federation.json");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0],
            "federation.json: entry \"lake\": mainnet: no URL: neither mainnet nor testnet has an onion, clearnet or "
            "i2p address");
}

TEST(FederationModel, SyntaxAndShapeErrorsNameTheFile) {
  auto bad = federation::ParseFederation("{\"lake\": ", "fed.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error()[0].rfind("fed.json: not valid JSON", 0), 0u) << bad.error()[0];
  auto list = federation::ParseFederation("[]", "fed.json");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error()[0], "fed.json: expected an object of entries keyed by shortAlias, got []");
  auto entry = federation::ParseFederation("{\"lake\": 3}", "fed.json");
  ASSERT_FALSE(entry.ok());
  EXPECT_EQ(entry.error()[0], "fed.json: entry \"lake\": expected an object, got 3");
}

TEST(FederationModel, AtomicWriteReplacesTheFileAndKeepsItsMode) {
  std::string dir = testsupport::MakeTempDir("federation-model");
  std::string path = dir + "/federation.json";
  ASSERT_TRUE(federation::WriteFileAtomically(path, "{}\n").ok());
  std::filesystem::permissions(path, std::filesystem::perms(0640));
  ASSERT_TRUE(federation::WriteFileAtomically(path, RealFile()).ok());
  EXPECT_EQ(testsupport::ReadFile(path), RealFile());
  EXPECT_EQ(std::filesystem::status(path).permissions(), std::filesystem::perms(0640));
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);  // no temporary left behind
  auto refused = federation::WriteFileAtomically(dir + "/missing/federation.json", "{}");
  EXPECT_FALSE(refused.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
