// The decision semantics, one test per rule of docs/decisions.md.
#include "engine/decision.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "tests/engine/decide_test_support.h"

namespace castellan::engine {
namespace {

constexpr const char* kPolicies = R"(
kind: Permissions
permissions:
  manage_users: {}
  products: {}
  collections: {}
  backup_selections: {}
  data_estate_admin: {company_level: true}
  environment_admin: {requires: [data_estate_admin], company_level: true}
  customer_manager: {levels: [partner]}
actions:
  user.edit: {requires: [manage_users]}
  user.delete: {requires: [manage_users], step_up: true}
  backup_set.add: {requires: [products, collections, backup_selections]}
  environment.regenerate_secret: {requires: [environment_admin]}
  company.view: {}
  report.view: {}
  customers.manage_all: {requires: [customer_manager]}
  eu.report: {}
---
kind: Role
name: partner.owner
level: partner
rank: 4
grants: [manage_users, products, collections, backup_selections]
scope: [own, assigned_customers]
---
kind: Role
name: partner.admin
level: partner
rank: 2
grants: [manage_users, products]
customisable: [collections, backup_selections]
scope: [own, assigned_customers]
---
kind: Role
name: company.admin
level: company
rank: 2
grants: [manage_users, data_estate_admin, environment_admin, customer_manager]
scope: [own]
---
kind: Role
name: customer_manager
level: partner
rank: 1
grants: [manage_users]
scope: [customers]
---
kind: Role
name: company.operator
level: company
rank: 1
grants: [manage_users]
scope: [assigned_customers]
---
kind: Role
name: company.guest
level: company
rank: 0
scope: [own]
---
kind: CustomerGroup
name: eu
match: customer.data_center == "EU-West" || "eu" in customer.tags
---
kind: Policy
name: p
rules:
  - name: beneath-own-role
    effect: deny
    actions: [user.edit, user.delete]
    unless: role.maxRank(principal.roles) > role.maxRank(resource.roles)
    reason: role_not_beneath
  - name: managers
    effect: allow
    actions: [user.edit, user.delete, backup_set.add, environment.regenerate_secret, company.view,
              customers.manage_all]
    when: principal.status == "active"
  - name: reports-for-finance
    effect: allow
    actions: [report.view]
    when: principal.department == "finance"
  - name: eu-reports-for-eu-customers
    effect: allow
    actions: [eu.report]
    when: group.contains("eu", resource.org) && org(resource.org).data_center == "EU-West"
  - name: no-reports-on-fridays
    effect: deny
    actions: [report.view]
    when: context.friday
)";

constexpr const char* kEntities = R"({
  "organizations": [
    {"id": "acme"}, {"id": "globex"},
    {"id": "contoso", "parent": "acme", "added_at": "2026-03-01T00:00:00Z",
     "data_center": "EU-West", "enabled_permissions": ["data_estate_admin", "environment_admin"]},
    {"id": "fabrikam", "parent": "acme", "added_at": "2025-01-01T00:00:00Z", "tags": ["us"]},
    {"id": "initech", "parent": "globex"}
  ],
  "users": [
    {"id": "owner", "org": "acme", "status": "active", "roles": ["partner.owner"],
     "customer_access": {"all": true}},
    {"id": "admin", "org": "acme", "status": "active", "roles": ["partner.admin"],
     "customer_access": {"customers": ["fabrikam"]}},
    {"id": "admin2", "org": "acme", "status": "active", "roles": ["partner.admin"]},
    {"id": "cadmin", "org": "contoso", "status": "active", "roles": ["company.admin"]},
    {"id": "fadmin", "org": "fabrikam", "status": "active", "roles": ["company.admin"]}
  ]
})";

class DecideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dsl::LoadResult loaded = dsl::LoadPolicyFiles({{"p.yaml", kPolicies}}, PolicyEnvironments());
    ASSERT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
    auto compiled = PolicySet::Compile(std::move(*loaded.source));
    ASSERT_TRUE(compiled.set);
    set_ = compiled.set;
    Fill(store_, Value(), Value());
  }

  static std::string Text(const Value& entity, const char* key) {
    const Value* v = entity.map_value().FindString(key);
    return v && v->kind() == Value::Kind::kString ? v->string_value() : "";
  }

  // kEntities, with `user` and `resource` (null: none) stored over the
  // entities of the same ids.
  static void Fill(InMemoryEntityStore& store, const Value& user, const Value& resource) {
    auto add = [&](const std::string& kind, const Value& e) {
      const std::string id = Text(e, "id");
      if (kind == "organization") store.AddOrganization(id, e);
      if (kind == "user") store.AddUser(id, e);
      if (kind != "organization" && kind != "user") store.AddResource(kind, id, e);
    };
    if (user.kind() != Value::Kind::kNull) add("user", user);
    if (resource.kind() != Value::Kind::kNull) add(Text(resource, "kind"), resource);
    test_support::AddJsonEntities(store, kEntities);  // the ones added above stay
  }

  // An entity the test describes with attributes beyond its name is stored
  // as described (over the stored one of the same id) and named by id, as
  // requests must name stored entities (trust_boundary_test.cc tests what a
  // request may add). One without an id, or proposed, stays inline.
  static Value Described(const Value& given, const Value* stored, Value* to_store) {
    if (given.kind() != Value::Kind::kMap || Text(given, "id").empty() ||
        given.map_value().FindString("new")) {
      return given;
    }
    bool named_only = true;
    for (const auto& [k, v] : given.map_value().entries()) {
      named_only = named_only && (k.string_value() == "id" || k.string_value() == "kind");
    }
    if (named_only) return given;
    *to_store = stored ? MergeMaps(*stored, given) : given;
    Value error;
    std::vector<MapValue::Entry> name = {{Value::String("id"), Value::String(Text(given, "id"))}};
    if (!Text(given, "kind").empty()) {
      name.push_back({Value::String("kind"), Value::String(Text(given, "kind"))});
    }
    return Value::Map(MapValue::Make(std::move(name), &error));
  }

  ActionDecision One(const std::string& principal, const std::string& resource,
                     const std::string& action, const std::string& context = "{}") {
    Value p = api::FromJson(nlohmann::json::parse(principal));
    Value r = api::FromJson(nlohmann::json::parse(resource));
    Value stored_user, stored_resource;
    p = Described(p, p.kind() == Value::Kind::kMap ? store_.FindUser(Text(p, "id")) : nullptr,
                  &stored_user);
    const std::string kind = r.kind() == Value::Kind::kMap ? Text(r, "kind") : "";
    const Value* base = kind == "organization" ? store_.FindOrganization(Text(r, "id"))
                        : kind == "user"       ? store_.FindUser(Text(r, "id"))
                                               : nullptr;
    r = Described(r, base, &stored_resource);
    InMemoryEntityStore store;
    Fill(store, stored_user, stored_resource);
    DecisionRequest request{p, r, api::FromJson(nlohmann::json::parse(context)), {action}};
    Decision d = Decide(*set_, store, request);
    EXPECT_TRUE(d.refusals.empty()) << d.refusals[0].message;
    EXPECT_EQ(d.revision, set_->revision());
    return d.results.at(0);
  }

  static bool HasReason(const ActionDecision& d, const std::string& code) {
    for (const auto& r : d.reasons) {
      if (r.Code() == code) return true;
    }
    return false;
  }

  std::shared_ptr<const PolicySet> set_;
  InMemoryEntityStore store_;
};

Value Json(const char* text) {
  return api::FromJson(nlohmann::json::parse(text));
}

const char* kOwnerOnFabrikam = R"({"id": "owner"})";
const char* kFabrikam = R"({"kind": "organization", "id": "fabrikam"})";

TEST_F(DecideTest, AllowRuleMatchesWhenEverythingHolds) {
  auto d = One(kOwnerOnFabrikam, kFabrikam, "backup_set.add");
  EXPECT_TRUE(d.allowed);
  ASSERT_NE(d.rule, nullptr);
  EXPECT_EQ(d.rule->decl->name, "managers");
  EXPECT_TRUE(d.reasons.empty());
}

TEST_F(DecideTest, UnknownActionDenies) {
  auto d = One(kOwnerOnFabrikam, kFabrikam, "Backup_set.add");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(HasReason(d, "unknown_action"));
}

TEST_F(DecideTest, NoRuleMatchedIsDefaultDeny) {
  auto d = One(kOwnerOnFabrikam, kFabrikam, "report.view");
  EXPECT_FALSE(d.allowed);
  ASSERT_EQ(d.reasons.size(), 1u);
  // The allow rule's condition failed to evaluate (no department): never an allow.
  EXPECT_EQ(d.reasons[0].code, ReasonCode::kEvaluationError);
}

