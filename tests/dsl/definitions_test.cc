// Definitions documents: constants and functions shared by every expression,
// expanded where they are used (dsl/definitions.h).
#include "dsl/definitions.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"
#include "engine/policy_set.h"
#include "engine/program.h"

namespace castellan::dsl {
namespace {

constexpr const char* kActions = R"(
kind: Permissions
permissions:
  manage_users: {}
actions:
  user.edit: {requires: [manage_users]}
  user.view: {}
)";

constexpr const char* kDefinitions = R"(
kind: Definitions
constants:
  admin_roles: '["partner.owner", "partner.admin"]'
  view_actions: [user.view]
functions:
  manages(actor, target): actor.org == target.parent || actor.org == target.org
  administrator(a): a.role in admin_roles
  admin_over(actor, target): administrator(actor) && manages(actor, target)
)";

// Loads the definitions above, the actions, and `rules` as rules.yaml.
LoadResult Load(const std::string& rules, const std::string& definitions = kDefinitions) {
  return LoadPolicyFiles({{"actions.yaml", kActions},
                          {"defs.yaml", definitions},
                          {"rules.yaml", "kind: Policy\nname: p\nrules:\n" + rules}},
                         engine::PolicyEnvironments());
}

std::string Rule(const std::string& when) {
  return "  - name: r\n    effect: allow\n    actions: [\"*\"]\n    when: " + when + "\n";
}

const Expr& When(const LoadResult& r) {
  return *r.source->policies.at(0).rules.at(0).when->expr;
}

std::string Messages(const LoadResult& r) {
  return r.FormattedDiagnostics();
}

// The first rule's `when`, evaluated with no variables bound.
std::string Evaluate(const LoadResult& r) {
  if (!r.source) return "not loaded: " + r.FormattedDiagnostics();
  const Condition& when = *r.source->policies.at(0).rules.at(0).when;
  auto program = engine::Program::Compile(*when.expr, {nullptr, when.resolutions.get()});
  return program->Evaluate(engine::MapActivation()).DebugString();
}

TEST(Definitions, ConstantBecomesItsBody) {
  LoadResult r = Load(Rule("principal.role in admin_roles && action in view_actions"));
  ASSERT_TRUE(r.source) << Messages(r);
  EXPECT_EQ(When(r).DebugString(),
            "_&&_(@in(principal.role, [\"partner.owner\", \"partner.admin\"]), "
            "@in(action, [\"user.view\"]))");
  EXPECT_EQ(r.source->definitions.size(), 5u);
}

TEST(Definitions, CallBindsEachArgumentOnceUnderANameNoOneCanWrite) {
  LoadResult r = Load(Rule("\"manages(principal, {'org': resource.org, 'parent': 'p'})\""));
  ASSERT_TRUE(r.source) << Messages(r);
  const std::string expanded = When(r).DebugString();
  EXPECT_NE(expanded.find(".map(@manages.target, "), std::string::npos) << expanded;
  EXPECT_NE(expanded.find("@manages.target.parent"), std::string::npos) << expanded;
  EXPECT_EQ(expanded.find("(target."), std::string::npos) << expanded;
  // The written text stays what the rule said.
  EXPECT_EQ(r.source->policies[0].rules[0].when->text,
            "manages(principal, {'org': resource.org, 'parent': 'p'})");
}

TEST(Definitions, NamesAndLiteralsAreWrittenInPlaceAsByHand) {
  LoadResult r = Load(Rule("admin_over(principal, resource)"));
  ASSERT_TRUE(r.source) << Messages(r);
  EXPECT_EQ(When(r).DebugString(),
            "_&&_(@in(principal.role, [\"partner.owner\", \"partner.admin\"]), "
            "_||_(_==_(principal.org, resource.parent), _==_(principal.org, resource.org)))");
}

TEST(Definitions, AnArgumentABodyVariableWouldCaptureIsBound) {
  LoadResult r = Load(Rule("\"any_of(x, [1, 2])\""), R"(
kind: Definitions
functions:
  any_of(v, l): l.exists(x, x == v)
)");
  // `x` in the rule is undeclared: the error is the rule's, at its column.
  ASSERT_EQ(r.diagnostics.size(), 1u) << Messages(r);
  EXPECT_EQ(r.diagnostics[0].file, "rules.yaml");
  EXPECT_EQ(r.diagnostics[0].column, 19);
  r = Load(Rule("\"[3].exists(x, any_of(x, [1, 2]))\""), R"(
kind: Definitions
functions:
  any_of(v, l): l.exists(x, x == v)
)");
  ASSERT_TRUE(r.source) << Messages(r);
  const std::string expanded = When(r).DebugString();
  EXPECT_NE(expanded.find("_==_(x, @any_of.v)"), std::string::npos) << expanded;
  EXPECT_EQ(Evaluate(r), "false");
  r = Load(Rule("\"[2].exists(x, any_of(x, [1, 2]))\""), R"(
kind: Definitions
functions:
  any_of(v, l): l.exists(x, x == v)
)");
  EXPECT_EQ(Evaluate(r), "true");
}

