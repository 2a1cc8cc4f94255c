// Metrics: request, decision and reload counters and latency histograms,
// rendered in the Prometheus text format. Recording is a few relaxed atomic
// increments (no locks); the set of endpoints and statuses is fixed.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace castellan::server {

// What the store and the decision log report, read when rendering.
struct StoreFigures {
  uint64_t entity_version = 0;
  uint64_t decisions_written = 0, decisions_dropped = 0, decision_queue_depth = 0;
};

class Metrics {
 public:
  // One row of counters per endpoint name (route paths, usually
  // DecisionApi::RouteNames()); "other" collects any name not listed.
  explicit Metrics(std::vector<std::string> endpoints);

  void RecordRequest(std::string_view endpoint, int status, double seconds);
  void RecordDecisions(uint64_t allowed, uint64_t denied);
  // One entity write (PUT, PATCH, DELETE or import) by its result, one of kWriteResults.
  void RecordEntityWrite(std::string_view result);

  // The text exposition; the reload figures, revision and store figures come
  // from the caller.
  std::string Render(uint64_t reloads, uint64_t reload_failures, const std::string& revision,
                     const StoreFigures& store = {}) const;

  static constexpr std::array<int, 17> kStatuses = {
      200, 201, 204, 400, 401, 403, 404, 405, 408,
      409, 412, 413, 415, 422, 500, 503, 0};  // 0: other
  // Entity write results: done, or why not ("error": the store failed).
  static constexpr std::array<std::string_view, 6> kWriteResults = {
      "ok", "invalid", "precondition_failed", "not_found", "conflict", "error"};
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

 private:
  struct Row {
    std::array<std::atomic<uint64_t>, kStatuses.size()> requests{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // the last one is +Inf
    std::atomic<uint64_t> sum_micros{0};
  };

  size_t EndpointIndex(std::string_view endpoint) const;
  static size_t StatusIndex(int status);

  const std::vector<std::string> endpoints_;  // the last is "other"
  std::unique_ptr<Row[]> rows_;               // one per endpoint, fixed once built
  std::atomic<uint64_t> allowed_{0}, denied_{0};
  std::array<std::atomic<uint64_t>, kWriteResults.size()> writes_{};
};

}  // namespace castellan::server
