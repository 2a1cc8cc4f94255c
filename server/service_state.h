// ServiceState: the snapshot every request reads, and how it is replaced.
//
// A Snapshot (compiled policies + entities + revision) is immutable. Requests
// take the current one with current() and keep it until they answer, so a
// reload never changes a decision half-way. Reload() compiles a new snapshot
// beside the running one and swaps it in atomically only when policies and
// entities load without error; otherwise the old one keeps serving and the
// diagnostics are kept for /v1/policies and the log.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dsl/diagnostic.h"
#include "engine/entity_store.h"
#include "engine/policy_set.h"

namespace castellan::server {

struct Snapshot {
  std::shared_ptr<const engine::PolicySet> policies;
  std::shared_ptr<const engine::EntityStore> entities;
  std::string revision;  // policy content hash
  std::chrono::system_clock::time_point loaded_at;
};

struct ReloadResult {
  bool ok = false;
  std::string revision;  // the revision serving after the attempt
  dsl::Diagnostics diagnostics;
  std::string formatted;  // diagnostics with source lines
  std::string warnings;   // entity-file warnings (api::FormatWarnings); never fail a reload
  std::chrono::system_clock::time_point at;
};

class ServiceState {
 public:
  ServiceState(std::filesystem::path policies, std::vector<std::filesystem::path> entities);

  // The snapshot serving now; null until the first successful load. Steady
  // state costs one atomic load: each thread keeps the snapshot it last saw
  // and takes the shared one (libstdc++'s atomic<shared_ptr> briefly spins on
  // a lock bit) only after a reload has bumped the version.
  std::shared_ptr<const Snapshot> current() const;

  // Loads policies and entities again; swaps them in only when both are valid.
  // Reloads are serialised; decisions never wait for them.
  ReloadResult Reload();
  ReloadResult last_reload() const;
  uint64_t reload_count() const { return reloads_.load(); }
  uint64_t reload_failures() const { return reload_failures_.load(); }

  const std::filesystem::path& policy_dir() const { return policy_dir_; }
  const std::vector<std::filesystem::path>& entity_paths() const { return entity_paths_; }

  // A fingerprint of the files' names, sizes and modification times, for --watch.
  std::string FilesFingerprint() const;

 private:
  const std::filesystem::path policy_dir_;
  const std::vector<std::filesystem::path> entity_paths_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::atomic<uint64_t> version_{0};  // bumped after each swap
  const uint64_t id_;                 // unique per ServiceState, for the per-thread cache
  mutable std::mutex reload_mutex_;   // serialises Reload() and guards last_
  ReloadResult last_;
  std::atomic<uint64_t> reloads_{0}, reload_failures_{0};
};

}  // namespace castellan::server
