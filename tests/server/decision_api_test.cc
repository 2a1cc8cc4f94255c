// DecisionApi without HTTP: the paths the integration tests cannot reach
// (a service with no policy set loaded yet) and routing details.
#include "server/decision_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace castellan::server {
namespace {

HttpRequest Request(std::string method, std::string path, std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.content_type = "application/json";
  r.request_id = "t-1";
  r.body = std::move(body);
  return r;
}

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