TEST_F(DecideTest, DenyOverridesAllow) {
  auto d = One(R"({"id": "owner", "department": "finance"})", kFabrikam, "report.view",
               R"({"friday": true})");
  EXPECT_FALSE(d.allowed);
  ASSERT_NE(d.rule, nullptr);
  EXPECT_EQ(d.rule->decl->name, "no-reports-on-fridays");
  auto thursday = One(R"({"id": "owner", "department": "finance"})", kFabrikam, "report.view",
                      R"({"friday": false})");
  EXPECT_TRUE(thursday.allowed);
}

TEST_F(DecideTest, ErrorNeverAllows) {
  // A deny rule that cannot be evaluated (context.friday missing) denies.
  auto d = One(R"({"id": "owner", "department": "finance"})", kFabrikam, "report.view");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(HasReason(d, "evaluation_error"));
}

TEST_F(DecideTest, MissingDependencyNamesThePermission) {
  auto d = One(R"({"id": "admin"})", kFabrikam, "backup_set.add");
  EXPECT_FALSE(d.allowed);
  std::vector<std::string> missing;
  for (const auto& r : d.reasons) {
    if (r.code == ReasonCode::kMissingPermission) {
      missing.push_back(r.permission);
      EXPECT_EQ(r.required_by, "backup_set.add");
    }
  }
  EXPECT_EQ(missing, (std::vector<std::string>{"collections", "backup_selections"}));
}

TEST_F(DecideTest, CustomisedPermissionsStayWithinTheRoleCeiling) {
  auto within = One(R"({"id": "admin", "permissions": ["manage_users", "products", "collections",
                    "backup_selections"]})",
                    kFabrikam, "backup_set.add");
  EXPECT_TRUE(within.allowed);
  // data_estate_admin is outside partner.admin's ceiling: asking for it grants nothing.
  auto outside = One(R"({"id": "admin", "permissions": ["products"]})", kFabrikam, "user.edit");
  EXPECT_TRUE(HasReason(outside, "missing_permission"));
}

TEST_F(DecideTest, TransitiveRequirementNamesWhatPulledItIn) {
  // fadmin's company does not enable the company-level permissions.
  auto d = One(R"({"id": "fadmin"})", kFabrikam, "environment.regenerate_secret");
  EXPECT_FALSE(d.allowed);
  bool found = false;
  for (const auto& r : d.reasons) {
    if (r.permission == "data_estate_admin") {
      found = true;
      EXPECT_EQ(r.required_by, "environment_admin");
    }
  }
  EXPECT_TRUE(found);
  auto enabled = One(R"({"id": "cadmin"})", R"({"kind": "organization", "id": "contoso"})",
                     "environment.regenerate_secret");
  EXPECT_TRUE(enabled.allowed);
}

TEST_F(DecideTest, OutOfScopeForAnotherPartnersCustomer) {
  auto d = One(kOwnerOnFabrikam, R"({"kind": "organization", "id": "initech"})", "company.view");
  EXPECT_FALSE(d.allowed);
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_EQ(d.reasons[0].code, ReasonCode::kOutOfScope);
  EXPECT_EQ(d.reasons[0].organization, "initech");
}

TEST_F(DecideTest, AssignedCustomersOnly) {
  EXPECT_TRUE(One(R"({"id": "admin"})", kFabrikam, "company.view").allowed);
  auto d =
      One(R"({"id": "admin"})", R"({"kind": "organization", "id": "contoso"})", "company.view");
  EXPECT_TRUE(HasReason(d, "out_of_scope"));
  // No customer access at all covers no customer (fail closed), but the own org is in scope.
  EXPECT_TRUE(HasReason(One(R"({"id": "admin2"})", kFabrikam, "company.view"), "out_of_scope"));
  EXPECT_TRUE(
      One(R"({"id": "admin2"})", R"({"kind": "organization", "id": "acme"})", "company.view")
          .allowed);
}

