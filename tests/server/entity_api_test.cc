// The entity API over real HTTP, in store mode (a SQLite store in a
// temporary data directory, seeded from the default pack's entities): CRUD
// with ETags, conditional writes, validation with paths, tokens, custom roles
// that change the next decision, the decision log and entity versions.
#include <gtest/gtest.h>

#include <set>

#include "server_process.h"

namespace castellan::testing {
namespace {

const std::map<std::string, std::string> kWriter = {{"Authorization", "Bearer entities-token"}};
const std::map<std::string, std::string> kAdmin = {{"Authorization", "Bearer s3cret-token"}};

std::map<std::string, std::string> Writer(std::map<std::string, std::string> more) {
  more.insert(kWriter.begin(), kWriter.end());
  return more;
}

// The default pack's partner roles may be given to stored custom roles.
const char* kCustomRoles = R"(kind: CustomRoles
level: partner
scope: [own, assigned_customers]
permissions: [view_customers, products, collections]
)";

class EntityApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Server(CASTELLAN_SOURCE_DIR "/policies", {},
                         StoreMode{{{"custom-roles.yaml", kCustomRoles}}, true});
    ASSERT_NE(server_->port(), 0) << server_->Log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  Reply Put(const std::string& path, const json& body,
            std::map<std::string, std::string> headers = kWriter) {
    return server_->Call("PUT", path, body.dump(), headers);
  }
  static Server* server_;
};
Server* EntityApi::server_ = nullptr;

TEST_F(EntityApi, ASeededEntityReadsBackWithItsVersionAsETag) {
  Reply r = server_->Call("GET", "/v1/entities/organization/contoso", "", kWriter);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["parent"], "acme");
  EXPECT_EQ(r.Header("ETag").front(), '"') << r.Header("ETag");
  // The admin token reads too.
  EXPECT_EQ(server_->Call("GET", "/v1/entities/organization/contoso", "", kAdmin).status, 200);
  EXPECT_EQ(server_->Call("GET", "/v1/entities/organization/contoso").status, 401);
  EXPECT_EQ(server_->Call("GET", "/v1/entities/organization/nobody", "", kWriter).status, 404);
}

