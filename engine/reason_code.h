// ReasonCode: why an action was denied, as one enum with one table of wire
// names. decide.cc gives the codes, api/decision_json.cc writes their names,
// the OpenAPI document lists them and docs/decisions.md explains each (a test
// fails when it misses one). A deny rule may name its own code (`reason:` in
// the policy); that text replaces kDeniedByRule's name on the wire
// (Reason::Code() in decision.h).
//
// Plain values and a constant table: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace castellan::engine {

// In the order Decide() checks (docs/decisions.md, "The order of checks").
enum class ReasonCode : uint8_t {
  kInvalidRequest,
  kUnknownPrincipal,
  kUnknownResource,
  kUnknownRole,
  kUnknownAction,
  kWrongResourceKind,
  kOutOfScope,
  kMissingPermission,
  kStepUpRequired,
  kDeniedByRule,
  kEvaluationError,
  kEvaluationBudgetExceeded,
  kConditionFalse,
  kNoRuleMatched,
};

struct ReasonCodeInfo {
  ReasonCode code;
  std::string_view name;     // on the wire: "missing_permission"
  std::string_view summary;  // one line, for the OpenAPI document
};

// Every code, in enum order.
std::span<const ReasonCodeInfo> AllReasonCodes();

std::string_view ReasonCodeName(ReasonCode code);

// The code with this wire name; nullopt for any other text (a deny rule's own).
std::optional<ReasonCode> ParseReasonCode(std::string_view name);

}  // namespace castellan::engine
