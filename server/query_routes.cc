// The native query routes: /v1/allowed-resources (which resources of a kind
// may a principal act on) and /v1/allowed-subjects (who may act on a
// resource), answered by engine/query.h. Shapes: docs/queries.md.
#include <memory>
#include <string>

#include "api/decision_json.h"
#include "api/json_value.h"
#include "engine/entity_snapshot.h"
#include "engine/query.h"
#include "server/decision_run.h"
#include "server/json_response.h"
#include "server/query_page.h"
#include "server/route.h"

namespace castellan::server {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

HttpResponse Invalid(const std::string& message) {
  return ErrorResponse(400, "invalid_request", message);
}

// Checks the fields every query shares: only `allowed` keys, a declared
// `action`, an object `context`, the `page`. Empty when they are good.
std::string CheckCommon(const RouteContext& c, std::initializer_list<const char*> allowed,
                        std::string* action, engine::Value* context, engine::QueryPage* page) {
  const json& body = *c.body;
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* a : allowed) known |= key == a;
    if (!known) return "unknown field '" + key + "'";
  }
  const auto it = body.find("action");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return "'action' must be an action name";
  }
  *action = it->get<std::string>();
  if (!c.snapshot->policies->FindAction(*action)) return "unknown action '" + *action + "'";
  if (const auto ctx = body.find("context"); ctx != body.end()) {
    if (!ctx->is_object() && !ctx->is_null()) return "'context' must be an object";
    *context = api::FromJson(*ctx);
  }
  return ParseQueryPage(body, page);
}

std::shared_ptr<const engine::EntitySnapshot> Entities(const RouteContext& c) {
  return std::dynamic_pointer_cast<const engine::EntitySnapshot>(c.snapshot->entities);
}

HttpResponse Answer(const RouteContext& c, const engine::QueryResult& r, const char* list_name,
                    ojson list) {
  if (!r.refusals.empty()) {
    engine::Decision d;
    d.refusals = r.refusals;
    return Refused(d);
  }
  ojson body = {{"policy_version", c.snapshot->revision},
                {"entity_version", c.snapshot->entity_version},
                {"request_id", c.request.request_id},
                {list_name, std::move(list)}};
  if (!r.next_after_id.empty()) body["next_page_token"] = r.next_after_id;
  body["examined"] = r.examined;
  return JsonResponse(200, body);
}

HttpResponse AllowedResources(const RouteContext& c) {
  const json& body = *c.body;
  std::string action;
  engine::Value context;
  engine::QueryPage page;
  std::string error =
      CheckCommon(c, {"principal", "resource_kind", "resource", "action", "context", "page"},
                  &action, &context, &page);
  if (!error.empty()) return Invalid(error);
  const auto principal = body.find("principal");
  if (principal == body.end() || !principal->is_object() || !principal->contains("id") ||
      !(*principal)["id"].is_string()) {
    return Invalid("'principal' must be an object with a string \"id\"");
  }
  std::string kind;
  const bool by_kind = body.contains("resource_kind"), by_resource = body.contains("resource");
  if (by_kind == by_resource) {
    return Invalid("give the kind as 'resource_kind' or as 'resource': {\"kind\"}, once");
  }
  const json& k = by_kind ? body["resource_kind"] : body["resource"];
  if (by_kind && k.is_string()) {
    kind = k.get<std::string>();
  } else if (by_resource && k.is_object() && k.size() == 1 && k.contains("kind") &&
             k["kind"].is_string()) {
    kind = k["kind"].get<std::string>();
  }
  if (kind.empty()) {
    return Invalid(by_kind ? "'resource_kind' must be a kind name"
                           : "'resource' must be {\"kind\": <kind name>} only");
  }
  const auto entities = Entities(c);
  if (!entities) return ErrorResponse(503, "not_ready", "no entity snapshot is loaded");
  const engine::QueryResult r =
      engine::AllowedResources(*entities, api::FromJson(*principal), kind, action, context, page);
  ojson list = ojson::array();
  for (const std::string& id : r.ids) list.push_back({{"kind", kind}, {"id", id}});
  return Answer(c, r, "resources", std::move(list));
}

HttpResponse AllowedSubjects(const RouteContext& c) {
  const json& body = *c.body;
  std::string action;
  engine::Value context;
  engine::QueryPage page;
  std::string error =
      CheckCommon(c, {"resource", "action", "context", "page"}, &action, &context, &page);
  if (!error.empty()) return Invalid(error);
  const auto resource = body.find("resource");
  if (resource == body.end() || !resource->is_object() || !resource->contains("kind") ||
      !(*resource)["kind"].is_string() || !resource->contains("id") ||
      !(*resource)["id"].is_string()) {
    return Invalid("'resource' must be an object with a string \"kind\" and \"id\"");
  }
  const auto entities = Entities(c);
  if (!entities) return ErrorResponse(503, "not_ready", "no entity snapshot is loaded");
  const engine::QueryResult r =
      engine::AllowedSubjects(*entities, api::FromJson(*resource), action, context, page);
  ojson list = ojson::array();
  for (const std::string& id : r.ids) list.push_back({{"id", id}});
  return Answer(c, r, "subjects", std::move(list));
}

}  // namespace

std::vector<Route> QueryRoutes() {
  using A = Route::Access;
  using B = Route::Body;
  return {
      {"POST", "/v1/allowed-resources", "allowed_resources", A::kDecision, B::kJsonObject,
       "The resources of a kind a principal may do an action on, complete and paged",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
          "required": ["principal", "action"],
          "properties": {"principal": {"type": "object"}, "resource_kind": {"type": "string"},
            "resource": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "action": {"type": "string"}, "context": {"type": "object"},
            "page": {"type": "object", "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "token": {"type": "string"}}}}}}}},
        "responses": {
          "200": {"description": "{policy_version, entity_version, request_id, resources: [{kind, id}], next_page_token?, examined}: ids in order; the token is absent on the last page", "content": {"application/json": {"schema": {"type": "object"}}}}
        }})json",
       &AllowedResources},
      {"POST", "/v1/allowed-subjects", "allowed_subjects", A::kDecision, B::kJsonObject,
       "The users who may do an action on a resource, complete and paged",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
          "required": ["resource", "action"],
          "properties": {"resource": {"type": "object"}, "action": {"type": "string"},
            "context": {"type": "object"}, "page": {"type": "object", "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "token": {"type": "string"}}}}}}}},
        "responses": {
          "200": {"description": "{policy_version, entity_version, request_id, subjects: [{id}], next_page_token?, examined}: ids in order; the token is absent on the last page", "content": {"application/json": {"schema": {"type": "object"}}}}
        }})json",
       &AllowedSubjects},
  };
}

}  // namespace castellan::server
