// EntitySnapshot: Build/Apply/Rebuild, sharing, every problem code with its
// path, and custom roles and customer groups stored as data deciding.
#include "engine/entity_snapshot.h"

#include <gtest/gtest.h>

#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"
#include "engine/policy_set.h"

namespace castellan::engine {
namespace {

constexpr const char* kPolicies = R"yaml(
kind: Permissions
permissions:
  read: {}
  write: {}
  secret: {}
  company_only: {levels: [company]}
actions:
  doc.view: {requires: [read]}
  doc.edit: {requires: [write]}
---
kind: Role
name: viewer
level: partner
grants: [read]
scope: [own, assigned_customers]
---
kind: CustomRoles
level: partner
scope: [assigned_customers]
permissions: [read, write, company_only]
---
kind: EntityKind
name: organization
attributes:
  type: {type: string, optional: true, values: [partner, customer]}
  parent: {type: string, optional: true}
  region: {type: string, optional: true}
---
kind: Policy
name: p
rules:
  - {name: allow-all, effect: allow, actions: ["*"]}
  # The role functions know custom roles (rank 0, their level, their grants):
  # an error here would deny (fail closed).
  - name: ranked-editors
    effect: deny
    actions: [doc.edit]
    unless: >-
      role.maxRank(principal.roles, "partner") >= 0 &&
      role.names(principal.roles).all(r, role.level(r) == "partner" &&
        (role.rank(r) > 0 || "write" in role.grants(r)))
)yaml";

std::shared_ptr<const PolicySet> Compile(const std::string& yaml) {
  dsl::LoadResult loaded = dsl::LoadPolicyFiles({{"p.yaml", yaml}}, PolicyEnvironments());
  EXPECT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
  if (!loaded.source) return nullptr;
  return PolicySet::Compile(std::move(*loaded.source)).set;
}

EntityRecord Record(const std::string& json) {
  Value v = api::FromJson(nlohmann::json::parse(json));
  const Value* id = v.map_value().FindString("id");
  const Value* kind = v.map_value().FindString("kind");
  std::string k = kind ? kind->string_value() : "";
  if (k.empty() || k == "partner" || k == "customer") k = "organization";
  if (v.map_value().FindString("roles") || v.map_value().FindString("aliases")) k = "user";
  return {k, id ? id->string_value() : "", v};
}

std::vector<EntityRecord> Base() {
  return {
      Record(R"({"id": "acme", "type": "partner"})"),
      Record(R"({"id": "rival", "type": "partner"})"),
      Record(R"({"id": "eu1", "type": "customer", "parent": "acme", "region": "eu"})"),
      Record(R"({"id": "us1", "type": "customer", "parent": "acme", "region": "us"})"),
      Record(R"({"id": "eu2", "type": "customer", "parent": "rival", "region": "eu"})"),
      Record(R"({"id": "ann", "org": "acme", "roles": [{"role": "helpdesk"}],
                 "aliases": ["pid-1"]})"),
      Record(R"({"id": "rob", "org": "rival", "roles": [{"role": "helpdesk",
                 "access": {"all": true}}]})"),
      Record(R"({"kind": "role", "id": "helpdesk", "org": "acme", "level": "partner",
                 "permissions": ["read"], "access": {"groups": ["eu"]}})"),
      Record(R"({"kind": "customer_group", "id": "eu", "org": "acme",
                 "match": "has(customer.region) && customer.region == 'eu'"})"),
      Record(R"({"kind": "doc", "id": "d1", "org": "eu1"})"),
  };
}

class EntitySnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_ = Compile(kPolicies);
    ASSERT_TRUE(set_);
    auto built = EntitySnapshot::Build(Base(), set_, 7);
    ASSERT_TRUE(built.snapshot) << (built.problems.empty() ? "" : built.problems[0].message);
    snapshot_ = built.snapshot;
  }

  bool Allowed(const EntitySnapshot& s, const std::string& user, const std::string& org,
               const std::string& action = "doc.view") {
    DecisionRequest r{api::FromJson({{"id", user}}),
                      api::FromJson({{"kind", "organization"}, {"id", org}}),
                      Value::Null(),
                      {action}};
    return Decide(*set_, s, r).results.at(0).allowed;
  }

  static std::string Codes(const std::vector<EntityProblem>& problems) {
    std::string out;
    for (const auto& p : problems) out += p.code + "@" + p.path + " ";
    return out;
  }

  std::shared_ptr<const PolicySet> set_;
  std::shared_ptr<const EntitySnapshot> snapshot_;
};

