#include "server/decision_api.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>

#include "api/decision_json.h"
#include "api/json_value.h"
#include "api/strict_json.h"
#include "server/authzen.h"

namespace castellan::server {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr size_t kMaxNesting = 64;

HttpResponse JsonResponse(int status, const ojson& body) {
  HttpResponse r;
  r.status = status;
  // Replace invalid UTF-8 (a path or action name echoed back) rather than fail.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

std::string Iso8601(std::chrono::system_clock::time_point t) {
  return engine::FormatTimestamp(
      engine::FromSystemClock(std::chrono::time_point_cast<std::chrono::seconds>(t)));
}

ojson DiagnosticsJson(const dsl::Diagnostics& diagnostics) {
  ojson out = ojson::array();
  for (const auto& d : diagnostics) {
    out.push_back(
        {{"file", d.file}, {"line", d.line}, {"column", d.column}, {"message", d.message}});
  }
  return out;
}

// Counts allows and denies for metrics and the access log's "effect".
void Tally(const engine::Decision& d, uint64_t* allowed, uint64_t* denied) {
  for (const auto& r : d.results) (r.allowed ? *allowed : *denied)++;
}

// One batch item's own error, in place of its results.
ojson ItemError(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

std::string TooManyActions(size_t n, size_t limit) {
  return std::to_string(n) + " actions in one check; at most " + std::to_string(limit) +
         " (--max-actions)";
}

HttpResponse TooManyDecisions(size_t n, size_t limit) {
  return ErrorResponse(413, "too_many_decisions",
                       "the request asks for " + std::to_string(n) +
                           " decisions (actions summed over its checks); at most " +
                           std::to_string(limit) + " per request (--max-decisions)");
}

std::string EffectOf(uint64_t allowed, uint64_t denied) {
  if (allowed && denied) return "mixed";
  if (allowed) return "allow";
  if (denied) return "deny";
  return "";
}

}  // namespace

HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}});
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!type.empty() && space(type.front())) type.remove_prefix(1);
  while (!type.empty() && space(type.back())) type.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  return type.size() == kJson.size() &&
         std::equal(type.begin(), type.end(), kJson.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < b.size(); ++i) {
    diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ b[i]);
  }
  return diff == 0;
}

const std::vector<Route>& DecisionApi::Routes() {
  using A = Route::Access;
  static const std::vector<Route> routes = {
      {"POST", "/v1/check", A::kDecision,
       "Decide actions for one principal and resource, or a batch of checks"},
      {"POST", "/v1/allowed-actions", A::kDecision,
       "Every declared action the principal may do on the resource, with reasons for the rest"},
      {"POST", "/access/v1/evaluation", A::kDecision, "AuthZEN 1.0 Access Evaluation"},
      {"POST", "/access/v1/evaluations", A::kDecision, "AuthZEN 1.0 Access Evaluations (batch)"},
      {"GET", "/.well-known/authzen-configuration", A::kOpen, "AuthZEN PDP metadata"},
      {"GET", "/v1/policies", A::kOpen,
       "The policy revision serving, its files and the last reload result"},
      {"POST", "/v1/policies/reload", A::kAdmin,
       "Reload policies and entities; on errors the old set keeps serving"},
      {"GET", "/healthz", A::kOpen, "Liveness"},
      {"GET", "/readyz", A::kOpen, "Readiness: a policy set is loaded"},
      {"GET", "/metrics", A::kOpen, "Prometheus metrics"},
      {"GET", "/v1/openapi.json", A::kOpen, "This API as an OpenAPI 3 document"},
  };
  return routes;
}

std::string DecisionApi::RouteName(const std::string& path) {
  for (const auto& r : Routes()) {
    if (path == r.path) return r.path;
  }
  return "not_found";
}

std::vector<std::string> DecisionApi::RouteNames() {
  std::vector<std::string> names;
  for (const auto& r : Routes()) names.push_back(r.path);
  names.push_back("not_found");
  return names;
}

