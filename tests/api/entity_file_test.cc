#include "api/entity_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/json_value.h"
#include "api/yaml_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/policy_set.h"

namespace castellan::api {
namespace {

namespace fs = std::filesystem;

class EntityFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("castellan_entities_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  // Loads and compiles policies from one in-memory file.
  static std::shared_ptr<const engine::PolicySet> Policies(const std::string& yaml) {
    dsl::LoadResult loaded = dsl::LoadPolicyFiles({{"p.yaml", yaml}}, engine::PolicyEnvironments());
    EXPECT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
    if (!loaded.source) return nullptr;
    return engine::PolicySet::Compile(std::move(*loaded.source)).set;
  }
  fs::path dir_;
};

TEST_F(EntityFileTest, LoadsOrganizationsUsersAndResources) {
  auto path = Write("entities.yaml", R"(
organizations:
  - {id: acme, type: partner}
  - {id: contoso, parent: acme, added_at: 2026-01-01T00:00:00Z, seats: 10, ratio: 0.5}
users:
  - {id: alice, org: acme, roles: [partner.admin], locked: false, note: "true"}
resources:
  - {kind: product, id: p1, org: contoso}
)");
  EntityLoadResult r = LoadEntityFiles({path});
  ASSERT_TRUE(r.store) << r.diagnostics.size();
  const engine::Value* contoso = r.store->FindOrganization("contoso");
  ASSERT_NE(contoso, nullptr);
  EXPECT_EQ(contoso->map_value().FindString("seats")->DebugString(), "10");
  EXPECT_EQ(contoso->map_value().FindString("ratio")->DebugString(), "0.5");
  // Timestamps stay strings: rules convert them with timestamp().
  EXPECT_EQ(contoso->map_value().FindString("added_at")->DebugString(), "\"2026-01-01T00:00:00Z\"");
  const engine::Value* alice = r.store->FindUser("alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->map_value().FindString("locked")->DebugString(), "false");
  // A quoted scalar is a string whatever it spells.
  EXPECT_EQ(alice->map_value().FindString("note")->DebugString(), "\"true\"");
  EXPECT_NE(r.store->FindResource("product", "p1"), nullptr);
  EXPECT_EQ(r.store->FindResource("user", "p1"), nullptr);
}

TEST_F(EntityFileTest, ReportsEveryProblemWithItsPositionAndLoadsNothing) {
  auto path = Write("bad_entities.yaml", R"(organizations:
  - {id: acme}
  - {id: acme}
  - {name: no-id}
users: {alice: {}}
resources:
  - {id: r1}
groups: []
)");
  EntityLoadResult r = LoadEntityFiles({path});
  EXPECT_FALSE(r.store);
  ASSERT_EQ(r.diagnostics.size(), 5u);
  EXPECT_EQ(r.diagnostics[0].line, 3);
  EXPECT_NE(r.diagnostics[0].message.find("duplicate id 'acme'"), std::string::npos);
  EXPECT_EQ(r.diagnostics[1].line, 4);
  EXPECT_NE(r.diagnostics[2].message.find("'users' must be a list"), std::string::npos);
  EXPECT_NE(r.diagnostics[3].message.find("needs a 'kind'"), std::string::npos);
  EXPECT_NE(r.diagnostics[4].message.find("unknown key 'groups'"), std::string::npos);
}

TEST_F(EntityFileTest, ReadsJsonAndDirectories) {
  Write("a_entities.json", R"({"organizations": [{"id": "acme"}]})");
  Write("b.entities.yaml", "users:\n  - {id: bob, org: acme}\n");
  Write("unrelated.yaml", "not: entities\n");
  EntityLoadResult r = LoadEntityFiles({dir_});
  ASSERT_TRUE(r.store);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].kind, "organization");
  EXPECT_EQ(r.records[1].kind, "user");
  EXPECT_TRUE(r.store->FindOrganization("acme"));
  EXPECT_TRUE(r.store->FindUser("bob"));
}

TEST_F(EntityFileTest, AJsonFileWithADuplicateKeyIsAnErrorAtTheKey) {
  EntityLoadResult r = LoadEntityFiles(
      {Write("dup_entities.json",
             "{\"users\": [\n  {\"id\": \"adam\", \"org\": \"acme\", \"org\": \"x\"}]}")});
  EXPECT_FALSE(r.store);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].line, 2);
  EXPECT_EQ(r.diagnostics[0].column, 33);
  EXPECT_EQ(r.diagnostics[0].message, R"(invalid JSON: duplicate key "org" in /users/0)");
}

TEST_F(EntityFileTest, InvalidSyntaxAndMissingFilesAreErrors) {
  EXPECT_FALSE(LoadEntityFiles({Write("x_entities.json", "{")}).store);
  EXPECT_FALSE(LoadEntityFiles({Write("y_entities.yaml", "users: [")}).store);
  EXPECT_FALSE(LoadEntityFiles({dir_ / "missing.yaml"}).store);
}

TEST(YamlValue, MergeKeysMergeAndWrittenKeysWin) {
  YAML::Node n = YAML::Load("base: &b {a: 1, b: 2}\nuse: {<<: *b, b: 3}\n");
  EXPECT_EQ(FromYaml(n["use"]).DebugString(), "{\"a\": 1, \"b\": 3}");
}

TEST(JsonValue, RoundTripsNumbersStringsListsAndMaps) {
  auto j = nlohmann::json::parse(R"({"i": -3, "u": 18446744073709551615, "d": 1.5,
                                     "s": "x", "l": [true, null]})");
  EXPECT_EQ(ToJson(FromJson(j)).dump(), j.dump());
  EXPECT_EQ(FromJson(j).map_value().FindString("u")->TypeName(), "uint");
}