TEST_F(EntitySnapshotTest, BuildIndexesEveryEntity) {
  const EntitySnapshot& s = *snapshot_;
  EXPECT_EQ(s.version(), 7u);
  EXPECT_EQ(s.size(), 10u);
  EXPECT_TRUE(s.FindOrganization("acme"));
  EXPECT_TRUE(s.FindUser("ann"));
  EXPECT_EQ(s.FindUser("pid-1"), s.FindUser("ann"));  // by alias
  EXPECT_FALSE(s.Find("user", "pid-1"));              // Find does not count aliases
  EXPECT_TRUE(s.FindResource("doc", "d1"));
  EXPECT_FALSE(s.FindResource("doc", "d2"));
  std::vector<const EntityRecord*> all = s.All();
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all[0]->kind, "organization");
  EXPECT_EQ(all[0]->id, "acme");
  EXPECT_EQ(all[5]->kind, "user");
  EXPECT_EQ(all[9]->kind, "role");  // resources by id: d1, eu, helpdesk
}

TEST_F(EntitySnapshotTest, CustomRolesAndGroupsAreFoundForTheirOwnerOnly) {
  const CompiledRole* role = snapshot_->FindCustomRole("acme", "helpdesk");
  ASSERT_TRUE(role);
  EXPECT_EQ(role->decl->name, "helpdesk");
  EXPECT_EQ(role->decl->level, "partner");
  EXPECT_EQ(role->scope, std::vector<ScopeTerm>{ScopeTerm::kAssignedCustomers});
  EXPECT_FALSE(snapshot_->FindCustomRole("rival", "helpdesk"));
  const CompiledGroup* group = snapshot_->FindCustomerGroup("acme", "eu");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->decl->owner, "acme");
  EXPECT_FALSE(snapshot_->FindCustomerGroup("rival", "eu"));
}

TEST_F(EntitySnapshotTest, CustomRoleDecidesWithItsGroupAccess) {
  // The role's own access (groups: [eu]) applies: eu1 matches, us1 does not.
  EXPECT_TRUE(Allowed(*snapshot_, "ann", "eu1"));
  EXPECT_FALSE(Allowed(*snapshot_, "ann", "us1"));
  // Only read: the role grants no write.
  EXPECT_FALSE(Allowed(*snapshot_, "ann", "eu1", "doc.edit"));
}

TEST_F(EntitySnapshotTest, AnotherPartnersRoleIsNeverFound) {
  // rob (rival) names acme's helpdesk: unknown for him, whatever his access says.
  EXPECT_FALSE(Allowed(*snapshot_, "rob", "eu2"));
  EXPECT_FALSE(Allowed(*snapshot_, "rob", "eu1"));
}

TEST_F(EntitySnapshotTest, AnotherPartnersGroupCoversNothing) {
  auto next = snapshot_->Apply(
      {Record(R"({"kind": "role", "id": "rival-desk", "org": "rival", "permissions": ["read"]})"),
       Record(R"({"id": "rob", "org": "rival", "roles": [{"role": "rival-desk",
                  "access": {"groups": ["eu"]}}]})")},
      {}, 8);
  ASSERT_TRUE(next.snapshot) << Codes(next.problems);
  // acme's group "eu" is not rival's: eu2 (rival's customer in the eu) is not covered.
  EXPECT_FALSE(Allowed(*next.snapshot, "rob", "eu2"));
  auto own = next.snapshot->Apply({Record(R"({"kind": "customer_group", "id": "eu",
      "org": "rival", "members": ["eu2"]})")},
                                  {}, 9);
  // Same kind and id as acme's group: rival may not take it over.
  EXPECT_FALSE(own.snapshot);
  EXPECT_EQ(Codes(own.problems), "duplicate_id@/org ");
  // Once acme's is gone, the id is free for rival's own.
  auto freed = next.snapshot->Apply({Record(R"({"kind": "customer_group", "id": "eu",
      "org": "rival", "members": ["eu2"]})")},
                                    {{"customer_group", "eu"}}, 9);
  ASSERT_TRUE(freed.snapshot) << Codes(freed.problems);
  EXPECT_TRUE(Allowed(*freed.snapshot, "rob", "eu2"));
  EXPECT_FALSE(freed.snapshot->FindCustomerGroup("acme", "eu"));
}