TEST_F(DecideTest, AutoAssignCoversOnlyCustomersAddedStrictlyAfter) {
  auto with_access = [](const std::string& at) {
    return R"({"id": "admin", "customer_access": {"auto_assign_new_companies": true,
               "assigned_at": ")" +
           at + R"("}})";
  };
  const char* contoso = R"({"kind": "organization", "id": "contoso"})";  // added 2026-03-01
  EXPECT_TRUE(One(with_access("2026-02-28T23:59:59Z"), contoso, "company.view").allowed);
  EXPECT_FALSE(One(with_access("2026-03-01T00:00:00Z"), contoso, "company.view").allowed);
}

TEST_F(DecideTest, DynamicGroupWithMissingAttributeFailsOnlyThatLeaf) {
  auto by_group = R"({"id": "admin", "customer_access": {"groups": ["eu"]}})";
  // contoso has data_center EU-West and no tags: the OR still matches.
  EXPECT_TRUE(
      One(by_group, R"({"kind": "organization", "id": "contoso"})", "company.view").allowed);
  // fabrikam has neither: not a member, so out of scope.
  EXPECT_TRUE(HasReason(One(by_group, kFabrikam, "company.view"), "out_of_scope"));
}

TEST_F(DecideTest, RulesReadGroupsAndStoredOrganizations) {
  EXPECT_TRUE(
      One(kOwnerOnFabrikam, R"({"kind": "organization", "id": "contoso"})", "eu.report").allowed);
  auto d = One(kOwnerOnFabrikam, kFabrikam, "eu.report");
  EXPECT_FALSE(d.allowed);
  ASSERT_TRUE(HasReason(d, "condition_false"));
  // The reason names the operand of the && chain that was false.
  EXPECT_EQ(d.reasons[0].condition, "group.contains(\"eu\", resource.org)");
}

TEST_F(DecideTest, RoleBindingsPerCompanyGrantOnlyWhereTheyAreBound) {
  // A company user bound as admin in a sibling company and as nothing at home.
  const char* user = R"({"id": "x", "org": "contoso", "status": "active",
      "roles": [{"role": "company.operator", "access": {"customers": ["fabrikam"]}}]})";
  EXPECT_TRUE(One(user, kFabrikam, "company.view").allowed);
  auto home =
      One(user, R"({"kind": "user", "id": "y", "org": "contoso", "roles": ["company.guest"]})",
          "user.edit");
  EXPECT_FALSE(home.allowed);
  EXPECT_TRUE(HasReason(home, "missing_permission"));
  // Listed, its own company is covered like any other customer of its partner.
  const char* listed = R"({"id": "x", "org": "contoso", "status": "active",
      "roles": [{"role": "company.operator", "access": {"customers": ["contoso"]}}]})";
  EXPECT_TRUE(One(listed, R"({"kind": "organization", "id": "contoso"})", "company.view").allowed);
  auto user_edit =
      One(listed, R"({"kind": "user", "id": "y", "org": "contoso", "roles": ["company.guest"]})",
          "user.edit");
  EXPECT_TRUE(user_edit.allowed);
}

TEST_F(DecideTest, CustomersScopeExcludesTheHoldersOwnOrganization) {
  auto manager = R"({"id": "m", "org": "acme", "status": "active", "roles": ["customer_manager"]})";
  const char* user =
      R"({"kind": "user", "id": "fadmin", "org": "fabrikam", "roles": ["company.guest"]})";
  EXPECT_TRUE(One(manager, user, "user.edit").allowed);
  auto own =
      One(manager, R"({"kind": "user", "id": "x", "org": "acme", "roles": ["company.guest"]})",
          "user.edit");
  EXPECT_TRUE(HasReason(own, "missing_permission"));
}

TEST_F(DecideTest, PermissionLevelsLimitWhoCanHoldThem) {
  // company.admin grants customer_manager, but it is a partner-level permission.
  auto d = One(R"({"id": "cadmin"})", R"({"kind": "organization", "id": "contoso"})",
               "customers.manage_all");
  EXPECT_FALSE(d.allowed);
  ASSERT_TRUE(HasReason(d, "missing_permission"));
  EXPECT_EQ(d.reasons[0].permission, "customer_manager");
}

TEST_F(DecideTest, RankTieIsNotBeneath) {
  const char* peer = R"({"kind": "user", "id": "p", "org": "acme", "roles": ["partner.admin"]})";
  auto d = One(R"({"id": "admin"})", peer, "user.edit");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(HasReason(d, "role_not_beneath"));
  EXPECT_TRUE(One(kOwnerOnFabrikam, peer, "user.edit").allowed);
}

