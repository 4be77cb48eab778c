// The OpenAPI checker (tests/support/openapi_check.h) on small schemas, then on RoboSats' own
// document: YAML typing, every keyword it claims to check, paths of mismatches, responses.
#include "tests/support/openapi_check.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace {

using nlohmann::json;
using testsupport::OpenApiDocument;

// A small document in the shape RoboSats' (drf-spectacular) is written in.
constexpr char kDoc[] = R"(openapi: 3.0.3
info: {title: t, version: 0.8.6}
paths:
  /api/thing/:
    get:
      responses:
        '200':
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
          description: ''
        '404':
          description: no body schema
    post:
      responses:
        2XX:
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Thing'}
  /api/map/:
    get:
      responses:
        default:
          content:
            application/json:
              schema:
                type: object
                additionalProperties:
                  type: object
                  properties:
                    price: {type: number}
                  required: [price]
components:
  schemas:
    StatusEnum:
      enum: [0, 1, 2]
      type: integer
    NullEnum:
      enum:
      - null
    RatingEnum:
      enum: ['1', '2']
      type: string
    Thing:
      type: object
      properties:
        id: {type: integer, readOnly: true}
        status:
          allOf:
          - $ref: '#/components/schemas/StatusEnum'
          minimum: 0
          maximum: 1
        name: {type: string, maxLength: 5}
        amount:
          type: string
          format: decimal
          pattern: ^-?\d{0,10}(?:\.\d{0,8})?$
          nullable: true
        created_at: {type: string, format: date-time}
        ratio: {type: number, format: double}
        flag: {type: boolean}
        reason:
          nullable: true
          oneOf:
          - $ref: '#/components/schemas/StatusEnum'
          - $ref: '#/components/schemas/NullEnum'
        rating:
          oneOf:
          - $ref: '#/components/schemas/RatingEnum'
          - $ref: '#/components/schemas/NullEnum'
        tags:
          type: array
          items: {type: string}
          maxItems: 2
        child:
          $ref: '#/components/schemas/Child'
      required: [id, status]
    Child:
      type: object
      properties:
        list:
          type: array
          items:
            type: object
            properties:
              n: {type: integer, minimum: 1}
            required: [n]
      additionalProperties: false
)";

class OpenApiCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    auto doc = OpenApiDocument::Parse(kDoc);
    ASSERT_TRUE(doc.ok()) << doc.error();
    m_doc = std::make_unique<OpenApiDocument>(std::move(doc.value()));
  }
  std::vector<std::string> Thing(const json& value) { return m_doc->CheckSchema("Thing", value); }
  static std::string Joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& line : v) s += line + "\n";
    return s;
  }
  std::unique_ptr<OpenApiDocument> m_doc;
};

TEST_F(OpenApiCheck, YamlScalarsAreTypedLikeYaml12CoreSchema) {
  const json& d = m_doc->document();
  EXPECT_EQ(d["info"]["version"], "0.8.6");  // not a number
  EXPECT_EQ(d["components"]["schemas"]["StatusEnum"]["enum"], json::array({0, 1, 2}));
  EXPECT_TRUE(d["components"]["schemas"]["StatusEnum"]["enum"][0].is_number_integer());
  EXPECT_EQ(d["components"]["schemas"]["RatingEnum"]["enum"], json::array({"1", "2"}));  // quoted
  EXPECT_TRUE(d["components"]["schemas"]["NullEnum"]["enum"][0].is_null());
  EXPECT_EQ(d["components"]["schemas"]["Thing"]["properties"]["id"]["readOnly"], true);
  EXPECT_TRUE(d["paths"]["/api/thing/"]["get"]["responses"].contains("200"));
  EXPECT_EQ(d["components"]["schemas"]["Thing"]["properties"]["amount"]["pattern"],
            R"(^-?\d{0,10}(?:\.\d{0,8})?$)");
}

TEST_F(OpenApiCheck, AConformingValueHasNoMismatch) {
  json ok = {{"id", 7},
             {"status", 1},
             {"name", "abc"},
             {"amount", "100.5"},
             {"created_at", "2024-01-01T00:00:00.000000Z"},
             {"ratio", 1},
             {"flag", false},
             {"reason", nullptr},
             {"rating", "2"},
             {"tags", {"a"}},
             {"child", {{"list", {{{"n", 1}}, {{"n", 2}}}}}},
             {"undeclared", "allowed"}};
  EXPECT_EQ(Joined(Thing(ok)), "");
}

TEST_F(OpenApiCheck, RequiredFieldsAreReportedWithTheirPath) {
  auto m = Thing(json::object());
  ASSERT_EQ(m.size(), 2u) << Joined(m);
  EXPECT_EQ(m[0], "$.id: required field missing");
  EXPECT_EQ(m[1], "$.status: required field missing");
}

