// The native decision routes: /v1/check (one check or a batch) and
// /v1/allowed-actions. Shapes: docs/http-api.md and docs/decisions.md.
#include <optional>
#include <string>
#include <vector>

#include "api/check_body.h"
#include "api/decision_json.h"
#include "server/decision_run.h"
#include "server/json_response.h"
#include "server/query_page.h"
#include "server/route.h"

namespace castellan::server {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

std::string TooManyActions(size_t n, size_t limit) {
  return std::to_string(n) + " actions in one check; at most " + std::to_string(limit) +
         " (--max-actions)";
}

// One batch item's own error, in place of its results.
ojson ItemError(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

HttpResponse Batch(const RouteContext& c) {
  const json& body = *c.body;
  const ServerConfig& config = c.config;
  const json& checks = body["checks"];
  if (!checks.is_array() || checks.empty()) {
    return ErrorResponse(400, "invalid_request", "'checks' must be a non-empty array");
  }
  if (body.size() != 1) return ErrorResponse(400, "invalid_request", "a batch has only 'checks'");
  if (checks.size() > config.max_batch) {
    return ErrorResponse(413, "batch_too_large",
                         "at most " + std::to_string(config.max_batch) + " checks per batch");
  }
  // A malformed check gets its own error in place of its results, so one bad
  // item cannot hide the others' answers; the limits hold before any work.
  std::vector<engine::DecisionRequest> requests(checks.size());
  std::vector<ojson> item_errors(checks.size());  // null: the check is well formed
  size_t decisions = 0;
  std::string error;
  for (size_t i = 0; i < checks.size(); ++i) {
    const std::string where = "checks[" + std::to_string(i) + "]: ";
    if (!api::ParseDecisionRequest(checks[i], true, &requests[i], &error)) {
      item_errors[i] = ItemError("invalid_request", where + error);
    } else if (requests[i].actions.size() > config.max_actions) {
      item_errors[i] =
          ItemError("too_many_actions",
                    where + TooManyActions(requests[i].actions.size(), config.max_actions));
    } else {
      decisions += requests[i].actions.size();
    }
  }
  if (decisions > config.max_decisions) return TooManyDecisions(decisions, config.max_decisions);
  DecisionRun run(c);
  ojson results = ojson::array();
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!item_errors[i].is_null()) {
      results.push_back(std::move(item_errors[i]));
      continue;
    }
    const engine::Decision& d = run.Decide(requests[i]);
    if (!d.refusals.empty()) return Refused(d, "checks", static_cast<long>(i));
    results.push_back({{"results", api::ResultsToJson(d, run.reasons())}});
  }
  return run.Answer(c.metrics, 200,
                    {{"policy_version", c.snapshot->revision},
                     {"entity_version", run.entity_version()},
                     {"request_id", c.request.request_id},
                     {"results", results}});
}

// The declared actions of `page`, in declaration order: those after the
// action named by the token, at most `limit`; `next` names the last when more remain.
bool PageOfActions(const engine::PolicySet& policies, const engine::QueryPage& page,
                   std::vector<std::string>* actions, std::string* next, std::string* error) {
  const auto& declared = policies.actions();
  size_t start = 0;
  if (!page.after_id.empty()) {
    while (start < declared.size() && declared[start].name.string_value() != page.after_id) {
      ++start;
    }
    if (start == declared.size()) {
      *error = "'page.token' names no declared action (a token from another policy version?)";
      return false;
    }
    ++start;
  }
  for (size_t i = start; i < declared.size() && actions->size() < page.limit; ++i) {
    actions->push_back(declared[i].name.string_value());
  }
  if (start + actions->size() < declared.size() && !actions->empty()) *next = actions->back();
  return true;
}

// One check (`all` false) or every declared action (`all` true).
HttpResponse Decide(const RouteContext& c, bool all) {
  const json& body = *c.body;
  if (all && body.contains("actions")) {
    return ErrorResponse(400, "invalid_request",
                         "allowed-actions decides every declared action; leave out 'actions'");
  }
  engine::DecisionRequest req;
  std::string error;
  // allowed-actions with a `page`: the declared actions in order, a page of them.
  const bool paged = all && body.contains("page");
  std::string next_token;
  if (paged) {
    engine::QueryPage page;
    error = ParseQueryPage(body, &page);
    if (!error.empty()) return ErrorResponse(400, "invalid_request", error);
    json rest = body;
    rest.erase("page");
    if (!api::ParseDecisionRequest(rest, false, &req, &error)) {
      return ErrorResponse(400, "invalid_request", error);
    }
    if (!PageOfActions(*c.snapshot->policies, page, &req.actions, &next_token, &error)) {
      return ErrorResponse(400, "invalid_request", error);
    }
  } else if (!api::ParseDecisionRequest(body, !all, &req, &error)) {
    return ErrorResponse(400, "invalid_request", error);
  }
  if (req.actions.size() > c.config.max_actions) {
    return ErrorResponse(413, "too_many_actions",
                         TooManyActions(req.actions.size(), c.config.max_actions));
  }
  if (req.actions.size() > c.config.max_decisions) {
    return TooManyDecisions(req.actions.size(), c.config.max_decisions);
  }
  DecisionRun run(c);
  // A page past the last action decides nothing (no actions would mean all).
  const engine::Decision d = paged && req.actions.empty()
                                 ? engine::Decision{c.snapshot->revision, {}, {}}
                                 : run.Decide(req);
  if (!d.refusals.empty()) return Refused(d);
  if (!all) {
    ojson out = api::DecisionToJson(d, run.reasons(), run.entity_version());
    out["request_id"] = c.request.request_id;
    return run.Answer(c.metrics, 200, out);
  }
  ojson allowed = ojson::array(), denied = ojson::object();
  for (const auto& r : d.results) {
    if (r.allowed) {
      allowed.push_back(r.action);
    } else {
      ojson entry = ojson::object();
      api::AddReasons(r.reasons, run.reasons(), &entry);
      denied[r.action] = std::move(entry);
    }
  }
  ojson out = {{"policy_version", d.revision},
               {"entity_version", run.entity_version()},
               {"request_id", c.request.request_id},
               {"allowed", allowed},
               {"denied", denied}};
  if (!next_token.empty()) out["next_page_token"] = next_token;
  return run.Answer(c.metrics, 200, out);
}