HttpResponse DecisionApi::Handle(const HttpRequest& request) {
  try {
    std::string allow;
    for (const auto& route : Routes()) {
      if (request.path != route.path) continue;
      if (request.method == route.method ||
          (request.method == "HEAD" && std::string(route.method) == "GET")) {
        HttpResponse r = Dispatch(route, request);
        r.headers["X-Request-Id"] = request.request_id;
        return r;
      }
      allow += (allow.empty() ? "" : ", ") + std::string(route.method);
    }
    HttpResponse r = allow.empty() ? ErrorResponse(404, "not_found", "no route " + request.path)
                                   : ErrorResponse(405, "method_not_allowed",
                                                   request.method + " is not allowed on " +
                                                       request.path + " (use " + allow + ")");
    if (!allow.empty()) r.headers["Allow"] = allow;
    r.headers["X-Request-Id"] = request.request_id;
    return r;
  } catch (const std::exception& e) {
    // Never a stack trace to the client; the access log has the request id.
    return ErrorResponse(500, "internal", "internal error");
  }
}

HttpResponse DecisionApi::Dispatch(const Route& route, const HttpRequest& request) {
  const std::string path = route.path;
  if (route.access == Route::Access::kAdmin ||
      (route.access == Route::Access::kDecision && config_.protect_decisions)) {
    const std::string prefix = "Bearer ";
    const bool presented = request.authorization.rfind(prefix, 0) == 0;
    if (config_.admin_token.empty() || !presented ||
        !ConstantTimeEquals(request.authorization.substr(prefix.size()), config_.admin_token)) {
      HttpResponse r = ErrorResponse(
          401, "unauthorized",
          config_.admin_token.empty()
              ? "no admin token is configured (--admin-token-file or CASTELLAN_ADMIN_TOKEN)"
              : "this endpoint needs 'Authorization: Bearer <token>'");
      r.headers["WWW-Authenticate"] = "Bearer";
      return r;
    }
  }

  // ---- GET routes -------------------------------------------------------------------
  if (path == "/healthz") return JsonResponse(200, {{"status", "ok"}});
  auto snapshot = state_.current();
  if (path == "/readyz") {
    if (!snapshot) return ErrorResponse(503, "not_ready", "no policy set is loaded");
    return JsonResponse(200, {{"status", "ready"}, {"policy_version", snapshot->revision}});
  }
  if (path == "/metrics") {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = metrics_.Render(state_.reload_count(), state_.reload_failures(),
                             snapshot ? snapshot->revision : "");
    return r;
  }
  if (path == "/v1/openapi.json") {
    HttpResponse r;
    r.body = OpenApiDocument();
    return r;
  }
  if (path == "/.well-known/authzen-configuration") {
    return JsonResponse(
        200, {{"policy_decision_point", config_.issuer},
              {"access_evaluation_endpoint", config_.issuer + "/access/v1/evaluation"},
              {"access_evaluations_endpoint", config_.issuer + "/access/v1/evaluations"}});
  }
  auto reload_json = [](const ReloadResult& r) {
    return ojson{{"ok", r.ok},
                 {"at", Iso8601(r.at)},
                 {"serving_revision", r.revision},
                 {"diagnostics", DiagnosticsJson(r.diagnostics)}};
  };
  if (path == "/v1/policies" && route.method == std::string("GET")) {
    ojson body;
    body["revision"] = snapshot ? ojson(snapshot->revision) : ojson(nullptr);
    body["loaded_at"] = snapshot ? ojson(Iso8601(snapshot->loaded_at)) : ojson(nullptr);
    body["policy_dir"] = state_.policy_dir().string();
    body["files"] = ojson::array();
    if (snapshot) {
      for (const auto& f : snapshot->policies->source().files) body["files"].push_back(f.path);
      body["summary"] = snapshot->policies->source().Summary();
    }
    body["last_reload"] = reload_json(state_.last_reload());
    return JsonResponse(200, body);
  }
  if (path == "/v1/policies/reload") {
    ReloadResult r = state_.Reload();
    ojson body = reload_json(r);
    if (r.ok) return JsonResponse(200, body);
    body["error"] = {{"code", "reload_failed"},
                     {"message", "the policy or entity files have errors; revision " + r.revision +
                                     " keeps serving"}};
    return JsonResponse(422, body);
  }

  // ---- decision routes: JSON in, JSON out --------------------------------------------
  if (!IsJsonMediaType(request.content_type)) {
    return ErrorResponse(415, "unsupported_media_type",
                         "send the body as Content-Type: application/json");
  }
  if (request.body.size() > config_.max_body_bytes) {
    return ErrorResponse(413, "body_too_large",
                         "the body exceeds " + std::to_string(config_.max_body_bytes) + " bytes");
  }
  json body;
  api::JsonParseError parse_error;
  if (!api::ParseStrictJson(request.body, &body, &parse_error, kMaxNesting)) {
    return ErrorResponse(400, parse_error.code, parse_error.Describe());
  }
  if (!body.is_object()) return ErrorResponse(400, "invalid_request", "the body must be an object");
  if (!snapshot) return ErrorResponse(503, "not_ready", "no policy set is loaded");

  const engine::PolicySet& policies = *snapshot->policies;
  const engine::EntityStore& entities = *snapshot->entities;
  uint64_t allowed = 0, denied = 0;
  auto finish = [&](int status, ojson out) {
    metrics_.RecordDecisions(allowed, denied);
    HttpResponse r = JsonResponse(status, out);
    r.effect = EffectOf(allowed, denied);
    return r;
  };
  std::string error;
  // One request, one budget and one share of reasons, whatever the route: a
  // batch's checks and an evaluations request's items all draw on them.
  engine::EvaluationBudget budget(config_.evaluation);
  api::ReasonQuota reasons(config_.max_reasons, config_.max_response_reasons);

  if (path == "/v1/check" && body.contains("checks")) {
    const json& checks = body["checks"];
    if (!checks.is_array() || checks.empty()) {
      return ErrorResponse(400, "invalid_request", "'checks' must be a non-empty array");
    }
    if (body.size() != 1) {
      return ErrorResponse(400, "invalid_request", "a batch has only 'checks'");
    }
    if (checks.size() > config_.max_batch) {
      return ErrorResponse(413, "batch_too_large",
                           "at most " + std::to_string(config_.max_batch) + " checks per batch");
    }
    // A malformed check gets its own error in place of its results, so one bad
    // item cannot hide the others' answers; the limits hold before any work.
    std::vector<engine::DecisionRequest> requests(checks.size());
    std::vector<ojson> item_errors(checks.size());  // null: the check is well formed
    size_t decisions = 0;
    for (size_t i = 0; i < checks.size(); ++i) {
      const std::string where = "checks[" + std::to_string(i) + "]: ";
      if (!api::ParseDecisionRequest(checks[i], true, &requests[i], &error)) {
        item_errors[i] = ItemError("invalid_request", where + error);
      } else if (requests[i].actions.size() > config_.max_actions) {
        item_errors[i] =
            ItemError("too_many_actions",
                      where + TooManyActions(requests[i].actions.size(), config_.max_actions));
      } else {
        decisions += requests[i].actions.size();
      }
    }
    if (decisions > config_.max_decisions)
      return TooManyDecisions(decisions, config_.max_decisions);
    ojson results = ojson::array();
    for (size_t i = 0; i < requests.size(); ++i) {
      if (!item_errors[i].is_null()) {
        results.push_back(std::move(item_errors[i]));
        continue;
      }
      engine::Decision d = engine::Decide(policies, entities, requests[i], budget);
      Tally(d, &allowed, &denied);
      results.push_back({{"results", api::ResultsToJson(d, reasons)}});
    }
    return finish(200, {{"policy_version", snapshot->revision},
                        {"request_id", request.request_id},
                        {"results", results}});
  }
  if (path == "/v1/check" || path == "/v1/allowed-actions") {
    const bool all = path == "/v1/allowed-actions";
    if (all && body.contains("actions")) {
      return ErrorResponse(400, "invalid_request",
                           "allowed-actions decides every declared action; leave out 'actions'");
    }
    engine::DecisionRequest req;
    if (!api::ParseDecisionRequest(body, !all, &req, &error)) {
      return ErrorResponse(400, "invalid_request", error);
    }
    if (req.actions.size() > config_.max_actions) {
      return ErrorResponse(413, "too_many_actions",
                           TooManyActions(req.actions.size(), config_.max_actions));
    }
    if (req.actions.size() > config_.max_decisions) {
      return TooManyDecisions(req.actions.size(), config_.max_decisions);
    }
    engine::Decision d = engine::Decide(policies, entities, req, budget);
    Tally(d, &allowed, &denied);
    if (!all) {
      ojson out = api::DecisionToJson(d, reasons);
      out["request_id"] = request.request_id;
      return finish(200, out);
    }
    ojson allowed_actions = ojson::array(), denied_actions = ojson::object();
    for (const auto& r : d.results) {
      if (r.allowed) {
        allowed_actions.push_back(r.action);
      } else {
        ojson entry = ojson::object();
        api::AddReasons(r.reasons, reasons, &entry);
        denied_actions[r.action] = std::move(entry);
      }
    }
    return finish(200, {{"policy_version", d.revision},
                        {"request_id", request.request_id},
                        {"allowed", allowed_actions},
                        {"denied", denied_actions}});
  }

  auto field = [&](const json& item, const char* key) -> const json& {
    static const json null_value;
    if (item.contains(key)) return item[key];
    return body.contains(key) ? body[key] : null_value;
  };
  if (path == "/access/v1/evaluation" ||
      (path == "/access/v1/evaluations" &&
       (!body.contains("evaluations") ||
        (body["evaluations"].is_array() && body["evaluations"].empty())))) {
    // An evaluations request without items is one evaluation (AuthZEN 1.0, 7.1).
    engine::DecisionRequest req;
    if (!FromAuthZen(field(body, "subject"), field(body, "resource"), field(body, "action"),
                     field(body, "context"), &req, &error)) {
      return ErrorResponse(400, "invalid_request", error);
    }
    engine::Decision d = engine::Decide(policies, entities, req, budget);
    Tally(d, &allowed, &denied);
    return finish(200, AuthZenDecision(d.results.at(0), d.revision, reasons));
  }
  if (path == "/access/v1/evaluations") {
    const json& items = body["evaluations"];
    if (!items.is_array())
      return ErrorResponse(400, "invalid_request", "'evaluations' must be an array");
    if (items.size() > config_.max_batch) {
      return ErrorResponse(
          413, "batch_too_large",
          "at most " + std::to_string(config_.max_batch) + " evaluations per request");
    }
    if (items.size() > config_.max_decisions) {
      return TooManyDecisions(items.size(), config_.max_decisions);
    }
    EvaluationsSemantic semantic;
    if (!ParseEvaluationsSemantic(body, &semantic, &error)) {
      return ErrorResponse(400, "invalid_request", error);
    }
    ojson results = ojson::array();
    // The top-level members are converted once; an item's own replace them.
    const AuthZenMember top_subject = AuthZenMember::Subject(field(body, "subject"));
    const AuthZenMember top_resource = AuthZenMember::Resource(field(body, "resource"));
    const AuthZenMember top_context = AuthZenMember::Context(field(body, "context"));
    auto member = [&](const json& item, const char* key, const AuthZenMember& top,
                      AuthZenMember (*convert)(const json&)) {
      return item.contains(key) ? convert(item[key]) : top;
    };
    for (const json& item : items) {
      engine::DecisionRequest req;
      bool permitted = false;
      if (!item.is_object()) {
        error = "each evaluation must be an object";
      }
      if (item.is_object() &&
          FromAuthZen(member(item, "subject", top_subject, &AuthZenMember::Subject),
                      member(item, "resource", top_resource, &AuthZenMember::Resource),
                      field(item, "action"),
                      member(item, "context", top_context, &AuthZenMember::Context), &req,
                      &error)) {
        engine::Decision d = engine::Decide(policies, entities, req, budget);
        Tally(d, &allowed, &denied);
        permitted = d.results.at(0).allowed;
        results.push_back(AuthZenDecision(d.results.at(0), d.revision, reasons));
      } else {
        // An error in one item is that item's deny (AuthZEN 1.0, 7.2.1).
        denied++;
        results.push_back(
            {{"decision", false}, {"context", {{"error", {{"status", 400}, {"message", error}}}}}});
      }
      if (StopsAfter(semantic, permitted)) break;
    }
    return finish(200, {{"evaluations", results}});
  }
  return ErrorResponse(404, "not_found", "no route " + path);
}

}  // namespace castellan::server