TEST_F(EntityApi, CreateReplacePatchAndDeleteWithPreconditions) {
  const std::string path = "/v1/entities/product/p%2F1";  // the id is "p/1"
  Reply created = Put(path, {{"org", "contoso"}, {"name", "Backup"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json()["id"], "p/1");
  EXPECT_EQ(created.Json()["kind"], "product");
  const std::string etag = created.Header("ETag");
  ASSERT_FALSE(etag.empty());

  Reply read = server_->Call("GET", path, "", kWriter);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.Header("ETag"), etag);
  EXPECT_EQ(read.Json()["name"], "Backup");

  // If-None-Match: * refuses to overwrite.
  EXPECT_EQ(Put(path, {{"org", "contoso"}}, Writer({{"If-None-Match", "*"}})).status, 412);

  Reply replaced =
      Put(path, {{"org", "contoso"}, {"name", "Backup 2"}}, Writer({{"If-Match", etag}}));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  const std::string etag2 = replaced.Header("ETag");
  EXPECT_NE(etag2, etag);
  // The old ETag is stale now.
  Reply stale = Put(path, {{"org", "contoso"}}, Writer({{"If-Match", etag}}));
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.Json()["error"]["code"], "precondition_failed");

  Reply patched = server_->Call("PATCH", path, R"({"name": null, "tier": "gold"})",
                                Writer({{"If-Match", etag2}}), "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_FALSE(patched.Json().contains("name"));
  EXPECT_EQ(patched.Json()["tier"], "gold");
  EXPECT_EQ(patched.Json()["org"], "contoso");

  EXPECT_EQ(server_->Call("DELETE", path, "", Writer({{"If-Match", etag2}})).status, 412);
  EXPECT_EQ(server_->Call("DELETE", path, "", kWriter).status, 204);
  EXPECT_EQ(server_->Call("GET", path, "", kWriter).status, 404);
  EXPECT_EQ(server_->Call("DELETE", path, "", kWriter).status, 404);
  EXPECT_EQ(server_->Call("PATCH", path, "{}", kWriter).status, 404);
}

TEST_F(EntityApi, OfTwoEditorsOfTheSameVersionTheSecondGets412) {
  const std::string path = "/v1/entities/product/shared";
  Reply created = Put(path, {{"org", "acme"}, {"note", "v1"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string etag = created.Header("ETag");
  Reply first = Put(path, {{"org", "acme"}, {"note", "first"}}, Writer({{"If-Match", etag}}));
  Reply second = Put(path, {{"org", "acme"}, {"note", "second"}}, Writer({{"If-Match", etag}}));
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(second.status, 412) << second.body;
  EXPECT_EQ(server_->Call("GET", path, "", kWriter).Json()["note"], "first")
      << "the first editor's update is not lost";
}

TEST_F(EntityApi, ABadGroupExpressionIsA400NamingItsPosition) {
  Reply r = Put("/v1/entities/customer_group/broken",
                {{"org", "acme"}, {"match", "customer.data_center == "}});
  ASSERT_EQ(r.status, 400) << r.body;
  const json error = r.Json()["error"];
  EXPECT_EQ(error["code"], "invalid_entity");
  ASSERT_TRUE(error["problems"].is_array()) << r.body;
  const json& p = error["problems"][0];
  EXPECT_EQ(p["path"], "/match");
  EXPECT_EQ(p["code"], "invalid_expression");
  EXPECT_EQ(p["message"].get<std::string>().rfind("1:", 0), 0u) << p["message"];
  EXPECT_EQ(server_->Call("GET", "/v1/entities/customer_group/broken", "", kWriter).status, 404);
  // The id in the body must be the path's.
  EXPECT_EQ(Put("/v1/entities/product/x", {{"id", "y"}, {"org", "acme"}}).status, 400);
}

TEST_F(EntityApi, ACustomRoleCreatedOverHttpGrantsAndDeletingItTakesItAway) {
  ASSERT_EQ(Put("/v1/entities/user/hd@acme.example", {{"org", "acme"},
                                                      {"status", "active"},
                                                      {"roles", {"helpdesk"}},
                                                      {"customer_access", {{"all", true}}}})
                .status,
            201);
  const json check = Check("hd@acme.example", "contoso", {"company.view"});
  auto effect = [&] {
    Reply r = server_->Post("/v1/check", check);
    return r.Json()["results"]["company.view"]["effect"];
  };
  EXPECT_EQ(effect(), "deny") << "no role helpdesk yet";
  Reply role = Put("/v1/entities/role/helpdesk",
                   {{"org", "acme"}, {"level", "partner"}, {"permissions", {"view_customers"}}});
  ASSERT_EQ(role.status, 201) << role.body;
  EXPECT_EQ(effect(), "allow");
  ASSERT_EQ(server_->Call("DELETE", "/v1/entities/role/helpdesk", "", kWriter).status, 204);
  EXPECT_EQ(effect(), "deny");

  // Outside the CustomRoles ceiling: refused at its path.
  Reply outside = Put("/v1/entities/role/too-much",
                      {{"org", "acme"}, {"permissions", {"view_customers", "delete_data"}}});
  ASSERT_EQ(outside.status, 400) << outside.body;
  EXPECT_EQ(outside.Json()["error"]["problems"][0]["path"], "/permissions/1");
}

TEST_F(EntityApi, TheAdminTokenCannotWriteEntitiesAndNoTokenCannotRead) {
  Reply admin = Put("/v1/entities/product/by-admin", {{"org", "acme"}}, kAdmin);
  EXPECT_EQ(admin.status, 403) << admin.body;
  EXPECT_EQ(Put("/v1/entities/product/by-nobody", {{"org", "acme"}}, {}).status, 401);
  EXPECT_EQ(server_->Call("DELETE", "/v1/entities/organization/contoso", "", kAdmin).status, 403);
  EXPECT_EQ(server_->Call("GET", "/v1/entities/product/by-admin", "", kWriter).status, 404);
}

TEST_F(EntityApi, EveryDecisionNamesTheEntityVersionAndAWriteIncreasesIt) {
  const json check = Check("uma@acme.example", "contoso", {"company.view"});
  Reply before = server_->Post("/v1/check", check);
  ASSERT_EQ(before.status, 200) << before.body;
  const uint64_t v1 = before.Json()["entity_version"];
  EXPECT_GT(v1, 0u) << "the seed is a write";
  ASSERT_EQ(Put("/v1/entities/product/bump", {{"org", "acme"}}).status, 201);
  const uint64_t v2 = server_->Post("/v1/check", check).Json()["entity_version"];
  EXPECT_GT(v2, v1);
  // AuthZEN says it in the context; batches and allowed-actions beside policy_version.
  Reply authzen = server_->Post("/access/v1/evaluation",
                                {{"subject", {{"type", "user"}, {"id", "uma@acme.example"}}},
                                 {"resource", {{"type", "organization"}, {"id", "contoso"}}},
                                 {"action", {{"name", "company.view"}}},
                                 {"context", kNow}});
  EXPECT_EQ(authzen.Json()["context"]["entity_version"], v2) << authzen.body;
  Reply batch = server_->Post("/v1/check", {{"checks", {check}}});
  EXPECT_EQ(batch.Json()["entity_version"], v2) << batch.body;
  json allowed = check;
  allowed.erase("actions");
  EXPECT_EQ(server_->Post("/v1/allowed-actions", allowed).Json()["entity_version"], v2);
}

TEST_F(EntityApi, ListPagesByIdWithFilters) {
  for (const char* id : {"list-a", "list-b", "list-c"}) {
    ASSERT_EQ(Put(std::string("/v1/entities/product/") + id, {{"org", "fabrikam"}}).status, 201);
  }
  Reply page1 =
      server_->Call("GET", "/v1/entities/product?org=fabrikam&prefix=list-&limit=2", "", kAdmin);
  ASSERT_EQ(page1.status, 200) << page1.body;
  ASSERT_EQ(page1.Json()["entities"].size(), 2u) << page1.body;
  EXPECT_EQ(page1.Json()["entities"][0]["id"], "list-a");
  const std::string token = page1.Json()["next_page_token"];
  Reply page2 = server_->Call(
      "GET", "/v1/entities/product?org=fabrikam&prefix=list-&limit=2&page_token=" + token, "",
      kAdmin);
  ASSERT_EQ(page2.Json()["entities"].size(), 1u) << page2.body;
  EXPECT_EQ(page2.Json()["entities"][0]["id"], "list-c");
  EXPECT_FALSE(page2.Json().contains("next_page_token"));
  EXPECT_EQ(server_->Call("GET", "/v1/entities/product?limit=0", "", kAdmin).status, 400);
}

TEST_F(EntityApi, ImportIsAllOrNothingWithEveryProblemsPath) {
  const json bad = json::parse(R"({
    "users": [
      {"id": "imp1@acme.example", "org": "acme", "status": "active"},
      {"id": "imp2@acme.example", "org": "acme", "roles": [{"role": 7}]}],
    "resources": [{"kind": "customer_group", "id": "g", "org": "acme", "match": "(("}]})");
  Reply refused = server_->Call("POST", "/v1/entities:import", bad.dump(), kWriter);
  ASSERT_EQ(refused.status, 400) << refused.body;
  const json problems = refused.Json()["error"]["problems"];
  ASSERT_GE(problems.size(), 2u) << refused.body;
  std::set<std::string> paths;
  for (const auto& p : problems) paths.insert(p["path"].get<std::string>().substr(0, 9));
  EXPECT_TRUE(paths.count("/users/1/")) << refused.body;
  EXPECT_TRUE(paths.count("/resource")) << refused.body;
  EXPECT_EQ(server_->Call("GET", "/v1/entities/user/imp1@acme.example", "", kWriter).status, 404)
      << "nothing was written";

  const json good = json::parse(R"({"users": [{"id": "imp1@acme.example", "org": "acme",
      "status": "active", "roles": ["partner.user"], "customer_access": {"all": true}}]})");
  Reply ok = server_->Call("POST", "/v1/entities:import", good.dump(), kWriter);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["imported"], 1);
  EXPECT_GT(ok.Json()["entity_version"].get<uint64_t>(), 0u);
  EXPECT_EQ(server_->Call("GET", "/v1/entities/user/imp1@acme.example", "", kWriter).status, 200);
}