TEST_F(OpenApiCheck, TypesAreChecked) {
  EXPECT_EQ(Joined(Thing({{"id", "7"}, {"status", 0}})), "$.id: expected integer, got string \"7\"\n");
  EXPECT_EQ(Joined(Thing({{"id", 0.5}, {"status", 0}})), "$.id: expected integer, got number 0.5\n");
  EXPECT_EQ(Joined(Thing({{"id", 3.0}, {"status", 0}})), "");  // integral: an integer
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"flag", 1}})),
            "$.flag: expected boolean, got integer 1\n");
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"ratio", "1.5"}})),
            "$.ratio: expected number, got string \"1.5\"\n");
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"tags", "a"}})),
            "$.tags: expected array, got string \"a\"\n");
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"child", {1}}})),
            "$.child: expected object, got array [1]\n");
}

TEST_F(OpenApiCheck, NullNeedsNullable) {
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"amount", nullptr}})), "");
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"name", nullptr}})),
            "$.name: null, but the schema (string) is not nullable\n");
  // oneOf with NullEnum accepts null without nullable.
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"rating", nullptr}})), "");
}

TEST_F(OpenApiCheck, EnumsAndAllOfSiblingsAreChecked) {
  auto m = Thing({{"id", 1}, {"status", 2}});  // in StatusEnum, above the allOf's maximum 1
  ASSERT_EQ(m.size(), 1u) << Joined(m);
  EXPECT_EQ(m[0], "$.status: 2 is above the maximum 1");
  m = Thing({{"id", 1}, {"status", 5}});
  ASSERT_EQ(m.size(), 2u) << Joined(m);
  EXPECT_EQ(m[0], "$.status: integer 5 is not one of the enum [0,1,2]");
}

TEST_F(OpenApiCheck, OneOfReportsTheClosestAlternative) {
  auto m = Thing({{"id", 1}, {"status", 0}, {"rating", "3"}});
  ASSERT_EQ(m.size(), 2u) << Joined(m);
  EXPECT_EQ(m[0], "$.rating: matches none of the 2 oneOf alternatives; the closest (#1) fails with:");
  EXPECT_EQ(m[1], "  $.rating: string \"3\" is not one of the enum [\"1\",\"2\"]");
  m = Thing({{"id", 1}, {"status", 0}, {"reason", 9}});
  ASSERT_EQ(m.size(), 2u) << Joined(m);
  EXPECT_EQ(m[1], "  $.reason: integer 9 is not one of the enum [0,1,2]");
}

TEST_F(OpenApiCheck, StringKeywordsAndFormats) {
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"name", "abcdef"}})),
            "$.name: string of 6 characters, longer than maxLength 5\n");
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"name", "ñéüöä"}})), "");  // code points, not bytes
  EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"amount", "1e5"}})),
            "$.amount: \"1e5\" does not match the pattern \"^-?\\\\d{0,10}(?:\\\\.\\\\d{0,8})?$\"\n");
  for (const char* good : {"2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123456Z", "2024-01-01T00:00:00+02:00",
                           "2024-01-01T00:00"}) {
    EXPECT_EQ(Joined(Thing({{"id", 1}, {"status", 0}, {"created_at", good}})), "") << good;
  }
  for (const char* bad : {"2024-01-01", "yesterday", "1704067200", ""}) {
    EXPECT_EQ(Thing({{"id", 1}, {"status", 0}, {"created_at", bad}}).size(), 1u) << bad;
  }
}

