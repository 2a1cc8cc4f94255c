// AuthZEN 1.0 Search over samples/authzen-search: every request of the
// interop's vendored expected results (tests/samples/testdata/authzen-search)
// answers exactly the expected results, compared unordered as the interop's
// runner compares them (items serialised in the order the server wrote their
// members); pages concatenate to the whole answer; the metadata advertises
// the three endpoints.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_request.h"
#include "server/decision_api.h"

namespace castellan::server {
namespace {

using ojson = nlohmann::ordered_json;

class AuthZenSearchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(state.Reload().ok); }

  // The answer's body, members in the order the server wrote them.
  ojson Post(const std::string& path, const ojson& body, int status = 200) {
    const HttpResponse r = api.Handle(Request("POST", path, body.dump()));
    EXPECT_EQ(r.status, status) << path << " " << body.dump() << " -> " << r.body;
    return ojson::parse(r.body);
  }

  ServiceState state{CASTELLAN_SOURCE_DIR "/samples/authzen-search",
                     {CASTELLAN_SOURCE_DIR "/samples/authzen-search/entities.yaml"}};
  Metrics metrics{DecisionApi::RouteNames()};
  ServerConfig config;
  DecisionApi api{state, metrics, config};
};

// Each item as JSON text, sorted: the interop runner's comparison.
std::vector<std::string> Items(const ojson& results) {
  std::vector<std::string> out;
  for (const auto& item : results) out.push_back(item.dump());
  std::sort(out.begin(), out.end());
  return out;
}

ojson Expected(const std::string& search) {
  std::ifstream in(std::string(CASTELLAN_SOURCE_DIR) + "/tests/samples/testdata/authzen-search/" +
                   search + "/results.json");
  EXPECT_TRUE(in) << search;
  return ojson::parse(in);
}

TEST_F(AuthZenSearchTest, EveryInteropRequestAnswersItsExpectedResults) {
  size_t requests = 0, items = 0;
  for (const std::string search : {"subject", "resource", "action"}) {
    const ojson cases = Expected(search);
    ASSERT_FALSE(cases["evaluation"].empty()) << search;
    for (const auto& c : cases["evaluation"]) {
      const ojson got = Post("/access/v1/search/" + search, c["request"]);
      EXPECT_EQ(Items(got["results"]), Items(c["expected"]["results"]))
          << search << " " << c["request"].dump();
      EXPECT_EQ(got["page"]["next_token"], "") << search;
      EXPECT_EQ(got.begin().key(), "page");
      ++requests;
      items += c["expected"]["results"].size();
    }
  }
  EXPECT_EQ(requests, 60u + 18u + 120u);
  EXPECT_GT(items, 0u);
}

TEST_F(AuthZenSearchTest, PagesConcatenateToTheWholeAnswer) {
  const ojson request = {{"subject", {{"type", "user"}, {"id", "alice"}}},
                         {"action", {{"name", "view"}}},
                         {"resource", {{"type", "record"}}}};
  const ojson whole = Post("/access/v1/search/resource", request)["results"];
  ASSERT_GT(whole.size(), 2u);
  ojson paged = request, all = ojson::array();
  paged["page"] = {{"limit", 2}};
  for (int guard = 0; guard < 100; ++guard) {
    const ojson r = Post("/access/v1/search/resource", paged);
    EXPECT_LE(r["results"].size(), 2u);
    EXPECT_EQ(r["page"]["count"], r["results"].size());
    for (const auto& item : r["results"]) all.push_back(item);
    const std::string next = r["page"]["next_token"];
    if (next.empty()) break;
    paged["page"] = {{"token", next}};  // the spec's example repeats no limit
  }
  EXPECT_EQ(all, whole);

  // A token with a changed request is refused.
  ojson first = request;
  first["page"] = {{"limit", 2}};
  ojson changed = request;
  changed["action"]["name"] = "edit";
  changed["page"] = {{"token", Post("/access/v1/search/resource", first)["page"]["next_token"]}};
  Post("/access/v1/search/resource", changed, 400);
  changed["page"] = {{"token", "not a token"}};
  Post("/access/v1/search/resource", changed, 400);
  first["page"] = {{"limit", -1}};
  Post("/access/v1/search/resource", first, 400);
}

