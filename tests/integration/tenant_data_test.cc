// Tenant-defined custom roles and customer groups written over HTTP change
// the next decision, and deleting them takes the access away: the default
// pack (plus a CustomRoles ceiling) on the SQLite store.
#include <gtest/gtest.h>

#include "pack_integration.h"

namespace castellan::testing {
namespace {

// The default pack plus a ceiling for partners' custom roles.
StoreMode WithCustomRoles() {
  StoreMode mode;
  mode.policy_files["custom-roles.yaml"] =
      "kind: CustomRoles\n"
      "level: partner\n"
      "scope: [own, assigned_customers]\n"
      "permissions: [view_customers, products]\n";
  return mode;  // seeded from the pack's entities.yaml
}

class TenantData : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(CASTELLAN_SOURCE_DIR "/policies", std::vector<std::string>{},
                                       WithCustomRoles());
    ASSERT_NE(server_->port(), 0) << server_->Log();
  }

  // The effect of `action` for `user` on organization `org`, with the
  // first reason's code after a deny ("allow", "deny out_of_scope").
  std::string Decide(const std::string& user, const std::string& org, const std::string& action) {
    const Reply r = server_->Post("/v1/check", Check(user, org, {action}));
    const json body = r.Json();
    if (r.status != 200 || !body.contains("results")) return "HTTP " + r.body;
    const json& result = body["results"][action];
    std::string out = result.value("effect", "?");
    if (out == "deny" && !result["reasons"].empty()) {
      out += " " + result["reasons"][0].value("code", "");
    }
    return out;
  }

  Reply Put(const std::string& kind, const std::string& id, const json& body) {
    return EntityCall(*server_, "PUT", kind, id, body.dump());
  }
  // An active user of `org` with `roles`, and `customer_access` when given.
  Reply PutUser(const std::string& id, const std::string& org, const json& roles,
                const json& customer_access = nullptr) {
    json user = {{"id", id}, {"org", org}, {"status", "active"}, {"roles", roles}};
    if (!customer_access.is_null()) user["customer_access"] = customer_access;
    return Put("user", id, user);
  }
  Reply Delete(const std::string& kind, const std::string& id) {
    return EntityCall(*server_, "DELETE", kind, id);
  }

  std::unique_ptr<Server> server_;
};

// A stored group named like a policy group shadows it for its owner's users:
// ava's access names eu-m365 (the policy group: contoso).
TEST_F(TenantData, StoredGroupChangesTheNextDecisionAndDeletingRestoresIt) {
  ASSERT_EQ(Decide("ava@acme.example", "contoso", "company.view"), "allow");
  ASSERT_EQ(Decide("ava@acme.example", "fabrikam", "company.view"), "deny out_of_scope");

  const Reply put = Put(
      "customer_group", "eu-m365",
      {{"kind", "customer_group"}, {"id", "eu-m365"}, {"org", "acme"}, {"members", {"fabrikam"}}});
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(Decide("ava@acme.example", "fabrikam", "company.view"), "allow");
  EXPECT_EQ(Decide("ava@acme.example", "contoso", "company.view"), "deny out_of_scope");

  ASSERT_EQ(Delete("customer_group", "eu-m365").status, 204);
  EXPECT_EQ(Decide("ava@acme.example", "contoso", "company.view"), "allow");
  EXPECT_EQ(Decide("ava@acme.example", "fabrikam", "company.view"), "deny out_of_scope");
}

