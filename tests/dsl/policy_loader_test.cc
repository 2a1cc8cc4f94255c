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

}  // namespace
}  // namespace castellan::dsl
