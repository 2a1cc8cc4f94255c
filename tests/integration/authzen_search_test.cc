// The AuthZEN Search interop over the real binary: `castellan serve` on
// samples/authzen-search in store mode, its entities imported through
// `POST /v1/entities:import`, then every request of the interop's vendored
// expected results (tests/samples/testdata/authzen-search) posted over HTTP to
// /access/v1/search/{subject,resource,action}. The results must equal the
// expected ones, compared unordered as the interop's runner compares them
// (each item as the server wrote it, members in its order); the metadata the
// server publishes advertises the three endpoints it answers on.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "pack_integration.h"

namespace castellan::testing {
namespace {

using ojson = nlohmann::ordered_json;

const fs::path kPack = fs::path(CASTELLAN_SOURCE_DIR) / "samples" / "authzen-search";

ojson Expected(const std::string& search) {
  std::ifstream in(fs::path(CASTELLAN_SOURCE_DIR) / "tests" / "samples" / "testdata" /
                   "authzen-search" / search / "results.json");
  EXPECT_TRUE(in) << search;
  return ojson::parse(in, nullptr, false);
}

// Each item as JSON text (members in the order written), sorted.
std::vector<std::string> Items(const ojson& results) {
  std::vector<std::string> out;
  if (!results.is_array()) return out;
  for (const auto& item : results) out.push_back(item.dump());
  std::sort(out.begin(), out.end());
  return out;
}

class AuthZenSearchOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(server.port(), 0) << "castellan serve did not start:\n" << server.Log();
    const json import = EntityFileJson(kPack / "entities.yaml");
    ASSERT_FALSE(import.contains("unreadable")) << import.dump();
    const Reply imported = server.Call("POST", "/v1/entities:import", import.dump(), kEntityWriter);
    ASSERT_EQ(imported.status, 200) << imported.body;
    ASSERT_EQ(imported.Json().value("imported", size_t{0}), EntityCount(import));
  }

  // The answer's body as the server wrote it.
  ojson Post(const std::string& path, const ojson& body) {
    const Reply r = server.Call("POST", path, body.dump());
    EXPECT_EQ(r.status, 200) << path << " " << body.dump() << " -> " << r.body;
    EXPECT_EQ(r.content_type, "application/json") << path;
    return ojson::parse(r.body, nullptr, false);
  }

  Server server{kPack, {}, EmptyStore()};
};

TEST_F(AuthZenSearchOverHttp, EveryInteropRequestAnswersItsExpectedResults) {
  size_t requests = 0, items = 0;
  for (const std::string search : {"subject", "resource", "action"}) {
    const ojson cases = Expected(search);
    ASSERT_TRUE(cases.is_object() && cases.contains("evaluation")) << search;
    ASSERT_FALSE(cases["evaluation"].empty()) << search;
    for (const auto& c : cases["evaluation"]) {
      const ojson got = Post("/access/v1/search/" + search, c["request"]);
      ASSERT_TRUE(got.is_object() && got.contains("results")) << search << " " << got.dump();
      EXPECT_EQ(Items(got["results"]), Items(c["expected"]["results"]))
          << search << " " << c["request"].dump();
      // One page holds every answer of the interop: no token to follow.
      EXPECT_EQ(got["page"]["next_token"], "") << search << " " << c["request"].dump();
      ++requests;
      items += c["expected"]["results"].size();
    }
  }
  EXPECT_EQ(requests, 60u + 18u + 120u);
  EXPECT_GT(items, 0u);
}

TEST_F(AuthZenSearchOverHttp, MetadataAdvertisesEndpointsThatAnswer) {
  const Reply r = server.Call("GET", "/.well-known/authzen-configuration");
  ASSERT_EQ(r.status, 200) << r.body;
  const json metadata = r.Json();
  const ojson request = {{"subject", {{"type", "user"}, {"id", "alice"}}},
                         {"action", {{"name", "view"}}},
                         {"resource", {{"type", "record"}, {"id", "101"}}}};
  for (const std::string search : {"subject", "resource", "action"}) {
    const std::string key = "search_" + search + "_endpoint";
    ASSERT_TRUE(metadata.contains(key) && metadata[key].is_string()) << r.body;
    const std::string endpoint = metadata[key];
    const std::string path = "/access/v1/search/" + search;
    ASSERT_GE(endpoint.size(), path.size());
    EXPECT_EQ(endpoint.substr(endpoint.size() - path.size()), path);
    EXPECT_TRUE(Post(path, request)["results"].is_array()) << path;
  }
}

// --search-page-size on the command line: a page holds that many results,
// and the token continues after them.
TEST(AuthZenSearchPageSize, IsTheServersDefaultAndLargestLimit) {
  Server server(kPack, {"--search-page-size", "1"});
  ASSERT_NE(server.port(), 0) << server.Log();
  ojson request = {{"subject", {{"type", "user"}, {"id", "alice"}}},
                   {"action", {{"name", "view"}}},
                   {"resource", {{"type", "record"}}},
                   {"page", {{"limit", 5}}}};
  std::vector<std::string> ids;
  for (int guard = 0; guard < 100; ++guard) {
    const Reply r = server.Call("POST", "/access/v1/search/resource", request.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    const ojson body = ojson::parse(r.body);
    ASSERT_LE(body["results"].size(), 1u) << r.body;
    for (const auto& item : body["results"]) ids.push_back(item["id"]);
    const std::string next = body["page"]["next_token"];
    if (next.empty()) break;
    request["page"] = {{"token", next}};
  }
  EXPECT_GT(ids.size(), 2u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
}

}  // namespace
}  // namespace castellan::testing
