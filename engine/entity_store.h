// EntityStore: how the engine reads stored entities (organizations, users and
// other resources) while it decides.
//
// The engine looks entities up only through this interface, so the data can
// come from files, from a database or from the request itself. Every entity is
// a map Value of its attributes (an organization has at least `id`, and
// `parent` when a partner owns it). Implementations must be safe to read from
// many threads at once and must not change what a returned pointer refers to
// while a decision that obtained it is running.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/value.h"

namespace castellan::engine {

struct CompiledRole;
struct CompiledGroup;

class EntityStore {
 public:
  virtual ~EntityStore() = default;
  // nullptr when the store does not know the id.
  virtual const Value* FindOrganization(std::string_view id) const = 0;
  virtual const Value* FindUser(std::string_view id) const = 0;
  // Any other resource, by kind ("product", "group", ...) and id.
  virtual const Value* FindResource(std::string_view kind, std::string_view id) const = 0;
  // A custom role or customer group the tenant `partner` (`owner`) defined as
  // data (engine/entity_snapshot.h); nullptr when there is none. Policy-file
  // roles and groups come from the PolicySet.
  virtual const CompiledRole* FindCustomRole(std::string_view /*partner*/,
                                             std::string_view /*name*/) const {
    return nullptr;
  }
  virtual const CompiledGroup* FindCustomerGroup(std::string_view /*owner*/,
                                                 std::string_view /*name*/) const {
    return nullptr;
  }
};

// An immutable store over in-memory tables, filled once before it is shared.
class InMemoryEntityStore final : public EntityStore {
 public:
  // Each returns false (and keeps the first) when the id is already present.
  // An organization without `org` is stored with `org` = its id: it belongs
  // to itself, so rules read resource.org alike for every kind.
  bool AddOrganization(std::string id, Value attributes);
  bool AddUser(std::string id, Value attributes);  // false too when `id` is an alias
  bool AddResource(std::string kind, std::string id, Value attributes);
  // Another name of the user `user_id` (a PID, an e-mail address): FindUser
  // finds the user by it. False when `alias` is already a user's id or alias,
  // or `user_id` is no user's.
  bool AddUserAlias(std::string alias, std::string_view user_id);

  const Value* FindOrganization(std::string_view id) const override;
  const Value* FindUser(std::string_view id) const override;
  const Value* FindResource(std::string_view kind, std::string_view id) const override;

  size_t organization_count() const { return organizations_.size(); }
  size_t user_count() const { return users_.size(); }
  size_t resource_count() const { return resources_.size(); }

 private:
  std::unordered_map<std::string, Value> organizations_;
  std::unordered_map<std::string, Value> users_;
  std::unordered_map<std::string, const Value*> user_aliases_;  // into users_ (node-stable)
  std::unordered_map<std::string, Value> resources_;            // key "kind/id"
};

// A store that knows nothing (requests must then carry their entities inline).
const EntityStore& EmptyEntityStore();

}  // namespace castellan::engine
