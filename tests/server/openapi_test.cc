#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "engine/reason_code.h"
#include "server/decision_api.h"

namespace castellan::server {
namespace {

TEST(OpenApi, DescribesEveryRouteWithItsMethod) {
  auto doc = nlohmann::json::parse(DecisionApi::OpenApiDocument());
  EXPECT_EQ(doc["openapi"], "3.0.3");
  for (const auto& route : DecisionApi::Routes()) {
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    ASSERT_TRUE(doc["paths"].contains(route.path)) << route.path;
    EXPECT_TRUE(doc["paths"][route.path].contains(method)) << route.method << " " << route.path;
  }
  // And nothing that is not served.
  for (const auto& [path, methods] : doc["paths"].items()) {
    EXPECT_EQ(DecisionApi::RouteName(path), path) << path << " is documented but not routed";
  }
}

TEST(OpenApi, EveryReferenceResolves) {
  auto doc = nlohmann::json::parse(DecisionApi::OpenApiDocument());
  std::function<void(const nlohmann::json&)> visit = [&](const nlohmann::json& j) {
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        if (k == "$ref") {
          const std::string ref = v.get<std::string>();
          ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
          EXPECT_TRUE(doc.contains(nlohmann::json::json_pointer(ref.substr(1)))) << ref;
        } else {
          visit(v);
        }
      }
    } else if (j.is_array()) {
      for (const auto& v : j) visit(v);
    }
  };
  visit(doc);
}

TEST(OpenApi, ABatchItemIsItsResultsOrItsOwnError) {
  auto doc = nlohmann::json::parse(DecisionApi::OpenApiDocument());
  const auto& schemas = doc["components"]["schemas"];
  EXPECT_EQ(schemas["BatchDecision"]["properties"]["results"]["items"]["$ref"],
            "#/components/schemas/BatchItem");
  const auto& item = schemas["BatchItem"]["oneOf"];
  ASSERT_EQ(item.size(), 2u);
  EXPECT_EQ(item[0]["required"], nlohmann::json({"results"}));
  EXPECT_EQ(item[1]["allOf"][0]["$ref"], "#/components/schemas/Error");
  EXPECT_EQ(schemas["ActionDecision"]["properties"]["reasons_omitted"]["type"], "integer");
  const std::string codes =
      schemas["Error"]["properties"]["error"]["properties"]["code"]["description"];
  for (const char* code : {"duplicate_key", "too_many_actions", "too_many_decisions"}) {
    EXPECT_NE(codes.find(code), std::string::npos) << code;
  }
}

// The document derives from the route table; these pin what it derives.
TEST(OpenApi, EachOperationCarriesWhatItsRouteImplies) {
  auto doc = nlohmann::json::parse(DecisionApi::OpenApiDocument());
  for (const auto& route : DecisionApi::Routes()) {
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    const auto& op = doc["paths"][route.path][method];
    const std::string where = std::string(route.method) + " " + route.path;
    EXPECT_EQ(op["summary"], route.summary) << where;
    EXPECT_EQ(op["operationId"], route.name) << where;
    bool success = false;  // 200, or 204 for a DELETE
    for (const auto& [status, unused] : op["responses"].items()) success |= status[0] == '2';
    EXPECT_TRUE(success) << where;
    // A template's parameters are each described.
    for (const char* name : {"{kind}", "{id}"}) {
      if (std::string(route.path).find(name) == std::string::npos) continue;
      EXPECT_NE(
          op["parameters"].dump().find(std::string(name).substr(1, std::string(name).size() - 2)),
          std::string::npos)
          << where;
    }
    if (route.access == Route::Access::kOpen) {
      EXPECT_FALSE(op.contains("security")) << where;
    } else {
      EXPECT_TRUE(op["responses"].contains("401")) << where;
      EXPECT_NE(op["security"].dump().find("bearer"), std::string::npos) << where;
    }
    if (route.body == Route::Body::kJsonObject) {
      EXPECT_TRUE(op.contains("requestBody")) << where;
      for (const char* status : {"400", "413", "415", "503"}) {
        EXPECT_TRUE(op["responses"].contains(status)) << where << " " << status;
      }
    }
  }
  // Admin routes are for the token holder alone; optional security is `{}` first.
  EXPECT_EQ(doc["paths"]["/v1/policies/reload"]["post"]["security"],
            nlohmann::json::parse(R"([{"bearer": []}])"));
}

TEST(OpenApi, ListsEveryReasonCode) {
  auto doc = nlohmann::json::parse(DecisionApi::OpenApiDocument());
  const auto& code = doc["components"]["schemas"]["Reason"]["properties"]["code"];
  nlohmann::json names = nlohmann::json::array();
  for (const auto& info : engine::AllReasonCodes()) names.push_back(info.name);
  EXPECT_EQ(code["anyOf"][0]["enum"], names);
  EXPECT_EQ(code["anyOf"][1]["type"], "string");  // a deny rule's own reason
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("s3cret", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret", "s3cre"));
  EXPECT_FALSE(ConstantTimeEquals("s3cre", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_FALSE(ConstantTimeEquals("S3cret", "s3cret"));
}

}  // namespace
}  // namespace castellan::server
