// castellan migrate, export and import against a SQLite store in a
// temporary directory, through the real binary.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_run.h"
#include "cli/temp_dir.h"

namespace {

using castellan::testing::Castellan;
using castellan::testing::CommandRun;

class StoreCommands : public castellan::testing::TempDirTest {};

TEST_F(StoreCommands, MigratePrintsTheSchemaVersionAndIsIdempotent) {
  CommandRun first = Castellan("migrate" + Store());
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(first.output, "sqlite store: schema version 0 -> 1 (1 migration applied)\n");
  struct stat info {};
  ASSERT_EQ(stat((dir_ / "data").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  CommandRun again = Castellan("migrate" + Store());
  EXPECT_EQ(again.output, "sqlite store: schema version 1 -> 1 (0 migrations applied)\n");
  CommandRun url = Castellan("migrate --store sqlite:" + (dir_ / "other.db").string());
  EXPECT_EQ(url.exit_code, 0) << url.output;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "other.db"));
}

TEST_F(StoreCommands, ExportOfAnEmptyStore) {
  ASSERT_EQ(Castellan("migrate" + Store()).exit_code, 0);
  CommandRun yaml = Castellan("export" + Store());
  EXPECT_EQ(yaml.exit_code, 0) << yaml.output;
  EXPECT_EQ(yaml.output, "organizations: []\nusers: []\nresources: []\n");
  CommandRun json = Castellan("export --format json" + Store());
  EXPECT_EQ(json.output, "{\n  \"organizations\": [],\n  \"users\": [],\n  \"resources\": []\n}\n");
}

TEST_F(StoreCommands, UsageAndStoreErrorsExitTwo) {
  EXPECT_EQ(Castellan("export" + Store()).exit_code, 2);  // no data directory yet
  EXPECT_EQ(Castellan("export --format xml" + Store()).exit_code, 2);
  EXPECT_EQ(Castellan("export --store a.db --data-dir b").exit_code, 2);
  EXPECT_EQ(Castellan("migrate extra" + Store()).exit_code, 2);
  EXPECT_EQ(Castellan("migrate --store sqlite:/nonexistent/dir/x.db").exit_code, 2);
  // An unmigrated store is not exported.
  CommandRun unmigrated = Castellan("export --store sqlite:" + (dir_ / "empty.db").string());
  EXPECT_EQ(unmigrated.exit_code, 2) << unmigrated.output;
  EXPECT_NE(unmigrated.output.find("castellan migrate"), std::string::npos) << unmigrated.output;
}

TEST_F(StoreCommands, HelpTellsTheTruth) {
  for (const char* command : {"export", "migrate"}) {
    CommandRun help = Castellan(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.output.find(std::string("Usage: castellan ") + command), std::string::npos);
    EXPECT_NE(help.output.find("--data-dir DIR"), std::string::npos) << command;
    EXPECT_NE(help.output.find("castellan-data"), std::string::npos) << command;
  }
  EXPECT_NE(Castellan("--help").output.find("migrate"), std::string::npos);
}

}  // namespace
