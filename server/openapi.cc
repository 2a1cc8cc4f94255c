// The OpenAPI 3 document of the HTTP API. tests/server/openapi_test.cc checks
// that every route of DecisionApi::Routes() is described here.
#include "server/decision_api.h"

namespace castellan::server {

const std::string& DecisionApi::OpenApiDocument() {
  static const std::string document = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "Castellan",
    "version": "0.1.0",
    "description": "Authorization decisions for multi-tenant partner portals: allow or deny, the deciding rule, and reasons a person can act on. Request bodies are application/json (parameters such as charset allowed) and are read strictly: a key twice in one object (duplicate_key), a NUL byte (invalid_json) or nesting deeper than 64 (nesting_too_deep) is a 400, so no proxy in front can read a body differently."
  },
  "paths": {
    "/v1/check": {
      "post": {
        "summary": "Decide actions for one principal and resource, or a batch of checks",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "oneOf": [{"$ref": "#/components/schemas/CheckRequest"}, {"$ref": "#/components/schemas/BatchRequest"}]}}}},
        "responses": {
          "200": {"description": "Decisions", "content": {"application/json": {"schema": {
            "oneOf": [{"$ref": "#/components/schemas/Decision"}, {"$ref": "#/components/schemas/BatchDecision"}]}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "413": {"description": "body_too_large, batch_too_large (over --max-batch checks), too_many_actions (one check over --max-actions) or too_many_decisions (actions summed over the checks over --max-decisions); refused before any decision", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "415": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/allowed-actions": {
      "post": {
        "summary": "Every declared action the principal may do on the resource, with reasons for the rest",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Entities"}}}},
        "responses": {
          "200": {"description": "Allowed and denied actions", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AllowedActions"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/access/v1/evaluation": {
      "post": {
        "summary": "AuthZEN 1.0 Access Evaluation",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuthZenEvaluation"}}}},
        "responses": {
          "200": {"description": "The decision", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuthZenDecision"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/access/v1/evaluations": {
      "post": {
        "summary": "AuthZEN 1.0 Access Evaluations (batch)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuthZenEvaluations"}}}},
        "responses": {
          "200": {"description": "Decisions in request order (cut short by deny_on_first_deny or permit_on_first_permit)", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"evaluations": {"type": "array", "items": {"$ref": "#/components/schemas/AuthZenDecision"}}}}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "413": {"description": "body_too_large, batch_too_large (over --max-batch) or too_many_decisions (over --max-decisions)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "415": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/.well-known/authzen-configuration": {
      "get": {"summary": "AuthZEN PDP metadata", "responses": {"200": {"description": "Metadata", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    },
    "/v1/policies": {
      "get": {"summary": "The policy revision serving, its files and the last reload result", "responses": {"200": {"description": "Policy status", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    },
    "/v1/policies/reload": {
      "post": {
        "summary": "Reload policies and entities; on errors the old set keeps serving",
        "security": [{"bearer": []}],
        "responses": {
          "200": {"description": "Reloaded", "content": {"application/json": {"schema": {"type": "object"}}}},
          "401": {"$ref": "#/components/responses/Error"},
          "422": {"description": "Rejected with diagnostics (file:line:column); the old revision keeps serving", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    },
    "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "Alive"}}}},
    "/readyz": {"get": {"summary": "Readiness: a policy set is loaded", "responses": {"200": {"description": "Ready"}, "503": {"$ref": "#/components/responses/Error"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "Text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/v1/openapi.json": {"get": {"summary": "This API as an OpenAPI 3 document", "responses": {"200": {"description": "This document"}}}}
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "responses": {
      "Error": {"description": "An error (the body is refused whole: invalid_json, duplicate_key, nesting_too_deep, invalid_request, ...)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "example": "duplicate_key", "description": "invalid_json, duplicate_key (a key twice in one object), nesting_too_deep, invalid_request, body_too_large, batch_too_large, too_many_actions, too_many_decisions, unsupported_media_type, unauthorized, not_found, method_not_allowed, not_ready, reload_failed, internal"},
        "message": {"type": "string", "example": "line 1, column 32: duplicate key \"id\" in /principal"}}}}},
      "Entities": {"type": "object", "required": ["principal", "resource"], "properties": {
        "principal": {"type": "object", "description": "At least an id (a string); stored attributes are merged in", "properties": {"id": {"type": "string"}}},
        "resource": {"type": "object", "description": "kind and id (strings), or inline attributes with org", "properties": {"kind": {"type": "string"}, "id": {"type": "string"}}},
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
      "AuthZenEntity": {"type": "object", "required": ["type", "id"], "properties": {"type": {"type": "string"}, "id": {"type": "string"}, "properties": {"type": "object"}}},
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
  return document;
}

}  // namespace castellan::server
