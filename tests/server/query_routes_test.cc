// /v1/allowed-resources, /v1/allowed-subjects and the paged /v1/allowed-actions
// over the elements sample pack, without HTTP: the answers are the engine's,
// pages concatenate to the one-shot answer, and bad requests are 400s.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_request.h"
#include "server/decision_api.h"

namespace castellan::server {
namespace {

using nlohmann::json;

class QueryRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(state.Reload().ok); }
  json Post(const std::string& path, const json& body, int status = 200) {
    return PostJson(api, path, body, status);
  }
  // Every page of `limit`, the `list` entries' ids concatenated.
  std::vector<std::string> Pages(const std::string& path, json body, const char* list, int limit) {
    std::vector<std::string> ids;
    body["page"] = {{"limit", limit}};
    for (int guard = 0; guard < 1000; ++guard) {
      json r = Post(path, body);
      EXPECT_LE(r[list].size(), static_cast<size_t>(limit));
      for (const auto& e : r[list]) ids.push_back(e["id"]);
      if (!r.contains("next_page_token")) break;
      EXPECT_EQ(r[list].size(), static_cast<size_t>(limit)) << "a page ended early";
      body["page"]["token"] = r["next_page_token"];
    }
    return ids;
  }

  ServiceState state{CASTELLAN_SOURCE_DIR "/samples/elements",
                     {CASTELLAN_SOURCE_DIR "/samples/elements/entities.yaml"}};
  Metrics metrics{DecisionApi::RouteNames()};
  ServerConfig config;
  DecisionApi api{state, metrics, config};
};

const json kTomViews = {{"principal", {{"id", "tom@avepoint-msp.example"}}},
                        {"resource_kind", "organization"},
                        {"action", "company.view"}};

TEST_F(QueryRoutesTest, AllowedResourcesListsWhatEachCheckAllows) {
  json r = Post("/v1/allowed-resources", kTomViews);
  ASSERT_FALSE(r["resources"].empty());
  EXPECT_FALSE(r.contains("next_page_token"));
  EXPECT_TRUE(r.contains("policy_version"));
  EXPECT_TRUE(r.contains("entity_version"));
  std::vector<std::string> ids;
  for (const auto& e : r["resources"]) {
    EXPECT_EQ(e["kind"], "organization");
    ids.push_back(e["id"]);
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  // Each listed one is allowed by /v1/check; the other partner's customer is not listed.
  for (const std::string& id : ids) {
    json check = Post("/v1/check", {{"principal", {{"id", "tom@avepoint-msp.example"}}},
                                    {"resource", {{"kind", "organization"}, {"id", id}}},
                                    {"actions", {"company.view"}}});
    EXPECT_EQ(check["results"]["company.view"]["effect"], "allow") << id;
  }
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "initech"), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "contoso"), 1);
  // resource: {kind} says the same.
  json by_resource = kTomViews;
  by_resource.erase("resource_kind");
  by_resource["resource"] = {{"kind", "organization"}};
  EXPECT_EQ(Post("/v1/allowed-resources", by_resource)["resources"], r["resources"]);
  EXPECT_EQ(Pages("/v1/allowed-resources", kTomViews, "resources", 1), ids);
  EXPECT_EQ(Pages("/v1/allowed-resources", kTomViews, "resources", 2), ids);
}

TEST_F(QueryRoutesTest, AllowedSubjectsListsWhoMayAndPages) {
  const json body = {{"resource", {{"kind", "organization"}, {"id", "contoso"}}},
                     {"action", "company.view"}};
  json r = Post("/v1/allowed-subjects", body);
  std::vector<std::string> ids;
  for (const auto& e : r["subjects"]) ids.push_back(e["id"]);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "tom@avepoint-msp.example"), 1);
  EXPECT_EQ(Pages("/v1/allowed-subjects", body, "subjects", 1), ids);
}

