// Issue 11 items 1 and 5: declared organization scope, the scope.* helpers,
// requires_any, role inheritance, tags, owned groups, `except` and
// role.maxRank failing closed; one test per rule of docs/decisions.md.
#include <gtest/gtest.h>

#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/customer_group.h"
#include "engine/decision.h"
#include "tests/engine/decide_test_support.h"

namespace castellan::engine {
namespace {

constexpr const char* kPolicies = R"yaml(
kind: Permissions
permissions:
  read: {tags: [builtin]}
  write: {}
  manage_users: {tags: [vendor_only]}
  partner_admin: {}
  company_admin: {}
  env_admin: {company_level: true}
actions:
  doc.view: {requires: [read]}
  doc.edit: {requires: [write]}
  session.end: {requires: [read], scope: none}
  todo.view: {requires: [read]}
  user.edit: {requires: [manage_users]}
  user.role.assign: {requires: [manage_users], requires_any: [partner_admin, company_admin]}
  client.add_user: {requires: [read], scope: none}
  env.rotate: {requires: [env_admin], scope: none}
  invite.accept: {}
  tagged.check: {}
---
kind: Role
name: viewer
level: partner
rank: 1
grants: [read]
customisable: [write]
scope: [own, assigned_customers]
tags: [builtin]
---
kind: Role
name: editor
level: partner
rank: 2
inherits: [viewer]
grants: [write]
scope: [own, assigned_customers]
---
kind: Role
name: admin
level: partner
rank: 3
inherits: [editor]
grants: [manage_users, partner_admin]
scope: [own, customers]
---
kind: Role
name: helper
level: partner
rank: 1
grants: [manage_users]
---
kind: Role
name: cadmin
level: company
rank: 2
grants: [env_admin, read]
---
kind: CustomerGroup
name: acme-eu
owner: p-acme
match: customer.region == "EU"
---
kind: CustomerGroup
name: every-eu
match: customer.region == "EU"
---
kind: Policy
name: p
rules:
  - name: holders
    effect: allow
    actions: ["*"]
    except: [invite.accept]
    when: principal.status == "active"
  - name: invites
    effect: allow
    actions: [invite.accept]
    when: principal.status == "pending"
  - name: client-access
    effect: deny
    actions: [client.add_user]
    unless: scope.covers(context.client) && "read" in scope.permissionsAt(context.client)
  - name: tags
    effect: deny
    actions: [tagged.check]
    unless: "'builtin' in role.tags('viewer') && 'vendor_only' in permission.tags('manage_users')"
  - name: beneath
    effect: deny
    actions: [user.edit]
    unless: role.maxRank(principal.roles) > role.maxRank(resource.roles)
)yaml";

constexpr const char* kEntities = R"({
  "organizations": [
    {"id": "p-acme"}, {"id": "p-globex"},
    {"id": "c-eu", "parent": "p-acme", "region": "EU"},
    {"id": "c-us", "parent": "p-acme", "region": "US"},
    {"id": "g-eu", "parent": "p-globex", "region": "EU"},
    {"id": "co-off", "parent": "p-acme"},
    {"id": "co-on", "parent": "p-acme", "enabled_permissions": ["env_admin"]}
  ],
  "users": [
    {"id": "viewer", "org": "p-acme", "status": "active", "roles": ["viewer"],
     "customer_access": {"groups": ["acme-eu"]}},
    {"id": "editor", "org": "p-acme", "status": "active", "roles": ["editor"]},
    {"id": "editor-write", "org": "p-acme", "status": "active",
     "roles": [{"role": "editor", "permissions": ["write"]}]},
    {"id": "roleless", "org": "p-acme", "status": "active", "roles": []},
    {"id": "admin", "org": "p-acme", "status": "active", "roles": ["admin"]},
    {"id": "helper", "org": "p-acme", "status": "active", "roles": ["helper"]},
    {"id": "globex", "org": "p-globex", "status": "active", "roles": ["viewer"],
     "customer_access": {"groups": ["acme-eu", "every-eu"]}},
    {"id": "pending", "org": "p-acme", "status": "pending", "roles": ["viewer"]},
    {"id": "cadmin-off", "org": "co-off", "status": "active", "roles": ["cadmin"]},
    {"id": "cadmin-on", "org": "co-on", "status": "active", "roles": ["cadmin"]}
  ]
})";

class DecideScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dsl::LoadResult loaded = dsl::LoadPolicyFiles({{"p.yaml", kPolicies}}, PolicyEnvironments());
    ASSERT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
    // An EntityKind document, built by hand: todos are request-only and belong to no organization.
    dsl::EntityKindDecl todo;
    todo.name = "todo";
    todo.source = dsl::EntitySource::kRequest;
    todo.scope = dsl::ScopeMode::kNone;
    dsl::AttributeDecl owner;
    owner.name = "ownerID";
    owner.type = dsl::Type::String();
    owner.from = dsl::AttributeSource::kRequest;
    todo.attributes.push_back(owner);
    loaded.source->entity_kinds.push_back(todo);
    auto compiled = PolicySet::Compile(std::move(*loaded.source));
    ASSERT_TRUE(compiled.set);
    set_ = compiled.set;
    test_support::AddJsonEntities(store_, kEntities);
  }

  ActionDecision One(const std::string& principal, const std::string& resource,
                     const std::string& action, const std::string& context = "{}") {
    DecisionRequest r{api::FromJson(nlohmann::json::parse(R"({"id": ")" + principal + "\"}")),
                      api::FromJson(nlohmann::json::parse(resource)),
                      api::FromJson(nlohmann::json::parse(context)),
                      {action}};
    return Decide(*set_, store_, r).results.at(0);
  }

  static const Reason* FindReason(const ActionDecision& d, const std::string& code) {
    for (const auto& r : d.reasons) {
      if (r.Code() == code) return &r;
    }
    return nullptr;
  }

  std::shared_ptr<const PolicySet> set_;
  InMemoryEntityStore store_;
};

const char* kAcme = R"({"kind": "organization", "id": "p-acme"})";
const char* kEu = R"({"kind": "organization", "id": "c-eu"})";
// Sessions are not stored: each request proposes one.
const char* kSession = R"({"kind": "session", "id": "s1", "new": true, "started": "today"})";

TEST_F(DecideScopeTest, InheritedRolesAddTheirGrants) {
  // editor inherits viewer's read; admin inherits both, transitively.
  EXPECT_TRUE(One("editor", kAcme, "doc.view").allowed);
  EXPECT_TRUE(One("editor", kAcme, "doc.edit").allowed);
  EXPECT_TRUE(One("admin", kAcme, "doc.view").allowed);
  auto viewer = One("viewer", kAcme, "doc.edit");
  EXPECT_FALSE(viewer.allowed);
  EXPECT_TRUE(FindReason(viewer, "missing_permission"));
}

TEST_F(DecideScopeTest, InheritedCustomisableRaisesTheCeiling) {
  // write is viewer's customisable: an editor binding may be given it (and
  // here only it), which needs editor's ceiling to include viewer's.
  DecisionRequest r{api::FromJson(nlohmann::json::parse(R"({"id": "editor-write"})")),
                    api::FromJson(nlohmann::json::parse(kAcme)),
                    Value::Null(),
                    {"doc.edit", "doc.view"}};
  Decision d = Decide(*set_, store_, r);
  EXPECT_TRUE(d.results[0].allowed);
  EXPECT_FALSE(d.results[1].allowed);
}

TEST_F(DecideScopeTest, RequiresAnyNeedsOneOfTheList) {
  EXPECT_TRUE(One("admin", kAcme, "user.role.assign").allowed);
  auto helper = One("helper", kAcme, "user.role.assign");
  EXPECT_FALSE(helper.allowed);
  const Reason* r = FindReason(helper, "missing_permission");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->permission, "partner_admin|company_admin");
  EXPECT_EQ(r->required_by, "user.role.assign");
}

TEST_F(DecideScopeTest, ActionOfScopeNoneHasNoOrganizationGate) {
  EXPECT_TRUE(One("viewer", kSession, "session.end").allowed);
  // The same resource for an organization-scoped action is out of scope.
  auto view = One("viewer", kSession, "doc.view");
  EXPECT_FALSE(view.allowed);
  EXPECT_TRUE(FindReason(view, "out_of_scope"));
  // Scope none still needs the permissions, from any binding.
  auto helper = One("helper", kSession, "session.end");
  EXPECT_FALSE(helper.allowed);
  EXPECT_TRUE(FindReason(helper, "missing_permission"));
}

