// DecisionApi without HTTP: the paths the integration tests cannot reach
// (a service with no policy set loaded yet) and routing details.
#include "server/decision_api.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "api_request.h"

namespace castellan::server {
namespace {

using nlohmann::json;

// A service whose policy directory does not exist: nothing is ever loaded.
class DecisionApiTest : public ::testing::Test {
 protected:
  ServiceState state{"/nonexistent/castellan-policies", {}};
  Metrics metrics{DecisionApi::RouteNames()};
  ServerConfig config;  // no admin token
  DecisionApi api{state, metrics, config};
};

TEST_F(DecisionApiTest, NotReadyUntilAPolicySetIsLoaded) {
  EXPECT_EQ(api.Handle(Request("GET", "/healthz")).status, 200);
  HttpResponse ready = api.Handle(Request("GET", "/readyz"));
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(nlohmann::json::parse(ready.body)["error"]["code"], "not_ready");
  HttpResponse check = api.Handle(Request(
      "POST", "/v1/check", R"({"principal": {"id": "a"}, "resource": {}, "actions": ["x"]})"));
  EXPECT_EQ(check.status, 503);
  EXPECT_EQ(check.headers.at("X-Request-Id"), "t-1");
  auto policies = nlohmann::json::parse(api.Handle(Request("GET", "/v1/policies")).body);
  EXPECT_TRUE(policies["revision"].is_null());
}

TEST_F(DecisionApiTest, HeadIsAnsweredLikeGetAndWrongMethodsListWhatIsAllowed) {
  EXPECT_EQ(api.Handle(Request("HEAD", "/healthz")).status, 200);
  HttpResponse wrong = api.Handle(Request("PUT", "/v1/policies/reload"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.at("Allow"), "POST");
}

TEST_F(DecisionApiTest, ReloadWithoutAConfiguredTokenIsRefused) {
  HttpRequest r = Request("POST", "/v1/policies/reload");
  r.authorization = "Bearer ";
  HttpResponse response = api.Handle(r);
  EXPECT_EQ(response.status, 401);
  EXPECT_NE(response.body.find("no admin token is configured"), std::string::npos);
  EXPECT_EQ(state.reload_count(), 0u);
}

// ---- the trust edge of the JSON input ---------------------------------------------

const char* const kDecisionRoutes[] = {"/v1/check", "/v1/allowed-actions", "/access/v1/evaluation",
                                       "/access/v1/evaluations"};

TEST_F(DecisionApiTest, DuplicateKeysAreRefusedOnEveryDecisionRoute) {
  // nlohmann alone would decide as u-nina; a proxy keeping the first key, as u-adam.
  for (const char* path : kDecisionRoutes) {
    HttpResponse r = api.Handle(Request(
        "POST", path, R"({"principal": {"id": "u-adam", "id": "u-nina"}, "resource": {}})"));
    EXPECT_EQ(r.status, 400) << path;
    const json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "duplicate_key") << path;
    EXPECT_EQ(error["message"], R"(line 1, column 32: duplicate key "id" in /principal)");
  }
  HttpResponse nested = api.Handle(
      Request("POST", "/v1/check", R"({"checks": [{"actions": ["a"], "actions": ["b"]}]})"));
  EXPECT_EQ(json::parse(nested.body)["error"]["message"],
            R"(line 1, column 32: duplicate key "actions" in /checks/0)");
}

TEST_F(DecisionApiTest, ANulByteIsInvalidJsonNotTheEndOfTheBody) {
  const std::string body = std::string(R"({"principal": {"id": "u-adam"}})") + '\0' + "{}";
  HttpResponse r = api.Handle(Request("POST", "/v1/check", body));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "invalid_json");
  EXPECT_NE(r.body.find("NUL"), std::string::npos) << r.body;
}

TEST_F(DecisionApiTest, ContentTypeIsTheJsonMediaTypeExactly) {
  EXPECT_TRUE(IsJsonMediaType("application/json"));
  EXPECT_TRUE(IsJsonMediaType("Application/JSON"));
  EXPECT_TRUE(IsJsonMediaType("application/json; charset=utf-8"));
  EXPECT_TRUE(IsJsonMediaType(" application/json ;charset=UTF-8"));
  EXPECT_FALSE(IsJsonMediaType("application/jsonx"));
  EXPECT_FALSE(IsJsonMediaType("application/json-patch+json"));
  EXPECT_FALSE(IsJsonMediaType("application/jso"));
  EXPECT_FALSE(IsJsonMediaType("text/json"));
  EXPECT_FALSE(IsJsonMediaType(""));
  HttpRequest jsonx = Request("POST", "/v1/check", "{}");
  jsonx.content_type = "application/jsonx";
  HttpResponse r = api.Handle(jsonx);
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "unsupported_media_type");
  HttpRequest with_charset = Request("POST", "/v1/check", "{}");
  with_charset.content_type = "application/json; charset=utf-8";
  EXPECT_EQ(api.Handle(with_charset).status, 503);  // past the check: nothing is loaded
}

