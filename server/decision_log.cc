#include "server/decision_log.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace castellan::server {
namespace {

constexpr auto kPruneEvery = std::chrono::hours(1);

std::string StringAttribute(const engine::Value& entity, std::string_view name) {
  if (entity.kind() != engine::Value::Kind::kMap) return "";
  const engine::Value* v = entity.map_value().FindString(name);
  return v && v->kind() == engine::Value::Kind::kString ? v->string_value() : "";
}

void LogError(const std::string& what, const storage::Status& status) {
  nlohmann::ordered_json line = {
      {"event", "decision_log_error"}, {"what", what}, {"error", status.message()}};
  std::fprintf(stderr, "%s\n",
               line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  std::fflush(stderr);
}

}  // namespace

DecisionLog::DecisionLog(std::unique_ptr<storage::Store> writer,
                         std::unique_ptr<storage::Store> reader, Options options)
    : options_(options),
      writer_(std::move(writer)),
      reader_(std::move(reader)),
      queue_(options.queue == 0 ? 1 : options.queue) {
  thread_ = std::thread([this] { Run(); });
}

DecisionLog::~DecisionLog() {
  Stop();
}

void DecisionLog::Record(const std::string& request_id, const engine::DecisionRequest& request,
                         const engine::Decision& decision, uint64_t entity_version) {
  const auto now = std::chrono::system_clock::now();
  const std::string principal = StringAttribute(request.principal, "id");
  const std::string kind = StringAttribute(request.resource, "kind");
  const std::string id = StringAttribute(request.resource, "id");
  for (const engine::ActionDecision& d : decision.results) {
    storage::DecisionLogEntry entry;
    entry.at = now;
    entry.request_id = request_id;
    entry.principal = principal;
    entry.action = d.action;
    entry.resource_kind = kind;
    entry.resource_id = id;
    entry.effect = d.allowed ? "allow" : "deny";
    if (d.rule) entry.rule = d.rule->decl->name;
    for (const engine::Reason& r : d.reasons) entry.reasons.emplace_back(r.Code());
    entry.policy_revision = decision.revision;
    entry.entity_version = entity_version;
    Enqueue(std::move(entry));
  }
}

bool DecisionLog::Enqueue(storage::DecisionLogEntry entry) {
  if (stopping_.load(std::memory_order_relaxed) || !queue_.TryPush(entry)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  pushed_.fetch_add(1, std::memory_order_release);
  return true;
}

uint64_t DecisionLog::depth() const {
  const uint64_t pushed = pushed_.load(std::memory_order_relaxed);
  const uint64_t handled = handled_.load(std::memory_order_relaxed);
  return pushed > handled ? pushed - handled : 0;
}

void DecisionLog::Flush(std::chrono::milliseconds timeout) {
  const uint64_t target = pushed_.load(std::memory_order_acquire);
  std::unique_lock<std::mutex> lock(mutex_);
  flush_requested_ = true;
  wake_.notify_one();
  progressed_.wait_for(lock, timeout, [&] {
    return handled_.load(std::memory_order_acquire) >= target || stopped_;
  });
}

storage::Status DecisionLog::Query(const storage::DecisionFilter& filter,
                                   std::vector<storage::DecisionLogEntry>* out,
                                   uint64_t* next_after_seq) {
  Flush();
  std::lock_guard<std::mutex> lock(reader_mutex_);
  return reader_->QueryDecisions(filter, out, next_after_seq);
}

void DecisionLog::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
    wake_.notify_one();
  }
  std::lock_guard<std::mutex> once(stop_mutex_);
  if (thread_.joinable()) thread_.join();
}

void DecisionLog::Prune() {
  if (options_.retention_days <= 0) return;
  const auto before =
      std::chrono::system_clock::now() - std::chrono::hours(24) * options_.retention_days;
  uint64_t deleted = 0;
  const storage::Status status = writer_->DeleteDecisionsBefore(before, &deleted);
  if (!status.ok()) LogError("prune", status);
}

bool DecisionLog::Drain() {
  bool any = false;
  std::vector<storage::DecisionLogEntry> batch;
  batch.reserve(options_.batch);
  while (true) {
    batch.clear();
    storage::DecisionLogEntry entry;
    while (batch.size() < options_.batch && queue_.TryPop(&entry)) {
      batch.push_back(std::move(entry));
    }
    if (batch.empty()) return any;
    any = true;
    const storage::Status status = writer_->AppendDecisions(&batch);
    if (status.ok()) {
      written_.fetch_add(batch.size(), std::memory_order_relaxed);
    } else {
      failed_.fetch_add(batch.size(), std::memory_order_relaxed);
      LogError("append " + std::to_string(batch.size()) + " decisions", status);
    }
    handled_.fetch_add(batch.size(), std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      progressed_.notify_all();
    }
  }
}

void DecisionLog::Run() {
  Prune();
  next_prune_ = std::chrono::steady_clock::now() + kPruneEvery;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, options_.interval, [&] { return stopping_.load() || flush_requested_; });
      flush_requested_ = false;
    }
    Drain();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      progressed_.notify_all();
    }
    if (std::chrono::steady_clock::now() >= next_prune_) {
      Prune();
      next_prune_ = std::chrono::steady_clock::now() + kPruneEvery;
    }
    if (stopping_.load()) {
      // Entries pushed while stopping_ was being set are written too.
      Drain();
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_ = true;
      progressed_.notify_all();
      return;
    }
  }
}

}  // namespace castellan::server
