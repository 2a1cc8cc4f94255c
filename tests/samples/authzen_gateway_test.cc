// The OpenID AuthZEN API-gateway interop over HTTP: `castellan serve` on
// samples/authzen-todo answers every decision a gateway asks of its PDP
// (testdata/authzen-gateway, vendored unchanged): an "identity" subject named
// by PID, an HTTP method as the action, a route template as the resource.
// Asked one by one, as upstream's harness does, and once as one batch.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "../server/server_process.h"

namespace castellan::testing {
namespace {

const fs::path kPack = fs::path(CASTELLAN_SOURCE_DIR) / "samples" / "authzen-todo";
const fs::path kDecisions = fs::path(CASTELLAN_AUTHZEN_GATEWAY_TESTDATA) / "decisions.json";

class AuthZenGateway : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<Server>(kPack, std::vector<std::string>{});
    std::ifstream in(kDecisions);
    entries_ = json::parse(in, nullptr, false).value("evaluation", json::array());
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_NE(server_->port(), 0) << "castellan serve did not start on " << kPack << ":\n"
                                  << server_->Log();
    ASSERT_EQ(entries_.size(), 25u) << "the published file has 25 evaluations: " << kDecisions;
  }

  static inline std::unique_ptr<Server> server_;
  static inline json entries_;
};

TEST_F(AuthZenGateway, EveryEvaluationAgreesWithUpstream) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const json& entry = entries_[i];
    const Reply r = server_->Post("/access/v1/evaluation", entry["request"]);
    const json body = r.Json();
    ASSERT_EQ(r.status, 200) << "evaluation " << i << ": " << r.body;
    EXPECT_EQ(body.value("decision", json()), entry["expected"])
        << "evaluation " << i << " " << entry["request"].dump() << "\nanswer " << r.body;
  }
}

TEST_F(AuthZenGateway, OneBatchOfEveryEvaluationAgreesWithUpstream) {
  json request = {{"evaluations", json::array()}};
  json expected = json::array();
  for (const json& entry : entries_) {
    request["evaluations"].push_back(entry["request"]);
    expected.push_back(entry["expected"]);
  }
  const Reply r = server_->Post("/access/v1/evaluations", request);
  const json body = r.Json();
  ASSERT_EQ(r.status, 200) << r.body;
  json decisions = json::array();
  for (const json& e : body.value("evaluations", json::array())) {
    decisions.push_back(e.value("decision", json()));
  }
  EXPECT_EQ(decisions, expected) << r.body;
}

// "identity" is the same principal as "user", not a way around the store: an
// id that names no user is denied.
TEST_F(AuthZenGateway, AnUnknownIdentityIsDenied) {
  const json request = {{"subject", {{"type", "identity"}, {"id", "ghost@the-citadel.com"}}},
                        {"action", {{"name", "GET"}}},
                        {"resource", {{"type", "route"}, {"id", "/todos"}}}};
  const Reply r = server_->Post("/access/v1/evaluation", request);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().value("decision", json()), false) << r.body;
}

}  // namespace
}  // namespace castellan::testing
