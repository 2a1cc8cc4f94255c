// GET /v1/decisions: the decision log (server/decision_log.h), filtered and
// paged. Admin token. Shapes: docs/http-api.md, "Decision log".
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/time_value.h"
#include "server/decision_log.h"
#include "server/json_response.h"
#include "server/route.h"
#include "server/route_table.h"

namespace castellan::server {
namespace {

using ojson = nlohmann::ordered_json;

bool ParseTime(const std::string& text, std::chrono::system_clock::time_point* out) {
  std::string ignored;
  const auto t = engine::ParseTimestamp(text, &ignored);
  if (!t) return false;
  *out = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(t->seconds) + std::chrono::nanoseconds(t->nanos)));
  return true;
}

std::string FormatTime(std::chrono::system_clock::time_point t) {
  return engine::FormatTimestamp(
      engine::FromSystemClock(std::chrono::time_point_cast<std::chrono::microseconds>(t)));
}

bool ParseNumber(const std::string& text, uint64_t* out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size();
}

HttpResponse Decisions(const RouteContext& c) {
  if (!c.decision_log) {
    return ErrorResponse(404, "decision_log_off",
                         "the decision log is off (it needs a store; --decision-log on)");
  }
  storage::DecisionFilter filter;
  std::string error;
  std::vector<std::pair<std::string, std::string>> query;
  if (!ParseQuery(c.request.query, &query, &error)) {
    return ErrorResponse(400, "invalid_request", error);
  }
  for (const auto& [key, value] : query) {
    uint64_t n = 0;
    if (key == "principal") {
      filter.principal = value;
    } else if (key == "action") {
      filter.action = value;
    } else if (key == "resource") {
      const size_t slash = value.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == value.size()) {
        return ErrorResponse(400, "invalid_request", "resource is KIND/ID");
      }
      filter.resource_kind = value.substr(0, slash);
      filter.resource_id = value.substr(slash + 1);
    } else if (key == "effect") {
      if (value != "allow" && value != "deny") {
        return ErrorResponse(400, "invalid_request", "effect is allow or deny");
      }
      filter.effect = value;
    } else if (key == "from" || key == "to") {
      std::chrono::system_clock::time_point t;
      if (!ParseTime(value, &t)) {
        return ErrorResponse(400, "invalid_request", key + " is an RFC 3339 time");
      }
      (key == "from" ? filter.from : filter.to) = t;
    } else if (key == "limit") {
      if (!ParseNumber(value, &n) || n < 1 || n > 1000) {
        return ErrorResponse(400, "invalid_request", "limit is 1 to 1000");
      }
      filter.limit = n;
    } else if (key == "page_token") {
      if (!ParseNumber(value, &n)) {
        return ErrorResponse(400, "invalid_request",
                             "page_token is a next_page_token given before");
      }
      filter.after_seq = n;
    } else {
      return ErrorResponse(400, "invalid_request",
                           "unknown parameter '" + key +
                               "' (principal, action, resource, effect, from, to, limit, "
                               "page_token)");
    }
  }
  std::vector<storage::DecisionLogEntry> entries;
  uint64_t next = 0;
  const storage::Status s = c.decision_log->Query(filter, &entries, &next);
  if (!s.ok()) return StoreError(s);
  ojson list = ojson::array();
  for (const auto& e : entries) {
    list.push_back({{"seq", e.seq},
                    {"time", FormatTime(e.at)},
                    {"request_id", e.request_id},
                    {"principal", e.principal},
                    {"action", e.action},
                    {"resource", {{"kind", e.resource_kind}, {"id", e.resource_id}}},
                    {"effect", e.effect},
                    {"rule", e.rule.empty() ? ojson(nullptr) : ojson(e.rule)},
                    {"reasons", e.reasons},
                    {"policy_version", e.policy_revision},
                    {"entity_version", e.entity_version}});
  }
  ojson body = {{"decisions", list}};
  if (next != 0) body["next_page_token"] = std::to_string(next);
  return JsonResponse(200, body);
}

}  // namespace

std::vector<Route> DecisionLogRoutes() {
  using A = Route::Access;
  using B = Route::Body;
  return {
      {"GET", "/v1/decisions", "decisions", A::kAdmin, B::kNone,
       "The decision log: one entry per action decision, oldest first",
       R"json({"parameters": [
          {"name": "principal", "in": "query", "schema": {"type": "string"}},
          {"name": "action", "in": "query", "schema": {"type": "string"}},
          {"name": "resource", "in": "query", "schema": {"type": "string"}, "description": "KIND/ID"},
          {"name": "effect", "in": "query", "schema": {"type": "string", "enum": ["allow", "deny"]}},
          {"name": "from", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "At or after (RFC 3339)"},
          {"name": "to", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "Before (RFC 3339)"},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
          {"name": "page_token", "in": "query", "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "{decisions: [{seq, time, request_id, principal, action, resource: {kind, id}, effect, rule, reasons: [codes], policy_version, entity_version}], next_page_token?}", "content": {"application/json": {"schema": {"type": "object"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "404": {"description": "decision_log_off", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}})json",
       &Decisions},
  };
}

}  // namespace castellan::server
