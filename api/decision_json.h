// The JSON shapes of a decision request and of its answer (DESIGN.md §5).
//
//   request:  {"principal": {"id": "alice", ...}, "resource": {"kind": "customer",
//              "id": "contoso", ...}, "actions": ["backup_set.add"], "context": {...}}
//   answer:   {"policy_version": "…", "entity_version": 7,
//              "results": {"backup_set.add": {"effect": "deny",
//              "rule": null, "reasons": [{"code": "missing_permission", ...}]}}}
//
//   refused:  {"error": {"code": "attribute_not_overridable", "message", "entity",
//              "attribute", "problems": [{"code", "entity", "attribute", "message"}]}}
//
// Entities are named by id (their stored attributes are used; the request
// may add only what the trust boundary allows) or carry their attributes
// inline (a request-only kind, a resource with "new": true). "params" holds
// the actions' parameters.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/decision.h"

namespace castellan::api {

// Fills `out` from `body`; on a malformed request returns false and sets
// `error` to a message naming the offending field. When `require_actions`
// is false, a missing "actions" means every declared action. The fields that
// name an entity (principal.id, resource.id, resource.kind) must be strings
// when present: a number there is a mistake, not an unknown entity.
bool ParseDecisionRequest(const nlohmann::json& body, bool require_actions,
                          engine::DecisionRequest* out, std::string* error);

// Every reason, for the CLI; the server passes its --max-reasons.
constexpr size_t kAllReasons = std::numeric_limits<size_t>::max();
// A reason's message and organization may echo request values (an id, a role
// name); past this many bytes they are cut and end in "...".
constexpr size_t kMaxReasonTextBytes = 1024;

// How many reasons one answer may still show: at most `per_action` for each
// action and `per_answer` in all, so that the answer's size follows the
// request's decisions, not decisions times reasons (a batch of 5,000 denied
// actions with 16 reasons each was 4.8 MB and 130 ms of CPU to write). One
// quota serves a whole response; what it leaves out is counted.
class ReasonQuota {
 public:
  ReasonQuota(size_t per_action, size_t per_answer) : per_action_(per_action), left_(per_answer) {}
  // Every reason (the CLI).
  static ReasonQuota All() { return {kAllReasons, kAllReasons}; }

  // How many of `available` reasons to show now, taken from the answer's share.
  size_t Take(size_t available) {
    const size_t n = std::min({available, per_action_, left_});
    left_ -= n;
    return n;
  }

 private:
  size_t per_action_, left_;
};

// The body of the 400 a refused request gets (Decision::refusals): the first
// problem's code, entity and attribute, every message (after `where`, e.g.
// "checks[2]: ") and each problem. REQUIRES: !refusals.empty().
nlohmann::ordered_json RefusalToJson(const std::vector<engine::Refusal>& refusals,
                                     const std::string& where = "");

nlohmann::ordered_json ReasonToJson(const engine::Reason& reason);
// Sets out["reasons"] to the reasons `quota` lets through and, when some are
// left out, out["reasons_omitted"] to how many.
void AddReasons(const std::vector<engine::Reason>& reasons, ReasonQuota& quota,
                nlohmann::ordered_json* out);
// {"effect", "rule", "reasons", "reasons_omitted"?} for one action.
nlohmann::ordered_json ActionDecisionToJson(const engine::ActionDecision& decision,
                                            ReasonQuota& quota);
// {action: {"effect", ...}, ...} in request order.
nlohmann::ordered_json ResultsToJson(const engine::Decision& decision, ReasonQuota& quota);
// {"policy_version", "entity_version"?, "results": {action: ...}} in request
// order; the server gives the entity data version the decision read, the CLI none.
nlohmann::ordered_json DecisionToJson(const engine::Decision& decision, ReasonQuota& quota,
                                      std::optional<uint64_t> entity_version = std::nullopt);
// The same with every reason.
nlohmann::ordered_json DecisionToJson(const engine::Decision& decision);

// `text` as a JSON string, byte for byte what dumping it gives (JsonResponse:
// compact, invalid UTF-8 replaced).
void AppendJsonString(std::string_view text, std::string* out);

// The documents above written straight to text, byte for byte what dumping
// them gives, without building them: the batch route's answers. One per
// answer, sharing its quota; it keeps the text of each rule it has written.
class DecisionWriter {
 public:
  explicit DecisionWriter(ReasonQuota& quota) : quota_(quota) {}

  // ActionDecisionToJson's document.
  void Action(const engine::ActionDecision& decision, std::string* out);
  // ResultsToJson's. REQUIRES: no action is named twice in `decision`.
  void Results(const engine::Decision& decision, std::string* out);

 private:
  void Reason(const engine::Reason& reason, std::string* out);
  // {"name", "policy", "location"} of `rule`.
  const std::string& Rule(const engine::CompiledRule& rule);

  ReasonQuota& quota_;
  std::vector<std::pair<const engine::CompiledRule*, std::string>> rules_;
};

}  // namespace castellan::api
