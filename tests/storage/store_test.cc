// One suite, two backends: every case runs on SQLite (a temporary file) and
// on PostgreSQL 15 (a server these tests start: postgres_server.h).
#include "storage/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/json_value.h"
#include "storage/migrations.h"
#include "storage/postgres_server.h"

// Each case names only the filter fields and preconditions it sets
// ({.kind = "user", .org = "acme"}); the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace castellan::storage {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::system_clock;

struct Sqlite {
  static std::string NewUrl() {
    static int n = 0;
    const auto path =
        std::filesystem::temp_directory_path() /
        ("castellan-store-" + std::to_string(getpid()) + "-" + std::to_string(++n) + ".db");
    Remove("sqlite:" + path.string());
    return "sqlite:" + path.string();
  }
  static void Remove(const std::string& url) {
    const std::string path = url.substr(7);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
};

struct Postgres {
  static std::string NewUrl() {
    auto& server = testing::PostgresServer::Shared();
    std::string url = server.CreateDatabase();
    EXPECT_EQ(server.error(), "");  // a missing server is a failure, never a skip
    return url;
  }
  static void Remove(const std::string&) {}  // the cluster goes at exit
};

engine::EntityRecord Record(const std::string& kind, const json& attributes) {
  return {kind, attributes.at("id").get<std::string>(), api::FromJson(attributes)};
}
json Json(const engine::EntityRecord& record) {
  return api::ToJson(record.attributes);
}

template <typename Backend>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = Backend::NewUrl();
    ASSERT_FALSE(url_.empty());
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    int applied = 0;
    Status status = store_->Migrate(&applied);
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_EQ(applied, LatestSchemaVersion());
  }
  void TearDown() override {
    store_.reset();
    Backend::Remove(url_);
  }

  std::unique_ptr<Store> Open() {
    Status status = Status::Ok();
    auto store = Store::Open(url_, &status);
    EXPECT_TRUE(status.ok()) << status.message();
    return store;
  }

  WriteResult Put(const std::string& kind, const json& attributes, Precondition precondition = {}) {
    WriteResult result;
    Status status = store_->Put(Record(kind, attributes), precondition, &result);
    EXPECT_TRUE(status.ok()) << status.message();
    return result;
  }
  WriteResult Delete(const std::string& kind, const std::string& id,
                     Precondition precondition = {}) {
    WriteResult result;
    Status status = store_->Delete(kind, id, precondition, &result);
    EXPECT_TRUE(status.ok()) << status.message();
    return result;
  }
  std::optional<json> Get(const std::string& kind, const std::string& id,
                          uint64_t* version = nullptr) {
    std::optional<StoredEntity> found;
    Status status = store_->Get(kind, id, &found);
    EXPECT_TRUE(status.ok()) << status.message();
    if (!found) return std::nullopt;
    EXPECT_EQ(found->record.kind, kind);
    EXPECT_EQ(found->record.id, id);
    if (version) *version = found->version;
    return Json(found->record);
  }
  uint64_t DataVersion() {
    uint64_t version = 0;
    EXPECT_TRUE(store_->DataVersion(&version).ok());
    return version;
  }
  std::vector<std::string> Ids(const EntityFilter& filter, std::string* next = nullptr) {
    std::vector<StoredEntity> page;
    std::string after;
    Status status = store_->List(filter, &page, &after);
    EXPECT_TRUE(status.ok()) << status.message();
    if (next) *next = after;
    std::vector<std::string> ids;
    for (const auto& entity : page) ids.push_back(entity.record.id);
    return ids;
  }
  WriteResult Import(const std::vector<engine::EntityRecord>& records, bool replace = false) {
    WriteResult result;
    Status status = store_->Import(records, replace, &result);
    EXPECT_TRUE(status.ok()) << status.message();
    return result;
  }
  DecisionLogEntry Decision(const std::string& principal, const std::string& action,
                            const std::string& effect, system_clock::time_point at) {
    DecisionLogEntry entry;
    entry.at = at;
    entry.request_id = "req-" + principal + action;
    entry.principal = principal;
    entry.action = action;
    entry.resource_kind = "organization";
    entry.resource_id = "contoso";
    entry.effect = effect;
    entry.rule = effect == "allow" ? "admins-manage" : "";
    entry.reasons = {effect == "allow" ? "allowed" : "no_rule_allows"};
    entry.policy_revision = "rev-1";
    entry.entity_version = 7;
    return entry;
  }
  std::vector<uint64_t> Seqs(const DecisionFilter& filter, uint64_t* next = nullptr) {
    std::vector<DecisionLogEntry> out;
    uint64_t after = 0;
    Status status = store_->QueryDecisions(filter, &out, &after);
    EXPECT_TRUE(status.ok()) << status.message();
    if (next) *next = after;
    std::vector<uint64_t> seqs;
    for (const auto& entry : out) seqs.push_back(entry.seq);
    return seqs;
  }

  std::string url_;
  std::unique_ptr<Store> store_;
};

