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

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/value.h"

namespace castellan::engine {

// Tables of entities keyed by id, or by "kind/id": an EntityKey finds an entry
// by kind and id without building the "kind/id" string, and a string_view finds
// one without building a std::string, so a lookup allocates nothing.
struct EntityKey {
  std::string_view kind, id;
};
struct EntityKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return Mix(kBasis, key); }
  size_t operator()(const EntityKey& key) const {
    return Mix(Mix(Mix(kBasis, key.kind), "/"), key.id);
  }

 private:
  // FNV-1a: byte by byte, so "kind" + "/" + "id" hashes as their concatenation.
  static constexpr uint64_t kBasis = 14695981039346656037ull;
  static uint64_t Mix(uint64_t h, std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
  }
};
struct EntityKeyEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return a.size() == b.size() && Prefix(a, b);
  }
  bool operator()(std::string_view a, const EntityKey& b) const { return Same(a, b); }
  bool operator()(const EntityKey& a, std::string_view b) const { return Same(b, a); }

 private:
  static bool Same(std::string_view s, const EntityKey& k) {
    return s.size() == k.kind.size() + 1 + k.id.size() && Prefix(s, k.kind) &&
           s[k.kind.size()] == '/' && Prefix(s.substr(k.kind.size() + 1), k.id);
  }
  // Whether `s` starts with `prefix`, byte by byte: ids are short, and a
  // call to memcmp costs more than the comparison.
  static bool Prefix(std::string_view s, std::string_view prefix) {
    for (size_t i = 0; i < prefix.size(); ++i) {
      if (s[i] != prefix[i]) return false;
    }
    return true;
  }
};
template <typename T>
using EntityTable = std::unordered_map<std::string, T, EntityKeyHash, EntityKeyEqual>;

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
  EntityTable<Value> organizations_;
  EntityTable<Value> users_;
  EntityTable<const Value*> user_aliases_;  // into users_ (node-stable)
  EntityTable<Value> resources_;            // key "kind/id"
};

// A store that knows nothing (requests must then carry their entities inline).
const EntityStore& EmptyEntityStore();

}  // namespace castellan::engine
