// The OpenID AuthZEN Authorization API 1.0 mapped onto native decisions.
//
// subject -> principal (id, plus `properties` as attributes; `type` must be
// "user", the principal kind, or "identity", the gateway interop's name for it), resource ->
// resource (type becomes kind, id, plus `properties`, where `new: true` proposes an entity the
// store does not hold; a member beside type and id is a property only when the kind's EntityKind
// declares it `from: request|both`, as draft 00 wrote them; one given both ways is an error),
// action.name -> the action, action.properties -> params, context -> context. A decision answers
// {"decision", "context":
// {"policy_version", "rule"?, "reasons"?}}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/decision_json.h"
#include "engine/decision.h"
#include "engine/policy_set.h"

namespace castellan::server {

// One AuthZEN subject, resource or context converted to its native value, or
// why it could not be. An Access Evaluations request converts the members it
// gives at its top level once and shares them with every item that gives
// none of its own, instead of converting a large default per item.
// The subject.type of a principal: principals are users. The AuthZEN
// API-gateway interop names the same principal "identity" (a gateway knows an
// authenticated id, not its kind); it is accepted as a synonym and decided as
// that user, never as another kind.
inline constexpr const char* kPrincipalKind = "user";
inline constexpr const char* kIdentitySubjectType = "identity";

struct AuthZenMember {
  static AuthZenMember Subject(const nlohmann::json& subject);
  // `policies` gives the resource kind's EntityKind (for draft 00's members).
  static AuthZenMember Resource(const nlohmann::json& resource, const engine::PolicySet& policies);
  static AuthZenMember Context(const nlohmann::json& context);

  bool ok = false;
  engine::Value value;
  std::string error;  // names the member, when !ok
};

// Fills `out` (one action) from the four AuthZEN members; false with `error`
// naming the first malformed member (subject, resource, action, context).
bool FromAuthZen(const AuthZenMember& subject, const AuthZenMember& resource,
                 const nlohmann::json& action, const AuthZenMember& context,
                 engine::DecisionRequest* out, std::string* error);
bool FromAuthZen(const nlohmann::json& subject, const nlohmann::json& resource,
                 const nlohmann::json& action, const nlohmann::json& context,
                 const engine::PolicySet& policies, engine::DecisionRequest* out,
                 std::string* error);

// context carries policy_version, entity_version, the rule and the reasons
// `reasons` lets through; context.reasons_omitted counts the rest.
nlohmann::ordered_json AuthZenDecision(const engine::ActionDecision& decision,
                                       const std::string& revision, uint64_t entity_version,
                                       api::ReasonQuota& reasons);

// options.evaluations_semantic of an Access Evaluations request (7.1.2.1).
enum class EvaluationsSemantic { kExecuteAll, kDenyOnFirstDeny, kPermitOnFirstPermit };

// Reads `body.options.evaluations_semantic` (default execute_all).
bool ParseEvaluationsSemantic(const nlohmann::json& body, EvaluationsSemantic* out,
                              std::string* error);

// Whether an evaluation with this outcome ends the batch.
inline bool StopsAfter(EvaluationsSemantic semantic, bool permitted) {
  return (semantic == EvaluationsSemantic::kDenyOnFirstDeny && !permitted) ||
         (semantic == EvaluationsSemantic::kPermitOnFirstPermit && permitted);
}

}  // namespace castellan::server