class Names {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, Sqlite> ? "Sqlite" : "Postgres";
  }
};
using Backends = ::testing::Types<Sqlite, Postgres>;
TYPED_TEST_SUITE(StoreTest, Backends, Names);

TYPED_TEST(StoreTest, MigrateIsIdempotent) {
  int version = 0;
  ASSERT_TRUE(this->store_->SchemaVersion(&version).ok());
  EXPECT_EQ(version, LatestSchemaVersion());
  int applied = -1;
  ASSERT_TRUE(this->store_->Migrate(&applied).ok());
  EXPECT_EQ(applied, 0);
  auto again = this->Open();
  ASSERT_TRUE(again->Migrate(&applied).ok());
  EXPECT_EQ(applied, 0);
  EXPECT_EQ(this->DataVersion(), 0u);
  EXPECT_EQ(this->store_->backend(), (std::is_same_v<TypeParam, Sqlite> ? "sqlite" : "postgresql"));
}

// Replicas that start together on a new store migrate it together: one
// applies each migration, the others see it applied, and none fails.
TYPED_TEST(StoreTest, ReplicasMigratingAtOnceApplyEachMigrationOnce) {
  const std::string url = TypeParam::NewUrl();
  constexpr int kReplicas = 4;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kReplicas; ++i) {
    Status status = Status::Ok();
    stores.push_back(Store::Open(url, &status));
    ASSERT_NE(stores.back(), nullptr) << status.message();
  }
  std::vector<int> applied(kReplicas, -1);
  std::vector<std::string> errors(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { errors[i] = stores[i]->Migrate(&applied[i]).message(); });
  }
  for (auto& t : threads) t.join();
  int total = 0;
  for (int i = 0; i < kReplicas; ++i) {
    EXPECT_EQ(errors[i], "") << "replica " << i;
    total += applied[i];
  }
  EXPECT_EQ(total, LatestSchemaVersion());
  int version = 0;
  ASSERT_TRUE(stores[0]->SchemaVersion(&version).ok());
  EXPECT_EQ(version, LatestSchemaVersion());
  stores.clear();
  TypeParam::Remove(url);
}

TYPED_TEST(StoreTest, PutThenGetGivesTheAttributesBack) {
  const json user = {
      {"id", "alice@acme.example"},
      {"org", "acme"},
      {"status", "active"},
      {"roles", {"partner.admin", {{"role", "helpdesk"}, {"access", {{"all", true}}}}}},
      {"aliases", {"pid-4711"}},
      {"level", 3},
      {"ratio", 0.25},
      {"tags", json::array()},
      {"extra", {{"nested", {{"deep", nullptr}}}}}};
  WriteResult result = this->Put("user", user);
  EXPECT_EQ(result.outcome, WriteOutcome::kDone);
  EXPECT_TRUE(result.created);
  EXPECT_EQ(result.data_version, 1u);
  uint64_t version = 0;
  EXPECT_EQ(this->Get("user", "alice@acme.example", &version), user);
  EXPECT_EQ(version, 1u);
  EXPECT_EQ(this->Get("user", "pid-4711"), std::nullopt);  // an alias is not an id
  EXPECT_EQ(this->Get("organization", "alice@acme.example"), std::nullopt);

  const json product = {{"kind", "product"}, {"id", "p1"}, {"org", "contoso"}};
  result = this->Put("product", product);
  EXPECT_EQ(result.data_version, 2u);
  EXPECT_EQ(this->Get("product", "p1"), product);
  EXPECT_EQ(this->Get("license", "p1"), std::nullopt);  // kinds are apart
}