TEST_F(AuthZenSearchTest, UnknownIdsAnswerAnEmptyListAndBadShapesA400) {
  EXPECT_TRUE(Post("/access/v1/search/subject",
                   {{"subject", {{"type", "user"}}},
                    {"action", {{"name", "view"}}},
                    {"resource", {{"type", "record"}, {"id", "999"}}}})["results"]
                  .empty());
  EXPECT_TRUE(Post("/access/v1/search/resource", {{"subject", {{"type", "user"}, {"id", "nobody"}}},
                                                  {"action", {{"name", "view"}}},
                                                  {"resource", {{"type", "record"}}}})["results"]
                  .empty());
  EXPECT_TRUE(Post("/access/v1/search/action",
                   {{"subject", {{"type", "user"}, {"id", "alice"}}},
                    {"resource", {{"type", "record"}, {"id", "999"}}}})["results"]
                  .empty());
  Post("/access/v1/search/subject",
       {{"subject", {{"type", "robot"}}},
        {"action", {{"name", "view"}}},
        {"resource", {{"type", "record"}, {"id", "101"}}}},
       400);
  Post("/access/v1/search/resource",
       {{"subject", {{"type", "user"}, {"id", "alice"}}}, {"action", {{"name", "view"}}}}, 400);
}

// --search-page-size is the default and the largest limit.
TEST_F(AuthZenSearchTest, PageSizeIsConfigured) {
  config.search_page_size = 2;
  ojson request = {{"subject", {{"type", "user"}, {"id", "alice"}}},
                   {"action", {{"name", "view"}}},
                   {"resource", {{"type", "record"}}}};
  ojson r = Post("/access/v1/search/resource", request);
  EXPECT_EQ(r["results"].size(), 2u);
  EXPECT_NE(r["page"]["next_token"], "");
  request["page"] = {{"limit", 50}};
  EXPECT_EQ(Post("/access/v1/search/resource", request)["results"].size(), 2u);
  request["page"] = {{"limit", 1}};
  EXPECT_EQ(Post("/access/v1/search/resource", request)["results"].size(), 1u);
  request.erase("page");
  request.erase("action");
  request["resource"]["id"] = "101";
  EXPECT_EQ(Post("/access/v1/search/action", request)["results"].size(), 2u);
}

// action.properties are the action's params, as in an evaluation: one the
// action does not declare is refused (before, they were dropped).
TEST_F(AuthZenSearchTest, ActionPropertiesAreParams) {
  const ojson action = {{"name", "view"}, {"properties", {{"undeclared", true}}}};
  Post("/access/v1/search/resource",
       {{"subject", {{"type", "user"}, {"id", "alice"}}},
        {"action", action},
        {"resource", {{"type", "record"}}}},
       400);
  Post("/access/v1/search/subject",
       {{"subject", {{"type", "user"}}},
        {"action", action},
        {"resource", {{"type", "record"}, {"id", "101"}}}},
       400);
  ojson empty = action;
  empty["properties"] = ojson::object();
  EXPECT_FALSE(Post("/access/v1/search/resource", {{"subject", {{"type", "user"}, {"id", "alice"}}},
                                                   {"action", empty},
                                                   {"resource", {{"type", "record"}}}})["results"]
                   .empty());
}

TEST_F(AuthZenSearchTest, MetadataAdvertisesTheSearchEndpoints) {
  const HttpResponse r = api.Handle(Request("GET", "/.well-known/authzen-configuration"));
  ASSERT_EQ(r.status, 200);
  const ojson m = ojson::parse(r.body);
  for (const char* search : {"subject", "resource", "action"}) {
    const std::string endpoint = m["search_" + std::string(search) + "_endpoint"];
    EXPECT_EQ(endpoint, config.issuer + "/access/v1/search/" + search);
  }
}

}  // namespace
}  // namespace castellan::server
