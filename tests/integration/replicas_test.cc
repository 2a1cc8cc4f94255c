// Two replicas on one store, SQLite (one file on one host) and a PostgreSQL
// server of the test's own: what one writes, the other serves within its
// poll interval, and a write that lands after another replica's leaves the
// writer serving both (the store is the truth, not the writer's snapshot).
// The PostgreSQL case is also the service's own end-to-end run on that
// backend: seeding, decisions, entity writes and the decision log.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pack_integration.h"
#include "storage/postgres_server.h"

namespace castellan::testing {
namespace {

std::string Effect(Server& server, const std::string& user, const std::string& org) {
  const json body = server.Post("/v1/check", Check(user, org, {"company.view"})).Json();
  if (!body.contains("results")) return "error " + body.dump();
  return body["results"]["company.view"].value("effect", "?");
}

uint64_t ServingVersion(Server& server) {
  return EntityVersion(
      server.Post("/v1/check", Check("adam@acme.example", "fabrikam", {"company.view"})));
}

// `store`: the URL both replicas use; "" for a's own SQLite file.
void ReplicasServeEachOthersWrites(std::string store) {
  std::vector<std::string> a_args = {"--store-poll-seconds", "1"};
  if (!store.empty()) a_args.insert(a_args.end(), {"--store", store});
  Server a(CASTELLAN_SOURCE_DIR "/policies", a_args, StoreMode{});
  ASSERT_NE(a.port(), 0) << a.Log();
  if (store.empty()) store = "sqlite:" + (a.dir() / "data" / "castellan.db").string();
  // b never polls: what it serves of a's writes comes through its own writes.
  StoreMode replica;
  replica.seed = false;
  Server b(CASTELLAN_SOURCE_DIR "/policies", {"--store", store, "--store-poll-seconds", "0"},
           replica);
  ASSERT_NE(b.port(), 0) << b.Log();
  ASSERT_EQ(Effect(b, "adam@acme.example", "fabrikam"), "deny");

  const json access = {{"customer_access", {{"customers", {"contoso", "fabrikam"}}}}};
  const Reply patched = EntityCall(a, "PATCH", "user", "adam@acme.example", access.dump());
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Effect(a, "adam@acme.example", "fabrikam"), "allow");

  // b writes another entity; the store's version is then not b's snapshot's
  // plus one, so b loads the store and serves a's write as well as its own.
  const json disabled = {{"status", "disabled"}};
  const Reply own = EntityCall(b, "PATCH", "user", "uma@acme.example", disabled.dump());
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Effect(b, "adam@acme.example", "fabrikam"), "allow") << b.Log();
  const uint64_t version = ServingVersion(b);
  EXPECT_EQ(version, ETagVersion(own));

  // a polls: it comes to serve b's write, at the same version.
  uint64_t seen = 0;
  for (int i = 0; i < 100 && seen != version; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = ServingVersion(a);
  }
  EXPECT_EQ(seen, version) << a.Log();
  const Reply uma = EntityCall(a, "GET", "user", "uma@acme.example");
  EXPECT_EQ(uma.Json().value("status", ""), "disabled") << uma.body;
  EXPECT_NE(a.Log().find("entities_refreshed"), std::string::npos) << a.Log();

  // Every decision above is in the log, whichever replica made it.
  const Reply logged = a.Call("GET", "/v1/decisions?principal=adam@acme.example", "",
                              {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_EQ(logged.status, 200) << logged.body;
  EXPECT_GE(logged.Json()["decisions"].size(), 4u) << logged.body;
}

TEST(Replicas, OnOneSqliteFile) {
  ReplicasServeEachOthersWrites("");
}

TEST(Replicas, OnPostgreSQL) {
  PostgresServer& postgres = PostgresServer::Shared();
  ASSERT_EQ(postgres.error(), "");
  const std::string url = postgres.CreateDatabase();
  ASSERT_FALSE(url.empty()) << postgres.error();
  ReplicasServeEachOthersWrites(url);
}

}  // namespace
}  // namespace castellan::testing
