// Store: where entities and the decision log are kept (Poco Data over SQLite,
// the embedded default, or PostgreSQL for shared deployments).
//
// One schema, versioned migrations (storage/migrations.cc), the same code and
// the same tests on both backends. Every write is one transaction and bumps
// the store's data version by one; an entity's ETag is the data version of
// its last write. Only bound parameters reach SQL. Decisions never read the
// store: the service loads it once into an engine::EntitySnapshot and applies
// each write to the snapshot after the transaction commits.
//
// A Store is used by one thread at a time (the service serialises writes and
// gives the decision-log writer its own Store).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/entity_record.h"
#include "storage/status.h"

namespace castellan::storage {

struct StoredEntity {
  engine::EntityRecord record;
  uint64_t version = 0;  // the data version of its last write: its ETag
};

// What a conditional write expects of the entity now stored.
struct Precondition {
  std::optional<uint64_t> if_match;  // its version must be this (absent: 412)
  bool if_none_match = false;        // it must not exist (If-None-Match: *)
};

enum class WriteOutcome {
  kDone,
  kPreconditionFailed,  // 412
  kNotFound,            // 404 (Delete of an absent entity)
  kConflict,            // 409: an alias another user holds, a duplicate id in an import
};

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::kDone;
  uint64_t data_version = 0;  // after the write (unchanged unless kDone)
  bool created = false;       // Put made a new entity
  std::string message;        // why, for anything but kDone
};

struct EntityFilter {
  std::string kind;       // required
  std::string org;        // "" any: an organization's parent, else the entity's org
  std::string id_prefix;  // "" any
  std::string after_id;   // the page token: ids greater than this
  size_t limit = 100;     // 1..1000
};

struct DecisionLogEntry {
  uint64_t seq = 0;  // assigned by the store, increasing
  std::chrono::system_clock::time_point at;
  std::string request_id;
  std::string principal;
  std::string action;
  std::string resource_kind;
  std::string resource_id;
  std::string effect;                // "allow" | "deny"
  std::string rule;                  // the deciding rule, "" for none
  std::vector<std::string> reasons;  // reason codes
  std::string policy_revision;
  uint64_t entity_version = 0;
};

struct DecisionFilter {
  std::string principal, action, resource_kind, resource_id, effect;  // "" any
  std::optional<std::chrono::system_clock::time_point> from, to;      // [from, to)
  uint64_t after_seq = 0;                                             // the page token
  size_t limit = 100;                                                 // 1..1000
};

class Store {
 public:
  // "sqlite:PATH" (or a bare PATH) opens or creates a SQLite file in WAL mode
  // with foreign keys on; "postgresql://user@host:port/db?..." connects to
  // PostgreSQL. Null with `status` saying why. Does not migrate.
  static std::unique_ptr<Store> Open(std::string_view url, Status* status);
  virtual ~Store() = default;

  virtual std::string_view backend() const = 0;  // "sqlite" or "postgresql"

  // Applies every pending migration, each in its own transaction; `applied`
  // counts them. A store newer than this binary is an error.
  virtual Status Migrate(int* applied) = 0;
  virtual Status SchemaVersion(int* version) = 0;
  virtual Status DataVersion(uint64_t* version) = 0;

  // Entities.
  virtual Status LoadAll(std::vector<StoredEntity>* out, uint64_t* data_version) = 0;
  virtual Status Get(std::string_view kind, std::string_view id,
                     std::optional<StoredEntity>* out) = 0;
  // One page ordered by id; `next_after_id` is "" on the last page.
  virtual Status List(const EntityFilter& filter, std::vector<StoredEntity>* out,
                      std::string* next_after_id) = 0;
  // Creates or replaces one entity with its typed columns, aliases and role
  // bindings, in one transaction.
  virtual Status Put(const engine::EntityRecord& record, const Precondition& precondition,
                     WriteResult* result) = 0;
  virtual Status Delete(std::string_view kind, std::string_view id,
                        const Precondition& precondition, WriteResult* result) = 0;
  // Creates or replaces every record in one transaction (one data version);
  // `replace_all` first removes every entity not among them.
  virtual Status Import(const std::vector<engine::EntityRecord>& records, bool replace_all,
                        WriteResult* result) = 0;

  // The decision log.
  virtual Status AppendDecisions(std::vector<DecisionLogEntry>* entries) = 0;  // sets seq
  virtual Status QueryDecisions(const DecisionFilter& filter, std::vector<DecisionLogEntry>* out,
                                uint64_t* next_after_seq) = 0;  // 0 on the last page
  virtual Status DeleteDecisionsBefore(std::chrono::system_clock::time_point before,
                                       uint64_t* deleted) = 0;
};

}  // namespace castellan::storage
