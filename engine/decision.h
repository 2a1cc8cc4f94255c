// Decide(): the answer to "may this principal do these actions on this
// resource?", with reasons a person can act on.
//
// Semantics (docs/decisions.md has the full account):
//  - default deny: an action is allowed only when an allow rule matches and
//    nothing below objects;
//  - the request may not override what the store says about an entity, nor
//    give attributes or parameters its declarations refuse
//    (engine/trust_boundary.h): such a request is refused as a whole
//    (Decision::refusals) and every action denies;
//  - an unknown action, principal or role denies; so does a resource of a
//    kind the store holds whose id it does not know, unless it is proposed
//    (`new: true`);
//  - the principal must be in scope for the resource's organization (its own,
//    or one its role bindings cover) and hold every permission of the
//    action's `requires` closure there;
//  - a step_up action needs context.otp_fresh == true;
//  - an applicable deny rule overrides any allow; a deny rule whose condition
//    fails to evaluate applies (fail closed), an allow rule whose condition
//    fails does not match;
//  - conditions draw on an EvaluationBudget: one that runs out is such a
//    failure, with the reason evaluation_budget_exceeded, and once the
//    budget is spent every remaining action denies with that reason unevaluated.
// Decide() never throws and takes no locks; it reads the immutable PolicySet
// and the EntityStore only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/entity_store.h"
#include "engine/evaluation_budget.h"
#include "engine/policy_set.h"
#include "engine/reason_code.h"
#include "engine/trust_boundary.h"
#include "engine/value.h"

namespace castellan::engine {

struct DecisionRequest {
  // Maps of attributes. Entities the store knows are named by `id` (the
  // resource also by `kind`) and take their stored attributes; the request
  // may add only what the trust boundary allows. An entity taken inline (a
  // `source: request` kind, a resource with `new: true`) carries them all:
  // the principal `id`, `org`, usually `roles` (names or {role, access,
  // permissions} bindings), `status`, `permissions` (a customised set) and
  // `customer_access`; the resource `org` and usually `kind` and `id`.
  Value principal;
  Value resource;
  Value context;  // a map, or null for `{}`; context.now (RFC 3339) fixes the time
  // The actions to decide, in order; empty means every declared action.
  std::vector<std::string> actions;
  // The actions' parameters (`params` in rules): a map, or null for `{}`.
  Value params = Value();
};

// One reason an action was denied (or, for a rule reason, why a rule applied).
struct Reason {
  ReasonCode code = ReasonCode::kInvalidRequest;
  // A deny rule's own `reason` code (kDeniedByRule only); empty when it names none.
  std::string rule_reason;
  std::string message;
  const CompiledRule* rule = nullptr;  // the rule that gave this reason, if any
  std::string permission;              // missing_permission
  std::string required_by;             // missing_permission: the action or permission
  std::string organization;            // out_of_scope
  std::string condition;               // condition_false / evaluation_error: source text

  // The code on the wire: the rule's own reason when it gives one, else the enum's name.
  std::string_view Code() const {
    return rule_reason.empty() ? ReasonCodeName(code) : std::string_view(rule_reason);
  }
};

struct ActionDecision {
  std::string action;
  bool allowed = false;
  const CompiledRule* rule = nullptr;        // the deciding rule: the allow that matched, or
                                             // the first deny that applied; null otherwise
  std::vector<Reason> reasons;               // empty when allowed
  std::vector<const CompiledRule*> applied;  // every rule whose condition held (coverage)
};

struct Decision {
  std::string revision;                 // the policy set's content hash
  std::vector<ActionDecision> results;  // in request order
  // Not empty: the request is refused as a whole (the server answers 400)
  // and every result denies with invalid_request, so a caller that ignores
  // refusals still fails closed.
  std::vector<Refusal> refusals;
};

// What a caller wants of a decision besides the answers.
struct DecideOptions {
  // Reasons for denied actions: kFull (today's codes, messages and details), kCodes (codes
  // and structured fields — permission, organization, rule — with empty messages).
  enum class Reasons : uint8_t { kFull, kCodes } reasons = Reasons::kFull;
  bool coverage = true;  // fill ActionDecision::applied
};

// Decides into `out`, reusing the capacity of its vectors and strings. With `out` reused
// across calls on one thread, an ALLOWED decision allocates nothing on the heap (the peers'
// RBAC scenario, a stored principal and resource named by id, context.now given).
void DecideInto(const PolicySet& policies, const EntityStore& entities,
                const DecisionRequest& request, EvaluationBudget& budget,
                const DecideOptions& options, Decision& out);

// Spends from `budget`, which the caller shares between all the decisions of
// one request (a batch's checks and actions) so that their total work is bounded.
Decision Decide(const PolicySet& policies, const EntityStore& entities,
                const DecisionRequest& request, EvaluationBudget& budget);
// With a fresh budget of the default limits.
Decision Decide(const PolicySet& policies, const EntityStore& entities,
                const DecisionRequest& request);

// "file:line" of a rule, for reasons and reports.
std::string RuleLocation(const CompiledRule& rule);

}  // namespace castellan::engine
