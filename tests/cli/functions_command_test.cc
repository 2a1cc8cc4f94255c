// `castellan functions`: the function reference, printed or written into a file.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/cli_run.h"

namespace {

using castellan::testing::Castellan;
using castellan::testing::CommandRun;

TEST(FunctionsCommand, PrintsEveryFamilyAsMarkdown) {
  CommandRun r = Castellan("functions");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* expected : {"### Variables", "### Standard functions", "`email.domain`",
                               "`role.rank(string) -> int`", "`group.contains`"}) {
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected;
  }
}

TEST(FunctionsCommand, WritesBetweenTheMarkersAndRefusesAFileWithout) {
  const std::string path = ::testing::TempDir() + "castellan_functions_test.md";
  {
    std::ofstream out(path);
    out << "# Title\n\n<!-- function reference: generated from the catalogue by `castellan "
           "functions --write docs/policy-language.md`; do not edit by hand -->\nstale\n"
           "<!-- end of function reference -->\ntail\n";
  }
  CommandRun r = Castellan("functions --write " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find("stale"), std::string::npos);
  EXPECT_NE(text.str().find("`email.domain`"), std::string::npos);
  EXPECT_NE(text.str().find("<!-- end of function reference -->\ntail\n"), std::string::npos);

  { std::ofstream(path) << "no markers\n"; }
  EXPECT_EQ(Castellan("functions --write " + path).exit_code, 1);
  std::remove(path.c_str());
  EXPECT_EQ(Castellan("functions extra").exit_code, 2);
}

}  // namespace