TEST_F(QueryRoutesTest, AllowedActionsPagesKeepTheirReasons) {
  const json body = {{"principal", {{"id", "adam@avepoint-msp.example"}}},
                     {"resource", {{"kind", "organization"}, {"id", "contoso"}}}};
  json all = Post("/v1/allowed-actions", body);
  EXPECT_FALSE(all.contains("next_page_token"));
  json allowed = json::array(), denied = json::object();
  json paged = body;
  paged["page"] = {{"limit", 3}};
  int pages = 0;
  for (; pages < 1000; ++pages) {
    json r = Post("/v1/allowed-actions", paged);
    for (const auto& a : r["allowed"]) allowed.push_back(a);
    for (const auto& [k, v] : r["denied"].items()) denied[k] = v;
    if (!r.contains("next_page_token")) break;
    EXPECT_EQ(r["allowed"].size() + r["denied"].size(), 3u);
    paged["page"]["token"] = r["next_page_token"];
  }
  EXPECT_GT(pages, 1);
  EXPECT_EQ(allowed, all["allowed"]);
  EXPECT_EQ(denied, all["denied"]);
}

// castellan_decisions_total{effect="..."} in the rendered metrics.
uint64_t Decisions(const Metrics& metrics, const std::string& effect) {
  const std::string text = metrics.Render(0, 0, "");
  const std::string key = "castellan_decisions_total{effect=\"" + effect + "\"} ";
  const size_t at = text.find(key);
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + key.size()));
}

// A query's decisions count in the same counters as a check's: each
// candidate decided is one decision, allowed or denied.
TEST_F(QueryRoutesTest, QueryDecisionsAreCounted) {
  const uint64_t allow = Decisions(metrics, "allow"), deny = Decisions(metrics, "deny");
  json adam = kTomViews;
  adam["principal"]["id"] = "adam@avepoint-msp.example";
  const json r = Post("/v1/allowed-resources", adam);
  const uint64_t allowed = r["resources"].size(), examined = r["examined"];
  ASSERT_GT(allowed, 0u);
  EXPECT_EQ(Decisions(metrics, "allow"), allow + allowed);
  EXPECT_EQ(Decisions(metrics, "deny"), deny + examined - allowed);

  const json s = Post(
      "/v1/allowed-subjects",
      {{"resource", {{"kind", "organization"}, {"id", "contoso"}}}, {"action", "company.view"}});
  EXPECT_EQ(Decisions(metrics, "allow"), allow + allowed + s["subjects"].size());
  EXPECT_EQ(Decisions(metrics, "allow") + Decisions(metrics, "deny"),
            allow + deny + examined + s["examined"].get<uint64_t>());
  EXPECT_GT(Decisions(metrics, "deny"), deny);  // some of contoso's candidates may not view it
}

// `params` reach the decisions as a check's do: one no action declares is refused.
TEST_F(QueryRoutesTest, ParamsAreTheActionsParameters) {
  json b = kTomViews;
  b["params"] = {{"no_such_param", 1}};
  EXPECT_EQ(Post("/v1/allowed-resources", b, 400)["error"]["code"], "invalid_request");
  b["params"] = json::object();
  EXPECT_FALSE(Post("/v1/allowed-resources", b)["resources"].empty());
}

TEST_F(QueryRoutesTest, BadRequestsAreJsonErrors) {
  auto bad = [&](const char* path, json body) {
    json r = Post(path, body, 400);
    EXPECT_EQ(r["error"]["code"], "invalid_request") << body.dump();
  };
  json b = kTomViews;
  b["page"] = {{"limit", 0}};
  bad("/v1/allowed-resources", b);
  b["page"] = {{"limit", 1001}};
  bad("/v1/allowed-resources", b);
  b["page"] = {{"limit", 5}, {"cursor", "x"}};
  bad("/v1/allowed-resources", b);
  b = kTomViews;
  b["extra"] = 1;
  bad("/v1/allowed-resources", b);
  b = kTomViews;
  b["action"] = "no.such.action";
  bad("/v1/allowed-resources", b);
  b = kTomViews;
  b.erase("principal");
  bad("/v1/allowed-resources", b);
  b = kTomViews;
  b["resource"] = {{"kind", "organization"}};  // and resource_kind: twice
  bad("/v1/allowed-resources", b);
  bad("/v1/allowed-subjects",
      {{"resource", {{"kind", "organization"}}}, {"action", "company.view"}});
  bad("/v1/allowed-actions", {{"principal", {{"id", "adam@avepoint-msp.example"}}},
                              {"resource", {{"kind", "organization"}, {"id", "contoso"}}},
                              {"page", {{"token", "not-an-action"}}}});
}

}  // namespace
}  // namespace castellan::server
