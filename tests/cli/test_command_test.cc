#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_run.h"

namespace {

using castellan::testing::Castellan;

const std::string kFailingPack = CASTELLAN_SOURCE_DIR "/tests/cli/testdata/failing_pack";

TEST(TestCommand, DefaultPackPassesAndEndsWithTheCount) {
  auto r = Castellan("test " CASTELLAN_SOURCE_DIR "/policies");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\n31 passed, 0 failed\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rule coverage: 5 of 5 rules exercised"), std::string::npos);
}

TEST(TestCommand, FailuresShowTheEnginesReasonsAndExitOne) {
  auto r = Castellan("test " + kFailingPack);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("a viewer is wrongly expected to edit (viv on doc)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("doc.edit: expected allow, got deny"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing_permission: needs permission 'edit'"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("doc.view: expected deny (not listed), got allow"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("not exercised: docs/never-on-sundays"), std::string::npos) << r.output;
  EXPECT_TRUE(r.output.ends_with("1 passed, 2 failed\n")) << r.output;
}

TEST(TestCommand, FilterRunsOnlyMatchingCases) {
  auto r = Castellan("test --filter 'an editor' " + kFailingPack);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(r.output.ends_with("1 passed, 0 failed\n")) << r.output;
}

TEST(TestCommand, JUnitReportListsEveryCaseAndItsFailures) {
  const auto path = std::filesystem::temp_directory_path() / "castellan_junit_test.xml";
  auto r = Castellan("test --junit " + path.string() + " " + kFailingPack);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  std::ifstream in(path);
  std::stringstream xml;
  xml << in.rdbuf();
  EXPECT_NE(xml.str().find("<testsuite name=\"docs\""), std::string::npos) << xml.str();
  EXPECT_NE(xml.str().find("tests=\"3\" failures=\"2\""), std::string::npos) << xml.str();
  EXPECT_NE(xml.str().find("<failure message="), std::string::npos) << xml.str();
  std::filesystem::remove(path);
}

TEST(TestCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(Castellan("test").exit_code, 2);
  EXPECT_EQ(Castellan("test --bogus x").exit_code, 2);
  EXPECT_EQ(Castellan("test /nonexistent/castellan").exit_code, 2);
  EXPECT_EQ(Castellan("test --junit").exit_code, 2);
}

TEST(TestCommand, BrokenSuiteIsReportedWithItsPosition) {
  const auto dir = std::filesystem::temp_directory_path() / "castellan_broken_suite";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "p.yaml") << "kind: Permissions\nactions: {a.b: {}}\n";
  std::ofstream(dir / "x_test.yaml") << "cases:\n  - name: c\n    principal: p\n"
                                        "    resource: r/1\n    expect: {a.b: maybe}\n";
  auto r = Castellan("test " + dir.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("x_test.yaml:5:19: error: expected allow, deny"), std::string::npos)
      << r.output;
  std::filesystem::remove_all(dir);
}

// A suite whose request gives what only the store may (the trust boundary):
// an error at the line that wrote it, not a silent override, and no case passes.
TEST(TestCommand, ASuiteOverridingAStoredAttributeIsAnErrorAtItsLine) {
  const auto dir = std::filesystem::temp_directory_path() / "castellan_overriding_suite";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kFailingPack + "/policy.yaml", dir / "p.yaml",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(kFailingPack + "/entities.yaml", dir / "entities.yaml",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir / "x_test.yaml") << "entities: entities.yaml\n"
                                        "principals:\n  viv: {id: viv, roles: [editor]}\n"
                                        "cases:\n  - name: c\n    principal: viv\n"
                                        "    resource: doc/d1\n    expect: {doc.edit: allow}\n";
  auto r = Castellan("test " + dir.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("x_test.yaml:3:8: error: case 'c': the request gives attribute 'roles' "
                          "of principal 'viv'"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("0 passed, 0 failed"), std::string::npos) << r.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