// A service with a two-action policy set loaded: every principal is unknown
// but two stored ones that name unknown roles, so every decision is a deny,
// but it is made.
class LoadedDecisionApiTest : public ::testing::Test {
 protected:
  static std::filesystem::path Dir() {
    return std::filesystem::temp_directory_path() /
           ("castellan_decision_api_" + std::to_string(::getpid()));
  }
  static void SetUpTestSuite() {
    std::filesystem::create_directories(Dir());
    std::ofstream(Dir() / "p.yaml") << "kind: Permissions\nactions: {a.view: {}, a.edit: {}}\n";
    std::ofstream(Dir() / "entities.json") << R"({"organizations": [{"id": "o"}], "users": [
              {"id": "u5", "org": "o", "roles": ["r1", "r2", "r3", "r4", "r5"]},
              {"id": "u3", "org": "o", "roles": ["r1", "r2", "r3"]}]})";
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(Dir()); }
  void SetUp() override { ASSERT_TRUE(state.Reload().ok); }

  // `body` posted to `path`, its status checked, its body parsed.
  json Post(const std::string& path, const json& body, int status) {
    return PostJson(api, path, body, status);
  }

  ServiceState state{Dir(), {Dir() / "entities.json"}};
  Metrics metrics{DecisionApi::RouteNames()};
  ServerConfig config;
  DecisionApi api{state, metrics, config};
};

json Check(json principal, std::vector<std::string> actions = {"a.view"}) {
  return {{"principal", std::move(principal)},
          {"resource", {{"kind", "organization"}, {"id", "o"}}},
          {"actions", std::move(actions)}};
}

TEST_F(LoadedDecisionApiTest, AnIdThatIsNotAStringIsAnInvalidRequest) {
  json error = Post("/v1/check", Check({{"id", 1}}), 400)["error"];
  EXPECT_EQ(error["code"], "invalid_request");
  EXPECT_EQ(error["message"], "'principal.id' must be a string, not a number");
  json resource = Check({{"id", "u"}});
  resource["resource"]["kind"] = 5;
  EXPECT_EQ(Post("/v1/check", resource, 400)["error"]["message"],
            "'resource.kind' must be a string, not a number");
  json authzen = {{"subject", {{"type", "user"}, {"id", 1}}},
                  {"resource", {{"type", "organization"}, {"id", "o"}}},
                  {"action", {{"name", "a.view"}}}};
  error = Post("/access/v1/evaluation", authzen, 400)["error"];
  EXPECT_EQ(error["code"], "invalid_request");
  EXPECT_EQ(error["message"], "'subject.id' must be a string, not a number");
  // The decision itself, for contrast: a string id the store does not know is a deny.
  EXPECT_EQ(Post("/v1/check", Check({{"id", "1"}}), 200)["results"]["a.view"]["reasons"][0]["code"],
            "unknown_principal");
}

