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

TEST(ServiceState, EntityWarningsAreReportedButDoNotFailTheReload) {
  const fs::path dir =
      fs::temp_directory_path() / ("castellan_state_warn_" + std::to_string(::getpid()));
  fs::create_directories(dir / "policies");
  std::ofstream(dir / "policies" / "p.yaml")
      << "kind: Permissions\npermissions: {read: {}, bill: {}}\n---\n"
         "kind: Role\nname: billing\nlevel: partner\ngrants: [bill]\n";
  std::ofstream(dir / "entities.yaml")
      << "users:\n  - {id: u, roles: [billing], permissions: [read]}\n";
  ServiceState state(dir / "policies", {dir / "entities.yaml"});
  ReloadResult r = state.Reload();
  EXPECT_TRUE(r.ok) << r.formatted;
  EXPECT_NE(r.warnings.find("entities.yaml:2:5: warning: user 'u'"), std::string::npos)
      << r.warnings;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace castellan::server
