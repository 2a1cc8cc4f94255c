// /v1/check's hot path (the route's FastCheck: api/check_body.h read, the
// answer written as text) against the general path it stands in for: the
// same status, bytes, headers and effect for every body, on the default pack
// (policies/) with every declared action, denies with all their reasons,
// refusals, odd action names and the reason quota.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/check_body.h"
#include "api_request.h"
#include "server/decision_api.h"

namespace castellan::server {
namespace {

using nlohmann::json;

RouteTable WithoutFastPaths() {
  const auto service = RouteTable::Service().routes();
  std::vector<Route> routes(service.begin(), service.end());
  for (Route& r : routes) r.fast = nullptr;
  return RouteTable(std::move(routes));
}

class CheckFastPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(state.Reload().ok);
    for (const auto& a : state.current()->policies->actions()) {
      actions.push_back(a.name.string_value());
    }
    actions.push_back("no.such.action");
    actions.push_back("q\"uote\\back");
    actions.push_back("tab\there");
    actions.push_back("caf\xC3\xA9");
  }

  // Both paths answer `body` alike; `fast`: the hot path reads it.
  void ExpectSameAnswer(const std::string& body, bool fast = true) {
    api::CheckBody read;
    EXPECT_EQ(api::ReadCheckBody(body, &read), fast) << body;
    const HttpResponse a = with_fast.Handle(Request("POST", "/v1/check", body));
    const HttpResponse b = general.Handle(Request("POST", "/v1/check", body));
    EXPECT_EQ(a.status, b.status) << body;
    EXPECT_EQ(a.body, b.body) << body;
    EXPECT_EQ(a.effect, b.effect) << body;
    EXPECT_EQ(a.content_type, b.content_type);
    EXPECT_EQ(a.headers, b.headers);
    EXPECT_EQ(a.route, b.route);
    ++compared;
  }

  static json Check(const json& principal, const json& resource, std::vector<std::string> actions,
                    const json& context = nullptr) {
    json c = {{"principal", principal}, {"resource", resource}, {"actions", std::move(actions)}};
    if (!context.is_null()) c["context"] = context;
    return c;
  }

  static std::string Dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  std::vector<std::string> actions;
  int compared = 0;
  ServiceState state{CASTELLAN_SOURCE_DIR "/policies",
                     {CASTELLAN_SOURCE_DIR "/policies/entities.yaml"}};
  Metrics metrics{DecisionApi::RouteNames()};
  ServerConfig config;
  RouteTable general_routes = WithoutFastPaths();
  DecisionApi with_fast{state, metrics, config};
  DecisionApi general{state, metrics, config, general_routes};
};

const char* const kUsers[] = {"olivia@acme.example", "adam@acme.example",     "ava@acme.example",
                              "uma@acme.example",    "uma.edit@acme.example", "dora@acme.example",
                              "carl@contoso.com",    "vera@contoso.com",      "gus@globex.example",
                              "nobody@nowhere"};
const char* const kOrganizations[] = {"acme",    "contoso",  "fabrikam",   "globex",
                                      "initech", "umbrella", "no-such-org"};

TEST_F(CheckFastPathTest, EveryActionForEveryUserAndOrganizationAnswersTheSameBytes) {
  const json contexts[] = {nullptr,
                           json::object(),
                           {{"now", "2026-11-02T12:00:00Z"}, {"otp_fresh", true}},
                           {{"now", "2026-06-01T03:00:00+02:00"}, {"otp_fresh", false}}};
  for (const char* user : kUsers) {
    for (const char* org : kOrganizations) {
      const json resource = {{"kind", "organization"}, {"id", org}};
      for (const json& context : contexts) {
        // One check with every action, and each action alone.
        ExpectSameAnswer(Dump(Check({{"id", user}}, resource, actions, context)));
        json batch = {{"checks", json::array()}};
        for (const std::string& a : actions) {
          batch["checks"].push_back(Check({{"id", user}}, resource, {a}, context));
        }
        ExpectSameAnswer(Dump(batch));
      }
    }
  }
  EXPECT_GT(compared, 500);
}

TEST_F(CheckFastPathTest, RefusalsLimitsAndQuotasAnswerTheSameBytes) {
  const json resource = {{"kind", "organization"}, {"id", "contoso"}};
  // The store's attributes overridden: 400, alone and as a batch item.
  const json overriding = {{"id", "adam@acme.example"}, {"org", "globex"}};
  ExpectSameAnswer(Dump(Check(overriding, resource, {actions[0]})));
  ExpectSameAnswer(Dump({{"checks",
                          {Check({{"id", "adam@acme.example"}}, resource, {actions[0]}),
                           Check(overriding, resource, {actions[0]})}}}));
  // A proposed user, inline.
  ExpectSameAnswer(Dump(
      Check({{"id", "new@acme.example"}, {"org", "acme"}, {"new", true}}, resource, {actions[0]})));
  // Few reasons per action and per answer: reasons_omitted.
  config.max_reasons = 1;
  config.max_response_reasons = 5;
  json batch = {{"checks", json::array()}};
  for (const char* user : kUsers) {
    batch["checks"].push_back(Check({{"id", user}}, resource, actions, nullptr));
    batch["checks"].back()["actions"].erase(batch["checks"].back()["actions"].size() - 1);
  }
  ExpectSameAnswer(Dump(batch));
  // Over the limits: the general path says so, the hot path stands aside.
  config.max_actions = 2;
  ExpectSameAnswer(
      Dump(Check({{"id", "adam@acme.example"}}, resource, {actions[0], actions[1], actions[2]})));
  config.max_actions = 100;
  config.max_batch = 3;
  ExpectSameAnswer(Dump(batch));
  config.max_batch = 1000;
  config.max_decisions = 10;
  ExpectSameAnswer(Dump(batch));
}

TEST_F(CheckFastPathTest, MalformedBodiesGetTheGeneralPathsErrors) {
  for (const std::string body :
       {"", "{", "[]", "{}", R"({"checks": []})",
        R"({"principal": {"id": 1}, "resource": {}, "actions": ["a"]})",
        R"({"checks": [{"principal": {}, "resource": {}}]})",
        R"({"principal": {}, "resource": {}, "actions": ["a", "a"]})",
        "{\"principal\": {}, \"resource\": {}, \"actions\": [\"bad\xFF\"]}"}) {
    ExpectSameAnswer(body, false);
  }
}

}  // namespace
}  // namespace castellan::server