TYPED_TEST(StoreTest, PutReplacesAndEveryWriteBumpsTheDataVersionOnce) {
  this->Put("organization", {{"id", "acme"}, {"kind", "partner"}});
  WriteResult result = this->Put("organization", {{"id", "acme"}, {"kind", "distributor"}});
  EXPECT_FALSE(result.created);
  EXPECT_EQ(result.data_version, 2u);
  uint64_t version = 0;
  EXPECT_EQ(this->Get("organization", "acme", &version),
            (json{{"id", "acme"}, {"kind", "distributor"}}));
  EXPECT_EQ(version, 2u);
  EXPECT_EQ(this->DataVersion(), 2u);
  EXPECT_EQ(this->Delete("organization", "acme").data_version, 3u);
  EXPECT_EQ(this->DataVersion(), 3u);
}

TYPED_TEST(StoreTest, LoadAllGivesEveryEntityAndTheDataVersion) {
  this->Put("product", {{"kind", "product"}, {"id", "p1"}, {"org", "c"}});
  this->Put("user", {{"id", "u1"}, {"org", "c"}});
  this->Put("organization", {{"id", "c"}, {"parent", "p"}});
  this->Put("organization", {{"id", "p"}});
  std::vector<StoredEntity> all;
  uint64_t data_version = 0;
  ASSERT_TRUE(this->store_->LoadAll(&all, &data_version).ok());
  EXPECT_EQ(data_version, 4u);
  std::vector<std::string> names;
  for (const auto& entity : all) names.push_back(entity.record.kind + "/" + entity.record.id);
  EXPECT_EQ(names, (std::vector<std::string>{"organization/c", "organization/p", "user/u1",
                                             "product/p1"}));
  EXPECT_EQ(all[0].version, 3u);
  EXPECT_EQ(Json(all[0].record), (json{{"id", "c"}, {"parent", "p"}}));
}

TYPED_TEST(StoreTest, ListPagesAndFilters) {
  for (const char* id : {"c-3", "c-1", "d-1", "c-2", "c-4"}) {
    this->Put("organization", {{"id", id}, {"parent", std::string(id) == "c-4" ? "q" : "p"}});
    this->Put("user", {{"id", std::string("u") + id}, {"org", id}});
  }
  this->Put("product", {{"kind", "product"}, {"id", "x"}, {"org", "c-1"}});
  std::string next;
  EXPECT_EQ(this->Ids({.kind = "organization", .limit = 2}, &next),
            (std::vector<std::string>{"c-1", "c-2"}));
  EXPECT_EQ(next, "c-2");
  EXPECT_EQ(this->Ids({.kind = "organization", .after_id = next, .limit = 2}, &next),
            (std::vector<std::string>{"c-3", "c-4"}));
  EXPECT_EQ(this->Ids({.kind = "organization", .after_id = next, .limit = 2}, &next),
            (std::vector<std::string>{"d-1"}));
  EXPECT_EQ(next, "");  // the last page
  EXPECT_EQ(this->Ids({.kind = "organization", .id_prefix = "c-", .limit = 3}, &next),
            (std::vector<std::string>{"c-1", "c-2", "c-3"}));
  EXPECT_EQ(next, "c-3");
  EXPECT_EQ(this->Ids({.kind = "organization", .org = "p", .id_prefix = "c-"}),
            (std::vector<std::string>{"c-1", "c-2", "c-3"}));
  EXPECT_EQ(this->Ids({.kind = "user", .org = "c-4"}), (std::vector<std::string>{"uc-4"}));
  EXPECT_EQ(this->Ids({.kind = "product"}), (std::vector<std::string>{"x"}));
  EXPECT_EQ(this->Ids({.kind = "product", .org = "c-2"}), (std::vector<std::string>{}));
  EXPECT_EQ(this->Ids({.kind = "license"}), (std::vector<std::string>{}));
  // A prefix is bytes, not a pattern: no LIKE wildcards, case kept.
  EXPECT_EQ(this->Ids({.kind = "organization", .id_prefix = "C-"}), (std::vector<std::string>{}));
  EXPECT_EQ(this->Ids({.kind = "organization", .id_prefix = "%"}), (std::vector<std::string>{}));
  EXPECT_EQ(this->Ids({.kind = "organization", .id_prefix = "_-"}), (std::vector<std::string>{}));
}

