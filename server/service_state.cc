#include "server/service_state.h"

#include "api/entity_file.h"

namespace castellan::server {

ServiceState::ServiceState(std::filesystem::path policies,
                           std::vector<std::filesystem::path> entities)
    : policy_dir_(std::move(policies)), entity_paths_(std::move(entities)), id_([] {
        static std::atomic<uint64_t> next{1};
        return next.fetch_add(1);
      }()) {}

ReloadResult ServiceState::Reload() {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  ReloadResult result;
  result.at = std::chrono::system_clock::now();
  engine::PolicySetLoad loaded = engine::LoadPolicySet(policy_dir_);
  api::EntityLoadResult entities = api::LoadEntityFiles(entity_paths_, loaded.set.get());
  result.warnings = api::FormatWarnings(entities.warnings);
  result.diagnostics = loaded.diagnostics;
  result.formatted = loaded.formatted;
  for (const auto& d : entities.diagnostics) {
    result.diagnostics.push_back(d);
    result.formatted += dsl::FormatDiagnostic(d, nullptr);
  }
  if (loaded.set && entities.store) {
    auto next = std::make_shared<Snapshot>();
    next->policies = loaded.set;
    next->entities = entities.store;
    next->revision = loaded.set->revision();
    next->loaded_at = result.at;
    current_.store(std::move(next));
    version_.fetch_add(1, std::memory_order_release);
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