// Entities are keyed "kind/id": a kind with '/' ("user/x" + "y") would name
// user "x/y" and replace it.
TEST_F(EntitySnapshotTest, AKindMayNotHoldASlash) {
  EntityRecord forged{"user/x", "y", Value()};
  forged.attributes = Record(R"({"kind": "user/x", "id": "y", "org": "acme"})").attributes;
  EXPECT_EQ(Codes(ValidateEntity(forged, *set_)), "invalid_entity@/kind ");
}

TEST_F(EntitySnapshotTest, BindingAccessBeatsRoleAccessBeatsUserAccess) {
  auto next = snapshot_->Apply(
      {Record(R"({"id": "bea", "org": "acme", "customer_access": {"all": true},
                  "roles": [{"role": "helpdesk", "access": {"customers": ["us1"]}}]})"),
       Record(R"({"id": "cid", "org": "acme", "customer_access": {"customers": ["us1"]},
                  "roles": ["helpdesk"]})"),
       Record(R"({"kind": "role", "id": "desk2", "org": "acme", "permissions": ["read"]})"),
       Record(R"({"id": "dan", "org": "acme", "customer_access": {"customers": ["us1"]},
                  "roles": ["desk2"]})")},
      {}, 8);
  ASSERT_TRUE(next.snapshot) << Codes(next.problems);
  EXPECT_TRUE(Allowed(*next.snapshot, "bea", "us1"));   // the binding's access
  EXPECT_FALSE(Allowed(*next.snapshot, "bea", "eu1"));  // not the role's, not the user's
  EXPECT_TRUE(Allowed(*next.snapshot, "cid", "eu1"));   // the role's access
  EXPECT_FALSE(Allowed(*next.snapshot, "cid", "us1"));  // not the user's
  EXPECT_TRUE(Allowed(*next.snapshot, "dan", "us1"));   // the user's
}

TEST_F(EntitySnapshotTest, ApplySharesUntouchedRecordsAndLeavesTheOldSnapshotAlone) {
  auto next = snapshot_->Apply({Record(R"({"kind": "doc", "id": "d2", "org": "us1"})")},
                               {{"doc", "d1"}}, 8);
  ASSERT_TRUE(next.snapshot) << Codes(next.problems);
  EXPECT_EQ(next.snapshot->version(), 8u);
  EXPECT_EQ(next.snapshot->Find("organization", "acme"), snapshot_->Find("organization", "acme"));
  EXPECT_EQ(next.snapshot->FindCustomRole("acme", "helpdesk"),
            snapshot_->FindCustomRole("acme", "helpdesk"));
  EXPECT_TRUE(next.snapshot->FindResource("doc", "d2"));
  EXPECT_FALSE(next.snapshot->FindResource("doc", "d1"));
  EXPECT_TRUE(snapshot_->FindResource("doc", "d1"));
  EXPECT_FALSE(snapshot_->FindResource("doc", "d2"));
}

TEST_F(EntitySnapshotTest, ACustomRoleCreatedChangesTheNextDecisionAndDeletingRemovesIt) {
  auto with_user =
      snapshot_->Apply({Record(R"({"id": "eve", "org": "acme", "roles": [{"role": "editor-lite",
                  "access": {"all": true}}]})")},
                       {}, 8);
  ASSERT_TRUE(with_user.snapshot) << Codes(with_user.problems);
  EXPECT_FALSE(Allowed(*with_user.snapshot, "eve", "us1", "doc.edit"));
  auto created = with_user.snapshot->Apply({Record(R"({"kind": "role", "id": "editor-lite",
      "org": "acme", "permissions": ["read", "write"]})")},
                                           {}, 9);
  ASSERT_TRUE(created.snapshot) << Codes(created.problems);
  EXPECT_TRUE(Allowed(*created.snapshot, "eve", "us1", "doc.edit"));
  auto deleted = created.snapshot->Apply({}, {{"role", "editor-lite"}}, 10);
  ASSERT_TRUE(deleted.snapshot) << Codes(deleted.problems);
  EXPECT_FALSE(Allowed(*deleted.snapshot, "eve", "us1", "doc.edit"));
  EXPECT_FALSE(deleted.snapshot->FindCustomRole("acme", "editor-lite"));
}