TYPED_TEST(StoreTest, PreconditionsRefuseStaleWritesWithoutWriting) {
  const json v1 = {{"kind", "product"}, {"id", "p"}, {"n", 1}};
  EXPECT_EQ(this->Put("product", v1, {.if_match = 1}).outcome, WriteOutcome::kPreconditionFailed);
  EXPECT_EQ(this->DataVersion(), 0u);
  EXPECT_EQ(this->Put("product", v1, {.if_none_match = true}).outcome, WriteOutcome::kDone);
  WriteResult result =
      this->Put("product", {{"kind", "product"}, {"id", "p"}, {"n", 2}}, {.if_none_match = true});
  EXPECT_EQ(result.outcome, WriteOutcome::kPreconditionFailed);
  EXPECT_EQ(result.data_version, 1u);
  EXPECT_FALSE(result.message.empty());
  result = this->Put("product", {{"kind", "product"}, {"id", "p"}, {"n", 2}}, {.if_match = 7});
  EXPECT_EQ(result.outcome, WriteOutcome::kPreconditionFailed);
  EXPECT_EQ(this->Get("product", "p"), v1);
  EXPECT_EQ(this->DataVersion(), 1u);
  result = this->Put("product", {{"kind", "product"}, {"id", "p"}, {"n", 2}}, {.if_match = 1});
  EXPECT_EQ(result.outcome, WriteOutcome::kDone);
  EXPECT_EQ(result.data_version, 2u);
  EXPECT_EQ(this->Delete("product", "p", {.if_match = 1}).outcome,
            WriteOutcome::kPreconditionFailed);
  EXPECT_TRUE(this->Get("product", "p").has_value());
  EXPECT_EQ(this->Delete("product", "p", {.if_match = 2}).outcome, WriteOutcome::kDone);
  EXPECT_EQ(this->Delete("product", "p").outcome, WriteOutcome::kNotFound);
  EXPECT_EQ(this->DataVersion(), 3u);
}

TYPED_TEST(StoreTest, DeleteRemovesTheEntityAndFreesItsAliases) {
  this->Put("user", {{"id", "u1"}, {"aliases", {"pid-1"}}, {"roles", {"admin"}}});
  EXPECT_EQ(this->Delete("user", "u1").outcome, WriteOutcome::kDone);
  EXPECT_EQ(this->Get("user", "u1"), std::nullopt);
  EXPECT_EQ(this->Put("user", {{"id", "u2"}, {"aliases", {"pid-1"}}}).outcome, WriteOutcome::kDone);
}

TYPED_TEST(StoreTest, AnAliasAnotherUserHoldsIsAConflict) {
  this->Put("user", {{"id", "u1"}, {"aliases", {"pid-1"}}});
  WriteResult result = this->Put("user", {{"id", "u2"}, {"aliases", {"pid-2", "pid-1"}}});
  EXPECT_EQ(result.outcome, WriteOutcome::kConflict);
  EXPECT_NE(result.message.find("pid-1"), std::string::npos) << result.message;
  EXPECT_EQ(this->Get("user", "u2"), std::nullopt);
  EXPECT_EQ(this->DataVersion(), 1u);
  // Another user's id, as an alias; an alias, as a user's id.
  EXPECT_EQ(this->Put("user", {{"id", "u3"}, {"aliases", {"u1"}}}).outcome,
            WriteOutcome::kConflict);
  EXPECT_EQ(this->Put("user", {{"id", "pid-1"}}).outcome, WriteOutcome::kConflict);
  // The holder itself may keep it; replacing u1 keeps its alias.
  EXPECT_EQ(this->Put("user", {{"id", "u1"}, {"aliases", {"pid-1"}}, {"n", 2}}).outcome,
            WriteOutcome::kDone);
  EXPECT_EQ(this->DataVersion(), 2u);
}

