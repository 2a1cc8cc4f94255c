// EntitySnapshot: every stored entity a decision may read, as one immutable
// value, with the tenant-defined custom roles and customer groups among them
// compiled against the policy set.
//
// Entities come from entity files or from the store (storage/); both give
// EntityRecords, exactly as the entity files write them. A write never
// changes a snapshot: Apply() builds the next one, sharing every entity it
// does not touch, and the service swaps it in like a policy reload. Reading
// is safe from any number of threads.
//
// Tenant-defined data (docs/entities.md):
//   - a `role` resource without `builtin: true` is a custom role of the
//     partner named by its `org`: {kind: role, id, org, level?, permissions:
//     [...], access?: {all|customers|groups}}. Its permissions must lie within
//     the ceiling a `kind: CustomRoles` policy document declares for its
//     level; it gets that document's scope. A binding names it by id; only the
//     principal's partner's roles are found.
//   - a `customer_group` resource with `members: [...]` (static) or `match:
//     "<expression over customer>"` (dynamic) is a group owned by its `org`;
//     a customer access names it by id, for the owner's users only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/entity_record.h"
#include "engine/entity_store.h"

namespace castellan::engine {

class PolicySet;
struct CompiledRole;
struct CompiledGroup;

// A problem with one entity: found when a write is validated or a snapshot built.
struct EntityProblem {
  std::string kind, id;
  // JSON pointer into the entity's attributes: "/match", "/roles/1/role",
  // "/permissions/2"; "" for the entity as a whole.
  std::string path;
  // "invalid_entity", "invalid_expression", "unknown_permission",
  // "outside_ceiling", "duplicate_id", "alias_taken", "unknown_organization".
  std::string code;
  // For an expression, starts with "line:column: " within the expression.
  std::string message;
};

class EntitySnapshot final : public EntityStore {
 public:
  struct Result {
    std::shared_ptr<const EntitySnapshot> snapshot;  // null when `problems` is not empty
    std::vector<EntityProblem> problems;
    // Kept entities that lost something to the policies (a custom role's
    // permission no longer declared); never make the result null.
    std::vector<EntityProblem> warnings;
  };

  // Every entity at once. `policies` compiles custom roles and groups and
  // must outlive the snapshot (it keeps a reference).
  static Result Build(std::vector<EntityRecord> records, std::shared_ptr<const PolicySet> policies,
                      uint64_t version);

  // The next snapshot: `puts` added or replaced, `deletes` (kind, id) removed,
  // checked and compiled like Build(); entities not named are shared.
  Result Apply(std::vector<EntityRecord> puts,
               const std::vector<std::pair<std::string, std::string>>& deletes,
               uint64_t version) const;

  // The same entities against another policy set (after a policy reload).
  Result Rebuild(std::shared_ptr<const PolicySet> policies) const;

  // Increases with every write; names the data a decision read.
  uint64_t version() const { return version_; }
  const std::shared_ptr<const PolicySet>& policies() const { return policies_; }

  // Any entity by kind ("organization", "user", or a resource kind) and id
  // (a user's alias does not count); nullptr when absent.
  const EntityRecord* Find(std::string_view kind, std::string_view id) const;
  // Every entity, organizations first, then users, then resources, each by id.
  std::vector<const EntityRecord*> All() const;
  size_t size() const;

  const Value* FindOrganization(std::string_view id) const override;
  const Value* FindUser(std::string_view id) const override;  // by id or alias
  const Value* FindResource(std::string_view kind, std::string_view id) const override;
  const CompiledRole* FindCustomRole(std::string_view partner,
                                     std::string_view name) const override;
  const CompiledGroup* FindCustomerGroup(std::string_view owner,
                                         std::string_view name) const override;

  // Indexes for queries (engine/query.h), built once per snapshot, each list
  // sorted by id; an empty list when nothing matches.
  // Every entity of `kind` ("organization", "user" or a resource kind).
  const std::vector<const EntityRecord*>& OfKind(std::string_view kind) const;
  // The users whose `org` is `org`.
  const std::vector<const EntityRecord*>& UsersOf(std::string_view org) const;
  // The organizations whose `parent` is `org` (a partner's customers).
  const std::vector<const EntityRecord*>& ChildrenOf(std::string_view org) const;

 private:
  struct Compiled;  // custom roles and groups, and what they own
  struct Indexes;
  void BuildIndexes();
  EntitySnapshot() = default;

  uint64_t version_ = 0;
  std::shared_ptr<const PolicySet> policies_;
  // "kind/id" -> record; shared between snapshots.
  EntityTable<std::shared_ptr<const EntityRecord>> records_;
  EntityTable<std::shared_ptr<const EntityRecord>> aliases_;  // alias -> user
  std::shared_ptr<const Compiled> compiled_;
  std::shared_ptr<const Indexes> indexes_;
};

// Checks one entity as a write would store it, without the others: its shape
// (id, kind, an organization's parent, a user's org, roles and aliases), the
// attributes its EntityKind declares, a custom role's permissions against
// the ceiling, a group's match expression with the policy checker. Empty
// when it may be written. References to other entities are Apply()'s job.
std::vector<EntityProblem> ValidateEntity(const EntityRecord& record, const PolicySet& policies);

}  // namespace castellan::engine
