// The dispatcher: one resolution per request, the checks every route shares,
// and what every response carries, whatever answered it.
#include "server/route_table.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "server/decision_api.h"

namespace castellan::server {
namespace {

using nlohmann::json;

HttpRequest Request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.request_id = "req-7";
  return r;
}

HttpResponse Throws(const RouteContext&) {
  throw std::runtime_error("the disk is on fire");
}
HttpResponse ThrowsAnInt(const RouteContext&) {
  throw 42;
}
HttpResponse Ok(const RouteContext&) {
  return HttpResponse();
}

// A table of test routes beside the service's, to reach what the real
// handlers never do (throw).
class DispatchTest : public ::testing::Test {
 protected:
  RouteTable table{{
      {"GET", "/boom", "boom", Route::Access::kOpen, Route::Body::kNone, "", "{}", &Throws},
      {"GET", "/int", "int", Route::Access::kOpen, Route::Body::kNone, "", "{}", &ThrowsAnInt},
      {"GET", "/ok", "ok_get", Route::Access::kOpen, Route::Body::kNone, "", "{}", &Ok},
      {"DELETE", "/ok", "ok_delete", Route::Access::kAdmin, Route::Body::kNone, "", "{}", &Ok},
  }};
  ServiceState state{"/nonexistent/castellan-policies", {}};
  Metrics metrics{table.MetricsNames()};
  ServerConfig config;
  std::vector<std::string> log;
  DecisionApi api{state, metrics, config, table,
                  [this](const std::string& line) { log.push_back(line); }};
};

TEST_F(DispatchTest, AnExceptionIsA500AndItsMessageIsLoggedWithTheRequestId) {
  HttpResponse r = api.Handle(Request("GET", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "internal");
  EXPECT_EQ(r.body.find("fire"), std::string::npos) << "the cause stays in the log";
  EXPECT_EQ(r.headers.at("X-Request-Id"), "req-7");
  EXPECT_EQ(r.route, "/boom");
  ASSERT_EQ(log.size(), 1u);
  const json line = json::parse(log[0]);
  EXPECT_EQ(line["event"], "internal_error");
  EXPECT_EQ(line["error"], "the disk is on fire");
  EXPECT_EQ(line["request_id"], "req-7");
  EXPECT_EQ(line["path"], "/boom");

  EXPECT_EQ(api.Handle(Request("GET", "/int")).status, 500);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[1].find("not a std::exception"), std::string::npos) << log[1];
}

TEST_F(DispatchTest, EveryResponseCarriesTheRequestIdAndItsRouteLabel) {
  struct Case {
    const char* method;
    const char* path;
    int status;
    const char* route;
  } cases[] = {{"GET", "/ok", 200, "/ok"},
               {"HEAD", "/ok", 200, "/ok"},
               {"DELETE", "/ok", 401, "/ok"},
               {"POST", "/ok", 405, "/ok"},
               {"GET", "/nowhere", 404, "not_found"},
               {"GET", "/OK", 404, "not_found"}};
  for (const Case& c : cases) {
    HttpResponse r = api.Handle(Request(c.method, c.path));
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.path;
    EXPECT_EQ(r.route, c.route) << c.method << " " << c.path;
    EXPECT_EQ(r.headers.at("X-Request-Id"), "req-7") << c.method << " " << c.path;
  }
  EXPECT_TRUE(log.empty());
}

TEST_F(DispatchTest, AWrongMethodIsA405ListingThePathsMethodsFromTheTable) {
  HttpResponse r = api.Handle(Request("PUT", "/ok"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at("Allow"), "GET, DELETE");
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "method_not_allowed");
}

TEST_F(DispatchTest, TheBodyLimitHoldsOnEveryRouteBeforeItsHandler) {
  config.max_body_bytes = 4;
  HttpRequest r = Request("GET", "/boom");
  r.body = "12345";
  HttpResponse answer = api.Handle(r);
  EXPECT_EQ(answer.status, 413);  // the handler that throws never ran
  EXPECT_EQ(json::parse(answer.body)["error"]["code"], "body_too_large");
  EXPECT_TRUE(log.empty());
}

TEST(RouteTable, MetricsNamesAreEachPathOnceAndNotFound) {
  const auto names = RouteTable::Service().MetricsNames();
  std::set<std::string> paths;
  for (const Route& r : RouteTable::Service().routes()) paths.insert(r.path);
  EXPECT_EQ(names.size(), paths.size() + 1);
  EXPECT_EQ(names.back(), RouteTable::kNotFound);
  for (const auto& name : names) {
    EXPECT_EQ(DecisionApi::RouteName(name), name) << name;
  }
}

TEST(RouteTable, EveryServiceRouteHasAHandlerANameAndADescription) {
  std::set<std::string> names;
  for (const Route& r : RouteTable::Service().routes()) {
    EXPECT_NE(r.handler, nullptr) << r.path;
    EXPECT_TRUE(names.insert(r.name).second) << r.name << " twice";
    EXPECT_NE(std::string(r.summary), "") << r.path;
    EXPECT_TRUE(json::accept(r.openapi)) << r.path;
    const auto match = RouteTable::Service().Resolve(r.method, r.path);
    EXPECT_EQ(match.route, &r) << r.method << " " << r.path << " is shadowed";
  }
}

TEST(RouteTable, ATemplateMatchesOneSegmentPerParameterAndDecodesIt) {
  const RouteTable table{{
      {"GET", "/v1/things/{kind}/{id}", "get", Route::Access::kOpen, Route::Body::kNone, "", "{}",
       &Ok},
      {"PUT", "/v1/things/{kind}/{id}", "put", Route::Access::kOpen, Route::Body::kNone, "", "{}",
       &Ok},
      {"GET", "/v1/things/{kind}", "list", Route::Access::kOpen, Route::Body::kNone, "", "{}", &Ok},
      {"POST", "/v1/things/import", "import", Route::Access::kOpen, Route::Body::kNone, "", "{}",
       &Ok},
  }};
  auto match = table.Resolve("GET", "/v1/things/user/alice%40acme.example");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(std::string(match.route->name), "get");
  EXPECT_EQ(match.params.Get("kind"), "user");
  EXPECT_EQ(match.params.Get("id"), "alice@acme.example");
  EXPECT_EQ(match.metrics_name, "/v1/things/{kind}/{id}") << "one label per route, not per id";

  // A decoded slash stays inside the id.
  match = table.Resolve("PUT", "/v1/things/product/a%2Fb");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.params.Get("id"), "a/b");