TEST_F(DecideTest, StepUpRequired) {
  const char* target = R"({"kind": "user", "id": "p", "org": "acme", "roles": ["partner.admin"]})";
  EXPECT_TRUE(HasReason(One(kOwnerOnFabrikam, target, "user.delete"), "step_up_required"));
  EXPECT_TRUE(One(kOwnerOnFabrikam, target, "user.delete", R"({"otp_fresh": true})").allowed);
}

TEST_F(DecideTest, UnknownPrincipalDenies) {
  auto d = One(R"({"id": "nobody"})", kFabrikam, "company.view");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(HasReason(d, "unknown_principal"));
  EXPECT_TRUE(HasReason(One(R"({})", kFabrikam, "company.view"), "unknown_principal"));
}

TEST_F(DecideTest, UnknownResourceDenies) {
  auto d = One(kOwnerOnFabrikam, R"({"kind": "organization", "id": "nowhere"})", "company.view");
  EXPECT_TRUE(HasReason(d, "unknown_resource"));
  // Proposed ("new": true), an entity the store does not know is decided as given.
  auto inline_resource =
      One(kOwnerOnFabrikam, R"({"id": "doc-9", "org": "fabrikam", "new": true})", "company.view");
  EXPECT_FALSE(HasReason(inline_resource, "unknown_resource"));
  EXPECT_TRUE(inline_resource.allowed);
  // Not proposed, its attributes do not make it known.
  DecisionRequest ghost{Json(kOwnerOnFabrikam),
                        Json(R"({"kind": "doc", "id": "doc-9", "org": "fabrikam"})"),
                        Value(),
                        {"company.view"}};
  EXPECT_TRUE(HasReason(Decide(*set_, store_, ghost).results.at(0), "unknown_resource"));
}

TEST_F(DecideTest, UnknownRoleDenies) {
  auto d = One(R"({"id": "x", "org": "acme", "status": "active", "roles": ["partner.wizard"]})",
               R"({"kind": "organization", "id": "acme"})", "company.view");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(HasReason(d, "unknown_role"));
}

TEST_F(DecideTest, ManyRequestProblemsAreListedUpToALimitAndCounted) {
  std::string roles;
  for (int i = 0; i < 1000; ++i)
    roles += (i ? ", " : "") + ("\"wizard-" + std::to_string(i) + "\"");
  const std::string principal =
      R"({"id": "x", "org": "acme", "status": "active", "roles": [)" + roles + "]}";
  auto d = One(principal.c_str(), R"({"kind": "organization", "id": "acme"})", "company.view");
  EXPECT_FALSE(d.allowed);
  ASSERT_EQ(d.reasons.size(), 16u);
  EXPECT_EQ(d.reasons.front().code, ReasonCode::kUnknownRole);
  EXPECT_NE(d.reasons.back().message.find("and 984 more problems"), std::string::npos)
      << d.reasons.back().message;
}

TEST_F(DecideTest, WrongTypesDenyWithAReason) {
  auto roles =
      One(R"({"id": "x", "org": "acme", "roles": "partner.owner"})", kFabrikam, "company.view");
  EXPECT_TRUE(HasReason(roles, "invalid_request"));
  auto now = One(kOwnerOnFabrikam, kFabrikam, "company.view", R"({"now": 12})");
  EXPECT_TRUE(HasReason(now, "invalid_request"));
  // A status of the wrong type makes the allow condition an error: denied.
  auto status = One(R"({"id": "owner", "status": 1})", kFabrikam, "company.view");
  EXPECT_FALSE(status.allowed);
}

TEST_F(DecideTest, ManyThreadsShareOneSnapshot) {
  // Decisions read only immutable data: every thread sees the same answers.
  DecisionRequest r{api::FromJson(nlohmann::json::parse(kOwnerOnFabrikam)),
                    api::FromJson(nlohmann::json::parse(kFabrikam)),
                    api::FromJson(nlohmann::json::parse(R"({"otp_fresh": true})")),
                    {}};
  auto fingerprint = [&] {
    std::string out;
    for (const auto& d : Decide(*set_, store_, r).results) {
      out += d.action + (d.allowed ? "+" : "-") + std::to_string(d.reasons.size()) + ";";
    }
    return out;
  };
  const std::string expected = fingerprint();
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (fingerprint() != expected) mismatches++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_NE(expected.find("backup_set.add+"), std::string::npos) << expected;
}