TEST_F(EntityApi, TheDecisionLogKeepsEachActionDecisionWithFiltersAndPages) {
  const std::string who = "adam@acme.example";
  ASSERT_EQ(
      server_->Post("/v1/check", Check(who, "contoso", {"company.view", "company.delete"})).status,
      200);
  ASSERT_EQ(server_->Post("/v1/check", Check(who, "fabrikam", {"company.view"})).status, 200);
  EXPECT_EQ(server_->Call("GET", "/v1/decisions", "", kWriter).status, 401) << "admin only";
  Reply all = server_->Call("GET", "/v1/decisions?principal=adam%40acme.example", "", kAdmin);
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.Json()["decisions"].size(), 3u) << all.body;
  const json first = all.Json()["decisions"][0];
  EXPECT_EQ(first["action"], "company.view");
  EXPECT_EQ(first["resource"], json({{"kind", "organization"}, {"id", "contoso"}}));
  EXPECT_GT(first["entity_version"].get<uint64_t>(), 0u);
  EXPECT_FALSE(first["policy_version"].get<std::string>().empty());

  Reply contoso = server_->Call(
      "GET", "/v1/decisions?principal=adam%40acme.example&resource=organization/contoso", "",
      kAdmin);
  EXPECT_EQ(contoso.Json()["decisions"].size(), 2u) << contoso.body;
  Reply denied =
      server_->Call("GET", "/v1/decisions?principal=adam%40acme.example&effect=deny", "", kAdmin);
  const json denied_body = denied.Json();  // the loop below must not range over a temporary
  ASSERT_FALSE(denied_body["decisions"].empty()) << denied.body;
  for (const auto& d : denied_body["decisions"]) {
    EXPECT_EQ(d["effect"], "deny");
    EXPECT_FALSE(d["reasons"].empty());
  }
  Reply page1 =
      server_->Call("GET", "/v1/decisions?principal=adam%40acme.example&limit=2", "", kAdmin);
  ASSERT_EQ(page1.Json()["decisions"].size(), 2u);
  const std::string token = page1.Json()["next_page_token"];
  Reply page2 = server_->Call(
      "GET", "/v1/decisions?principal=adam%40acme.example&limit=2&page_token=" + token, "", kAdmin);
  ASSERT_EQ(page2.Json()["decisions"].size(), 1u) << page2.body;
  EXPECT_EQ(page2.Json()["decisions"][0]["resource"]["id"], "fabrikam");

  Reply metrics = server_->Call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("castellan_decision_log_written_total "), std::string::npos);
  EXPECT_NE(metrics.body.find("castellan_decision_log_dropped_total 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("castellan_entity_writes_total{result=\"ok\"}"), std::string::npos);
}