  // An exact path wins over a template; the template's methods still count for 405.
  match = table.Resolve("POST", "/v1/things/import");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(std::string(match.route->name), "import");
  match = table.Resolve("GET", "/v1/things/import");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(std::string(match.route->name), "list");
  EXPECT_EQ(match.params.Get("kind"), "import");

  match = table.Resolve("DELETE", "/v1/things/user/alice");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allow, "GET, PUT");

  for (const char* path : {"/v1/things/user/alice/more", "/v1/things//alice", "/v1/things/user/",
                           "/v1/things/user/%zz", "/v1/things/user/%4"}) {
    match = table.Resolve("GET", path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allow.empty()) << path;
  }
}

TEST(RouteTable, QueryStringsAreDecodedAndAKeyGivenTwiceIsRefused) {
  std::vector<std::pair<std::string, std::string>> q;
  std::string error;
  ASSERT_TRUE(ParseQuery("org=acme&prefix=a%20b+c&flag&&limit=5", &q, &error)) << error;
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], std::make_pair(std::string("org"), std::string("acme")));
  EXPECT_EQ(q[1].second, "a b c");
  EXPECT_EQ(q[2], std::make_pair(std::string("flag"), std::string("")));
  EXPECT_FALSE(ParseQuery("a=1&a=2", &q, &error));
  EXPECT_NE(error.find("twice"), std::string::npos) << error;
  EXPECT_FALSE(ParseQuery("a=%g1", &q, &error));
}

TEST(RouteTable, EntityReadsTakeEitherTokenAndWritesOnlyTheEntitiesToken) {
  ServerConfig config;
  config.admin_token = "admin";
  config.entities_token = "writer";
  const Route read{"GET", "/r", "r", Route::Access::kEntityRead, Route::Body::kNone, "", "{}", &Ok};
  const Route write{"PUT", "/w", "w", Route::Access::kEntityWrite, Route::Body::kNone,
                    "",    "{}", &Ok};
  auto with = [](const std::string& token) {
    HttpRequest r;
    if (!token.empty()) r.authorization = "Bearer " + token;
    return r;
  };
  EXPECT_FALSE(RefuseAccess(read, with("admin"), config));
  EXPECT_FALSE(RefuseAccess(read, with("writer"), config));
  EXPECT_EQ(RefuseAccess(read, with(""), config)->status, 401);
  EXPECT_FALSE(RefuseAccess(write, with("writer"), config));
  EXPECT_EQ(RefuseAccess(write, with("admin"), config)->status, 403);
  EXPECT_EQ(RefuseAccess(write, with("other"), config)->status, 401);
  config.entities_token.clear();  // none configured: writes are refused to everyone
  EXPECT_EQ(RefuseAccess(write, with("writer"), config)->status, 401);
  EXPECT_EQ(RefuseAccess(write, with(""), config)->status, 401);
}

}  // namespace
}  // namespace castellan::server
