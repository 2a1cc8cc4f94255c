// ServiceState: the snapshot every request reads, and how it is replaced.
//
// A Snapshot (compiled policies + entities + revision + entity data version)
// is immutable. Requests take the current one with current() and keep it
// until they answer, so a reload or an entity write never changes a decision
// half-way. Reload() compiles a new snapshot beside the running one and swaps
// it in atomically only when policies and entities load without error;
// otherwise the old one keeps serving and the diagnostics are kept for
// /v1/policies and the log.
//
// Entities come from entity files (file mode: read again on each reload,
// version 0) or from the store (store mode: the records loaded at start
// build an engine::EntitySnapshot; a reload rebuilds it against the new
// policies; Write() swaps in the next one). Reloads and writes are
// serialised by one mutex; decisions never take it.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dsl/diagnostic.h"
#include "engine/entity_record.h"
#include "engine/entity_snapshot.h"
#include "engine/entity_store.h"
#include "engine/policy_set.h"

namespace castellan::server {

struct Snapshot {
  std::shared_ptr<const engine::PolicySet> policies;
  std::shared_ptr<const engine::EntityStore> entities;
  // The same entities in store mode; null when they come from entity files.
  std::shared_ptr<const engine::EntitySnapshot> entity_snapshot;
  uint64_t entity_version = 0;  // the store's data version; 0 for entity files
  std::string revision;         // policy content hash
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
  // File mode: entities from these files, read-only.
  ServiceState(std::filesystem::path policies, std::vector<std::filesystem::path> entities);
  // Store mode: the entities the store holds at `data_version`, built on the
  // first Reload().
  ServiceState(std::filesystem::path policies, std::vector<engine::EntityRecord> records,
               uint64_t data_version);

  bool store_mode() const { return store_mode_; }

  // The snapshot serving now; null until the first successful load. Steady
  // state costs one atomic load: each thread keeps the snapshot it last saw
  // and takes the shared one (libstdc++'s atomic<shared_ptr> briefly spins on
  // a lock bit) only after a reload has bumped the version.
  std::shared_ptr<const Snapshot> current() const;

  // Loads policies and entities again; swaps them in only when both are valid.
  // Reloads are serialised; decisions never wait for them.
  ReloadResult Reload();
  ReloadResult last_reload() const;

  // Runs `write` with reloads and other writes excluded. It gets the snapshot
  // serving now and returns the next entity snapshot (built from the current
  // one), or null to change nothing; a non-null one is swapped in with the
  // same policies. Returns the snapshot serving afterwards.
  // REQUIRES: store_mode() and a snapshot is serving.
  using EntityWrite =
      std::function<std::shared_ptr<const engine::EntitySnapshot>(const Snapshot& current)>;
  std::shared_ptr<const Snapshot> Write(const EntityWrite& write);
  uint64_t reload_count() const { return reloads_.load(); }
  uint64_t reload_failures() const { return reload_failures_.load(); }

  const std::filesystem::path& policy_dir() const { return policy_dir_; }
  const std::vector<std::filesystem::path>& entity_paths() const { return entity_paths_; }

  // A fingerprint of the files' names, sizes and modification times, for --watch.
  std::string FilesFingerprint() const;

 private:
  void Swap(std::shared_ptr<const Snapshot> next);

  const std::filesystem::path policy_dir_;
  const std::vector<std::filesystem::path> entity_paths_;
  const bool store_mode_;
  // Store mode: what the first successful Reload() builds; emptied after.
  std::vector<engine::EntityRecord> initial_records_;
  uint64_t initial_version_ = 0;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::atomic<uint64_t> version_{0};  // bumped after each swap
  const uint64_t id_;                 // unique per ServiceState, for the per-thread cache
  mutable std::mutex reload_mutex_;   // serialises Reload() and Write(), guards last_
  ReloadResult last_;
  std::atomic<uint64_t> reloads_{0}, reload_failures_{0};
};

}  // namespace castellan::server