TEST(Definitions, ExpandedNodesKeepTheDefinitionsPositions) {
  LoadResult r = Load(Rule("administrator(principal)"));
  ASSERT_TRUE(r.source) << Messages(r);
  bool found = false;
  VisitExpr(When(r), [&](const Expr& e) {
    if (e.kind == Expr::Kind::kCall && e.name == "@in") {
      found = true;
      EXPECT_EQ(e.position.line, 8);  // `a.role in admin_roles` in defs.yaml
    }
  });
  EXPECT_TRUE(found);
}

TEST(Definitions, UnknownNamesSuggestADefinition) {
  LoadResult r = Load(Rule("managez(principal, resource) || admin_role == []"));
  EXPECT_FALSE(r.source);
  const std::string m = Messages(r);
  EXPECT_NE(m.find("rules.yaml:7:11: error: unknown function 'managez' (did you mean 'manages'?)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("undeclared reference to 'admin_role' (did you mean 'admin_roles'?)"),
            std::string::npos)
      << m;
  EXPECT_EQ(r.diagnostics.size(), 2u) << m;  // not repeated by the checker
}

TEST(Definitions, WrongArityIsReportedAtTheCall) {
  LoadResult r = Load(Rule("true && manages(principal)"));
  ASSERT_EQ(r.diagnostics.size(), 1u) << Messages(r);
  EXPECT_EQ(r.diagnostics[0].file, "rules.yaml");
  EXPECT_EQ(r.diagnostics[0].column, 19);
  EXPECT_EQ(r.diagnostics[0].message, "'manages' takes 2 arguments (actor, target), not 1");
}

TEST(Definitions, ArgumentNamedLikeAParameterIsNotCaptured) {
  // `target` and `actor` are the rule's own comprehension variables here.
  LoadResult r = Load(
      Rule("'[{\"org\": \"a\"}].exists(target, [{\"org\": \"b\", \"parent\": \"a\"}].exists(actor, "
           "manages(target, actor)))'"));
  // manages(actor: {org: a}, target: {org: b, parent: a}) is true; with
  // the arguments captured (swapped) it would read a parent {org: a} lacks.
  EXPECT_EQ(Evaluate(r), "true");
}

TEST(Definitions, ClashesWithVariablesFunctionsAndEachOther) {
  LoadResult r = Load(Rule("true"), R"(
kind: Definitions
constants:
  principal: '1'
  size: '2'
  email: '3'
  twice: '4'
functions:
  twice(x): x
  f(resource, x, x): '1'
)");
  const std::string m = Messages(r);
  EXPECT_NE(m.find("definition 'principal' clashes with the variable 'principal'"), m.npos) << m;
  EXPECT_NE(m.find("definition 'size' clashes with the catalogue function 'size'"), m.npos) << m;
  EXPECT_NE(m.find("definition 'email' clashes with the reserved name 'email'"), m.npos) << m;
  EXPECT_NE(m.find("duplicate definition 'twice' (first declared at defs.yaml:7)"), m.npos) << m;
  EXPECT_NE(m.find("parameter 'resource' of 'f' would hide the variable 'resource'"), m.npos) << m;
  EXPECT_NE(m.find("parameter 'x' appears twice in 'f'"), m.npos) << m;
}

TEST(Definitions, BodyErrorsAreReportedOnceAtTheBody) {
  LoadResult r = Load(Rule("broken(principal) && broken(resource)"), R"(
kind: Definitions
functions:
  broken(x): x.a + 'b' == 1
)");
  ASSERT_EQ(r.diagnostics.size(), 1u) << Messages(r);
  EXPECT_EQ(r.diagnostics[0].file, "defs.yaml");
  EXPECT_EQ(r.diagnostics[0].line, 4);
}

TEST(Definitions, ProblemsOnlyAUseCausesNameTheUse) {
  // The body is fine with a dyn parameter; an int argument is not.
  LoadResult r = Load(Rule("manages(1, resource)"));
  ASSERT_EQ(r.diagnostics.size(), 2u) << Messages(r);  // actor.org, twice
  for (const Diagnostic& d : r.diagnostics) {
    EXPECT_EQ(d.file, "defs.yaml");
    EXPECT_NE(d.message.find("does not support field selection (in 'manages', used at "
                             "rules.yaml:7:11)"),
              std::string::npos)
        << Messages(r);
  }
}

TEST(Definitions, NameLiteralsInADefinitionAreCheckedWhereUsed) {
  LoadResult r = Load(Rule("action in edits"), R"(
kind: Definitions
constants:
  edits: [user.edit, user.delet]
)");
  ASSERT_EQ(r.diagnostics.size(), 1u) << Messages(r);
  EXPECT_EQ(r.diagnostics[0].file, "defs.yaml");
  EXPECT_EQ(r.diagnostics[0].line, 4);
  EXPECT_NE(r.diagnostics[0].message.find("undefined action 'user.delet'"), std::string::npos);
}

TEST(Definitions, CaptureOfAVariableTheBodyReadsIsAnError) {
  LoadResult r = Load(Rule("'[1].exists(principal, is_admin)'"), R"(
kind: Definitions
constants:
  is_admin: principal.role == 'admin'
)");
  ASSERT_EQ(r.diagnostics.size(), 1u) << Messages(r);
  EXPECT_NE(r.diagnostics[0].message.find("'is_admin' reads the variable 'principal'"),
            std::string::npos)
      << Messages(r);
}

TEST(Definitions, UsableInGroupMatches) {
  LoadResult r = LoadPolicyFiles({{"a.yaml", std::string(kActions) + R"(
---
kind: Definitions
constants:
  eu_regions: [EU-West, EU-North]
functions:
  in_eu(org): org.region in eu_regions
---
kind: CustomerGroup
name: eu
match: in_eu(customer)
)"}},
                                 engine::PolicyEnvironments());
  ASSERT_TRUE(r.source) << Messages(r);
  // A function reading a rule variable cannot be used where it is undeclared.
  LoadResult bad = LoadPolicyFiles({{"a.yaml", R"(
kind: Definitions
constants:
  mine: customer.parent == principal.org
---
kind: CustomerGroup
name: eu
match: mine
)"}},
                                   engine::PolicyEnvironments());
  ASSERT_EQ(bad.diagnostics.size(), 1u) << Messages(bad);
  EXPECT_NE(bad.diagnostics[0].message.find("undeclared reference to 'principal.org'"),
            std::string::npos)
      << Messages(bad);
  EXPECT_NE(bad.diagnostics[0].message.find("(in 'mine', used at a.yaml:8:8)"), std::string::npos)
      << Messages(bad);
}

TEST(Definitions, ExponentialExpansionIsRefused) {
  std::string defs = "kind: Definitions\nconstants:\n  d0: '1'\n";
  for (int i = 1; i < 30; ++i) {
    defs += "  d" + std::to_string(i) + ": 'd" + std::to_string(i - 1) + " + d" +
            std::to_string(i - 1) + "'\n";
  }
  LoadResult r = Load(Rule("d29 > 0"), defs);
  EXPECT_FALSE(r.source);
  EXPECT_NE(Messages(r).find("too large"), std::string::npos) << Messages(r);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Definitions, CyclesArePrintedGolden) {
  LoadResult r =
      LoadPolicyDirectory(CASTELLAN_TESTDATA_DIR "/definition_cycle", engine::PolicyEnvironments());
  EXPECT_FALSE(r.source);
  const std::string expected = ReadFile(CASTELLAN_TESTDATA_DIR "/definition_cycle.golden");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(r.FormattedDiagnostics(), expected) << "actual diagnostics:\n"
                                                << r.FormattedDiagnostics();
}

TEST(Definitions, DecisionUsesADefinition) {
  LoadResult r =
      LoadPolicyFiles({{"actions.yaml", kActions}, {"defs.yaml", kDefinitions}, {"rules.yaml", R"(
kind: Role
name: partner.owner
level: partner
grants: [manage_users]
scope: [own, customers]
---
kind: Policy
name: p
rules:
  - name: admins-over-what-they-manage
    effect: allow
    actions: [user.edit]
    when: admin_over(principal, resource)
)"}},
                      engine::PolicyEnvironments());
  ASSERT_TRUE(r.source) << Messages(r);
  auto set = engine::PolicySet::Compile(std::move(*r.source)).set;
  ASSERT_TRUE(set);
  engine::InMemoryEntityStore store;
  auto json = [](const char* text) { return api::FromJson(nlohmann::json::parse(text)); };
  store.AddOrganization("acme", json(R"({"id": "acme"})"));
  store.AddOrganization("contoso", json(R"({"id": "contoso", "parent": "acme"})"));
  store.AddOrganization("globex", json(R"({"id": "globex"})"));
  store.AddUser("ann", json(R"({"id": "ann", "org": "acme", "role": "partner.admin",
                                "roles": ["partner.owner"], "customer_access": {"all": true}})"));
  store.AddUser("bob", json(R"({"id": "bob", "org": "acme", "role": "viewer",
                                "roles": ["partner.owner"], "customer_access": {"all": true}})"));
  auto decide = [&](const char* principal, const char* org) {
    engine::DecisionRequest request{
        json(principal),
        json((std::string(R"({"kind": "organization", "id": ")") + org + "\"}").c_str()),
        json("{}"),
        {"user.edit"}};
    return engine::Decide(*set, store, request).results.at(0).allowed;
  };
  EXPECT_TRUE(decide(R"({"id": "ann"})", "contoso"));
  EXPECT_FALSE(decide(R"({"id": "bob"})", "contoso"));  // not an administrator
}

}  // namespace
}  // namespace castellan::dsl
