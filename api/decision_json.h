// The JSON shapes of a decision request and of its answer (DESIGN.md §5).
//
//   request:  {"principal": {"id": "alice", ...}, "resource": {"kind": "customer",
//              "id": "contoso", ...}, "actions": ["backup_set.add"], "context": {...}}
//   answer:   {"policy_version": "…", "results": {"backup_set.add": {"effect": "deny",
//              "rule": null, "reasons": [{"code": "missing_permission", ...}]}}}
//
// Entities may be named by id only (their stored attributes are used) or
// carry their attributes inline.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/decision.h"

namespace castellan::api {

// Fills `out` from `body`; on a malformed request returns false and sets
// `error` to a message naming the offending field. When `require_actions`
// is false, a missing "actions" means every declared action.
bool ParseDecisionRequest(const nlohmann::json& body, bool require_actions,
                          engine::DecisionRequest* out, std::string* error);

nlohmann::ordered_json ReasonToJson(const engine::Reason& reason);
// {"effect", "rule", "reasons"} for one action.
nlohmann::ordered_json ActionDecisionToJson(const engine::ActionDecision& decision);
// {action: {"effect", ...}, ...} in request order.
nlohmann::ordered_json ResultsToJson(const engine::Decision& decision);
// {"policy_version", "results": {action: ...}} in request order.
nlohmann::ordered_json DecisionToJson(const engine::Decision& decision);

}  // namespace castellan::api
