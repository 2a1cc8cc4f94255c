// A deliberately simple reference evaluator for the decision semantics of
// docs/decisions.md, used to test the compiled engine differentially.
//
// It walks the checked policy source (dsl::PolicySource as the loader
// produces it) on every call: no indexes, no permission bit sets, no compiled
// programs, no caches. Conditions are evaluated by walking the dsl::Expr tree;
// only the leaf functions (CEL's standard library, role.*, permission.*) are
// the engine's FunctionRegistry implementations, because expression semantics
// are the CEL conformance suite's business and this model's is the policy
// level. group.contains, org, user and lookup are its own.
//
// Supported expressions: constants, variables, field selection, has(),
// &&, ||, ?:, list and map literals, calls and the comprehension macros.
#pragma once

#include <string>
#include <vector>

#include "dsl/policy.h"
#include "engine/decision.h"
#include "engine/entity_store.h"

namespace castellan::reference {

// One reason, reduced to what the differential compares: everything but the
// human-readable message (whose wording, including evaluator error texts, is
// presentation).
struct RefReason {
  std::string code;
  std::string permission;    // missing_permission
  std::string required_by;   // missing_permission
  std::string organization;  // out_of_scope
  std::string condition;     // condition_false / evaluation_error
  std::string rule;          // "policy/rule" of the rule that gave it, or empty
  friend bool operator==(const RefReason&, const RefReason&) = default;
};

struct RefActionDecision {
  std::string action;
  bool allowed = false;
  std::string rule;  // "policy/rule" of the deciding rule, or empty
  std::vector<RefReason> reasons;
  friend bool operator==(const RefActionDecision&, const RefActionDecision&) = default;
};

// Decides `request` against `source` and `entities`, in request order (every
// declared action, in declaration order, when the request names none).
std::vector<RefActionDecision> ReferenceDecide(const dsl::PolicySource& source,
                                               const engine::EntityStore& entities,
                                               const engine::DecisionRequest& request);

// The engine's answer in the same reduced form, for comparison.
std::vector<RefActionDecision> Reduce(const engine::Decision& decision);

// One line per action, e.g. `x.view: deny [missing_permission(p1 by x.view), r/deny1]`.
std::string ToString(const std::vector<RefActionDecision>& decisions);

}  // namespace castellan::reference
