#include "dsl/entity_schema.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dsl/policy_loader.h"
#include "engine/catalogue.h"

namespace castellan::dsl {
namespace {

// The catalogue's environments, plus `params` for packs whose actions declare
// parameters (declared here so the test does not depend on who registers it).
const PolicyEnvironments& Environments() {
  static const PolicyEnvironments* env = [] {
    auto* e = new PolicyEnvironments(engine::PolicyEnvironments());
    e->rule.DeclareVariable("params", Type::Map(Type::String(), Type::Dyn()));
    return e;
  }();
  return *env;
}

constexpr const char* kSchema = R"(kind: EntityKind
name: user
attributes:
  org: {type: string}
  role: {type: string}
  level: {type: int}
  invite: {type: string, optional: true}
---
kind: EntityKind
name: todo
source: request
scope: none
attributes:
  ownerID: {type: string, from: request}
  title: {type: string, optional: true, from: request}
  status: {type: string, values: [open, done], from: both}
---
kind: EntityKind
name: list
attributes:
  owner: {type: string}
  status: {type: string}
---
kind: EntityKind
name: organization
attributes:
  region: {type: string, values: [EU, US]}
---
kind: Permissions
permissions:
  edit: {}
actions:
  todo.update: {requires: [edit], on: [todo], params: {note: {type: string, optional: true}}}
  todo.move: {requires: [edit], on: [todo, list]}
  user.role.assign:
    requires: [edit]
    on: [user]
    params:
      new_role: {type: string, values: [viewer, editor]}
  anything: {requires: [edit]}
)";

LoadResult LoadWith(const std::string& extra) {
  return LoadPolicyFiles({{"schema.yaml", kSchema}, {"extra.yaml", extra}}, Environments());
}

// A pack whose one rule decides `actions` when `when`.
LoadResult Rule(const std::string& actions, const std::string& when) {
  return LoadWith("kind: Policy\nname: p\nrules:\n  - name: r\n    effect: allow\n    actions: " +
                  actions + "\n    when: '" + when + "'\n");
}

std::string Messages(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.message + "\n";
  return out;
}

TEST(EntitySchema, ReadsEntityKindDocuments) {
  LoadResult r = LoadWith("");
  ASSERT_TRUE(r.source.has_value()) << r.FormattedDiagnostics();
  ASSERT_EQ(r.source->entity_kinds.size(), 4u);
  const EntityKindDecl& todo = r.source->entity_kinds[1];
  EXPECT_EQ(todo.name, "todo");
  EXPECT_EQ(todo.source, EntitySource::kRequest);
  EXPECT_EQ(todo.scope, ScopeMode::kNone);
  ASSERT_EQ(todo.attributes.size(), 3u);
  EXPECT_EQ(todo.attributes[0].from, AttributeSource::kRequest);
  EXPECT_TRUE(todo.attributes[1].optional);
  EXPECT_EQ(todo.attributes[2].from, AttributeSource::kBoth);
  EXPECT_EQ(todo.attributes[2].values, (std::vector<std::string>{"open", "done"}));
  EXPECT_EQ(todo.attributes[2].type, Type::String());
  EXPECT_EQ(todo.location.line, 10);
  const EntityKindDecl& user = r.source->entity_kinds[0];
  EXPECT_EQ(user.source, EntitySource::kStore);
  EXPECT_EQ(user.scope, ScopeMode::kOrganization);
  EXPECT_EQ(user.attributes[0].from, AttributeSource::kStore);
}

TEST(EntitySchema, ReadsActionParameters) {
  LoadResult r = LoadWith("");
  ASSERT_TRUE(r.source.has_value()) << r.FormattedDiagnostics();
  const ActionDecl* assign = nullptr;
  for (const auto& a : r.source->actions) {
    if (a.name == "user.role.assign") assign = &a;
  }
  ASSERT_NE(assign, nullptr);
  ASSERT_EQ(assign->params.size(), 1u);
  EXPECT_EQ(assign->params[0].name, "new_role");
  EXPECT_EQ(assign->params[0].values, (std::vector<std::string>{"viewer", "editor"}));
}

TEST(EntitySchema, AttributeTypesAreTheDocumentedOnes) {
  for (const char* ok :
       {"string", "int", "uint", "double", "bool", "bytes", "timestamp", "duration", "list",
        "list(string)", "map", "map(string, int)", "dyn", "list(map(string, list(int)))"}) {
    EXPECT_TRUE(ParseAttributeType(ok).has_value()) << ok;
  }
  for (const char* bad : {"strng", "map(int, string)", "null_type", "A", "optional_type(int)",
                          "type(int)", "google.protobuf.Timestamp", "list(foo)", ""}) {
    EXPECT_FALSE(ParseAttributeType(bad).has_value()) << bad;
  }
  EXPECT_EQ(*ParseAttributeType("list"), Type::List(Type::Dyn()));
}

TEST(EntitySchema, ReportsEveryProblemOfABadDocumentWithItsPosition) {
  LoadResult r = LoadWith(
      "kind: EntityKind\n"                                    // 1
      "name: user\n"                                          // 2
      "source: database\n"                                    // 3
      "colour: blue\n"                                        // 4
      "attributes:\n"                                         // 5
      "  a: {type: strng}\n"                                  // 6
      "  b: {type: int, values: [x]}\n"                       // 7
      "  a: {type: string}\n"                                 // 8
      "  c: {type: string, from: client, optional: maybe}\n"  // 9
      "---\n"
      "kind: Permissions\n"
      "actions:\n"
      "  x: {params: {p: {type: string, from: request}}}\n");
  EXPECT_FALSE(r.source.has_value());
  const std::string m = Messages(r);
  EXPECT_NE(m.find("duplicate entity kind 'user' (first declared at schema.yaml:2)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("'source' must be store or request"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'colour' in an EntityKind document"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown type 'strng' for attribute 'a'"), std::string::npos) << m;
  EXPECT_NE(m.find("(did you mean 'string'?)"), std::string::npos) << m;
  EXPECT_NE(m.find("'values' needs 'type: string' (attribute 'b' is int)"), std::string::npos) << m;
  EXPECT_NE(m.find("duplicate attribute 'a' (first declared at extra.yaml:6)"), std::string::npos)
      << m;
  EXPECT_NE(m.find("'from' must be store, request or both"), std::string::npos) << m;
  EXPECT_NE(m.find("'optional' must be true or false"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'from' in parameter 'p'"), std::string::npos) << m;
  for (const auto& d : r.diagnostics) {
    EXPECT_GT(d.line, 0) << d.message;
    EXPECT_GT(d.column, 0) << d.message;
  }
}

TEST(EntitySchema, UnknownPrincipalAttributeSuggestsTheDeclaredOne) {
  LoadResult r = Rule("[anything]", "principal.rol == \"x\"");
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.FormattedDiagnostics();
  EXPECT_EQ(r.diagnostics[0].message, "no attribute 'rol' on user (did you mean 'role'?)");
  EXPECT_EQ(r.diagnostics[0].file, "extra.yaml");
  EXPECT_EQ(r.diagnostics[0].line, 7);
}

TEST(EntitySchema, IdAndKindAreAlwaysAttributes) {
  LoadResult r = Rule("[anything]", "principal.id != \"\" && principal.kind == \"user\"");
  EXPECT_TRUE(r.source.has_value()) << r.FormattedDiagnostics();
}

TEST(EntitySchema, OptionalAttributeNeedsAHasTestOrOptionalSelection) {
  LoadResult bad = Rule("[anything]", "principal.invite == \"x\"");
  ASSERT_EQ(bad.diagnostics.size(), 1u) << bad.FormattedDiagnostics();
  EXPECT_EQ(bad.diagnostics[0].message,
            "attribute 'invite' of user is optional: test has(principal.invite) first or use "
            "principal.?invite");
  for (const char* guarded : {
           "has(principal.invite) && principal.invite == \"x\"",
           "principal.invite == \"x\" && has(principal.invite)",  // && absorbs either side
           "!has(principal.invite) || principal.invite == \"x\"",
           "has(principal.invite) ? principal.invite == \"x\" : false",
           "!has(principal.invite) ? false : principal.invite == \"x\"",
           "principal.?invite.orValue(\"\") == \"x\"",
       }) {
    LoadResult ok = Rule("[anything]", guarded);
    EXPECT_TRUE(ok.source.has_value()) << guarded << "\n" << ok.FormattedDiagnostics();
  }
  for (const char* unguarded : {
           "has(principal.invite) || principal.invite == \"x\"",
           "has(principal.org) && principal.invite == \"x\"",
           "has(principal.invite) ? false : principal.invite == \"x\"",
       }) {
    LoadResult still = Rule("[anything]", unguarded);
    EXPECT_FALSE(still.source.has_value()) << unguarded;
  }
}

TEST(EntitySchema, AttributeOfTheWrongTypeIsATypeError) {
  LoadResult r = Rule("[anything]", "principal.role > 3");
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.FormattedDiagnostics();
  EXPECT_EQ(r.diagnostics[0].message, "no matching overload for '>' applied to (string, int)");
  EXPECT_TRUE(Rule("[anything]", "principal.level > 3").source.has_value());
}

TEST(EntitySchema, LiteralComparedWithAnEnumeratedAttributeMustBeOneOfItsValues) {
  LoadResult r = Rule("[todo.update]", "resource.status == \"archived\"");
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.FormattedDiagnostics();
  EXPECT_EQ(r.diagnostics[0].message,
            "'archived' is not a value of attribute 'status' of todo (expected one of: open, "
            "done)");
  EXPECT_FALSE(Rule("[todo.update]", "resource.status in [\"open\", \"dne\"]").source);
  EXPECT_FALSE(Rule("[todo.update]", "\"don\" != resource.status").source);
  EXPECT_TRUE(Rule("[todo.update]", "resource.status == \"done\"").source);
}

TEST(EntitySchema, ResourceIsCheckedAgainstEveryKindTheRuleActionsApplyTo) {
  EXPECT_TRUE(Rule("[todo.update]", "resource.ownerID == principal.id").source);
  LoadResult missing = Rule("[todo.move]", "resource.ownerID == principal.id");
  ASSERT_EQ(missing.diagnostics.size(), 1u) << missing.FormattedDiagnostics();
  EXPECT_EQ(missing.diagnostics[0].message, "no attribute 'ownerID' on list");
  // status is on both; its values are todo's only, so any string goes.
  EXPECT_TRUE(Rule("[todo.move]", "resource.status == \"archived\"").source);
  // A pattern covers every action it matches.
  LoadResult typo = Rule("[\"todo.*\"]", "resource.titel == \"\"");
  ASSERT_EQ(typo.diagnostics.size(), 1u) << typo.FormattedDiagnostics();
  EXPECT_EQ(typo.diagnostics[0].message, "no attribute 'titel' on todo or list");
}

TEST(EntitySchema, ExceptTakesActionsOutOfTheRuleKinds) {
  LoadResult r = LoadWith("");
  ASSERT_TRUE(r.source.has_value()) << r.FormattedDiagnostics();
  RuleDecl rule;
  rule.actions = {{"todo.*", {}}};
  Shapes both = RuleShapes(*r.source, rule);
  EXPECT_EQ(both.at("resource").owner, "todo or list");
  EXPECT_EQ(both.at("resource").absent_from.at("ownerID"), "list");
  rule.except = {{"todo.move", {}}};
  Shapes todo = RuleShapes(*r.source, rule);
  EXPECT_EQ(todo.at("resource").owner, "todo");
  EXPECT_EQ(todo.at("resource").fields.count("ownerID"), 1u);
  EXPECT_EQ(todo.at("principal").owner, "user");
}

TEST(EntitySchema, ResourceOfAnyKindIsTypedOnlyWhereAKindDeclaresIt) {
  // `anything` names no kind: undeclared attributes stay dyn...
  EXPECT_TRUE(Rule("[anything]", "resource.whatever == 1").source);
  // ... optional ones need no guard (another kind may always have them) ...
  EXPECT_TRUE(Rule("[anything]", "resource.title == \"x\"").source);
  // ... and declared ones keep their type.
  EXPECT_FALSE(Rule("[anything]", "resource.ownerID > 1").source);
}

TEST(EntitySchema, ParamsAreCheckedAgainstTheRuleActions) {
  EXPECT_TRUE(Rule("[user.role.assign]", "params.new_role == \"viewer\"").source);
  LoadResult typo = Rule("[user.role.assign]", "params.new_rol == \"viewer\"");
  ASSERT_EQ(typo.diagnostics.size(), 1u) << typo.FormattedDiagnostics();
  EXPECT_EQ(typo.diagnostics[0].message,
            "no parameter 'new_rol' on user.role.assign (did you mean 'new_role'?)");
  EXPECT_FALSE(Rule("[user.role.assign]", "params.new_role == \"owner\"").source);
  // Optional in todo.update; absent from user.role.assign: optional for a rule on both.
  EXPECT_FALSE(Rule("[todo.update]", "params.note == \"\"").source);
  EXPECT_FALSE(Rule("[todo.update, user.role.assign]", "params.new_role == \"viewer\"").source);
  EXPECT_TRUE(Rule("[todo.update, user.role.assign]",
                   "has(params.new_role) && params.new_role == \"viewer\"")
                  .source);
}

TEST(EntitySchema, GroupMatchTypesCustomerWithTheOrganizationKind) {
  LoadResult bad = LoadWith("kind: CustomerGroup\nname: eu\nmatch: customer.regin == \"EU\"\n");
  ASSERT_EQ(bad.diagnostics.size(), 1u) << bad.FormattedDiagnostics();
  EXPECT_EQ(bad.diagnostics[0].message,
            "no attribute 'regin' on organization (did you mean 'region'?)");
  EXPECT_FALSE(LoadWith("kind: CustomerGroup\nname: eu\nmatch: customer.region == \"EX\"\n")
                   .source.has_value());
  EXPECT_TRUE(LoadWith("kind: CustomerGroup\nname: eu\nmatch: customer.region == \"EU\"\n")
                  .source.has_value());
}

TEST(EntitySchema, ComprehensionVariablesHideTheEntityVariables) {
  EXPECT_TRUE(Rule("[anything]", "[{\"x\": 1}].all(principal, principal.x == 1)").source);
}

TEST(EntitySchema, PacksWithoutDeclarationsCheckAsBefore) {
  LoadResult r = LoadPolicyFiles(
      {{"p.yaml",
        "kind: Permissions\npermissions: {edit: {}}\nactions: {a: {requires: [edit]}}\n---\n"
        "kind: Policy\nname: p\nrules:\n  - name: r\n    effect: allow\n    actions: [a]\n"
        "    when: principal.rol == 1 && resource.anything > 2 && params.whatever\n"}},
      Environments());
  EXPECT_TRUE(r.source.has_value()) << r.FormattedDiagnostics();
}

// tests/dsl/testdata/schema_broken.golden is `castellan validate
// tests/dsl/testdata/schema_broken` without its summary line.
TEST(EntitySchema, BrokenSchemaDirectoryMatchesGoldenDiagnostics) {
  LoadResult result =
      LoadPolicyDirectory(CASTELLAN_TESTDATA_DIR "/schema_broken", engine::PolicyEnvironments());
  EXPECT_FALSE(result.source.has_value());
  std::ifstream in(CASTELLAN_TESTDATA_DIR "/schema_broken.golden");
  std::ostringstream expected;
  expected << in.rdbuf();
  ASSERT_FALSE(expected.str().empty());
  EXPECT_EQ(result.FormattedDiagnostics(), expected.str()) << "actual diagnostics:\n"
                                                           << result.FormattedDiagnostics();
}

}  // namespace
}  // namespace castellan::dsl
