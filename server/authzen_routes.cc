// The OpenID AuthZEN Authorization API 1.0 routes: Access Evaluation,
// Access Evaluations and the PDP metadata. The mapping onto native decisions
// is server/authzen.h. As the specification requires, members a request
// carries beyond those it defines are ignored, at every level, save one case:
// a resource member its EntityKind declares `from: request|both` (draft 00).
#include <string>
#include <vector>

#include "server/authzen.h"
#include "server/decision_run.h"
#include "server/json_response.h"
#include "server/route.h"

namespace castellan::server {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// `item`'s own member `key`, else the request's top-level one, else null.
const json& Member(const json& body, const json& item, const char* key) {
  static const json null_value;
  if (item.contains(key)) return item[key];
  return body.contains(key) ? body[key] : null_value;
}

HttpResponse One(const RouteContext& c) {
  const json& body = *c.body;
  engine::DecisionRequest req;
  std::string error;
  if (!FromAuthZen(Member(body, body, "subject"), Member(body, body, "resource"),
                   Member(body, body, "action"), Member(body, body, "context"),
                   *c.snapshot->policies, &req, &error)) {
    return ErrorResponse(400, "invalid_request", error);
  }
  DecisionRun run(c);
  const engine::Decision& d = run.Decide(req);
  if (!d.refusals.empty()) return Refused(d);
  return run.Answer(
      c.metrics, 200,
      AuthZenDecision(d.results.at(0), d.revision, run.entity_version(), run.reasons()));
}

HttpResponse Evaluation(const RouteContext& c) {
  return One(c);
}

HttpResponse Evaluations(const RouteContext& c) {
  const json& body = *c.body;
  const ServerConfig& config = c.config;
  // An evaluations request without items is one evaluation (AuthZEN 1.0, 7.1).
  if (!body.contains("evaluations") ||
      (body["evaluations"].is_array() && body["evaluations"].empty())) {
    return One(c);
  }
  const json& items = body["evaluations"];
  if (!items.is_array()) {
    return ErrorResponse(400, "invalid_request", "'evaluations' must be an array");
  }
  if (items.size() > config.max_batch) {
    return ErrorResponse(
        413, "batch_too_large",
        "at most " + std::to_string(config.max_batch) + " evaluations per request");
  }
  if (items.size() > config.max_decisions) {
    return TooManyDecisions(items.size(), config.max_decisions);
  }
  EvaluationsSemantic semantic;
  std::string error;
  if (!ParseEvaluationsSemantic(body, &semantic, &error)) {
    return ErrorResponse(400, "invalid_request", error);
  }
  // The top-level members are converted once; an item's own replace them.
  const AuthZenMember top_subject = AuthZenMember::Subject(Member(body, body, "subject"));
  const engine::PolicySet& policies = *c.snapshot->policies;
  auto resource = [&](const json& r) { return AuthZenMember::Resource(r, policies); };
  const AuthZenMember top_resource = resource(Member(body, body, "resource"));
  const AuthZenMember top_context = AuthZenMember::Context(Member(body, body, "context"));
  auto member = [&](const json& item, const char* key, const AuthZenMember& top,
                    const auto& convert) { return item.contains(key) ? convert(item[key]) : top; };
  DecisionRun run(c);
  ojson results = ojson::array();
  for (size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    engine::DecisionRequest req;
    bool permitted = false;
    if (!item.is_object()) error = "each evaluation must be an object";
    if (item.is_object() &&
        FromAuthZen(member(item, "subject", top_subject, &AuthZenMember::Subject),
                    member(item, "resource", top_resource, resource), Member(body, item, "action"),
                    member(item, "context", top_context, &AuthZenMember::Context), &req, &error)) {
      const engine::Decision& d = run.Decide(req);
      if (!d.refusals.empty()) return Refused(d, "evaluations", static_cast<long>(i));
      permitted = d.results.at(0).allowed;
      results.push_back(
          AuthZenDecision(d.results.at(0), d.revision, run.entity_version(), run.reasons()));
    } else {
      // An error in one item is that item's deny (AuthZEN 1.0, 7.2.1).
      run.CountDeny();
      results.push_back(
          {{"decision", false}, {"context", {{"error", {{"status", 400}, {"message", error}}}}}});
    }
    if (StopsAfter(semantic, permitted)) break;
  }
  return run.Answer(c.metrics, 200, {{"evaluations", results}});
}

HttpResponse Metadata(const RouteContext& c) {
  const std::string& issuer = c.config.issuer;
  return JsonResponse(200, {{"policy_decision_point", issuer},
                            {"access_evaluation_endpoint", issuer + "/access/v1/evaluation"},
                            {"access_evaluations_endpoint", issuer + "/access/v1/evaluations"},
                            {"search_subject_endpoint", issuer + "/access/v1/search/subject"},
                            {"search_resource_endpoint", issuer + "/access/v1/search/resource"},
                            {"search_action_endpoint", issuer + "/access/v1/search/action"}});
}

}  // namespace

std::vector<Route> AuthZenRoutes() {
  using A = Route::Access;
  using B = Route::Body;
  return {
      {"POST", "/access/v1/evaluation", "authzen_evaluation", A::kDecision, B::kJsonObject,
       "AuthZEN 1.0 Access Evaluation",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuthZenEvaluation"}}}},
        "responses": {
          "200": {"description": "The decision", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuthZenDecision"}}}}
        }})json",
       &Evaluation},
      {"POST", "/access/v1/evaluations", "authzen_evaluations", A::kDecision, B::kJsonObject,
       "AuthZEN 1.0 Access Evaluations (batch)",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuthZenEvaluations"}}}},
        "responses": {
          "200": {"description": "Decisions in request order (cut short by deny_on_first_deny or permit_on_first_permit)", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"evaluations": {"type": "array", "items": {"$ref": "#/components/schemas/AuthZenDecision"}}}}}}},
          "413": {"description": "body_too_large, batch_too_large (over --max-batch) or too_many_decisions (over --max-decisions)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }})json",
       &Evaluations},
      {"GET", "/.well-known/authzen-configuration", "authzen_metadata", A::kOpen, B::kNone,
       "AuthZEN PDP metadata",
       R"json({"responses": {"200": {"description": "Metadata", "content": {"application/json": {"schema": {"type": "object"}}}}}})json",
       &Metadata},
  };
}

}  // namespace castellan::server
