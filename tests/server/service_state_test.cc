#include "server/service_state.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace castellan::server {
namespace {

namespace fs = std::filesystem;

TEST(ServiceState, ABrokenReloadKeepsTheServingSnapshotAndReportsWhere) {
  const fs::path dir =
      fs::temp_directory_path() / ("castellan_state_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "p.yaml") << "kind: Permissions\nactions: {a.view: {}}\n";
  ServiceState state(dir, {});
  EXPECT_EQ(state.current(), nullptr);
  ASSERT_TRUE(state.Reload().ok);
  auto first = state.current();
  ASSERT_NE(first, nullptr);

  std::ofstream(dir / "q.yaml") << "kind: Policy\nname: q\nrules: [{name: r, effect: allow, "
                                   "actions: [a.nope]}]\n";
  ReloadResult broken = state.Reload();
  EXPECT_FALSE(broken.ok);
  EXPECT_EQ(broken.revision, first->revision);
  ASSERT_FALSE(broken.diagnostics.empty());
  EXPECT_EQ(broken.diagnostics[0].file, "q.yaml");
  EXPECT_EQ(state.current(), first);
  EXPECT_EQ(state.reload_failures(), 1u);

  fs::remove(dir / "q.yaml");
  std::ofstream(dir / "p.yaml") << "kind: Permissions\nactions: {a.view: {}, a.edit: {}}\n";
  ASSERT_TRUE(state.Reload().ok);
  EXPECT_NE(state.current()->revision, first->revision);
  // Another thread sees the new snapshot too, and the old one lives while held.
  std::string seen;
  std::thread([&] { seen = state.current()->revision; }).join();
  EXPECT_EQ(seen, state.current()->revision);
  EXPECT_TRUE(first->policies->FindAction("a.view"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace castellan::server
