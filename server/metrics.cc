#include "server/metrics.h"

#include <cstdio>

namespace castellan::server {

Metrics::Metrics(std::vector<std::string> endpoints)
    : endpoints_([&] {
        endpoints.push_back("other");
        return std::move(endpoints);
      }()),
      rows_(std::make_unique<Row[]>(endpoints_.size())) {}

size_t Metrics::EndpointIndex(std::string_view endpoint) const {
  for (size_t i = 0; i + 1 < endpoints_.size(); ++i) {
    if (endpoints_[i] == endpoint) return i;
  }
  return endpoints_.size() - 1;
}

size_t Metrics::StatusIndex(int status) {
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatuses.size() - 1;
}

void Metrics::RecordRequest(std::string_view endpoint, int status, double seconds) {
  Row& row = rows_[EndpointIndex(endpoint)];
  row.requests[StatusIndex(status)].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  row.buckets[b].fetch_add(1, std::memory_order_relaxed);
  row.sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::RecordDecisions(uint64_t allowed, uint64_t denied) {
  allowed_.fetch_add(allowed, std::memory_order_relaxed);
  denied_.fetch_add(denied, std::memory_order_relaxed);
}

void Metrics::RecordEntityWrite(std::string_view result) {
  size_t i = 0;
  while (i + 1 < kWriteResults.size() && kWriteResults[i] != result) ++i;
  writes_[i].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::Render(uint64_t reloads, uint64_t reload_failures, const std::string& revision,
                            const StoreFigures& store) const {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  line("# HELP castellan_http_requests_total HTTP requests by endpoint and status.");
  line("# TYPE castellan_http_requests_total counter");
  for (size_t e = 0; e < endpoints_.size(); ++e) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t n = rows_[e].requests[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      line("castellan_http_requests_total{endpoint=\"" + endpoints_[e] + "\",status=\"" +
           (kStatuses[s] ? std::to_string(kStatuses[s]) : "other") + "\"} " + std::to_string(n));
    }
  }
  line("# HELP castellan_http_request_duration_seconds Time to answer, by endpoint.");
  line("# TYPE castellan_http_request_duration_seconds histogram");
  for (size_t e = 0; e < endpoints_.size(); ++e) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) cumulative += rows_[e].buckets[b].load();
    if (cumulative == 0) continue;
    const std::string label = "endpoint=\"" + endpoints_[e] + "\"";
    uint64_t running = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      running += rows_[e].buckets[b].load(std::memory_order_relaxed);
      const std::string le = b < kBuckets.size() ? number(kBuckets[b]) : "+Inf";
      line("castellan_http_request_duration_seconds_bucket{" + label + ",le=\"" + le + "\"} " +
           std::to_string(running));
    }
    line("castellan_http_request_duration_seconds_sum{" + label + "} " +
         number(rows_[e].sum_micros.load() / 1e6));
    line("castellan_http_request_duration_seconds_count{" + label + "} " + std::to_string(running));
  }
  line("# HELP castellan_decisions_total Decisions by effect (one per action).");
  line("# TYPE castellan_decisions_total counter");
  line("castellan_decisions_total{effect=\"allow\"} " + std::to_string(allowed_.load()));
  line("castellan_decisions_total{effect=\"deny\"} " + std::to_string(denied_.load()));
  line("# HELP castellan_policy_reloads_total Policy and entity reloads attempted.");
  line("# TYPE castellan_policy_reloads_total counter");
  line("castellan_policy_reloads_total " + std::to_string(reloads));
  line("# HELP castellan_policy_reload_failures_total Reloads rejected for errors.");
  line("# TYPE castellan_policy_reload_failures_total counter");
  line("castellan_policy_reload_failures_total " + std::to_string(reload_failures));
  line("# HELP castellan_policy_info The policy revision serving.");
  line("# TYPE castellan_policy_info gauge");
  line("castellan_policy_info{revision=\"" + revision + "\"} 1");
  line("# HELP castellan_entity_version The entity data version serving (0: entity files).");
  line("# TYPE castellan_entity_version gauge");
  line("castellan_entity_version " + std::to_string(store.entity_version));
  line(
      "# HELP castellan_entity_writes_total Entity writes (PUT, PATCH, DELETE, import) by result.");
  line("# TYPE castellan_entity_writes_total counter");
  for (size_t i = 0; i < kWriteResults.size(); ++i) {
    line("castellan_entity_writes_total{result=\"" + std::string(kWriteResults[i]) + "\"} " +
         std::to_string(writes_[i].load(std::memory_order_relaxed)));
  }
  line("# HELP castellan_decision_log_written_total Decisions written to the decision log.");
  line("# TYPE castellan_decision_log_written_total counter");
  line("castellan_decision_log_written_total " + std::to_string(store.decisions_written));
  line("# HELP castellan_decision_log_dropped_total Decisions dropped: the log's queue was full.");
  line("# TYPE castellan_decision_log_dropped_total counter");
  line("castellan_decision_log_dropped_total " + std::to_string(store.decisions_dropped));
  line("# HELP castellan_decision_log_queue_depth Decisions waiting to be written.");
  line("# TYPE castellan_decision_log_queue_depth gauge");
  line("castellan_decision_log_queue_depth " + std::to_string(store.decision_queue_depth));
  return out;
}

}  // namespace castellan::server