TEST_F(LoadedDecisionApiTest, OneMalformedBatchItemGetsItsOwnErrorAndTheRestTheirAnswers) {
  json batch = {{"checks", json::array()}};
  for (int i = 0; i < 5; ++i) batch["checks"].push_back(Check({{"id", "u"}}));
  batch["checks"][1]["actions"] = "a.view";  // wrong type
  batch["checks"][3].erase("resource");      // missing field
  json results = Post("/v1/check", batch, 200)["results"];
  ASSERT_EQ(results.size(), 5u);
  for (int i : {0, 2, 4}) {
    EXPECT_EQ(results[i]["results"]["a.view"]["effect"], "deny") << i;
    EXPECT_FALSE(results[i].contains("error")) << i;
  }
  EXPECT_FALSE(results[1].contains("results"));
  EXPECT_EQ(results[1]["error"]["code"], "invalid_request");
  EXPECT_EQ(results[1]["error"]["message"],
            "checks[1]: 'actions' must be a non-empty array of action names");
  EXPECT_EQ(results[3]["error"]["code"], "invalid_request");
  EXPECT_NE(results[3]["error"]["message"].get<std::string>().find("'resource'"),
            std::string::npos);
}

TEST_F(LoadedDecisionApiTest, TooManyActionsInOneCheckAreRefusedBeforeDeciding) {
  config.max_actions = 3;
  const std::vector<std::string> four = {"a.view", "a.edit", "x", "y"};
  json error = Post("/v1/check", Check({{"id", "u"}}, four), 413)["error"];
  EXPECT_EQ(error["code"], "too_many_actions");
  EXPECT_EQ(error["message"], "4 actions in one check; at most 3 (--max-actions)");
  // In a batch it is that check's error.
  json batch = {{"checks", {Check({{"id", "u"}}), Check({{"id", "u"}}, four)}}};
  json results = Post("/v1/check", batch, 200)["results"];
  EXPECT_EQ(results[0]["results"]["a.view"]["effect"], "deny");
  EXPECT_EQ(results[1]["error"]["code"], "too_many_actions");
}

TEST_F(LoadedDecisionApiTest, ThousandChecksOfHundredFiftyActionsAreRefusedBeforeAnyWork) {
  // Issue 8's example: 837 KB asking for 150,000 decisions answered 17 MB.
  std::vector<std::string> actions;
  for (int i = 0; i < 150; ++i) actions.push_back("x" + std::to_string(i));
  config.max_actions = 150;  // each check alone is fine; the product is not
  json batch = {{"checks", json::array()}};
  for (int i = 0; i < 1000; ++i) batch["checks"].push_back(Check({{"id", "u"}}, actions));
  HttpResponse r = api.Handle(Request("POST", "/v1/check", batch.dump()));
  EXPECT_EQ(r.status, 413);
  EXPECT_LT(r.body.size(), 300u);
  const json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "too_many_decisions");
  EXPECT_EQ(error["message"],
            "the request asks for 150000 decisions (actions summed over its checks); at most "
            "5000 per request (--max-decisions)");
  // No decision was made.
  EXPECT_NE(metrics.Render(0, 0, "").find("castellan_decisions_total{effect=\"deny\"} 0"),
            std::string::npos)
      << metrics.Render(0, 0, "");
  // AuthZEN evaluations count one decision each.
  config.max_decisions = 2;
  json evaluations = {{"subject", {{"type", "user"}, {"id", "u"}}},
                      {"action", {{"name", "a.view"}}},
                      {"evaluations", json::array()}};
  for (int i = 0; i < 3; ++i) {
    evaluations["evaluations"].push_back({{"resource", {{"type", "organization"}, {"id", "o"}}}});
  }
  EXPECT_EQ(Post("/access/v1/evaluations", evaluations, 413)["error"]["code"],
            "too_many_decisions");
}