TEST_F(EntityFileTest, FindsAUserByAnyOfItsAliases) {
  auto path = Write("entities.yaml", R"(
users:
  - {id: u-1, org: acme, aliases: [pid-1, ann@acme.example]}
  - {id: u-2, org: acme}
)");
  EntityLoadResult r = LoadEntityFiles({path});
  ASSERT_TRUE(r.store) << r.diagnostics.size();
  const engine::Value* by_id = r.store->FindUser("u-1");
  ASSERT_NE(by_id, nullptr);
  EXPECT_EQ(r.store->FindUser("pid-1"), by_id);
  EXPECT_EQ(r.store->FindUser("ann@acme.example"), by_id);
  EXPECT_EQ(r.store->FindUser("pid-2"), nullptr);
}

TEST_F(EntityFileTest, AnAliasCollidingWithAnotherUserIsALoadError) {
  auto path = Write("entities.yaml", R"(users:
  - {id: u-1, aliases: [u-2, shared]}
  - {id: u-2, aliases: [shared, 7]}
)");
  EntityLoadResult r = LoadEntityFiles({path});
  EXPECT_FALSE(r.store);
  std::vector<std::string> got;
  for (const auto& d : r.diagnostics) {
    got.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.message);
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "3:5 'aliases' of user 'u-2' must be a list of strings",
                     "2:5 alias 'u-2' of user 'u-1' is already another user's id or alias",
                     "3:5 alias 'shared' of user 'u-2' is already another user's id or alias",
                 }));
}

TEST_F(EntityFileTest, WarnsWherePrincipalPermissionsEmptyABinding) {
  auto set = Policies(
      "kind: Permissions\npermissions: {read: {}, write: {}, bill: {}}\n---\n"
      "kind: Role\nname: viewer\nlevel: partner\ngrants: [read]\n---\n"
      "kind: Role\nname: billing\nlevel: partner\ngrants: [bill]\n");
  ASSERT_TRUE(set);
  auto path = Write("entities.yaml", R"(users:
  - {id: u-1, roles: [viewer, billing], permissions: [read]}
  - {id: u-2, roles: [viewer, {role: billing, permissions: [bill]}], permissions: [read]}
  - {id: u-3, roles: [billing]}
)");
  EntityLoadResult r = LoadEntityFiles({path}, set.get());
  ASSERT_TRUE(r.store) << "warnings never fail the load";
  ASSERT_EQ(r.warnings.size(), 1u) << FormatWarnings(r.warnings);
  EXPECT_EQ(r.warnings[0].line, 2);
  EXPECT_NE(r.warnings[0].message.find("role 'billing'"), std::string::npos);
  EXPECT_NE(FormatWarnings(r.warnings).find(":2:5: warning: user 'u-1'"), std::string::npos);
  // Without the policy set there is nothing to warn about.
  EXPECT_TRUE(LoadEntityFiles({path}).warnings.empty());
}

TEST_F(EntityFileTest, GivenPoliciesTheEntitiesBecomeASnapshotAndProblemsArePositioned) {
  auto set = Policies(
      "kind: Permissions\npermissions: {read: {}, secret: {}}\n---\n"
      "kind: CustomRoles\nlevel: partner\nscope: [assigned_customers]\npermissions: [read]\n");
  ASSERT_TRUE(set);
  auto good = Write("good_entities.yaml", R"(organizations:
  - {id: acme}
users:
  - {id: ann, org: acme, roles: [desk]}
resources:
  - {kind: role, id: desk, org: acme, permissions: [read]}
  - {kind: customer_group, id: all, org: acme, match: "true"}
)");
  EntityLoadResult r = LoadEntityFiles({good}, set.get());
  ASSERT_TRUE(r.snapshot);
  EXPECT_EQ(r.store.get(), r.snapshot.get());
  EXPECT_EQ(r.snapshot->version(), 0u);
  EXPECT_TRUE(r.snapshot->FindCustomRole("acme", "desk"));
  EXPECT_TRUE(r.snapshot->FindCustomerGroup("acme", "all"));
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[3].kind, "customer_group");
  EXPECT_EQ(r.positions[3].line, 7);
  EXPECT_EQ(r.positions[3].column, 5);

  auto bad = Write("bad_entities.yaml", R"(organizations:
  - {id: acme}
resources:
  - {kind: role, id: desk, org: acme, permissions: [read, secret]}
  - {kind: customer_group, id: g, org: acme, match: "customer.x +"}
)");
  r = LoadEntityFiles({bad}, set.get());
  EXPECT_FALSE(r.store);
  EXPECT_FALSE(r.snapshot);
  // A permission outside the ceiling is dropped with a warning (as after a
  // policy change); a bad expression fails the load.
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].line, 4);
  EXPECT_EQ(r.warnings[0].message.substr(0, 31), "role 'desk' /permissions/1: per");
  EXPECT_NE(r.warnings[0].message.find("(outside_ceiling)"), std::string::npos);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].line, 5);
  EXPECT_NE(r.diagnostics[0].message.find("customer_group 'g' /match: 1:"), std::string::npos)
      << r.diagnostics[0].message;
  EXPECT_NE(r.diagnostics[0].message.find("(invalid_expression)"), std::string::npos);
  // Without policies nothing is compiled: the same file loads as plain resources.
  EXPECT_TRUE(LoadEntityFiles({bad}).store);
}

}  // namespace
}  // namespace castellan::api
