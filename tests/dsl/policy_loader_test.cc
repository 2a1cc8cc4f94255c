#include "dsl/policy_loader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/catalogue.h"

namespace castellan::dsl {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

LoadResult LoadOne(const std::string& text) {
  return LoadPolicyFiles({{"p.yaml", text}}, engine::PolicyEnvironments());
}

TEST(PolicyLoader, BrokenDirectoryMatchesGoldenDiagnostics) {
  LoadResult result =
      LoadPolicyDirectory(CASTELLAN_TESTDATA_DIR "/broken", engine::PolicyEnvironments());
  EXPECT_FALSE(result.source.has_value());
  const std::string expected = ReadFile(CASTELLAN_TESTDATA_DIR "/broken.golden");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(result.FormattedDiagnostics(), expected) << "actual diagnostics:\n"
                                                     << result.FormattedDiagnostics();
}

TEST(PolicyLoader, DefaultPoliciesAreValid) {
  LoadResult result =
      LoadPolicyDirectory(CASTELLAN_SOURCE_DIR "/policies", engine::PolicyEnvironments());
  ASSERT_TRUE(result.source.has_value()) << result.FormattedDiagnostics();
  EXPECT_FALSE(result.source->policies.empty());
  EXPECT_EQ(result.source->revision.size(), 16u);
}

TEST(PolicyLoader, CustomRolesDeclareTheCeilingOfALevel) {
  LoadResult ok = LoadOne(
      "kind: Permissions\n"
      "permissions: {read: {}, write: {}}\n"
      "---\n"
      "kind: CustomRoles\n"
      "level: partner\n"
      "scope: [assigned_customers]\n"
      "permissions: [read, write]\n");
  ASSERT_TRUE(ok.source) << ok.FormattedDiagnostics();
  ASSERT_EQ(ok.source->custom_roles.size(), 1u);
  const CustomRolesDecl& c = ok.source->custom_roles[0];
  EXPECT_EQ(c.level, "partner");
  EXPECT_EQ(c.scope, std::vector<std::string>{"assigned_customers"});
  ASSERT_EQ(c.permissions.size(), 2u);
  EXPECT_EQ(c.permissions[1].name, "write");
  EXPECT_EQ(c.location.line, 5);
}

TEST(PolicyLoader, CustomRolesErrorsArePositioned) {
  LoadResult r = LoadOne(
      "kind: Permissions\n"
      "permissions: {read: {}}\n"
      "---\n"
      "kind: CustomRoles\n"
      "level: partner\n"
      "scope: [assigned, own]\n"
      "permissions: [read, raed]\n"
      "---\n"
      "kind: CustomRoles\n"
      "level: partner\n"
      "permissions: []\n");
  EXPECT_FALSE(r.source);
  ASSERT_EQ(r.diagnostics.size(), 3u) << r.FormattedDiagnostics();
  // The unknown scope term at the term itself.
  EXPECT_EQ(r.diagnostics[0].line, 6);
  EXPECT_EQ(r.diagnostics[0].column, 9);
  EXPECT_NE(r.diagnostics[0].message.find("unknown scope term 'assigned'"), std::string::npos);
  // The undeclared permission, with a suggestion.
  EXPECT_EQ(r.diagnostics[1].line, 7);
  EXPECT_EQ(r.diagnostics[1].column, 21);
  EXPECT_NE(r.diagnostics[1].message.find("undefined permission 'raed'"), std::string::npos);
  // The second document for the same level.
  EXPECT_EQ(r.diagnostics[2].line, 10);
  EXPECT_EQ(r.diagnostics[2].column, 8);
  EXPECT_NE(r.diagnostics[2].message.find("duplicate CustomRoles level 'partner'"),
            std::string::npos);
}

TEST(PolicyLoader, ExpressionErrorsPointIntoTheYamlFile) {
  LoadResult r = LoadOne(
      "kind: Policy\n"
      "name: p\n"
      "rules:\n"
      "  - name: r\n"
      "    effect: allow\n"
      "    actions: [\"*\"]\n"
      "    when: |\n"
      "      principal.ok &&\n"
      "      principal.x + 'a' == 1\n");
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.FormattedDiagnostics();
  // The `==` on the second line of the block scalar: string == int.
  EXPECT_EQ(r.diagnostics[0].line, 9);
  EXPECT_EQ(r.diagnostics[0].column, 25);
}

TEST(PolicyLoader, ReportsEveryErrorNotJustTheFirst) {
  LoadResult r = LoadOne("kind: Role\nname: a\nlevel: partner\ngrants: [x, y]\nbogus: 1\n");
  EXPECT_EQ(r.diagnostics.size(), 3u) << r.FormattedDiagnostics();
}

TEST(PolicyLoader, PrintsPermissionCycles) {
  LoadResult r = LoadOne(
      "kind: Permissions\npermissions:\n  a: {requires: [b]}\n  b: {requires: [c]}\n"
      "  c: {requires: [a]}\n");
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.FormattedDiagnostics();
  EXPECT_EQ(r.diagnostics[0].message, "permission dependency cycle: a -> b -> c -> a");
}

TEST(PolicyLoader, RejectsAWholeSetWithAnyError) {
  LoadResult r = LoadPolicyFiles({{"good.yaml", "kind: Permissions\npermissions: {a: {}}\n"},
                                  {"bad.yaml", "kind: Role\nname: r\n"}},
                                 engine::PolicyEnvironments());
  EXPECT_FALSE(r.source.has_value());
  EXPECT_EQ(r.diagnostics.size(), 1u) << r.FormattedDiagnostics();
}

TEST(PolicyLoader, RevisionChangesWithContent) {
  LoadResult a = LoadOne("kind: Permissions\npermissions: {a: {}}\n");
  LoadResult b = LoadOne("kind: Permissions\npermissions: {b: {}}\n");
  ASSERT_TRUE(a.source && b.source);
  EXPECT_NE(a.source->revision, b.source->revision);
}

// ---- Issue 11: keys of the existing kinds ------------------------------------------

constexpr const char* kRolesBase =
    "kind: Permissions\n"                                                   // 1
    "permissions:\n"                                                        // 2
    "  read: {tags: [builtin]}\n"                                           // 3
    "  write: {}\n"                                                         // 4
    "actions:\n"                                                            // 5
    "  doc.view: {requires: [read], requires_any: [write], scope: none}\n"  // 6
    "  doc.edit: {}\n"                                                      // 7
    "---\n";                                                                // 8

TEST(PolicyLoader, ReadsTheNewKeysOfExistingKinds) {
  LoadResult r = LoadOne(std::string(kRolesBase) +
                         "kind: Role\nname: viewer\nlevel: partner\ngrants: [read]\n"
                         "tags: [builtin, vendor_only]\n---\n"
                         "kind: Role\nname: editor\nlevel: partner\ninherits: [viewer]\n---\n"
                         "kind: CustomerGroup\nname: eu\nowner: p-acme\nmembers: [c1]\n---\n"
                         "kind: Policy\nname: p\nrules:\n"
                         "  - {name: r, effect: allow, actions: ['*'], except: [doc.edit]}\n");
  ASSERT_TRUE(r.source) << r.FormattedDiagnostics();
  const PolicySource& s = *r.source;
  EXPECT_EQ(s.permissions[0].tags, std::vector<std::string>{"builtin"});
  ASSERT_EQ(s.actions[0].requires_any.size(), 1u);
  EXPECT_EQ(s.actions[0].requires_any[0].name, "write");
  EXPECT_EQ(s.actions[0].scope, ScopeMode::kNone);
  EXPECT_FALSE(s.actions[1].scope.has_value());
  EXPECT_EQ(s.roles[0].tags, (std::vector<std::string>{"builtin", "vendor_only"}));
  ASSERT_EQ(s.roles[1].inherits.size(), 1u);
  EXPECT_EQ(s.roles[1].inherits[0].name, "viewer");
  EXPECT_EQ(s.groups[0].owner, "p-acme");
  ASSERT_EQ(s.policies[0].rules[0].except.size(), 1u);
  EXPECT_EQ(s.policies[0].rules[0].except[0].name, "doc.edit");
}

TEST(PolicyLoader, ReportsBadNewKeysWithTheirPositions) {
  LoadResult r = LoadOne(
      "kind: Permissions\n"
      "permissions:\n"
      "  read: {tags: x}\n"  // 3:16 not a list
      "actions:\n"
      "  a: {requires_any: [reed], scope: global}\n"  // 5:22 undefined, 5:36 bad scope
      "---\n"
      "kind: CustomerGroup\n"
      "name: g\n"
      "owner: ''\n"  // 9:8
      "members: []\n"
      "---\n"
      "kind: Policy\n"
      "name: p\n"
      "rules:\n"
      "  - {name: r, effect: allow, actions: ['*'], except: [b]}\n");  // 15:55
  std::vector<std::string> got;
  for (const auto& d : r.diagnostics) {
    got.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.message);
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "3:16 'tags' must be a list of names",
                     "5:22 'requires_any' refers to undefined permission 'reed' (did you mean "
                     "'read'?)",
                     "5:36 'scope' must be organization or none",
                     "9:8 'owner' must name a partner organization",
                     "15:55 rule refers to undefined action 'b' (did you mean 'a'?)",
                 }))
      << r.FormattedDiagnostics();
}