HttpResponse Check(const RouteContext& c) {
  return c.body->contains("checks") ? Batch(c) : Decide(c, false);
}

// /v1/check's hot path: a plain body (api/check_body.h) read from its bytes
// and answered in text, the same bytes Check() would give; anything else,
// and a request over a limit, goes to Check().
std::optional<HttpResponse> FastCheck(const RouteContext& c) {
  api::CheckBody body;
  if (!api::ReadCheckBody(c.request.body, &body)) return std::nullopt;
  const ServerConfig& config = c.config;
  if (body.batch && body.checks.size() > config.max_batch) return std::nullopt;
  size_t decisions = 0;
  for (const engine::DecisionRequest& check : body.checks) {
    if (check.actions.size() > config.max_actions) return std::nullopt;
    decisions += check.actions.size();
  }
  if (decisions > config.max_decisions) return std::nullopt;
  DecisionRun run(c);
  api::DecisionWriter writer(run.reasons());
  std::string out;
  // An answer runs to about twice its request (longer for denies): grown once, not a dozen times.
  out.reserve(2 * c.request.body.size() + 256);
  out += "{\"policy_version\":";
  auto versions = [&](const std::string& revision) {
    api::AppendJsonString(revision, &out);
    out += ",\"entity_version\":";
    out += std::to_string(run.entity_version());
  };
  if (!body.batch) {
    const engine::Decision& d = run.Decide(body.checks.front());
    if (!d.refusals.empty()) return Refused(d);
    versions(d.revision);
    out += ",\"results\":";
    writer.Results(d, &out);
    out += ",\"request_id\":";
    api::AppendJsonString(c.request.request_id, &out);
    out += '}';
    return run.Answer(c.metrics, 200, std::move(out));
  }
  versions(c.snapshot->revision);
  out += ",\"request_id\":";
  api::AppendJsonString(c.request.request_id, &out);
  out += ",\"results\":[";
  for (size_t i = 0; i < body.checks.size(); ++i) {
    const engine::Decision& d = run.Decide(body.checks[i]);
    if (!d.refusals.empty()) return Refused(d, "checks", static_cast<long>(i));
    out += i == 0 ? "{\"results\":" : ",{\"results\":";
    writer.Results(d, &out);
    out += '}';
  }
  out += "]}";
  return run.Answer(c.metrics, 200, std::move(out));
}

HttpResponse AllowedActions(const RouteContext& c) {
  return Decide(c, true);
}

}  // namespace

std::vector<Route> NativeRoutes() {
  using A = Route::Access;
  using B = Route::Body;
  return {
      {"POST", "/v1/check", "check", A::kDecision, B::kJsonObject,
       "Decide actions for one principal and resource, or a batch of checks",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "oneOf": [{"$ref": "#/components/schemas/CheckRequest"}, {"$ref": "#/components/schemas/BatchRequest"}]}}}},
        "responses": {
          "200": {"description": "Decisions", "content": {"application/json": {"schema": {
            "oneOf": [{"$ref": "#/components/schemas/Decision"}, {"$ref": "#/components/schemas/BatchDecision"}]}}}},
          "413": {"description": "body_too_large, batch_too_large (over --max-batch checks), too_many_actions (one check over --max-actions) or too_many_decisions (actions summed over the checks over --max-decisions); refused before any decision", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }})json",
       &Check, &FastCheck},
      {"POST", "/v1/allowed-actions", "allowed_actions", A::kDecision, B::kJsonObject,
       "Every declared action the principal may do on the resource, with reasons for the rest",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Entities"}}}},
        "responses": {
          "200": {"description": "Allowed and denied actions", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AllowedActions"}}}}
        }})json",
       &AllowedActions},
  };
}

}  // namespace castellan::server