TEST_F(LoadedDecisionApiTest, EvaluationsShareTheTopLevelMembersAndItemsReplaceThem) {
  // A malformed top-level member is the error of every item that relies on it.
  json body = {{"subject", {{"type", "user"}, {"id", 1}}},
               {"resource", {{"type", "organization"}, {"id", "o"}}},
               {"action", {{"name", "a.view"}}},
               {"context", "not an object"},
               {"evaluations",
                {json::object(),
                 {{"subject", {{"type", "user"}, {"id", "u"}}}},
                 {{"subject", {{"type", "user"}, {"id", "u"}}}, {"context", json::object()}}}}};
  json answers = Post("/access/v1/evaluations", body, 200)["evaluations"];
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0]["context"]["error"]["message"],
            "'subject.id' must be a string, not a number");
  EXPECT_EQ(answers[1]["context"]["error"]["message"], "'context' must be an object");
  EXPECT_FALSE(answers[2]["context"].contains("error")) << answers[2];
  // Decided: this service stores no users, so the subject is unknown.
  EXPECT_EQ(answers[2]["decision"], false);
  EXPECT_EQ(answers[2]["context"]["reasons"][0]["code"], "unknown_principal") << answers[2];
}

TEST_F(LoadedDecisionApiTest, ReasonsPastMaxReasonsAreLeftOutAndCounted) {
  config.max_reasons = 2;
  // A stored user with five unknown roles: each is a reason.
  json check = Check({{"id", "u5"}});
  json d = Post("/v1/check", check, 200)["results"]["a.view"];
  EXPECT_EQ(d["reasons"].size(), 2u);
  EXPECT_EQ(d["reasons"][0]["code"], "unknown_role");
  EXPECT_EQ(d["reasons_omitted"], 3);
  json all = check;
  all.erase("actions");
  d = Post("/v1/allowed-actions", all, 200)["denied"]["a.edit"];
  EXPECT_EQ(d["reasons"].size(), 2u);
  EXPECT_EQ(d["reasons_omitted"], 3);
  json authzen = {{"subject", {{"type", "user"}, {"id", "u3"}}},
                  {"resource", {{"type", "organization"}, {"id", "o"}}},
                  {"action", {{"name", "a.view"}}}};
  d = Post("/access/v1/evaluation", authzen, 200)["context"];
  EXPECT_EQ(d["reasons"].size(), 2u);
  EXPECT_EQ(d["reasons_omitted"], 1);
}

TEST_F(LoadedDecisionApiTest, ABatchShowsAtMostMaxResponseReasonsInAll) {
  config.max_response_reasons = 7;
  json check = Check({{"id", "u5"}});
  json batch = {{"checks", {check, check}}};
  json results = Post("/v1/check", batch, 200)["results"];
  ASSERT_EQ(results.size(), 2u);
  const json first = results[0]["results"]["a.view"], second = results[1]["results"]["a.view"];
  EXPECT_EQ(first["reasons"].size(), 5u);
  EXPECT_EQ(second["reasons"].size(), 2u);  // what the first left of the 7
  EXPECT_EQ(second["reasons_omitted"], 3);
  EXPECT_EQ(second["effect"], "deny");
}

// The native API refuses a field it does not know: a typo ("action" for
// "actions", "princpal") would otherwise be decided as something else.
TEST_F(LoadedDecisionApiTest, NativeRequestsRefuseUnknownFieldsByName) {
  json check = Check({{"id", "u"}});
  check["contxt"] = json::object();
  json error = Post("/v1/check", check, 400)["error"];
  EXPECT_EQ(error["code"], "invalid_request");
  EXPECT_NE(error["message"].get<std::string>().find("unknown field 'contxt'"), std::string::npos)
      << error;
  json batch = {{"checks", {Check({{"id", "u"}})}}, {"check", 1}};
  EXPECT_EQ(Post("/v1/check", batch, 400)["error"]["message"], "a batch has only 'checks'");
}

// AuthZEN 1.0 requires a PDP to ignore members it does not know, at every level.
TEST_F(LoadedDecisionApiTest, AuthZenRequestsIgnoreUnknownMembers) {
  json evaluation = {{"subject", {{"type", "user"}, {"id", "u"}, {"x-extra", 1}}},
                     {"resource", {{"type", "organization"}, {"id", "o"}, {"x-extra", true}}},
                     {"action", {{"name", "a.view"}, {"x-extra", {{"method", "GET"}}}}},
                     {"context", {{"time", "now"}}},
                     {"x-vendor", {{"anything", "at all"}}}};
  json d = Post("/access/v1/evaluation", evaluation, 200);
  EXPECT_EQ(d["decision"], false);
  EXPECT_EQ(d["context"]["reasons"][0]["code"], "unknown_principal") << d;
  json evaluations = evaluation;
  evaluations["evaluations"] = {{{"action", {{"name", "a.edit"}}}, {"x-item-extra", 1}}};
  evaluations["options"] = {{"evaluations_semantic", "execute_all"}, {"x-option", 1}};
  json answers = Post("/access/v1/evaluations", evaluations, 200)["evaluations"];
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_FALSE(answers[0]["context"].contains("error")) << answers[0];
}