TEST(PolicyLoader, InheritsNeedsADeclaredRoleOfTheSameLevel) {
  LoadResult r = LoadOne(std::string(kRolesBase) +
                         "kind: Role\nname: viewer\nlevel: company\n---\n"  // 9-11
                         "kind: Role\nname: editor\nlevel: partner\n"       // 13-15
                         "inherits: [viewer, viewr]\n");                    // 16
  std::vector<std::string> got;
  for (const auto& d : r.diagnostics) {
    got.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.message);
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "16:12 role 'editor' (level partner) cannot inherit role 'viewer' of level "
                     "company",
                     "16:20 'inherits' refers to undefined role 'viewr' (did you mean 'viewer'?)",
                 }))
      << r.FormattedDiagnostics();
}

TEST(PolicyLoader, PrintsRoleInheritanceCycles) {
  LoadResult r = LoadOne(
      "kind: Role\nname: a\nlevel: partner\ninherits: [b]\n---\n"
      "kind: Role\nname: b\nlevel: partner\ninherits: [c]\n---\n"
      "kind: Role\nname: c\nlevel: partner\ninherits: [a]\n");
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.FormattedDiagnostics();
  EXPECT_EQ(r.diagnostics[0].message, "role inheritance cycle: a -> b -> c -> a");
  EXPECT_EQ(r.diagnostics[0].line, 14);
  EXPECT_EQ(r.diagnostics[0].column, 12);
}