// A dynamic group: its expression is checked on write and decides membership;
// changing it moves customers in and out; deleting it leaves nothing.
TEST_F(TenantData, DynamicGroupCreatedChangedAndDeleted) {
  const json group = {{"kind", "customer_group"},
                      {"id", "us-east"},
                      {"org", "acme"},
                      {"match", "customer.?data_center.orValue('') == 'US-East'"}};
  ASSERT_EQ(Put("customer_group", "us-east", group).status, 201);
  const Reply user =
      PutUser("gina@acme.example", "acme", {"partner.admin"}, {{"groups", {"us-east"}}});
  ASSERT_EQ(user.status, 201) << user.body;
  EXPECT_EQ(Decide("gina@acme.example", "fabrikam", "company.view"), "allow");
  EXPECT_EQ(Decide("gina@acme.example", "contoso", "company.view"), "deny out_of_scope");

  json changed = group;
  changed["match"] = "customer.?data_center.orValue('') == 'EU-West'";
  ASSERT_EQ(Put("customer_group", "us-east", changed).status, 200);
  EXPECT_EQ(Decide("gina@acme.example", "contoso", "company.view"), "allow");
  EXPECT_EQ(Decide("gina@acme.example", "fabrikam", "company.view"), "deny out_of_scope");

  // A bad expression is a 400 naming its position, and changes nothing.
  json bad = group;
  bad["match"] = "customer.data_center == ";
  const Reply refused = Put("customer_group", "us-east", bad);
  ASSERT_EQ(refused.status, 400) << refused.body;
  const json problem = refused.Json()["error"]["problems"][0];
  EXPECT_EQ(problem.value("path", ""), "/match") << refused.body;
  EXPECT_EQ(problem.value("code", ""), "invalid_expression") << refused.body;
  EXPECT_TRUE(problem.value("message", "").rfind("1:", 0) == 0) << refused.body;
  EXPECT_EQ(Decide("gina@acme.example", "contoso", "company.view"), "allow");

  const Reply deleted = Delete("customer_group", "us-east");
  if (deleted.status == 204) {
    EXPECT_EQ(Decide("gina@acme.example", "contoso", "company.view").rfind("deny", 0), 0u);
  } else {
    // A write that would leave gina's access dangling may be refused instead;
    // then her access must still be what the stored group says.
    EXPECT_EQ(deleted.status, 409) << deleted.body;
    EXPECT_EQ(Decide("gina@acme.example", "contoso", "company.view"), "allow");
  }
}

// Another partner's user naming Acme's stored group gets nothing from it.
TEST_F(TenantData, AnotherPartnersGroupIsNeverFound) {
  ASSERT_EQ(Put("customer_group", "shared",
                {{"kind", "customer_group"},
                 {"id", "shared"},
                 {"org", "acme"},
                 {"members", {"contoso", "fabrikam"}}})
                .status,
            201);
  const Reply user =
      PutUser("gail@globex.example", "globex", {"partner.admin"}, {{"groups", {"shared"}}});
  if (user.status == 201) {
    EXPECT_EQ(Decide("gail@globex.example", "contoso", "company.view").rfind("deny", 0), 0u);
    EXPECT_EQ(Decide("gail@globex.example", "initech", "company.view").rfind("deny", 0), 0u);
  } else {
    EXPECT_EQ(user.status, 400) << user.body;  // refused as an unknown group: also safe
  }
}

// A custom role: created, it grants what it names within the ceiling on the
// customers its access names; deleted, the access goes; created again, back.
TEST_F(TenantData, CustomRoleCreatedDeletedAndCreatedAgain) {
  const json role = {{"kind", "role"},
                     {"id", "viewer"},
                     {"org", "acme"},
                     {"level", "partner"},
                     {"permissions", {"view_customers"}},
                     {"access", {{"customers", {"fabrikam"}}}}};
  ASSERT_EQ(Put("role", "viewer", role).status, 201);
  const Reply user = PutUser("rita@acme.example", "acme", {"viewer"});
  ASSERT_EQ(user.status, 201) << user.body;
  EXPECT_EQ(Decide("rita@acme.example", "fabrikam", "company.view"), "allow");
  EXPECT_EQ(Decide("rita@acme.example", "contoso", "company.view"), "deny out_of_scope");
  EXPECT_EQ(Decide("rita@acme.example", "fabrikam", "company.edit").rfind("deny", 0), 0u);

  // Outside the ceiling: refused at the permission's path, nothing changes.
  json greedy = role;
  greedy["permissions"] = {"view_customers", "delete_data"};
  const Reply refused = Put("role", "viewer", greedy);
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.Json()["error"]["problems"][0].value("path", ""), "/permissions/1");
  EXPECT_EQ(refused.Json()["error"]["problems"][0].value("code", ""), "outside_ceiling");

  const Reply deleted = Delete("role", "viewer");
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(Decide("rita@acme.example", "fabrikam", "company.view").rfind("deny", 0), 0u);

  ASSERT_EQ(Put("role", "viewer", role).status, 201);
  EXPECT_EQ(Decide("rita@acme.example", "fabrikam", "company.view"), "allow");

  // Globex's user binding Acme's role name gets nothing from it.
  const Reply other = PutUser("gil@globex.example", "globex", {"viewer"});
  if (other.status == 201) {
    EXPECT_EQ(Decide("gil@globex.example", "initech", "company.view").rfind("deny", 0), 0u);
  }
}

}  // namespace
}  // namespace castellan::testing