// /v1/policies tells what serves without telling where the files live.
class PoliciesRouteTest : public ::testing::Test {
 protected:
  static std::filesystem::path Root() {
    return std::filesystem::temp_directory_path() /
           ("castellan_policies_route_" + std::to_string(::getpid()));
  }
  void SetUp() override {
    std::filesystem::create_directories(Root() / "policies");
    std::filesystem::create_directories(Root() / "elsewhere");
    std::ofstream(Root() / "policies" / "p.yaml") << "kind: Permissions\nactions: {a.view: {}}\n";
    std::ofstream(Root() / "elsewhere" / "entities.json") << "{\"organizations\": [";
  }
  void TearDown() override { std::filesystem::remove_all(Root()); }

  json Policies(const DecisionApi& api, const std::string& authorization, int status) {
    HttpRequest r = Request("GET", "/v1/policies");
    r.authorization = authorization;
    HttpResponse response = api.Handle(r);
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.body.find(Root().string()), std::string::npos) << response.body;
    return json::parse(response.body);
  }

  Metrics metrics{DecisionApi::RouteNames()};
  ServerConfig config;
};

TEST_F(PoliciesRouteTest, FilesAreShownRelativeToThePolicyDirectoryOrByName) {
  ServiceState loaded{Root() / "policies", {}};
  ASSERT_TRUE(loaded.Reload().ok);
  json body = Policies(DecisionApi{loaded, metrics, config}, "", 200);
  EXPECT_EQ(body["files"], json({"p.yaml"}));
  EXPECT_EQ(body["entity_files"], json::array());

  // An entity file outside the directory is named alone, in diagnostics too.
  ServiceState broken{Root() / "policies", {Root() / "elsewhere" / "entities.json"}};
  ASSERT_FALSE(broken.Reload().ok);
  body = Policies(DecisionApi{broken, metrics, config}, "", 200);
  EXPECT_EQ(body["entity_files"], json({"entities.json"}));
  ASSERT_FALSE(body["last_reload"]["diagnostics"].empty()) << body;
  EXPECT_EQ(body["last_reload"]["diagnostics"][0]["file"], "entities.json") << body;
}

TEST_F(PoliciesRouteTest, NeedsTheAdminTokenOnceOneIsConfigured) {
  ServiceState loaded{Root() / "policies", {Root() / "policies" / "entities.json"}};
  DecisionApi api{loaded, metrics, config};
  Policies(api, "", 200);  // no token configured: open, as before
  config.admin_token = "s3cret";
  EXPECT_EQ(Policies(api, "", 401)["error"]["code"], "unauthorized");
  EXPECT_EQ(Policies(api, "Bearer wrong", 401)["error"]["code"], "unauthorized");
  json body = Policies(api, "Bearer s3cret", 200);
  EXPECT_EQ(body["entity_files"], json({"entities.json"}));  // inside the directory: relative
}

TEST(Metrics, CountsByRouteAndPutsUnknownNamesUnderOther) {
  Metrics metrics(DecisionApi::RouteNames());
  metrics.RecordRequest("/healthz", 200, 0.0002);
  metrics.RecordRequest("/nowhere", 404, 0.0002);
  const std::string text = metrics.Render(0, 0, "abc");
  EXPECT_NE(text.find("castellan_http_requests_total{endpoint=\"/healthz\",status=\"200\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("castellan_http_requests_total{endpoint=\"other\",status=\"404\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("castellan_http_request_duration_seconds_bucket{endpoint=\"/healthz\","
                      "le=\"0.00025\"} 1"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace castellan::server
