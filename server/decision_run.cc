#include "server/decision_run.h"

#include "server/decision_log.h"
#include "server/json_response.h"

namespace castellan::server {

const engine::Decision& DecisionRun::Decide(const engine::DecisionRequest& request) {
  engine::DecideInto(*snapshot_.policies, *snapshot_.entities, request, budget_, kOptions,
                     decision_);
  const engine::Decision& d = decision_;
  for (const auto& r : d.results) (r.allowed ? allowed_ : denied_)++;
  if (log_ && d.refusals.empty()) log_->Record(request_id_, request, d, snapshot_.entity_version);
  return d;
}

HttpResponse DecisionRun::Answer(Metrics& metrics, int status,
                                 const nlohmann::ordered_json& body) const {
  return Answer(metrics, status, JsonResponse(status, body).body);
}

HttpResponse DecisionRun::Answer(Metrics& metrics, int status, std::string body) const {
  metrics.RecordDecisions(allowed_, denied_);
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.effect = allowed_ && denied_ ? "mixed" : allowed_ ? "allow" : denied_ ? "deny" : "";
  return r;
}

HttpResponse Refused(const engine::Decision& decision, const char* items, long item) {
  const std::string where = item < 0 ? "" : items + ("[" + std::to_string(item) + "]: ");
  nlohmann::ordered_json error = api::RefusalToJson(decision.refusals, where);
  if (item >= 0) error["item"] = item;
  return JsonResponse(400, {{"error", std::move(error)}});
}

HttpResponse TooManyDecisions(size_t n, size_t limit) {
  return ErrorResponse(413, "too_many_decisions",
                       "the request asks for " + std::to_string(n) +
                           " decisions (actions summed over its checks); at most " +
                           std::to_string(limit) + " per request (--max-decisions)");
}

}  // namespace castellan::server