TYPED_TEST(StoreTest, ImportIsAllOrNothing) {
  this->Put("user", {{"id", "holder"}, {"aliases", {"taken"}}});
  const std::vector<engine::EntityRecord> records = {
      Record("organization", {{"id", "acme"}}),
      Record("user", {{"id", "u1"}, {"org", "acme"}}),
      Record("user", {{"id", "u2"}, {"org", "acme"}, {"aliases", {"taken"}}}),
  };
  WriteResult result = this->Import(records);
  EXPECT_EQ(result.outcome, WriteOutcome::kConflict);
  EXPECT_EQ(result.data_version, 1u);
  EXPECT_EQ(this->DataVersion(), 1u);
  EXPECT_EQ(this->Get("organization", "acme"), std::nullopt);
  EXPECT_EQ(this->Get("user", "u1"), std::nullopt);

  // A duplicate id in the import.
  result = this->Import(
      {Record("organization", {{"id", "a"}}), Record("organization", {{"id", "a"}, {"n", 2}})});
  EXPECT_EQ(result.outcome, WriteOutcome::kConflict);
  EXPECT_EQ(this->Get("organization", "a"), std::nullopt);
  // Two users of the import claiming one alias.
  result = this->Import({Record("user", {{"id", "a"}, {"aliases", {"x"}}}),
                         Record("user", {{"id", "b"}, {"aliases", {"x"}}})});
  EXPECT_EQ(result.outcome, WriteOutcome::kConflict);
  EXPECT_EQ(this->DataVersion(), 1u);
}

TYPED_TEST(StoreTest, ImportWritesEverythingAtOneDataVersion) {
  this->Put("user", {{"id", "old"}, {"aliases", {"moving"}}});
  this->Put("product", {{"kind", "product"}, {"id", "stays"}});
  // The alias moves from one user to another within the import.
  WriteResult result = this->Import({
      Record("organization", {{"id", "acme"}}),
      Record("user", {{"id", "old"}}),
      Record("user", {{"id", "new"}, {"aliases", {"moving"}}}),
  });
  ASSERT_EQ(result.outcome, WriteOutcome::kDone) << result.message;
  EXPECT_EQ(result.data_version, 3u);
  uint64_t version = 0;
  EXPECT_TRUE(this->Get("user", "new", &version).has_value());
  EXPECT_EQ(version, 3u);
  EXPECT_TRUE(this->Get("product", "stays").has_value());

  result = this->Import({Record("organization", {{"id", "only"}})}, /*replace=*/true);
  ASSERT_EQ(result.outcome, WriteOutcome::kDone);
  EXPECT_EQ(result.data_version, 4u);
  std::vector<StoredEntity> all;
  uint64_t data_version = 0;
  ASSERT_TRUE(this->store_->LoadAll(&all, &data_version).ok());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].record.id, "only");
  // Replacing everything freed the aliases.
  EXPECT_EQ(this->Put("user", {{"id", "x"}, {"aliases", {"moving"}}}).outcome, WriteOutcome::kDone);
}

TYPED_TEST(StoreTest, HostileValuesComeBackByteIdentical) {
  std::string deep_text;
  json deep = "bottom";
  for (int i = 0; i < 200; ++i) deep = json{{"d", deep}, {"l", json::array({i})}};
  const std::vector<std::string> ids = {"o'brien", "'; DROP TABLE resources; --",
                                        "Robert\"); DROP TABLE users;--", "ünïcödé-日本-🙂",
                                        "back\\slash?$1"};
  const json attributes = {
      {"quote", "it's \"quoted\""},
      {"injection", "'; DROP TABLE x; --"},
      {"nul", std::string("before\0after", 12)},
      {"big", std::string(1 << 20, 'x') + "end"},
      {"non_ascii", "Grüße, 世界, 🙂, \xE2\x80\xAE"},
      {"control", "\t\r\n\x01\x1F"},
      {"deep", deep},
      {"numbers", {9223372036854775807LL, -9223372036854775807LL - 1, 1.5e300, -0.0, 0.1}},
  };
  for (const std::string& id : ids) {
    json with_id = attributes;
    with_id["id"] = id;
    with_id["kind"] = "product";
    ASSERT_EQ(this->Put("product", with_id).outcome, WriteOutcome::kDone) << id;
    const auto back = this->Get("product", id);
    ASSERT_TRUE(back.has_value()) << id;
    EXPECT_EQ(back->dump(), with_id.dump()) << id;  // byte-identical, not just equal
  }
  // A user whose id and alias are hostile.
  ASSERT_EQ(this->Put("user", {{"id", "'; DELETE FROM users; --"}, {"aliases", {"a'b"}}}).outcome,
            WriteOutcome::kDone);
  EXPECT_EQ(this->Ids({.kind = "product", .limit = 1000}).size(), ids.size());
  EXPECT_EQ(this->Ids({.kind = "product", .id_prefix = "'; DROP"}),
            (std::vector<std::string>{"'; DROP TABLE resources; --"}));
  EXPECT_EQ(this->Ids({.kind = "product", .id_prefix = "ünï"}),
            (std::vector<std::string>{"ünïcödé-日本-🙂"}));
}