TEST(EntityApiStore, WritesOutliveARestartAndTheSeedIsTakenOnlyOnce) {
  Server server(CASTELLAN_SOURCE_DIR "/policies", {}, StoreMode{});
  ASSERT_NE(server.port(), 0) << server.Log();
  ASSERT_EQ(server.Call("DELETE", "/v1/entities/organization/fabrikam", "", kWriter).status, 204);
  ASSERT_EQ(server.Call("PUT", "/v1/entities/product/kept", R"({"org": "acme"})", kWriter).status,
            201);
  server.Restart();
  ASSERT_NE(server.port(), 0) << server.Log();
  EXPECT_EQ(server.Call("GET", "/v1/entities/product/kept", "", kWriter).status, 200);
  EXPECT_EQ(server.Call("GET", "/v1/entities/organization/fabrikam", "", kWriter).status, 404)
      << "the seed is not taken again";
}

TEST(EntityApiStore, EntityFilesAreReadOnly) {
  const auto token = fs::temp_directory_path() / ("castellan_et_" + std::to_string(getpid()));
  std::ofstream(token) << "entities-token\n";
  Server server({"--entities-token-file", token.string()});
  ASSERT_NE(server.port(), 0) << server.Log();
  Reply r = server.Call("PUT", "/v1/entities/product/p", R"({"org": "acme"})", kWriter);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Json()["error"]["code"], "entities_read_only");
  Reply read = server.Call("GET", "/v1/entities/organization/contoso", "", kWriter);
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Header("ETag"), "\"0\"");
  EXPECT_EQ(server.Post("/v1/check", Check("uma@acme.example", "contoso", {"company.view"}))
                .Json()["entity_version"],
            0);
  EXPECT_EQ(server.Call("GET", "/v1/decisions", "", kAdmin).status, 404)
      << "no log without a store";
  fs::remove(token);
}

TEST(EntityApiStore, ConflictingOptionsAndAStoreThatCannotOpenExit2) {
  Server both(CASTELLAN_SOURCE_DIR "/policies", {"--entities", "x.yaml"}, StoreMode{});
  EXPECT_EQ(both.port(), 0);
  EXPECT_EQ(both.exit_status(), 2) << both.Log();
  Server unopenable(CASTELLAN_SOURCE_DIR "/policies",
                    {"--store", "sqlite:/proc/castellan-no-such-dir/x.db"}, StoreMode{});
  EXPECT_EQ(unopenable.port(), 0);
  EXPECT_EQ(unopenable.exit_status(), 2) << unopenable.Log();
  EXPECT_NE(unopenable.Log().find("store"), std::string::npos) << unopenable.Log();
}

}  // namespace
}  // namespace castellan::testing
