// Checks JSON values against the schemas of an OpenAPI 3.0 document, such as RoboSats' own
// ../shared/fixtures/robosats/openapi-0.8.6.yaml, so that tests can hold every response of the
// coordinator to the contract real clients were written against.
//
// What is checked (OpenAPI 3.0's dialect of JSON Schema):
//   $ref (local, "#/components/schemas/X"; siblings of a $ref are ignored, as OpenAPI says),
//   allOf (every member), anyOf and oneOf (at least one alternative: generated documents such
//   as RoboSats' use oneOf with overlapping alternatives, e.g. an OrderDetail that also passes
//   as a CancelledOrderResponse), nullable, type (integer = a number with no fractional part),
//   enum, required, properties, additionalProperties (a schema or false), items,
//   minItems/maxItems, minLength/maxLength (in code points), pattern (ECMAScript),
//   minimum/maximum (with OpenAPI 3.0's boolean exclusiveMinimum/Maximum), and the formats
//   date-time (loosely: RFC 3339's shape, fraction and offset optional) and date.
// Properties a schema does not declare are allowed (JSON Schema's default). Other keywords
// (readOnly, description, examples, discriminator, …) are ignored.
//
// Every mismatch is reported, each as one line "<json path>: <what>" with the path in the
// "$.a.b[2]" form, e.g. "$.status: 19 is not one of the enum [0, 1, …]".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/base/expected.h"

namespace testsupport {

class OpenApiDocument {
 public:
  // Reads an OpenAPI document written in YAML (JSON is YAML too). YAML plain scalars are typed
  // by YAML 1.2's core schema (null, true/false, integers, floats); quoted and block scalars
  // are strings. Errors: the file is missing or not YAML, or has no "paths" mapping.
  static base::Expected<OpenApiDocument, std::string> Load(const std::string& path);
  static base::Expected<OpenApiDocument, std::string> Parse(const std::string& yaml_text);
  // A document already in JSON form (e.g. one a test corrected). Error: no "paths" object.
  static base::Expected<OpenApiDocument, std::string> FromJson(nlohmann::json doc);

  // Mismatches of `value` against components/schemas/<name>. An unknown name is one mismatch.
  std::vector<std::string> CheckSchema(const std::string& name, const nlohmann::json& value) const;

  // Mismatches of `value` against `schema`, a schema object whose $refs point into this document.
  std::vector<std::string> Check(const nlohmann::json& schema, const nlohmann::json& value) const;

  // Mismatches of a response body against what the document says `method` ("get", "post", …;
  // any case) on `path` (as written under "paths", e.g. "/api/order/") answers with HTTP
  // `status` as application/json. An unknown path or method, or a status the operation does
  // not document, is a mismatch naming the documented ones; a documented status without a
  // JSON schema accepts any body.
  std::vector<std::string> CheckResponse(const std::string& method, const std::string& path, int status,
                                         const nlohmann::json& body) const;

  // The whole document as JSON.
  const nlohmann::json& document() const { return m_doc; }

 private:
  explicit OpenApiDocument(nlohmann::json doc) : m_doc(std::move(doc)) {}
  nlohmann::json m_doc;
};

}  // namespace testsupport