// ---- Roles: many roles in one document ----------------------------------------------

// Everything a RoleDecl holds but its location, one field a line.
std::string Fields(const RoleDecl& r) {
  auto names = [](const std::vector<Reference>& refs) {
    std::string out;
    for (const auto& ref : refs) out += " " + ref.name;
    return out;
  };
  auto strings = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += " " + s;
    return out;
  };
  return r.name + "\n level " + r.level + "\n rank " + std::to_string(r.rank) + "\n grants" +
         names(r.grants) + "\n customisable" + names(r.customisable) + "\n scope" +
         strings(r.scope) + "\n inherits" + names(r.inherits) + "\n tags" + strings(r.tags) +
         "\n description " + r.description + "\n";
}

std::vector<std::string> Positioned(const LoadResult& r) {
  std::vector<std::string> got;
  for (const auto& d : r.diagnostics) {
    got.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.message);
  }
  return got;
}

TEST(PolicyLoader, RolesDocumentDeclaresWhatRoleDocumentsDo) {
  LoadResult separate = LoadOne(
      std::string(kRolesBase) +
      "kind: Role\nname: p.owner\nlevel: partner\nrank: 3\nscope: [own, assigned_customers]\n"
      "inherits: [p.admin]\ntags: [builtin]\ndescription: all of it\n---\n"
      "kind: Role\nname: p.admin\nlevel: partner\nrank: 2\nscope: [own, assigned_customers]\n"
      "grants: [read]\ncustomisable: [write]\n---\n"
      "kind: Role\nname: p.support\nlevel: partner\nrank: 1\nscope: [own]\ngrants: [read]\n---\n"
      "kind: Role\nname: c.user\nlevel: company\nscope: [own, assigned_customers]\n");
  LoadResult together = LoadOne(std::string(kRolesBase) +
                                "kind: Roles\n"                       // 9
                                "level: partner\n"                    // 10
                                "scope: [own, assigned_customers]\n"  // 11
                                "roles:\n"                            // 12
                                "  p.owner: {rank: 3, inherits: [p.admin], tags: [builtin],\n"
                                "            description: all of it}\n"                   // 14
                                "  p.admin:\n"                                            // 15
                                "    rank: 2\n"                                           // 16
                                "    grants: [read]\n"                                    // 17
                                "    customisable: [write]\n"                             // 18
                                "  p.support: {rank: 1, grants: [read], scope: [own]}\n"  // 19
                                "  c.user: {level: company}\n");                          // 20
  ASSERT_TRUE(separate.source) << separate.FormattedDiagnostics();
  ASSERT_TRUE(together.source) << together.FormattedDiagnostics();
  ASSERT_EQ(together.source->roles.size(), separate.source->roles.size());
  for (size_t i = 0; i < separate.source->roles.size(); ++i) {
    EXPECT_EQ(Fields(together.source->roles[i]), Fields(separate.source->roles[i]));
  }
  // Each role is located at its key, each reference at its name.
  const RoleDecl& owner = together.source->roles[0];
  EXPECT_EQ(owner.location.line, 13);
  EXPECT_EQ(owner.location.column, 3);
  EXPECT_EQ(owner.inherits[0].location.line, 13);
  EXPECT_EQ(owner.inherits[0].location.column, 33);
  EXPECT_EQ(together.source->roles[3].location.line, 20);
}