TEST_F(DecideScopeTest, ResourceKindOfScopeNoneHasNoOrganizationGate) {
  const char* todo = R"({"kind": "todo", "id": "t1", "ownerID": "viewer"})";
  EXPECT_TRUE(One("viewer", todo, "todo.view").allowed);
  auto doc =
      One("viewer", R"({"kind": "doc", "id": "d1", "new": true, "title": "x"})", "todo.view");
  EXPECT_TRUE(FindReason(doc, "out_of_scope"));
}

TEST_F(DecideScopeTest, ScopeNoneStillNeedsCompanyLevelPermissionsEnabled) {
  auto off = One("cadmin-off", kSession, "env.rotate");
  EXPECT_FALSE(off.allowed);
  EXPECT_TRUE(FindReason(off, "missing_permission"));
  EXPECT_TRUE(One("cadmin-on", kSession, "env.rotate").allowed);
}

TEST_F(DecideScopeTest, ScopeHelpersAskAboutAnotherOrganization) {
  // viewer reaches c-eu through the acme-eu group, not c-us.
  EXPECT_TRUE(One("viewer", kAcme, "client.add_user", R"({"client": "c-eu"})").allowed);
  auto us = One("viewer", kAcme, "client.add_user", R"({"client": "c-us"})");
  EXPECT_FALSE(us.allowed);
  ASSERT_NE(us.rule, nullptr);
  EXPECT_EQ(us.rule->decl->name, "client-access");
  // Its own organization is covered.
  EXPECT_TRUE(One("viewer", kAcme, "client.add_user", R"({"client": "p-acme"})").allowed);
  EXPECT_FALSE(One("viewer", kAcme, "client.add_user", R"({"client": "nowhere"})").allowed);
}

TEST_F(DecideScopeTest, OwnedGroupHoldsOnlyTheOwnersCustomers) {
  const CompiledGroup* g = set_->FindGroup("acme-eu");
  ASSERT_TRUE(g);
  Value now = Value::Null();
  EXPECT_EQ(GroupContains(*g, "c-eu", store_, now).DebugString(), "true");
  EXPECT_EQ(GroupContains(*g, "g-eu", store_, now).DebugString(), "false");
  EXPECT_EQ(GroupContains(*g, "c-us", store_, now).DebugString(), "false");
}

TEST_F(DecideScopeTest, AnotherPartnersGroupCoversNothing) {
  // globex names acme's group: c-eu is neither its customer nor in a group it may name.
  auto d = One("globex", kEu, "doc.view");
  EXPECT_TRUE(FindReason(d, "out_of_scope"));
  // Its unowned every-eu group reaches its own EU customer.
  EXPECT_TRUE(One("globex", R"({"kind": "organization", "id": "g-eu"})", "doc.view").allowed);
  EXPECT_TRUE(One("viewer", kEu, "doc.view").allowed);
}

TEST_F(DecideScopeTest, ExceptTakesActionsOutOfAPattern) {
  EXPECT_TRUE(One("pending", kAcme, "invite.accept").allowed);
  auto active = One("viewer", kAcme, "invite.accept");
  EXPECT_FALSE(active.allowed);
  // Only `invites` was asked: `holders` names every action but invite.accept.
  ASSERT_EQ(active.reasons.size(), 1u);
  ASSERT_NE(active.reasons[0].rule, nullptr);
  EXPECT_EQ(active.reasons[0].rule->decl->name, "invites");
  EXPECT_TRUE(One("viewer", kAcme, "doc.view").allowed);
}

TEST_F(DecideScopeTest, TagsAreReadableFromRules) {
  EXPECT_TRUE(One("viewer", kAcme, "tagged.check").allowed);
}

TEST_F(DecideScopeTest, MaxRankOfNoRoleFailsClosed) {
  const char* roleless = R"({"kind": "user", "id": "roleless"})";
  auto d = One("admin", roleless, "user.edit");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(FindReason(d, "evaluation_error"));
  const char* viewer = R"({"kind": "user", "id": "viewer"})";
  EXPECT_TRUE(One("admin", viewer, "user.edit").allowed);
}

}  // namespace
}  // namespace castellan::engine