TEST_F(EntitySnapshotTest, AGroupCreatedChangesTheNextDecision) {
  auto next = snapshot_->Apply(
      {Record(R"({"kind": "customer_group", "id": "us", "org": "acme", "members": ["us1"]})"),
       Record(R"({"id": "fay", "org": "acme", "roles": [{"role": "viewer",
                  "access": {"groups": ["us"]}}]})")},
      {}, 8);
  ASSERT_TRUE(next.snapshot) << Codes(next.problems);
  EXPECT_TRUE(Allowed(*next.snapshot, "fay", "us1"));
  EXPECT_FALSE(Allowed(*next.snapshot, "fay", "eu1"));
  auto gone = next.snapshot->Apply({}, {{"customer_group", "us"}}, 9);
  ASSERT_TRUE(gone.snapshot);
  EXPECT_FALSE(Allowed(*gone.snapshot, "fay", "us1"));
}

TEST_F(EntitySnapshotTest, CeilingIsEnforcedOnWrite) {
  auto next = snapshot_->Apply({Record(R"({"kind": "role", "id": "greedy", "org": "acme",
      "permissions": ["read", "secret", "nope"]})")},
                               {}, 8);
  EXPECT_FALSE(next.snapshot);
  EXPECT_EQ(Codes(next.problems),
            "outside_ceiling@/permissions/1 unknown_permission@/permissions/2 ");
}

TEST_F(EntitySnapshotTest, LevelOnlyPermissionsAreNotGranted) {
  // company_only is in the ceiling but not allowed at level partner: kept out of grants.
  auto next = snapshot_->Apply({Record(R"({"kind": "role", "id": "mixed", "org": "acme",
      "permissions": ["read", "company_only"]})")},
                               {}, 8);
  ASSERT_TRUE(next.snapshot) << Codes(next.problems);
  const CompiledRole* role = next.snapshot->FindCustomRole("acme", "mixed");
  ASSERT_TRUE(role);
  PermissionId id;
  ASSERT_TRUE(set_->FindPermission("company_only", &id));
  EXPECT_FALSE(role->grants.Contains(id));
  ASSERT_TRUE(set_->FindPermission("read", &id));
  EXPECT_TRUE(role->grants.Contains(id));
}

TEST_F(EntitySnapshotTest, RebuildDropsWhatANewCeilingNoLongerAllowsWithAWarning) {
  std::string narrower = kPolicies;
  narrower.replace(narrower.find("permissions: [read, write, company_only]"),
                   std::string("permissions: [read, write, company_only]").size(),
                   "permissions: [write]");
  auto policies = Compile(narrower);
  ASSERT_TRUE(policies);
  auto rebuilt = snapshot_->Rebuild(policies);
  ASSERT_TRUE(rebuilt.snapshot) << Codes(rebuilt.problems);
  EXPECT_EQ(rebuilt.snapshot->version(), 7u);
  ASSERT_EQ(rebuilt.warnings.size(), 1u);
  EXPECT_EQ(rebuilt.warnings[0].code, "outside_ceiling");
  EXPECT_EQ(rebuilt.warnings[0].path, "/permissions/0");
  const CompiledRole* role = rebuilt.snapshot->FindCustomRole("acme", "helpdesk");
  ASSERT_TRUE(role);
  EXPECT_TRUE(role->grants.empty());
}

