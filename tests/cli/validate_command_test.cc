// Runs the real castellan binary, as a user would.
#include <gtest/gtest.h>

#include "cli/cli_run.h"

namespace {

using castellan::testing::Castellan;
using castellan::testing::CommandRun;

TEST(ValidateCommand, DefaultPoliciesAreValidAndExitZero) {
  CommandRun r = Castellan("validate " CASTELLAN_SOURCE_DIR "/policies");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("valid:"), std::string::npos) << r.output;
}

TEST(ValidateCommand, BrokenPoliciesExitOneWithPositionedErrors) {
  CommandRun r = Castellan("validate " CASTELLAN_SOURCE_DIR "/tests/dsl/testdata/broken");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("policy.yaml:7:46: error: expected an expression"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("34 errors; the policy set is rejected"), std::string::npos) << r.output;
}

TEST(ValidateCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(Castellan("validate").exit_code, 2);
  EXPECT_EQ(Castellan("validate a b").exit_code, 2);
  EXPECT_EQ(Castellan("frobnicate").exit_code, 2);
  EXPECT_EQ(Castellan("").exit_code, 2);
}

TEST(ValidateCommand, MissingDirectoryIsAPolicyError) {
  CommandRun r = Castellan("validate /nonexistent/castellan");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not a directory"), std::string::npos) << r.output;
}

TEST(Cli, HelpAndVersionTellTheTruth) {
  CommandRun help = Castellan("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("validate DIR"), std::string::npos);
  CommandRun version = Castellan("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("castellan ", 0), 0u) << version.output;
  EXPECT_EQ(Castellan("validate --help").exit_code, 0);
}

}  // namespace