TEST_F(OpenApiCheck, NestedPathsArraysAndAdditionalProperties) {
  json v = {{"id", 1},
            {"status", 0},
            {"tags", {"a", 2, "c"}},
            {"child", {{"list", {{{"n", 1}}, {{"n", 0}}, json::object()}}, {"extra", true}}}};
  auto m = Thing(v);
  std::vector<std::string> expected = {
      "$.tags: 3 items, more than maxItems 2",
      "$.tags[1]: expected string, got integer 2",
      "$.child.extra: not a property of the schema (additionalProperties: false)",
      "$.child.list[1].n: 0 is below the minimum 1",
      "$.child.list[2].n: required field missing",
  };
  std::sort(m.begin(), m.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(m, expected);
}

TEST_F(OpenApiCheck, ResponsesAreFoundByStatusRangeAndDefault) {
  EXPECT_EQ(Joined(m_doc->CheckResponse("GET", "/api/thing/", 200, {{"id", 1}, {"status", 1}})), "");
  EXPECT_EQ(Joined(m_doc->CheckResponse("get", "/api/thing/", 200, json::object())).find("$.id: required"),
            0u);
  EXPECT_EQ(Joined(m_doc->CheckResponse("get", "/api/thing/", 404, "anything")), "");  // no schema
  EXPECT_EQ(
      Joined(m_doc->CheckResponse("get", "/api/thing/", 500, json::object())),
      "$: GET /api/thing/ answered HTTP 500, which the document does not list (documented: 200, 404)\n");
  // 2XX.
  EXPECT_EQ(Joined(m_doc->CheckResponse("post", "/api/thing/", 201, {{{"id", 1}, {"status", 1}}})), "");
  EXPECT_EQ(Joined(m_doc->CheckResponse("post", "/api/thing/", 201, {{{"id", 1}}})),
            "$[0].status: required field missing\n");
  // default, and additionalProperties as a schema (a map keyed by currency id).
  EXPECT_EQ(
      Joined(m_doc->CheckResponse("get", "/api/map/", 200, {{"1", {{"price", 1.5}}}, {"2", json::object()}})),
      "$[\"2\"].price: required field missing\n");
  EXPECT_EQ(m_doc->CheckResponse("get", "/api/nothing/", 200, json::object()).size(), 1u);
  EXPECT_EQ(m_doc->CheckResponse("delete", "/api/thing/", 200, json::object()).size(), 1u);
}

TEST_F(OpenApiCheck, UnknownSchemaAndBrokenRefAreMismatches) {
  EXPECT_EQ(Joined(m_doc->CheckSchema("Nope", json::object())),
            "$: no schema \"Nope\" in components/schemas\n");
  EXPECT_EQ(Joined(m_doc->Check({{"$ref", "#/components/schemas/Gone"}}, 1)),
            "$: $ref \"#/components/schemas/Gone\" does not exist in the document\n");
  EXPECT_EQ(m_doc->Check({{"$ref", "other.yaml#/X"}}, 1).size(), 1u);
}

TEST(OpenApiDocumentLoad, RefusesWhatIsNotAnOpenApiDocument) {
  EXPECT_FALSE(OpenApiDocument::Parse("a: [1, 2").ok());
  EXPECT_FALSE(OpenApiDocument::Parse("openapi: 3.0.3\n").ok());
  EXPECT_FALSE(OpenApiDocument::Load("/nonexistent/openapi.yaml").ok());
}

// RoboSats' own document: the schemas the integration tests check responses against.
class RoboSatsDocument : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto doc = OpenApiDocument::Load(testsupport::FixturePath("robosats/openapi-0.8.6.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.error();
    s_doc = new OpenApiDocument(std::move(doc.value()));
  }
  static void TearDownTestSuite() {
    delete s_doc;
    s_doc = nullptr;
  }
  static OpenApiDocument* s_doc;
};
OpenApiDocument* RoboSatsDocument::s_doc = nullptr;

TEST_F(RoboSatsDocument, DescribesTheEndpointsWeServe) {
  for (const char* path :
       {"/api/info/", "/api/book/", "/api/order/", "/api/make/", "/api/robot/", "/api/limits/"}) {
    EXPECT_TRUE(s_doc->document()["paths"].contains(path)) << path;
  }
  EXPECT_EQ(s_doc->document()["components"]["schemas"]["StatusEnum"]["enum"].size(), 19u);
}

TEST_F(RoboSatsDocument, OrderDetailOfAPublicOrderConformsAndAWrongOneDoesNot) {
  json detail = {{"id", 1},
                 {"status", 1},
                 {"created_at", "2024-01-01T00:00:00.000000Z"},
                 {"expires_at", "2024-01-02T00:00:00.000000Z"},
                 {"type", 1},
                 {"currency", 1},
                 {"amount", "100.00000000"},
                 {"has_range", false},
                 {"min_amount", nullptr},
                 {"max_amount", nullptr},
                 {"payment_method", "Strike"},
                 {"is_explicit", false},
                 {"premium", "1.00"},
                 {"satoshis", nullptr},
                 {"maker", 1},
                 {"taker", nullptr},
                 {"escrow_duration", 10799},
                 {"bond_size", "3.00"},
                 {"expiry_reason", nullptr},
                 {"is_maker", true}};
  EXPECT_EQ(s_doc->CheckResponse("get", "/api/order/", 200, detail), std::vector<std::string>{});
  json wrong = detail;
  wrong["status"] = 19;
  wrong["type"] = 2;
  wrong["is_maker"] = "yes";
  wrong["expires_at"] = 1704153600;
  wrong.erase("id");
  auto m = s_doc->CheckResponse("get", "/api/order/", 200, wrong);
  EXPECT_EQ(m.size(), 5u) << ::testing::PrintToString(m);
}

TEST_F(RoboSatsDocument, BookIsAListOfOrderPublic) {
  json entry = {{"id", 3}, {"expires_at", "2024-01-02T00:00:00Z"}, {"type", 0}, {"price", 97970.0}};
  EXPECT_EQ(s_doc->CheckResponse("get", "/api/book/", 200, json::array({entry})), std::vector<std::string>{});
  EXPECT_EQ(s_doc->CheckResponse("get", "/api/book/", 200, entry).size(), 1u);  // not an array
}

TEST_F(RoboSatsDocument, UpdateOrderResponseIsEitherAnOrderOrACancellation) {
  json cancelled = {{"id", 3}, {"status", 4}, {"bad_request", "This order has been cancelled"}};
  EXPECT_EQ(s_doc->CheckResponse("post", "/api/order/", 200, cancelled), std::vector<std::string>{});
  EXPECT_FALSE(s_doc->CheckResponse("post", "/api/order/", 200, json{{"status", 4}}).empty());
}

}  // namespace