TEST_F(EntitySnapshotTest, WithoutCustomRolesDocumentEveryCustomRoleIsRefused) {
  std::string none = kPolicies;
  const size_t from = none.find("kind: CustomRoles");
  none.erase(from, none.find("---", from) + 4 - from);
  auto policies = Compile(none);
  ASSERT_TRUE(policies);
  auto rebuilt = snapshot_->Rebuild(policies);
  EXPECT_FALSE(rebuilt.snapshot);
  EXPECT_EQ(Codes(rebuilt.problems), "invalid_entity@ ");
  // A built-in role resource is a plain resource.
  auto plain = EntitySnapshot::Build(
      {Record(R"({"kind": "role", "id": "admin", "org": "acme", "builtin": true})")}, policies, 0);
  EXPECT_TRUE(plain.snapshot);
}

TEST_F(EntitySnapshotTest, ProblemsNameTheirCodeAndPath) {
  struct Case {
    std::string json, codes;
  } cases[] = {
      {R"({"id": "x", "org": "acme", "roles": [5]})", "invalid_entity@/roles/0 "},
      {R"({"id": "x", "org": "acme", "roles": [{"access": {}}]})", "invalid_entity@/roles/0/role "},
      {R"({"id": "x", "org": 3, "roles": []})", "invalid_entity@/org "},
      {R"({"id": "x", "org": "acme", "aliases": ["pid-1"]})", "alias_taken@/aliases/0 "},
      {R"({"id": "x", "org": "acme", "aliases": ["ann"]})", "alias_taken@/aliases/0 "},
      {R"({"id": "pid-1", "org": "acme", "roles": []})", "alias_taken@/id "},
      {R"({"id": "x", "org": "nowhere", "roles": []})", "unknown_organization@/org "},
      {R"({"id": "c9", "type": "customer", "parent": "nowhere"})", "unknown_organization@/parent "},
      {R"({"id": "c9", "type": "vendor"})", "invalid_entity@/type "},
      {R"({"id": "c9", "region": 4})", "invalid_entity@/region "},
      {R"({"id": "c9", "colour": "red"})", "invalid_entity@/colour "},
      {R"({"kind": "role", "id": "r", "org": "acme"})", "invalid_entity@/permissions "},
      {R"({"kind": "role", "id": "r", "org": "acme", "level": "company", "permissions": []})",
       "invalid_entity@/level "},
      {R"({"kind": "role", "id": "r", "permissions": []})", "invalid_entity@/org "},
      {R"({"kind": "customer_group", "id": "g", "org": "acme"})", "invalid_entity@ "},
      {R"({"kind": "customer_group", "id": "g", "org": "acme", "members": ["a"],
           "match": "true"})",
       "invalid_entity@ "},
      {R"({"kind": "customer_group", "id": "g", "org": "acme", "members": ["a", 1]})",
       "invalid_entity@/members/1 "},
      {R"({"kind": "customer_group", "id": "g", "org": "acme", "match": 1})",
       "invalid_entity@/match "},
  };
  for (const Case& c : cases) {
    auto next = snapshot_->Apply({Record(c.json)}, {}, 8);
    EXPECT_FALSE(next.snapshot) << c.json;
    EXPECT_EQ(Codes(next.problems), c.codes) << c.json;
  }
}

TEST_F(EntitySnapshotTest, ExpressionErrorsArePositionedWithinTheExpression) {
  EntityRecord bad = Record(R"({"kind": "customer_group", "id": "g", "org": "acme",
      "match": "has(customer.region) &&\n  customer.nope == 1"})");
  std::vector<EntityProblem> problems = ValidateEntity(bad, *set_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].code, "invalid_expression");
  EXPECT_EQ(problems[0].path, "/match");
  EXPECT_EQ(problems[0].message.substr(0, 5), "2:12:") << problems[0].message;
  EXPECT_NE(problems[0].message.find("nope"), std::string::npos) << problems[0].message;

  EntityRecord syntax = Record(R"({"kind": "customer_group", "id": "g", "org": "acme",
      "match": "customer.region == "})");
  problems = ValidateEntity(syntax, *set_);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].code, "invalid_expression");
  EXPECT_EQ(problems[0].message.substr(0, 5), "1:20:") << problems[0].message;

  EntityRecord not_bool = Record(R"({"kind": "customer_group", "id": "g", "org": "acme",
      "match": "'eu'"})");
  problems = ValidateEntity(not_bool, *set_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message.substr(0, 4), "1:1:");
}