TEST(PolicyLoader, ReportsRolesErrorsWithPositions) {
  LoadResult r = LoadOne(std::string(kRolesBase) +
                         "kind: Role\nname: p.admin\nlevel: partner\n---\n"     // 9-11
                         "kind: Roles\n"                                        // 13
                         "scope: [own]\n"                                       // 14
                         "roles:\n"                                             // 15
                         "  p.admin: {level: partner}\n"                        // 16
                         "  p.user: {level: partner, grant: [read]}\n"          // 17
                         "  p.viewer: {rank: x}\n"                              // 18
                         "  p.other:\n"                                         // 19
                         "---\n"                                                // 20
                         "kind: Roles\nlevel: partner\nrank: 1\nroles: {}\n");  // 21-24
  // Sorted by position, as every diagnostic is.
  EXPECT_EQ(Positioned(r),
            (std::vector<std::string>{
                "16:3 duplicate role 'p.admin' (first declared at p.yaml:10)",
                "17:28 unknown key 'grant' in role 'p.user' (expected one of: level, rank, "
                "grants, customisable, scope, inherits, tags, description)",
                "18:3 role 'p.viewer' needs a 'level' (e.g. partner or company), its own or "
                "the Roles document's",
                "18:20 'rank' must be an integer",
                "19:3 role 'p.other' needs a 'level' (e.g. partner or company), its own or the "
                "Roles document's",
                "23:1 unknown key 'rank' in a Roles document (expected one of: kind, level, "
                "scope, roles)",
            }))
      << r.FormattedDiagnostics();
}

}  // namespace
}  // namespace castellan::dsl
