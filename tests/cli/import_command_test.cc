// castellan import against a SQLite store in a temporary directory, through
// the real binary: all or nothing, problems with positions, a stable round
// trip through export.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_run.h"
#include "cli/temp_dir.h"

namespace {

using castellan::testing::Castellan;
using castellan::testing::CommandRun;

// A pack without EntityKind documents: any attribute may be stored.
constexpr const char* kPolicies =
    " --policies " CASTELLAN_SOURCE_DIR "/tests/cli/testdata/store_pack";

class ImportCommand : public castellan::testing::TempDirTest {};

TEST_F(ImportCommand, ImportsThenExportsTheSameBytesAgain) {
  const std::string first = Write("entities.yaml", R"(organizations:
  - {id: acme, kind: partner}
  - {id: contoso, parent: acme, note: "it's \"quoted\"", flag: "yes", n: "1"}
users:
  - {id: alice@acme.example, org: acme, status: active, aliases: [pid-1]}
resources:
  - {kind: product, id: p1, org: contoso, price: 1.5, tags: [a, b], nested: {deep: [[1], {}]}}
)");
  CommandRun imported = Castellan("import " + first + Store() + kPolicies);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("imported 4 entities into the sqlite store; data version 1"),
            std::string::npos)
      << imported.output;
  for (const char* format : {"yaml", "json"}) {
    const std::string a = (dir_ / (std::string("a.") + format)).string();
    const std::string b = (dir_ / (std::string("b.") + format)).string();
    ASSERT_EQ(Castellan(std::string("export --format ") + format + " -o " + a + Store()).exit_code,
              0);
    ASSERT_EQ(Castellan("import " + a + Store() + kPolicies + " --replace").exit_code, 0);
    ASSERT_EQ(Castellan(std::string("export --format ") + format + " -o " + b + Store()).exit_code,
              0);
    EXPECT_EQ(Read(a), Read(b)) << format;
    // Strings that look like other types stay strings.
    EXPECT_NE(Read(a).find("\"yes\""), std::string::npos) << Read(a);
  }
}

TEST_F(ImportCommand, TheDefaultPacksEntitiesRoundTrip) {
  const std::string pack = " --policies " CASTELLAN_SOURCE_DIR "/policies";
  CommandRun imported =
      Castellan("import " CASTELLAN_SOURCE_DIR "/policies/entities.yaml" + Store() + pack);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  const std::string a = (dir_ / "a-entities.yaml").string();
  const std::string b = (dir_ / "b-entities.yaml").string();
  ASSERT_EQ(Castellan("export -o " + a + Store()).exit_code, 0);
  CommandRun again = Castellan("import " + a + Store() + pack + " --replace");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  ASSERT_EQ(Castellan("export -o " + b + Store()).exit_code, 0);
  EXPECT_EQ(Read(a), Read(b));
  EXPECT_NE(Read(a).find("id: \"contoso\""), std::string::npos) << Read(a);
}

TEST_F(ImportCommand, AProblemWithAStoredEntityIsNamedByKindAndId) {
  ASSERT_EQ(
      Castellan("import " +
                Write("one-entities.yaml", "users:\n  - {id: u1, org: acme, aliases: [shared]}\n") +
                Store() + kPolicies)
          .exit_code,
      0);
  CommandRun run =
      Castellan("import " +
                Write("two-entities.yaml", "users:\n  - {id: u2, org: acme, aliases: [shared]}\n") +
                Store() + kPolicies);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("shared"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("nothing imported"), std::string::npos) << run.output;
}

TEST_F(ImportCommand, AnyProblemWritesNothingAndEveryProblemIsShown) {
  ASSERT_EQ(Castellan("import " + Write("ok-entities.yaml", "organizations:\n  - {id: acme}\n") +
                      Store() + kPolicies)
                .exit_code,
            0);
  const std::string bad = Write("bad-entities.yaml", R"(organizations:
  - {id: fresh}
users:
  - {id: u1}
  - {id: u1, org: acme}
)");
  CommandRun run = Castellan("import " + bad + Store() + kPolicies);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find(bad + ":"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("nothing imported"), std::string::npos) << run.output;
  CommandRun exported = Castellan("export --format json" + Store());
  EXPECT_EQ(exported.output.find("fresh"), std::string::npos) << exported.output;
}

TEST_F(ImportCommand, UsageErrorsExitTwoAndHelpTellsTheTruth) {
  EXPECT_EQ(Castellan("import" + Store()).exit_code, 2);
  EXPECT_EQ(Castellan("import x.yaml --bogus" + Store()).exit_code, 2);
  EXPECT_EQ(Castellan("import x.yaml --store a --data-dir b" + std::string(kPolicies)).exit_code,
            2);
  EXPECT_EQ(Castellan("import x.yaml --policies /nonexistent" + Store()).exit_code, 2);
  CommandRun help = Castellan("import --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--replace"), std::string::npos);
  EXPECT_NE(help.output.find("one transaction"), std::string::npos);
}

}  // namespace
