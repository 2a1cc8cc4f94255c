#include "storage/data_directory.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "cli/temp_dir.h"

namespace castellan::storage {
namespace {

namespace fs = std::filesystem;

class DataDirectoryTest : public testing::TempDirTest {};

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

TEST_F(DataDirectoryTest, MakesMissingParentsOwnerOnly) {
  const fs::path dir = dir_ / "a" / "b";
  ASSERT_TRUE(MakePrivateDirectory(dir).ok());
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_EQ(ModeOf(dir), 0700u);
}

TEST_F(DataDirectoryTest, LeavesAnExistingDirectoryAsItIs) {
  const fs::path dir = dir_ / "shared";
  fs::create_directory(dir);
  ::chmod(dir.c_str(), 0755);
  ASSERT_TRUE(MakePrivateDirectory(dir).ok());
  EXPECT_EQ(ModeOf(dir), 0755u);
}

TEST_F(DataDirectoryTest, SaysWhichDirectoryCannotBeMade) {
  std::ofstream(dir_ / "file") << "not a directory";
  const fs::path dir = dir_ / "file" / "data";
  const Status status = MakePrivateDirectory(dir);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(dir.string()), std::string::npos) << status.message();
}

TEST_F(DataDirectoryTest, AnEmptyPathIsTheWorkingDirectory) {
  EXPECT_TRUE(MakePrivateDirectory(fs::path()).ok());
}

}  // namespace
}  // namespace castellan::storage
