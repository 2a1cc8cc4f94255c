#include "engine/reason_code.h"

#include <array>

namespace castellan::engine {
namespace {

using C = ReasonCode;

constexpr std::array<ReasonCodeInfo, 14> kCodes = {{
    {C::kInvalidRequest, "invalid_request",
     "the resource, context, roles or context.now are malformed"},
    {C::kUnknownPrincipal, "unknown_principal",
     "no principal id, or one named by id alone that the store does not know"},
    {C::kUnknownResource, "unknown_resource",
     "a resource named by id (and kind) alone that the store does not know"},
    {C::kUnknownRole, "unknown_role", "the principal holds a role no policy declares"},
    {C::kUnknownAction, "unknown_action", "the action is not declared"},
    {C::kWrongResourceKind, "wrong_resource_kind",
     "the action is declared with on: and the resource is another kind"},
    {C::kOutOfScope, "out_of_scope",
     "the resource's organization is outside the principal's scope"},
    {C::kMissingPermission, "missing_permission",
     "a permission of the action's requires closure is not held there"},
    {C::kStepUpRequired, "step_up_required", "a step_up action without context.otp_fresh"},
    {C::kDeniedByRule, "denied_by_rule", "a deny rule applied and names no reason of its own"},
    {C::kEvaluationError, "evaluation_error",
     "a rule's condition could not be evaluated (fails closed)"},
    {C::kEvaluationBudgetExceeded, "evaluation_budget_exceeded",
     "a condition or the request ran out of its evaluation budget"},
    {C::kConditionFalse, "condition_false", "an allow rule's condition does not hold"},
    {C::kNoRuleMatched, "no_rule_matched", "no allow rule names the action"},
}};

constexpr bool InEnumOrder() {
  for (size_t i = 0; i < kCodes.size(); ++i) {
    if (static_cast<size_t>(kCodes[i].code) != i) return false;
  }
  return static_cast<size_t>(C::kNoRuleMatched) + 1 == kCodes.size();
}
static_assert(InEnumOrder(), "kCodes lists every ReasonCode once, in enum order");

}  // namespace

std::span<const ReasonCodeInfo> AllReasonCodes() {
  return kCodes;
}

std::string_view ReasonCodeName(ReasonCode code) {
  return kCodes[static_cast<size_t>(code)].name;
}

std::optional<ReasonCode> ParseReasonCode(std::string_view name) {
  for (const auto& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

}  // namespace castellan::engine
