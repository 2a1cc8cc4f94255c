// The AuthZEN resource mapping's one exception to "unknown members are
// ignored": the implementers' draft 00 wrote a resource's attributes beside
// type and id (`"ownerID"` in the todo interop), and such a member is taken as
// a property when the kind's EntityKind declares it `from: request` or
// `from: both`. Every other member stays ignored (decision_api_test pins the
// general rule), and one given both beside and in `properties` is a 400.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "api_request.h"
#include "server/decision_api.h"

namespace castellan::server {
namespace {

using nlohmann::json;

class AuthZenMembersTest : public ::testing::Test {
 protected:
  static std::filesystem::path Dir() {
    return std::filesystem::temp_directory_path() /
           ("castellan_authzen_members_" + std::to_string(::getpid()));
  }
  // A note names its owner; u may edit the notes it owns.
  static void SetUpTestSuite() {
    std::filesystem::create_directories(Dir());
    std::ofstream(Dir() / "p.yaml") << R"(kind: EntityKind
name: note
source: request
scope: none
attributes:
  id: {type: string}
  owner: {type: string, optional: true, from: request}
  status: {type: string, optional: true, values: [open, done], from: both}
  title: {type: string, optional: true}
---
kind: Permissions
permissions:
  edit_notes: {}
actions:
  note.edit: {requires: [edit_notes], on: [note]}
---
kind: Role
name: writer
level: note
rank: 1
grants: [edit_notes]
---
kind: Policy
name: notes
rules:
  - name: own-notes
    effect: allow
    actions: [note.edit]
    when: has(resource.owner) && resource.owner == principal.id
)";
    std::ofstream(Dir() / "entities.json") << R"({"users": [{"id": "u", "roles": ["writer"]}]})";
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(Dir()); }
  void SetUp() override { ASSERT_TRUE(state.Reload().ok); }

  json Post(const std::string& path, const json& body, int status) {
    return PostJson(api, path, body, status);
  }

  // u edits note n, described by `resource` (type and id added).
  static json Edit(json resource) {
    resource["type"] = "note";
    resource["id"] = "n";
    return {{"subject", {{"type", "user"}, {"id", "u"}}},
            {"action", {{"name", "note.edit"}}},
            {"resource", resource}};
  }

  ServiceState state{Dir(), {Dir() / "entities.json"}};
  Metrics metrics{DecisionApi::RouteNames()};
  ServerConfig config;
  DecisionApi api{state, metrics, config};
};

TEST_F(AuthZenMembersTest, AnAttributeFromTheRequestMayStandBesideTypeAndId) {
  EXPECT_EQ(
      Post("/access/v1/evaluation", Edit({{"properties", {{"owner", "u"}}}}), 200)["decision"],
      true);
  EXPECT_EQ(Post("/access/v1/evaluation", Edit({{"owner", "u"}}), 200)["decision"], true);
  EXPECT_EQ(Post("/access/v1/evaluation", Edit({{"owner", "v"}}), 200)["decision"], false);
  EXPECT_EQ(Post("/access/v1/evaluation", Edit(json::object()), 200)["decision"], false);
  // `from: both` too: taken, so validated against the declared values.
  json error = Post("/access/v1/evaluation", Edit({{"owner", "u"}, {"status", "lost"}}), 400);
  EXPECT_EQ(error["error"]["code"], "invalid_request") << error;
  EXPECT_EQ(error["error"]["attribute"], "status") << error;
  EXPECT_EQ(
      Post("/access/v1/evaluation", Edit({{"owner", "u"}, {"status", "done"}}), 200)["decision"],
      true);
}

TEST_F(AuthZenMembersTest, OtherMembersBesideTypeAndIdStayIgnored) {
  // Undeclared: taken, it would be an unknown attribute of the note (a 400).
  EXPECT_EQ(
      Post("/access/v1/evaluation", Edit({{"owner", "u"}, {"x-extra", "x"}}), 200)["decision"],
      true);
  // Declared but from the store only: taken, it would clash with the one in properties.
  EXPECT_EQ(Post("/access/v1/evaluation",
                 Edit({{"title", "beside"}, {"properties", {{"owner", "u"}, {"title", "in"}}}}),
                 200)["decision"],
            true);
  // The subject's members are never taken (draft 00's `identity`).
  json request = Edit({{"owner", "u"}});
  request["subject"]["identity"] = "someone-else";
  request["subject"]["owner"] = "v";
  EXPECT_EQ(Post("/access/v1/evaluation", request, 200)["decision"], true);
}

TEST_F(AuthZenMembersTest, AnAttributeGivenBothWaysIsABadRequest) {
  json both = Edit({{"owner", "u"}, {"properties", {{"owner", "u"}}}});
  json error = Post("/access/v1/evaluation", both, 400)["error"];
  EXPECT_EQ(error["code"], "invalid_request");
  EXPECT_EQ(error["message"], "'resource.owner' is given both beside and in 'resource.properties'");
  // In a batch, as any malformed item: that item's deny with a 400 error; the others decide.
  json batch = {
      {"subject", {{"type", "user"}, {"id", "u"}}},
      {"action", {{"name", "note.edit"}}},
      {"evaluations",
       {{{"resource", both["resource"]}}, {{"resource", Edit({{"owner", "u"}})["resource"]}}}}};
  json answers = Post("/access/v1/evaluations", batch, 200)["evaluations"];
  ASSERT_EQ(answers.size(), 2u) << answers;
  EXPECT_EQ(answers[0]["decision"], false);
  EXPECT_EQ(answers[0]["context"]["error"]["status"], 400) << answers[0];
  EXPECT_EQ(answers[1]["decision"], true) << answers[1];
  // The top-level resource is read the same way and shared by the items.
  json shared = {{"subject", {{"type", "user"}, {"id", "u"}}},
                 {"resource", Edit({{"owner", "u"}})["resource"]},
                 {"evaluations", {{{"action", {{"name", "note.edit"}}}}}}};
  EXPECT_EQ(Post("/access/v1/evaluations", shared, 200)["evaluations"][0]["decision"], true);
}

}  // namespace
}  // namespace castellan::server
