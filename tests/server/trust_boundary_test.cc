// The escalation cases over HTTP, on the default pack and its
// entities (policies/): a request that overrides the store is a 400, a
// made-up principal or resource is a deny, on the native and AuthZEN routes
// alike, never an allow.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api_request.h"
#include "server/decision_api.h"

namespace castellan::server {
namespace {

using nlohmann::json;

class EscalationTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(state.Reload().ok); }

  json Post(const std::string& path, const json& body, int status) {
    return PostJson(api, path, body, status);
  }

  // The same check on /v1/check and /access/v1/evaluation.
  static json Native(const json& principal, const json& resource, const std::string& action) {
    return {{"principal", principal}, {"resource", resource}, {"actions", {action}}};
  }
  static json AuthZen(const json& principal, const json& resource, const std::string& action) {
    json subject = {{"type", "user"}, {"id", principal["id"]}};
    json props = principal;
    props.erase("id");
    if (!props.empty()) subject["properties"] = props;
    json res = {{"type", resource["kind"]}, {"id", resource["id"]}};
    json rprops = resource;
    rprops.erase("kind");
    rprops.erase("id");
    if (!rprops.empty()) res["properties"] = rprops;
    return {{"subject", subject}, {"resource", res}, {"action", {{"name", action}}}};
  }

  ServiceState state{CASTELLAN_SOURCE_DIR "/policies",
                     {CASTELLAN_SOURCE_DIR "/policies/entities.yaml"}};
  Metrics metrics{DecisionApi::RouteNames()};
  ServerConfig config;
  DecisionApi api{state, metrics, config};
};

// adam is a stored partner.admin with access to contoso only; uma is a peer.
const json kUma = {{"kind", "user"}, {"id", "uma@acme.example"}};

TEST_F(EscalationTest, AStoredPrincipalCannotBeOverridden) {
  const json adam = {{"id", "adam@acme.example"},
                     {"roles", {"partner.owner"}},
                     {"customer_access", {{"all", true}}}};
  // The stored adam may not delete uma (a partner.user): check that first.
  json stored = Post("/v1/check", Native({{"id", "adam@acme.example"}}, kUma, "user.edit"), 200);
  ASSERT_EQ(stored["results"]["user.edit"]["effect"], "allow");  // beneath him
  json error = Post("/v1/check", Native(adam, kUma, "user.edit"), 400)["error"];
  // Both forged attributes are named (the body's keys come sorted).
  auto expect_both = [](const json& error) {
    EXPECT_EQ(error["code"], "attribute_not_overridable");
    EXPECT_EQ(error["entity"], "principal 'adam@acme.example'");
    ASSERT_EQ(error["problems"].size(), 2u) << error;
    EXPECT_EQ(error["problems"][0]["attribute"], "customer_access");
    EXPECT_EQ(error["problems"][1]["attribute"], "roles");
    EXPECT_NE(error["message"].get<std::string>().find("'roles'"), std::string::npos);
  };
  expect_both(error);
  expect_both(Post("/access/v1/evaluation", AuthZen(adam, kUma, "user.edit"), 400)["error"]);
  // allowed-actions too.
  json all = Native(adam, kUma, "user.edit");
  all.erase("actions");
  EXPECT_EQ(Post("/v1/allowed-actions", all, 400)["error"]["code"], "attribute_not_overridable");
}

TEST_F(EscalationTest, AMadeUpPrincipalWithInlineRolesIsUnknown) {
  const json mallory = {{"id", "mallory@acme.example"},
                        {"org", "acme"},
                        {"status", "active"},
                        {"roles", {"partner.owner"}},
                        {"customer_access", {{"all", true}}}};
  json d = Post("/v1/check", Native(mallory, kUma, "user.delete"), 200)["results"]["user.delete"];
  EXPECT_EQ(d["effect"], "deny");
  EXPECT_EQ(d["reasons"][0]["code"], "unknown_principal") << d;
  d = Post("/access/v1/evaluation", AuthZen(mallory, kUma, "user.delete"), 200);
  EXPECT_EQ(d["decision"], false);
  EXPECT_EQ(d["context"]["reasons"][0]["code"], "unknown_principal") << d;
}

