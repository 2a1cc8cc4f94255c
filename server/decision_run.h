// DecisionRun: what one decision request spends and shows, shared by the
// native and AuthZEN routes: one evaluation budget and one reason quota for
// all of its decisions (a batch's checks, an evaluations request's items),
// the tally of effects that metrics and the access log report, and the
// decision log's entries (one per action decision).
// One per request; not thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/decision_json.h"
#include "engine/decision.h"
#include "server/config.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/route.h"
#include "server/service_state.h"

namespace castellan::server {

class DecisionRun {
 public:
  // REQUIRES: context.snapshot is not null.
  explicit DecisionRun(const RouteContext& context)
      : snapshot_(*context.snapshot),
        log_(context.decision_log),
        request_id_(context.request.request_id),
        budget_(context.config.evaluation),
        reasons_(context.config.max_reasons, context.config.max_response_reasons) {}

  // Decides against the request's snapshot, spending its budget, and counts
  // the effects. The decision is valid until the next call: one buffer
  // serves every decision of the request, so an allowed one allocates nothing.
  const engine::Decision& Decide(const engine::DecisionRequest& request);
  // Counts a deny given without deciding (a malformed AuthZEN item).
  void CountDeny() { ++denied_; }

  api::ReasonQuota& reasons() { return reasons_; }
  // The entity data version the decisions read.
  uint64_t entity_version() const { return snapshot_.entity_version; }

  // `body` with `status`; records the decisions in `metrics` and the effect
  // for the access log.
  HttpResponse Answer(Metrics& metrics, int status, const nlohmann::ordered_json& body) const;
  // The same with the body's text already written (JsonResponse's bytes).
  HttpResponse Answer(Metrics& metrics, int status, std::string body) const;

 private:
  const Snapshot& snapshot_;
  DecisionLog* log_;
  const std::string& request_id_;
  engine::EvaluationBudget budget_;
  engine::Decision decision_;
  // Answers show reasons in full and never the coverage (ActionDecision::applied).
  static constexpr engine::DecideOptions kOptions{engine::DecideOptions::Reasons::kFull,
                                                  /*coverage=*/false};
  api::ReasonQuota reasons_;
  uint64_t allowed_ = 0, denied_ = 0;
};

// 400 attribute_not_overridable or invalid_request: the engine refused a
// request as a whole (the trust boundary, undeclared params). In a batch
// `item` is the index of the refused check or evaluation, named in the
// message ("checks[2]: ...") and as error.item; a refused item refuses the
// whole batch. -1: not a batch.
HttpResponse Refused(const engine::Decision& decision, const char* items = "", long item = -1);

// 413 too_many_decisions: the request asks for `n` decisions, over `limit`.
HttpResponse TooManyDecisions(size_t n, size_t limit);

}  // namespace castellan::server
