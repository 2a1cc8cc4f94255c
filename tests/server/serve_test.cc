// Starts the real `castellan serve` on a free loopback port and talks HTTP to
// it, as a client would.
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "server_process.h"

namespace {

using namespace castellan::testing;

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Server({"--max-body-bytes", "4096", "--max-batch", "3", "--header-timeout", "1",
                          "--body-timeout", "1"});
    ASSERT_NE(server_->port(), 0) << server_->Log();
  }
  static void TearDownTestSuite() {
    if (!server_) return;
    EXPECT_EQ(server_->Stop(), 0) << server_->Log();
    EXPECT_NE(server_->Log().find("\"event\":\"stopped\""), std::string::npos);
    delete server_;
  }
  static Server* server_;
};
Server* ServeTest::server_ = nullptr;

TEST_F(ServeTest, HealthReadinessAndMetadata) {
  EXPECT_EQ(server_->Call("GET", "/healthz").status, 200);
  Reply ready = server_->Call("GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.Json()["policy_version"].get<std::string>().size(), 16u);
  Reply meta = server_->Call("GET", "/.well-known/authzen-configuration");
  ASSERT_EQ(meta.status, 200);
  EXPECT_EQ(meta.Json()["access_evaluation_endpoint"],
            "http://127.0.0.1:" + std::to_string(server_->port()) + "/access/v1/evaluation");
  Reply openapi = server_->Call("GET", "/v1/openapi.json");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_TRUE(openapi.Json().contains("paths"));
}

TEST_F(ServeTest, CheckAllowsAndDeniesWithReasonsRevisionAndRequestId) {
  Reply r = server_->Post("/v1/check",
                          Check("uma@acme.example", "contoso", {"company.view", "backup_set.add"}),
                          {{"X-Request-Id", "req-42"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.request_id, "req-42");
  json j = r.Json();
  EXPECT_EQ(j["request_id"], "req-42");
  EXPECT_EQ(j["policy_version"].get<std::string>().size(), 16u);
  EXPECT_EQ(j["results"]["company.view"]["effect"], "allow");
  EXPECT_EQ(j["results"]["backup_set.add"]["effect"], "deny");
  EXPECT_EQ(j["results"]["backup_set.add"]["reasons"][0]["code"], "missing_permission");
  EXPECT_EQ(j["results"]["backup_set.add"]["reasons"][0]["required_by"], "backup_set.add");
  // Without X-Request-Id the server makes one up.
  EXPECT_FALSE(server_->Post("/v1/check", Check("uma@acme.example", "contoso", {"company.view"}))
                   .request_id.empty());
}

TEST_F(ServeTest, BatchAnswersInRequestOrderWithinItsLimit) {
  json batch = {{"checks",
                 {Check("uma@acme.example", "contoso", {"company.view"}),
                  Check("uma@acme.example", "initech", {"company.view"}),
                  Check("gus@globex.example", "initech", {"company.view"})}}};
  Reply r = server_->Post("/v1/check", batch);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json()["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["results"]["company.view"]["effect"], "allow");
  EXPECT_EQ(results[1]["results"]["company.view"]["effect"], "deny");
  EXPECT_EQ(results[2]["results"]["company.view"]["effect"], "allow");
  batch["checks"].push_back(Check("uma@acme.example", "contoso", {"company.view"}));
  Reply big = server_->Post("/v1/check", batch);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.Json()["error"]["code"], "batch_too_large");
}

TEST_F(ServeTest, AllowedActionsListsEveryActionWithReasons) {
  json body = {{"principal", {{"id", "adam@acme.example"}}},
               {"resource", {{"kind", "organization"}, {"id", "contoso"}}},
               {"context", kNow}};
  Reply r = server_->Post("/v1/allowed-actions", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  EXPECT_EQ(j["allowed"], json({"company.view", "company.edit", "backup_set.add"}));
  EXPECT_EQ(j["denied"].size(), 8u);
  EXPECT_EQ(j["denied"]["user.create"]["reasons"][0]["code"], "wrong_resource_kind");
}

TEST_F(ServeTest, UnknownIdsAndActionsAreDeniesWithReasons) {
  json j =
      server_->Post("/v1/check", Check("ghost@acme.example", "contoso", {"company.view"})).Json();
  EXPECT_EQ(j["results"]["company.view"]["reasons"][0]["code"], "unknown_principal");
  j = server_->Post("/v1/check", Check("uma@acme.example", "atlantis", {"company.view"})).Json();
  EXPECT_EQ(j["results"]["company.view"]["reasons"][0]["code"], "unknown_resource");
  j = server_->Post("/v1/check", Check("uma@acme.example", "contoso", {"Company.View"})).Json();
  EXPECT_EQ(j["results"]["Company.View"]["reasons"][0]["code"], "unknown_action");
}

json Evaluation(const std::string& subject, const std::string& org, const std::string& action) {
  return {{"subject", {{"type", "user"}, {"id", subject}}},
          {"resource", {{"type", "organization"}, {"id", org}}},
          {"action", {{"name", action}}},
          {"context", kNow}};
}

TEST_F(ServeTest, AuthZenEvaluation) {
  Reply allow = server_->Post("/access/v1/evaluation",
                              Evaluation("adam@acme.example", "contoso", "company.view"));
  ASSERT_EQ(allow.status, 200) << allow.body;
  EXPECT_EQ(allow.Json()["decision"], true);
  Reply deny = server_->Post("/access/v1/evaluation",
                             Evaluation("adam@acme.example", "fabrikam", "company.view"));
  EXPECT_EQ(deny.Json()["decision"], false);
  EXPECT_EQ(deny.Json()["context"]["reasons"][0]["code"], "out_of_scope");
  json missing = Evaluation("adam@acme.example", "contoso", "company.view");
  missing.erase("action");
  Reply bad = server_->Post("/access/v1/evaluation", missing);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["error"]["code"], "invalid_request");
}

TEST_F(ServeTest, AuthZenEvaluationsHonourTheThreeSemantics) {
  json body = {{"subject", {{"type", "user"}, {"id", "adam@acme.example"}}},
               {"action", {{"name", "company.view"}}},
               {"context", kNow}};
  body["evaluations"] = json::array();
  for (const char* org : {"contoso", "fabrikam", "acme"}) {
    json item = json::object();
    item["resource"] = {{"type", "organization"}, {"id", org}};
    body["evaluations"].push_back(item);
  }
  auto decisions = [&](const char* semantic) {
    json b = body;
    if (semantic) b["options"] = {{"evaluations_semantic", semantic}};
    Reply r = server_->Post("/access/v1/evaluations", b);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<bool> out;
    const json answer = r.Json();
    for (const auto& e : answer["evaluations"]) out.push_back(e["decision"].get<bool>());
    return out;
  };
  EXPECT_EQ(decisions(nullptr), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(decisions("execute_all"), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(decisions("deny_on_first_deny"), (std::vector<bool>{true, false}));
  EXPECT_EQ(decisions("permit_on_first_permit"), (std::vector<bool>{true}));
  json wrong = body;
  wrong["options"] = {{"evaluations_semantic", "sometimes"}};
  EXPECT_EQ(server_->Post("/access/v1/evaluations", wrong).status, 400);
  // An error in one item is that item's deny, with the error in its context.
  json partial = body;
  partial["evaluations"][1] = json::object();
  partial["evaluations"][1]["resource"] = {{"id", "no-type"}};
  Reply r = server_->Post("/access/v1/evaluations", partial);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["evaluations"][1]["decision"], false);
  EXPECT_EQ(r.Json()["evaluations"][1]["context"]["error"]["status"], 400);
  // Without items, an evaluations request is one evaluation.
  json single = Evaluation("adam@acme.example", "contoso", "company.view");
  EXPECT_EQ(server_->Post("/access/v1/evaluations", single).Json()["decision"], true);
}

TEST_F(ServeTest, HostileInputGetsAClearErrorAndTheRightStatus) {
  auto error = [](const Reply& r) { return r.Json()["error"]["code"].get<std::string>(); };
  Reply r = server_->Call("POST", "/v1/check", "{\"principal\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error(r), "invalid_json");
  r = server_->Call("POST", "/v1/check",
                    R"({"principal": "alice", "resource": {}, "actions": []})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error(r), "invalid_request");
  r = server_->Call("POST", "/v1/check", R"({"resource": {"id": "x"}, "actions": ["a"]})");
  EXPECT_EQ(r.status, 400);
  r = server_->Call("POST", "/v1/check", R"({"principal": {"id": 1}, "resource": {},
                                            "actions": ["company.view"]})");
  EXPECT_EQ(r.status, 400);  // an id that is not a string is a mistake, not an unknown principal
  EXPECT_EQ(error(r), "invalid_request");
  r = server_->Call("POST", "/v1/check", std::string(5000, ' ') + "{}");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error(r), "body_too_large");
  r = server_->Call("POST", "/v1/check", std::string(100, '[') + std::string(100, ']'));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error(r), "nesting_too_deep");
  r = server_->Call("POST", "/v1/check", "{}", {}, "text/plain");
  EXPECT_EQ(r.status, 415);
  r = server_->Call("GET", "/v2/everything");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error(r), "not_found");
  r = server_->Call("GET", "/v1/check");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(error(r), "method_not_allowed");
  r = server_->Call("POST", "/v1/check",
                    R"({"principal": {"id": "x"}, "resource": {}, "actions": ["a"], "extra": 1})");
  EXPECT_EQ(r.status, 400);
  r = server_->Call("GET", "/v1/\xff\xfe");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error(r), "not_found");
  // Still serving after all that.
  EXPECT_EQ(server_->Call("GET", "/healthz").status, 200);
}

TEST_F(ServeTest, SlowAndHalfOpenClientsDoNotHoldTheServer) {
  // A client that sends half a request and then nothing, and one that sends nothing.
  Poco::Net::StreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", server_->port()));
  const std::string partial = "POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n";
  slow.sendBytes(partial.data(), static_cast<int>(partial.size()));
  Poco::Net::StreamSocket silent(Poco::Net::SocketAddress("127.0.0.1", server_->port()));
  EXPECT_EQ(server_->Call("GET", "/healthz").status, 200);
  // After the 1 s timeout the server has dropped the slow client.
  slow.setReceiveTimeout(Poco::Timespan(5, 0));
  char buf[512];
  int n = -1;
  bool dropped = false;
  try {
    n = slow.receiveBytes(buf, sizeof buf);
    dropped = true;  // closed (0) or answered before closing
  } catch (const Poco::TimeoutException&) {
    dropped = false;  // still held open after 5 s: the timeout did not work
  } catch (const Poco::Net::NetException&) {
    dropped = true;  // reset by the server
  }
  EXPECT_TRUE(dropped) << "the server kept a silent half-request open for 5 s";
  const std::string answer(buf, n > 0 ? static_cast<size_t>(n) : 0);
  EXPECT_TRUE(n <= 0 || answer.find(" 408") != std::string::npos ||
              answer.find(" 400") != std::string::npos)
      << answer;
  EXPECT_EQ(server_->Call("GET", "/healthz").status, 200);
}

TEST_F(ServeTest, AdminEndpointsNeedTheBearerToken) {
  EXPECT_EQ(server_->Call("POST", "/v1/policies/reload").status, 401);
  EXPECT_EQ(
      server_->Call("POST", "/v1/policies/reload", "", {{"Authorization", "Bearer nope"}}).status,
      401);
  Reply ok =
      server_->Call("POST", "/v1/policies/reload", "", {{"Authorization", "Bearer s3cret-token"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["ok"], true);
  EXPECT_EQ(server_->Log().find("s3cret-token"), std::string::npos) << "the token was logged";
}

TEST_F(ServeTest, APostWithoutABodyIsAnsweredAtOnce) {
  // No Content-Length and no chunking means no body; the server must not wait for more.
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", server_->port()));
  const std::string request =
      "POST /v1/check HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\n\r\n";
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  socket.setReceiveTimeout(Poco::Timespan(0, 500000));  // well under the 1 s client timeout
  char buf[1024];
  const int n = socket.receiveBytes(buf, sizeof buf);
  ASSERT_GT(n, 0);
  const std::string answer(buf, static_cast<size_t>(n));
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_NE(answer.find("invalid_json"), std::string::npos) << answer;
}

TEST_F(ServeTest, MetricsCountRequestsDecisionsAndShowTheRevision) {
  server_->Post("/v1/check", Check("uma@acme.example", "contoso", {"company.view"}));
  Reply m = server_->Call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(m.body.find("castellan_http_requests_total{endpoint=\"/v1/check\",status=\"200\"}"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("castellan_decisions_total{effect=\"allow\"}"), std::string::npos);
  EXPECT_NE(m.body.find("castellan_http_request_duration_seconds_bucket{endpoint=\"/v1/check\","
                        "le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(m.body.find("castellan_policy_info{revision=\""), std::string::npos);
  EXPECT_NE(m.body.find("castellan_policy_reloads_total"), std::string::npos);
}

TEST_F(ServeTest, EveryRequestHasAJsonAccessLogLine) {
  server_->Post("/v1/check", Check("uma@acme.example", "contoso", {"company.view"}),
                {{"X-Request-Id", "log-me"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::istringstream log(server_->Log());
  std::string line;
  bool found = false;
  while (std::getline(log, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("request_id", "") == "log-me") {
      found = true;
      EXPECT_EQ(j["method"], "POST");
      EXPECT_EQ(j["path"], "/v1/check");
      EXPECT_EQ(j["status"], 200);
      EXPECT_EQ(j["effect"], "allow");
      EXPECT_TRUE(j.contains("time"));
      EXPECT_TRUE(j.contains("duration_ms"));
    }
  }
  EXPECT_TRUE(found) << server_->Log();
}

TEST(ServeReload, BrokenPolicyUnderLoadKeepsTheOldRevisionServing) {
  Server server;
  ASSERT_NE(server.port(), 0) << server.Log();
  const std::string revision = server.Call("GET", "/readyz").Json()["policy_version"];

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, answered{0};
  std::thread load([&] {
    while (!stop) {
      Reply r = server.Post("/v1/check", Check("uma@acme.example", "contoso", {"company.view"}));
      json j = r.Json();
      if (r.status != 200 || j["policy_version"] != revision ||
          j["results"]["company.view"]["effect"] != "allow") {
        failures++;
      }
      answered++;
    }
  });

  std::ofstream(server.dir() / "policies" / "broken.yaml")
      << "kind: Policy\nname: broken\nrules:\n  - name: r\n    effect: allow\n"
         "    actions: [company.view]\n    when: principal.id ==\n";
  Reply reload =
      server.Call("POST", "/v1/policies/reload", "", {{"Authorization", "Bearer s3cret-token"}});
  EXPECT_EQ(reload.status, 422) << reload.body;
  EXPECT_EQ(reload.Json()["serving_revision"], revision);
  ASSERT_FALSE(reload.Json()["diagnostics"].empty());
  EXPECT_EQ(reload.Json()["diagnostics"][0]["file"], "broken.yaml");
  EXPECT_EQ(reload.Json()["diagnostics"][0]["line"], 7);

  // SIGHUP takes the same path.
  kill(server.pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  json status =
      server.Call("GET", "/v1/policies", "", {{"Authorization", "Bearer s3cret-token"}}).Json();
  EXPECT_EQ(status["revision"], revision);
  EXPECT_EQ(status["last_reload"]["ok"], false);
  EXPECT_EQ(status["last_reload"]["diagnostics"][0]["file"], "broken.yaml");

  stop = true;
  load.join();
  EXPECT_GT(answered.load(), 0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_NE(server.Log().find("broken.yaml:7:"), std::string::npos) << server.Log();

  // Fixed, a SIGHUP swaps the new revision in.
  fs::remove(server.dir() / "policies" / "broken.yaml");
  std::ofstream(server.dir() / "policies" / "extra.yaml") << "kind: CustomerGroup\nname: extra\n"
                                                             "members: [contoso]\n";
  kill(server.pid(), SIGHUP);
  std::string now_serving = revision;
  for (int i = 0; i < 40 && now_serving == revision; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    now_serving = server.Call("GET", "/readyz").Json()["policy_version"];
  }
  EXPECT_NE(now_serving, revision);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(ServeReload, WatchReloadsWhenFilesChange) {
  Server server({"--watch"});
  ASSERT_NE(server.port(), 0) << server.Log();
  const std::string revision = server.Call("GET", "/readyz").Json()["policy_version"];
  std::ofstream(server.dir() / "policies" / "extra.yaml") << "kind: CustomerGroup\nname: extra\n"
                                                             "members: [contoso]\n";
  std::string now_serving = revision;
  for (int i = 0; i < 60 && now_serving == revision; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    now_serving = server.Call("GET", "/readyz").Json()["policy_version"];
  }
  EXPECT_NE(now_serving, revision) << server.Log();
}

TEST(ServeStart, BrokenPoliciesOrBadFlagsDoNotStart) {
  const fs::path dir = fs::temp_directory_path() / "castellan_serve_broken";
  fs::create_directories(dir);
  std::ofstream(dir / "p.yaml") << "kind: Nonsense\n";
  const std::string command = std::string(CASTELLAN_BINARY) +
                              " serve --listen 127.0.0.1:0 --policies " + dir.string() +
                              " --data-dir " + (dir / "data").string() + " > /dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 1);
  EXPECT_EQ(
      WEXITSTATUS(std::system(
          (std::string(CASTELLAN_BINARY) + " serve --listen nowhere > /dev/null 2>&1").c_str())),
      2);
  fs::remove_all(dir);
}

}  // namespace

namespace {

TEST(ServeProtection, DecisionEndpointsCanNeedTheTokenToo) {
  Server server({"--protect-decisions"});
  ASSERT_NE(server.port(), 0) << server.Log();
  json body = Check("uma@acme.example", "contoso", {"company.view"});
  Reply open = server.Post("/v1/check", body);
  EXPECT_EQ(open.status, 401);
  EXPECT_EQ(open.Json()["error"]["code"], "unauthorized");
  EXPECT_EQ(server.Post("/v1/check", body, {{"Authorization", "Bearer s3cret-token"}}).status, 200);
  EXPECT_EQ(server.Call("GET", "/healthz").status, 200);  // health stays open
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