TEST_F(EntitySnapshotTest, DuplicateIdsAreProblems) {
  std::vector<EntityRecord> records = Base();
  records.push_back(Record(R"({"kind": "doc", "id": "d1", "org": "us1"})"));
  auto built = EntitySnapshot::Build(records, set_, 0);
  EXPECT_FALSE(built.snapshot);
  EXPECT_EQ(Codes(built.problems), "duplicate_id@ ");
  auto twice = snapshot_->Apply({Record(R"({"kind": "doc", "id": "d3", "org": "us1"})"),
                                 Record(R"({"kind": "doc", "id": "d3", "org": "eu1"})")},
                                {}, 8);
  EXPECT_FALSE(twice.snapshot);
  EXPECT_EQ(Codes(twice.problems), "duplicate_id@ ");
}

TEST_F(EntitySnapshotTest, ValidateEntityChecksShapeWithoutTheOthers) {
  EXPECT_TRUE(
      ValidateEntity(Record(R"({"id": "x", "org": "nowhere", "roles": []})"), *set_).empty());
  EntityRecord wrong_id{"doc", "d1", api::FromJson({{"kind", "doc"}, {"id", "other"}})};
  std::vector<EntityProblem> problems = ValidateEntity(wrong_id, *set_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "/id");
  EntityRecord wrong_kind{"doc", "d1", api::FromJson({{"kind", "memo"}, {"id", "d1"}})};
  problems = ValidateEntity(wrong_kind, *set_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "/kind");
  EntityRecord not_map{"doc", "d1", Value::String("x")};
  EXPECT_EQ(Codes(ValidateEntity(not_map, *set_)), "invalid_entity@ ");
}

TEST_F(EntitySnapshotTest, ReplacingAUserMovesItsAliases) {
  auto next = snapshot_->Apply(
      {Record(R"({"id": "ann", "org": "acme", "roles": [], "aliases": ["pid-2"]})")}, {}, 8);
  ASSERT_TRUE(next.snapshot) << Codes(next.problems);
  EXPECT_FALSE(next.snapshot->FindUser("pid-1"));
  EXPECT_TRUE(next.snapshot->FindUser("pid-2"));
  auto reuse = next.snapshot->Apply(
      {Record(R"({"id": "zed", "org": "acme", "roles": [], "aliases": ["pid-1"]})")}, {}, 9);
  EXPECT_TRUE(reuse.snapshot) << Codes(reuse.problems);
  auto removed = next.snapshot->Apply({}, {{"user", "ann"}}, 9);
  ASSERT_TRUE(removed.snapshot);
  EXPECT_FALSE(removed.snapshot->FindUser("pid-2"));
}

TEST(InMemoryEntityStore, FindsByKindAndIdWithoutMixingThemUp) {
  // Lookups hash (kind, id) as "kind/id" without building it: the split
  // between kind and id still counts, and long ids are found too.
  InMemoryEntityStore store;
  const std::string long_id = "a-resource-id-longer-than-any-short-string-buffer";
  ASSERT_TRUE(store.AddResource("doc", "ab", Value::Int(1)));
  ASSERT_TRUE(store.AddResource("doc", long_id, Value::Int(2)));
  ASSERT_TRUE(store.AddUser(long_id, Value::Int(3)));
  ASSERT_TRUE(store.AddUserAlias("alias-" + long_id, long_id));
  ASSERT_NE(store.FindResource("doc", "ab"), nullptr);
  EXPECT_EQ(store.FindResource("doc", long_id)->int_value(), 2);
  EXPECT_EQ(store.FindResource("do", "cab"), nullptr);
  EXPECT_EQ(store.FindResource("doc", "a"), nullptr);
  EXPECT_EQ(store.FindResource("doc/ab", ""), nullptr);
  EXPECT_EQ(store.FindUser(long_id)->int_value(), 3);
  EXPECT_EQ(store.FindUser("alias-" + long_id)->int_value(), 3);
  EXPECT_EQ(store.FindUser("alias-"), nullptr);
}

}  // namespace
}  // namespace castellan::engine
