#include "server/service_state.h"

#include "api/entity_file.h"

namespace castellan::server {

namespace {

uint64_t NextId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

// An entity problem as a diagnostic: the entity names the "file", the JSON
// pointer and the message follow.
dsl::Diagnostic ProblemDiagnostic(const engine::EntityProblem& p) {
  dsl::Diagnostic d;
  d.file = p.kind + "/" + p.id;
  d.message = (p.path.empty() ? std::string() : p.path + ": ") + p.message + " (" + p.code + ")";
  return d;
}

std::string FormatProblems(const std::vector<engine::EntityProblem>& problems, const char* what) {
  std::string out;
  for (const auto& p : problems) {
    out += p.kind + "/" + p.id + (p.path.empty() ? "" : " " + p.path) + ": " + what + ": " +
           p.message + " (" + p.code + ")\n";
  }
  return out;
}

}  // namespace

ServiceState::ServiceState(std::filesystem::path policies,
                           std::vector<std::filesystem::path> entities)
    : policy_dir_(std::move(policies)),
      entity_paths_(std::move(entities)),
      store_mode_(false),
      id_(NextId()) {}

ServiceState::ServiceState(std::filesystem::path policies,
                           std::vector<engine::EntityRecord> records, uint64_t data_version)
    : policy_dir_(std::move(policies)),
      store_mode_(true),
      initial_records_(std::move(records)),
      initial_version_(data_version),
      id_(NextId()) {}

void ServiceState::Swap(std::shared_ptr<const Snapshot> next) {
  current_.store(std::move(next));
  version_.fetch_add(1, std::memory_order_release);
}

ReloadResult ServiceState::Reload() {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  ReloadResult result;
  result.at = std::chrono::system_clock::now();
  engine::PolicySetLoad loaded = engine::LoadPolicySet(policy_dir_);
  result.diagnostics = loaded.diagnostics;
  result.formatted = loaded.formatted;
  auto next = std::make_shared<Snapshot>();
  if (!store_mode_) {
    api::EntityLoadResult entities = api::LoadEntityFiles(entity_paths_, loaded.set.get());
    result.warnings = api::FormatWarnings(entities.warnings);
    for (const auto& d : entities.diagnostics) {
      result.diagnostics.push_back(d);
      result.formatted += dsl::FormatDiagnostic(d, nullptr);
    }
    next->entities = entities.store;
  } else if (loaded.set) {
    // The entities serving now against the new policies; the store's records
    // until a first build succeeds.
    const std::shared_ptr<const Snapshot> serving = current_.load();
    engine::EntitySnapshot::Result built =
        serving && serving->entity_snapshot
            ? serving->entity_snapshot->Rebuild(loaded.set)
            : engine::EntitySnapshot::Build(initial_records_, loaded.set, initial_version_);
    result.warnings = FormatProblems(built.warnings, "warning");
    for (const auto& p : built.problems) {
      result.diagnostics.push_back(ProblemDiagnostic(p));
      result.formatted += FormatProblems({p}, "error");
    }
    if (built.snapshot) {
      next->entity_snapshot = built.snapshot;
      next->entities = built.snapshot;
      next->entity_version = built.snapshot->version();
      initial_records_.clear();
      initial_records_.shrink_to_fit();
    }
  }
  if (loaded.set && next->entities) {
    next->policies = loaded.set;
    next->revision = loaded.set->revision();
    next->loaded_at = result.at;
    Swap(std::move(next));
    result.ok = true;
  } else {
    reload_failures_++;
  }
  reloads_++;
  if (auto serving = current_.load()) result.revision = serving->revision;
  last_ = result;
  return result;
}

std::shared_ptr<const Snapshot> ServiceState::current() const {
  struct Cache {
    uint64_t owner = 0;  // ServiceState::id_
    uint64_t version = 0;
    std::shared_ptr<const Snapshot> snapshot;
  };
  thread_local Cache cache;
  const uint64_t version = version_.load(std::memory_order_acquire);
  if (cache.owner != id_ || cache.version != version || !cache.snapshot) {
    cache.snapshot = current_.load();
    cache.owner = id_;
    cache.version = version;
  }
  return cache.snapshot;
}

std::shared_ptr<const Snapshot> ServiceState::Write(const EntityWrite& write) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  const std::shared_ptr<const Snapshot> serving = current_.load();
  if (!serving || !serving->entity_snapshot) return serving;
  std::shared_ptr<const engine::EntitySnapshot> entities = write(*serving);
  if (!entities) return serving;
  auto next = std::make_shared<Snapshot>(*serving);
  next->entity_snapshot = entities;
  next->entities = entities;
  next->entity_version = entities->version();
  std::shared_ptr<const Snapshot> swapped = next;
  Swap(std::move(next));
  return swapped;
}

ReloadResult ServiceState::last_reload() const {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  return last_;
}

std::string ServiceState::FilesFingerprint() const {
  namespace fs = std::filesystem;
  std::string out;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    auto time = fs::last_write_time(p, ec);
    auto size = fs::is_regular_file(p, ec) ? fs::file_size(p, ec) : 0;
    out += p.string() + "|" + std::to_string(size) + "|" +
           std::to_string(time.time_since_epoch().count()) + "\n";
  };
  auto walk = [&](const fs::path& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      add(root);
      return;
    }
    for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
      if (e.is_regular_file()) add(e.path());
    }
  };
  walk(policy_dir_);
  for (const auto& p : entity_paths_) walk(p);
  return out;
}

}  // namespace castellan::server
