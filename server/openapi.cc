#include "server/openapi.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "engine/reason_code.h"

namespace castellan::server {
namespace {

using ojson = nlohmann::ordered_json;

// Everything but the paths, which come from the route table.
constexpr const char* kBase = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "Castellan",
    "version": "0.1.0",
    "description": "Authorization decisions for multi-tenant partner portals: allow or deny, the deciding rule, and reasons a person can act on. Request bodies are application/json (parameters such as charset allowed) and are read strictly: a key twice in one object (duplicate_key), a NUL byte (invalid_json) or nesting deeper than 64 (nesting_too_deep) is a 400, so no proxy in front can read a body differently."
  },
  "paths": {},
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "responses": {
      "Error": {"description": "An error (the body is refused whole: invalid_json, duplicate_key, nesting_too_deep, invalid_request, attribute_not_overridable, ...)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "example": "duplicate_key", "description": "invalid_json, duplicate_key (a key twice in one object), nesting_too_deep, invalid_request, attribute_not_overridable (the request gives an attribute only the store may give), body_too_large, batch_too_large, too_many_actions, too_many_decisions, unsupported_media_type, unauthorized, not_found, method_not_allowed, not_ready, reload_failed, internal"},
        "message": {"type": "string", "example": "line 1, column 32: duplicate key \"id\" in /principal"},
        "entity": {"type": "string", "description": "A refused request: the entity at fault (principal 'id', resource kind/'id')"},
        "attribute": {"type": "string", "description": "A refused request: the attribute or parameter at fault"},
        "item": {"type": "integer", "description": "A refused batch: the index of the check that refused it"},
        "problems": {"type": "array", "description": "A refused request: every refusal", "items": {"type": "object", "properties": {"code": {"type": "string"}, "entity": {"type": "string"}, "attribute": {"type": "string"}, "message": {"type": "string"}}}}}}}},
      "Entities": {"type": "object", "required": ["principal", "resource"], "properties": {
        "principal": {"type": "object", "description": "A stored user's id (or alias); the store says its attributes, and the request may add only what the trust boundary allows", "properties": {"id": {"type": "string"}}},
        "resource": {"type": "object", "description": "kind and id of a stored entity, of a request-only kind (with its attributes), or a proposed one with new: true", "properties": {"kind": {"type": "string"}, "id": {"type": "string"}, "new": {"type": "boolean"}}},
        "params": {"type": "object", "description": "The requested actions' parameters (rules read params.<name>)"},
        "context": {"type": "object", "description": "now (RFC 3339), otp_fresh, and anything rules read"}}},
      "CheckRequest": {"allOf": [{"$ref": "#/components/schemas/Entities"}, {"type": "object", "required": ["actions"], "properties": {"actions": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 100, "description": "At most --max-actions (100)"}}}]},
      "BatchRequest": {"type": "object", "required": ["checks"], "properties": {"checks": {"type": "array", "items": {"$ref": "#/components/schemas/CheckRequest"}, "minItems": 1, "maxItems": 1000, "description": "At most --max-batch (1,000) checks, and at most --max-decisions (5,000) actions summed over them"}}},
      "Reason": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "example": "missing_permission"}, "message": {"type": "string"},
        "permission": {"type": "string"}, "required_by": {"type": "string"}, "organization": {"type": "string"},
        "rule": {"type": "string"}, "location": {"type": "string"}, "condition": {"type": "string"}}},
      "ActionDecision": {"type": "object", "properties": {
        "effect": {"type": "string", "enum": ["allow", "deny"]},
        "rule": {"type": "object", "nullable": true, "properties": {"name": {"type": "string"}, "policy": {"type": "string"}, "location": {"type": "string"}}},
        "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
        "reasons_omitted": {"type": "integer", "description": "Reasons left out past --max-reasons (16 per action) or --max-response-reasons (10000 per response); absent when none are"}}},
      "Decision": {"type": "object", "properties": {
        "policy_version": {"type": "string"}, "request_id": {"type": "string"},
        "results": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ActionDecision"}}}},
      "BatchDecision": {"type": "object", "properties": {
        "policy_version": {"type": "string"}, "request_id": {"type": "string"},
        "results": {"type": "array", "description": "One item per check, in request order", "items": {"$ref": "#/components/schemas/BatchItem"}}}},
      "BatchItem": {"oneOf": [
        {"type": "object", "required": ["results"], "properties": {"results": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ActionDecision"}}}},
        {"allOf": [{"$ref": "#/components/schemas/Error"}], "description": "This check alone was malformed (invalid_request) or asked for too many actions (too_many_actions); the others are decided"}]},
      "AllowedActions": {"type": "object", "properties": {
        "policy_version": {"type": "string"}, "request_id": {"type": "string"},
        "allowed": {"type": "array", "items": {"type": "string"}},
        "denied": {"type": "object", "additionalProperties": {"type": "object", "properties": {"reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}}, "reasons_omitted": {"type": "integer"}}}}}},
      "AuthZenEntity": {"type": "object", "required": ["type", "id"], "description": "Other members are ignored, except a resource member its kind's EntityKind declares from: request or both (draft 00), taken as a property; given in properties too, a 400", "properties": {"type": {"type": "string"}, "id": {"type": "string"}, "properties": {"type": "object"}}},
      "AuthZenEvaluation": {"type": "object", "required": ["subject", "resource", "action"], "properties": {
        "subject": {"$ref": "#/components/schemas/AuthZenEntity"}, "resource": {"$ref": "#/components/schemas/AuthZenEntity"},
        "action": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}, "context": {"type": "object"}}},
      "AuthZenEvaluations": {"type": "object", "properties": {
        "subject": {"$ref": "#/components/schemas/AuthZenEntity"}, "resource": {"$ref": "#/components/schemas/AuthZenEntity"},
        "action": {"type": "object"}, "context": {"type": "object"},
        "evaluations": {"type": "array", "items": {"type": "object"}},
        "options": {"type": "object", "properties": {"evaluations_semantic": {"type": "string", "enum": ["execute_all", "deny_on_first_deny", "permit_on_first_permit"]}}}}},
      "AuthZenDecision": {"type": "object", "required": ["decision"], "properties": {"decision": {"type": "boolean"}, "context": {"type": "object", "description": "policy_version, rule, reasons (at most --max-reasons, and --max-response-reasons in one response), reasons_omitted; for a malformed item error {status, message}"}}}
    }
  }
})json";

// A response of the shared Error shape, unless the route describes its own.
void AddError(ojson& responses, const char* status) {
  if (!responses.contains(status)) responses[status] = {{"$ref", "#/components/responses/Error"}};
}

// A template's `{name}` segments as path parameters, unless the route's own
// text describes them.
void AddPathParameters(const Route& route, ojson& op) {
  const std::string path = route.path;
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    const std::string name = path.substr(open + 1, path.find('}', open) - open - 1);
    ojson& params = op["parameters"];
    if (params.is_null()) params = ojson::array();
    bool described = false;
    for (const auto& p : params) described = described || (p.value("name", "") == name);
    if (described) continue;
    params.push_back({{"name", name},
                      {"in", "path"},
                      {"required", true},
                      {"schema", {{"type", "string"}}},
                      {"description", name == "kind" ? "organization, user, or a resource kind"
                                                     : "percent-encoded; decoded before use"}});
  }
}

ojson Operation(const Route& route) {
  ojson op = ojson::parse(route.openapi);
  AddPathParameters(route, op);
  ojson described = {{"summary", route.summary}, {"operationId", route.name}};
  described.update(op);
  using A = Route::Access;
  if (route.access == A::kAdmin || route.access == A::kEntityRead ||
      route.access == A::kEntityWrite) {
    described["security"] = ojson::array({{{"bearer", ojson::array()}}});
  } else if (route.access == A::kDecision || route.access == A::kAdminWhenTokenSet) {
    // Open unless a token protects it (--protect-decisions, or one configured).
    described["security"] = ojson::array({ojson::object(), {{"bearer", ojson::array()}}});
  }
  // Taken after the last new member: an ordered_json object is a vector.
  ojson& responses = described["responses"];
  if (route.access != A::kOpen) AddError(responses, "401");
  if (route.body == Route::Body::kJsonObject) {
    for (const char* status : {"400", "413", "415", "503"}) AddError(responses, status);
  }
  return described;
}

}  // namespace

std::string BuildOpenApiDocument(const RouteTable& table) {
  ojson doc = ojson::parse(kBase);
  for (const Route& route : table.routes()) {
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    doc["paths"][route.path][method] = Operation(route);
  }
  ojson codes = ojson::array();
  std::string list;
  for (const auto& info : engine::AllReasonCodes()) {
    codes.push_back(info.name);
    list += "; " + std::string(info.name) + ": " + std::string(info.summary);
  }
  // A deny rule may give its own code, so the built-in ones are listed, not enforced.
  ojson& code = doc["components"]["schemas"]["Reason"]["properties"]["code"];
  code["description"] = "A built-in code, or a deny rule's own `reason`" + list;
  code["anyOf"] = ojson::array({{{"enum", codes}}, {{"type", "string"}}});
  return doc.dump(2);
}

const std::string& ServiceOpenApiDocument() {
  static const std::string document = BuildOpenApiDocument(RouteTable::Service());
  return document;
}

}  // namespace castellan::server