TYPED_TEST(StoreTest, WhatTextCannotHoldIsRefusedAndNothingChanges) {
  WriteResult result;
  Status status = this->store_->Put(
      Record("product", {{"kind", "product"}, {"id", "p"}, {"bad", "\xC3("}}), {}, &result);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("UTF-8"), std::string::npos) << status.message();
  status = this->store_->Put(Record("product", {{"id", std::string("p\0q", 3)}}), {}, &result);
  EXPECT_FALSE(status.ok());
  status = this->store_->Import({Record("organization", {{"id", "fine"}}),
                                 Record("organization", {{"id", "bad"}, {"x", "\xFF"}})},
                                false, &result);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(this->Get("organization", "fine"), std::nullopt);
  EXPECT_EQ(this->DataVersion(), 0u);
}

TYPED_TEST(StoreTest, DecisionLogAppendsQueriesPagesAndPrunes) {
  const auto t0 = system_clock::from_time_t(1700000000);
  std::vector<DecisionLogEntry> batch = {
      this->Decision("alice", "view", "allow", t0),
      this->Decision("bob", "view", "deny", t0 + hours(1)),
      this->Decision("alice", "delete", "deny", t0 + hours(2)),
      this->Decision("alice", "view", "allow", t0 + hours(3)),
  };
  ASSERT_TRUE(this->store_->AppendDecisions(&batch).ok());
  EXPECT_EQ(batch[0].seq, 1u);
  EXPECT_EQ(batch[3].seq, 4u);
  std::vector<DecisionLogEntry> more = {this->Decision("carol", "view", "allow", t0 + hours(4))};
  ASSERT_TRUE(this->store_->AppendDecisions(&more).ok());
  EXPECT_EQ(more[0].seq, 5u);

  EXPECT_EQ(this->Seqs({}), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(this->Seqs({.principal = "alice"}), (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(this->Seqs({.principal = "alice", .action = "view"}), (std::vector<uint64_t>{1, 4}));
  EXPECT_EQ(this->Seqs({.effect = "deny"}), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(this->Seqs({.resource_kind = "organization", .resource_id = "contoso"}).size(), 5u);
  EXPECT_EQ(this->Seqs({.resource_id = "fabrikam"}), (std::vector<uint64_t>{}));
  EXPECT_EQ(this->Seqs({.from = t0 + hours(1), .to = t0 + hours(3)}),
            (std::vector<uint64_t>{2, 3}));
  uint64_t next = 0;
  EXPECT_EQ(this->Seqs({.limit = 2}, &next), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(next, 2u);
  EXPECT_EQ(this->Seqs({.after_seq = next, .limit = 2}, &next), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(this->Seqs({.after_seq = next, .limit = 2}, &next), (std::vector<uint64_t>{5}));
  EXPECT_EQ(next, 0u);

  std::vector<DecisionLogEntry> out;
  ASSERT_TRUE(this->store_->QueryDecisions({.principal = "bob"}, &out, &next).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].at, t0 + hours(1));
  EXPECT_EQ(out[0].request_id, "req-bobview");
  EXPECT_EQ(out[0].resource_kind, "organization");
  EXPECT_EQ(out[0].rule, "");
  EXPECT_EQ(out[0].reasons, (std::vector<std::string>{"no_rule_allows"}));
  EXPECT_EQ(out[0].policy_revision, "rev-1");
  EXPECT_EQ(out[0].entity_version, 7u);

  uint64_t deleted = 0;
  ASSERT_TRUE(this->store_->DeleteDecisionsBefore(t0 + hours(2), &deleted).ok());
  EXPECT_EQ(deleted, 2u);
  EXPECT_EQ(this->Seqs({}), (std::vector<uint64_t>{3, 4, 5}));
  // The log never touches the entities' data version.
  EXPECT_EQ(this->DataVersion(), 0u);
}

TYPED_TEST(StoreTest, DecisionLogKeepsHostileStringsStorable) {
  const auto t0 = system_clock::from_time_t(1700000000);
  std::vector<DecisionLogEntry> batch = {
      this->Decision("'; DROP TABLE decision_log; --", "view", "allow", t0),
      this->Decision(std::string("nul\0byte", 8), "view", "allow", t0),
      this->Decision("bad\xFFutf8", "view", "allow", t0),
  };
  ASSERT_TRUE(this->store_->AppendDecisions(&batch).ok());
  std::vector<DecisionLogEntry> out;
  uint64_t next = 0;
  ASSERT_TRUE(this->store_->QueryDecisions({}, &out, &next).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].principal, "'; DROP TABLE decision_log; --");
  EXPECT_EQ(out[1].principal,
            "nul\xEF\xBF\xBD"
            "byte");
  EXPECT_EQ(out[2].principal, "bad\xEF\xBF\xBDutf8");
  EXPECT_EQ(this->Seqs({.principal = "'; DROP TABLE decision_log; --"}),
            (std::vector<uint64_t>{1}));
}

TYPED_TEST(StoreTest, ReopenKeepsEverything) {
  this->Put("organization", {{"id", "acme"}});
  this->Put("user", {{"id", "u1"}, {"aliases", {"pid"}}});
  std::vector<DecisionLogEntry> batch = {
      this->Decision("u1", "view", "allow", system_clock::from_time_t(1700000000))};
  ASSERT_TRUE(this->store_->AppendDecisions(&batch).ok());
  std::vector<StoredEntity> before;
  uint64_t version_before = 0;
  ASSERT_TRUE(this->store_->LoadAll(&before, &version_before).ok());

  this->store_ = this->Open();
  ASSERT_NE(this->store_, nullptr);
  int applied = -1;
  ASSERT_TRUE(this->store_->Migrate(&applied).ok());
  EXPECT_EQ(applied, 0);
  std::vector<StoredEntity> after;
  uint64_t version_after = 0;
  ASSERT_TRUE(this->store_->LoadAll(&after, &version_after).ok());
  EXPECT_EQ(version_after, version_before);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(Json(after[i].record), Json(before[i].record));
    EXPECT_EQ(after[i].version, before[i].version);
  }
  // The alias rule and the log's sequence carry on.
  EXPECT_EQ(this->Put("user", {{"id", "u2"}, {"aliases", {"pid"}}}).outcome,
            WriteOutcome::kConflict);
  ASSERT_TRUE(this->store_->AppendDecisions(&batch).ok());
  EXPECT_EQ(batch[0].seq, 2u);
}

TEST(StoreOpen, ABadUrlIsAStatus) {
  Status status = Status::Ok();
  EXPECT_EQ(Store::Open("sqlite:", &status), nullptr);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(Store::Open("sqlite:/nonexistent-dir/x/y.db", &status), nullptr);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(Store::Open("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2", &status),
            nullptr);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("secret"), std::string::npos) << status.message();
}

TEST(StoreOpen, SqliteRunsInWalModeWithFullSync) {
  const std::string url = Sqlite::NewUrl();
  Status status = Status::Ok();
  auto store = Store::Open(url, &status);
  ASSERT_NE(store, nullptr) << status.message();
  int applied = 0;
  ASSERT_TRUE(store->Migrate(&applied).ok());
  WriteResult result;
  ASSERT_TRUE(store->Put(Record("organization", {{"id", "a"}}), {}, &result).ok());
  // WAL mode leaves a -wal file beside the database while it is open.
  EXPECT_TRUE(std::filesystem::exists(url.substr(7) + "-wal"));
  store.reset();
  Sqlite::Remove(url);
}

}  // namespace
}  // namespace castellan::storage