TEST_F(DecideTest, EmptyActionListDecidesEveryDeclaredAction) {
  DecisionRequest r{api::FromJson(nlohmann::json::parse(kOwnerOnFabrikam)),
                    api::FromJson(nlohmann::json::parse(kFabrikam)),
                    Value(),
                    {}};
  Decision d = Decide(*set_, store_, r);
  ASSERT_EQ(d.results.size(), set_->actions().size());
  EXPECT_EQ(d.results[0].action, "user.edit");
}

// Every field of two decisions' results, reasons included.
void ExpectSameResults(const Decision& got, const Decision& want, bool messages, bool coverage) {
  EXPECT_EQ(got.revision, want.revision);
  EXPECT_EQ(got.refusals.size(), want.refusals.size());
  ASSERT_EQ(got.results.size(), want.results.size());
  for (size_t i = 0; i < got.results.size(); ++i) {
    const ActionDecision& g = got.results[i];
    const ActionDecision& w = want.results[i];
    EXPECT_EQ(g.action, w.action);
    EXPECT_EQ(g.allowed, w.allowed) << g.action;
    EXPECT_EQ(g.rule, w.rule) << g.action;
    EXPECT_EQ(g.applied, coverage ? w.applied : std::vector<const CompiledRule*>()) << g.action;
    ASSERT_EQ(g.reasons.size(), w.reasons.size()) << g.action;
    for (size_t j = 0; j < g.reasons.size(); ++j) {
      EXPECT_EQ(g.reasons[j].Code(), w.reasons[j].Code()) << g.action;
      EXPECT_EQ(g.reasons[j].message, messages ? w.reasons[j].message : "") << g.action;
      EXPECT_EQ(g.reasons[j].permission, w.reasons[j].permission) << g.action;
      EXPECT_EQ(g.reasons[j].required_by, w.reasons[j].required_by) << g.action;
      EXPECT_EQ(g.reasons[j].organization, w.reasons[j].organization) << g.action;
      EXPECT_EQ(g.reasons[j].condition, w.reasons[j].condition) << g.action;
      EXPECT_EQ(g.reasons[j].rule, w.reasons[j].rule) << g.action;
    }
  }
}

TEST_F(DecideTest, DecideIntoReusesTheCallersDecision) {
  // A buffer that held a longer decision, then a shorter one, then an
  // unknown principal's, answers each time exactly as Decide() does.
  const DecisionRequest many{Json(kOwnerOnFabrikam),
                             Json(kFabrikam),
                             Json(R"({"friday": true})"),
                             {"backup_set.add", "report.view", "Backup_set.add", "user.delete"}};
  const DecisionRequest one{Json(R"({"id": "admin"})"), Json(kFabrikam), Value(), {"user.edit"}};
  const DecisionRequest unknown{Json(R"({"id": "nobody"})"), Json(kFabrikam), Value(), {}};
  Decision out;
  for (const DecisionRequest* r : {&many, &one, &unknown, &many, &one}) {
    EvaluationBudget budget;
    DecideInto(*set_, store_, *r, budget, DecideOptions(), out);
    ExpectSameResults(out, Decide(*set_, store_, *r), /*messages=*/true, /*coverage=*/true);
  }
}

TEST_F(DecideTest, CodesOnlyReasonsKeepEverythingButTheMessages) {
  // Out of scope, missing permission, step-up, unknown action, deny rule and
  // condition failures: the same codes and fields, no messages, no coverage.
  const DecisionRequest requests[] = {
      {Json(R"({"id": "admin"})"),
       Json(R"({"kind": "organization", "id": "contoso"})"),
       Value(),
       {"user.edit", "backup_set.add"}},
      {Json(R"({"id": "admin"})"),
       Json(kFabrikam),
       Json(R"({"friday": true})"),
       {"backup_set.add", "user.delete", "Backup_set.add", "report.view", "user.edit"}},
  };
  DecideOptions codes;
  codes.reasons = DecideOptions::Reasons::kCodes;
  codes.coverage = false;
  Decision out;
  for (const DecisionRequest& r : requests) {
    EvaluationBudget budget;
    DecideInto(*set_, store_, r, budget, codes, out);
    ExpectSameResults(out, Decide(*set_, store_, r), /*messages=*/false, /*coverage=*/false);
  }
}

}  // namespace
}  // namespace castellan::engine