TEST_F(EscalationTest, AnUnknownResourceWithAttributesIsUnknown) {
  const json owner = {{"id", "olivia@acme.example"}};
  const json ghost = {
      {"kind", "user"}, {"id", "u-ghost"}, {"org", "acme"}, {"roles", {"partner.user"}}};
  json d = Post("/v1/check", Native(owner, ghost, "user.edit"), 200)["results"]["user.edit"];
  EXPECT_EQ(d["effect"], "deny");
  EXPECT_EQ(d["reasons"][0]["code"], "unknown_resource") << d;
  d = Post("/access/v1/evaluation", AuthZen(owner, ghost, "user.edit"), 200);
  EXPECT_EQ(d["decision"], false);
  EXPECT_EQ(d["context"]["reasons"][0]["code"], "unknown_resource") << d;
  // Proposed, the same resource is decided as given.
  json proposed = ghost;
  proposed["new"] = true;
  d = Post("/v1/check", Native(owner, proposed, "user.edit"), 200)["results"]["user.edit"];
  EXPECT_EQ(d["effect"], "allow") << d;
  d = Post("/access/v1/evaluation", AuthZen(owner, proposed, "user.edit"), 200);
  EXPECT_EQ(d["decision"], true) << d;
}

TEST_F(EscalationTest, ARefusedBatchItemRefusesTheWholeRequestNamingIt) {
  const json owner = {{"id", "olivia@acme.example"}};
  const json forged = {{"id", "adam@acme.example"}, {"roles", {"partner.owner"}}};
  json batch = {{"checks", {Native(owner, kUma, "user.edit"), Native(forged, kUma, "user.edit")}}};
  json error = Post("/v1/check", batch, 400)["error"];
  EXPECT_EQ(error["code"], "attribute_not_overridable");
  EXPECT_EQ(error["item"], 1);
  EXPECT_EQ(error["message"].get<std::string>().rfind("checks[1]: ", 0), 0u) << error;
  json evaluations = {
      {"evaluations", {AuthZen(owner, kUma, "user.edit"), AuthZen(forged, kUma, "user.edit")}}};
  error = Post("/access/v1/evaluations", evaluations, 400)["error"];
  EXPECT_EQ(error["item"], 1);
  EXPECT_EQ(error["message"].get<std::string>().rfind("evaluations[1]: ", 0), 0u) << error;
}

TEST_F(EscalationTest, TheSubjectTypeMustBeUser) {
  json body = AuthZen({{"id", "olivia@acme.example"}}, kUma, "user.edit");
  body["subject"]["type"] = "service";
  json error = Post("/access/v1/evaluation", body, 400)["error"];
  EXPECT_EQ(error["code"], "invalid_request");
  EXPECT_NE(error["message"].get<std::string>().find("'subject.type' must be 'user'"),
            std::string::npos)
      << error;
}

TEST_F(EscalationTest, AParameterNoRequestedActionDeclaresIsRefusedByName) {
  json check = Native({{"id", "olivia@acme.example"}}, kUma, "user.edit");
  check["params"] = {{"new_role", "partner.owner"}};
  json error = Post("/v1/check", check, 400)["error"];
  EXPECT_EQ(error["code"], "invalid_request");
  EXPECT_EQ(error["attribute"], "new_role");
  json body = AuthZen({{"id", "olivia@acme.example"}}, kUma, "user.edit");
  body["action"]["properties"] = {{"new_role", "partner.owner"}};
  EXPECT_EQ(Post("/access/v1/evaluation", body, 400)["error"]["attribute"], "new_role");
}

}  // namespace
}  // namespace castellan::server
