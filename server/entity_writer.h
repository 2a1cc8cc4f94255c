// EntityWriter: the entity write path of store mode (docs/http-api.md,
// "Entities"), apart from HTTP.
//
// Every write runs under ServiceState::Write (one writer at a time, never on
// the decision path): validate each entity against the serving policies
// (engine::ValidateEntity) -> build the next EntitySnapshot with Apply() ->
// write the store in one transaction -> swap the snapshot in. A problem at
// any step leaves both the store and the serving snapshot as they were.
// Reads go to the store under a mutex of their own. Owns its Store.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/entity_record.h"
#include "engine/entity_snapshot.h"
#include "server/metrics.h"
#include "server/service_state.h"
#include "storage/store.h"

namespace castellan::server {

struct EntityWriteOutcome {
  // 200 replaced or imported, 201 created, 204 deleted; 400 invalid_entity,
  // 404 not_found, 409 conflict, 412 precondition_failed, 500 store_error.
  int status = 200;
  std::string code;                             // for an error status
  std::string message;                          // for an error status
  std::vector<engine::EntityProblem> problems;  // 400 and 409 from validation
  std::optional<engine::EntityRecord> stored;   // a put or patch: what is stored now
  uint64_t data_version = 0;                    // after the write
  size_t imported = 0;
  // The label of castellan_entity_writes_total{result}.
  std::string_view result() const;
};

class EntityWriter {
 public:
  EntityWriter(ServiceState& state, Metrics& metrics, std::unique_ptr<storage::Store> store);

  // Creates or replaces one entity.
  EntityWriteOutcome Put(engine::EntityRecord record, const storage::Precondition& precondition);
  // RFC 7396 merge patch of the stored entity's attributes (`patch` a JSON object).
  EntityWriteOutcome Patch(const std::string& kind, const std::string& id,
                           const std::string& patch_json,
                           const storage::Precondition& precondition);
  EntityWriteOutcome Delete(const std::string& kind, const std::string& id,
                            const storage::Precondition& precondition);
  // All or nothing. `problem_paths[i]` prefixes the paths of records[i]'s
  // problems ("/users/3").
  EntityWriteOutcome Import(std::vector<engine::EntityRecord> records,
                            const std::vector<std::string>& problem_paths, bool replace_all);

  // Takes in what other processes wrote to the same store (replicas sharing
  // one PostgreSQL): when the store's data version differs from the serving
  // snapshot's, every entity is loaded again and swapped in. Returns the new
  // entity version, or 0 when nothing changed (or the store failed: the old
  // snapshot keeps serving).
  uint64_t Refresh();

  storage::Status Get(std::string_view kind, std::string_view id,
                      std::optional<storage::StoredEntity>* out);
  storage::Status List(const storage::EntityFilter& filter, std::vector<storage::StoredEntity>* out,
                       std::string* next_after_id);

 private:
  // validate -> Apply -> store write -> swap, under ServiceState::Write.
  // `store_write` does the transaction; `replace_all` deletes every serving
  // entity `puts` does not name.
  template <typename StoreWrite>
  EntityWriteOutcome Commit(std::vector<engine::EntityRecord> puts,
                            std::vector<std::pair<std::string, std::string>> deletes,
                            const std::vector<std::string>* problem_paths, bool replace_all,
                            StoreWrite store_write);
  EntityWriteOutcome Record(EntityWriteOutcome outcome);
  // Every stored entity as a snapshot at the store's data version; null when
  // the store fails or its entities do not build against `policies`.
  std::shared_ptr<const engine::EntitySnapshot> LoadFromStore(
      const std::shared_ptr<const engine::PolicySet>& policies);

  ServiceState& state_;
  Metrics& metrics_;
  std::mutex store_mutex_;  // the Store is used by one thread at a time
  std::unique_ptr<storage::Store> store_;
};

}  // namespace castellan::server
