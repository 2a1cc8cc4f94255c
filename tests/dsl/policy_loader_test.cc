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

}  // namespace
}  // namespace castellan::dsl
