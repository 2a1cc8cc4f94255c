#include "engine/entity_store.h"

namespace castellan::engine {
namespace {

template <typename Key>
const Value* FindIn(const EntityTable<Value>& table, const Key& key) {
  auto it = table.find(key);
  return it == table.end() ? nullptr : &it->second;
}

std::string ResourceKey(std::string_view kind, std::string_view id) {
  std::string key(kind);
  key += '/';
  key += id;
  return key;
}

}  // namespace

bool InMemoryEntityStore::AddOrganization(std::string id, Value attributes) {
  if (attributes.kind() == Value::Kind::kMap && !attributes.map_value().FindString("org")) {
    Value error;
    auto own = MapValue::Make({{Value::String("org"), Value::String(id)}}, &error);
    attributes = MergeMaps(attributes, Value::Map(std::move(own)));
  }
  return organizations_.emplace(std::move(id), std::move(attributes)).second;
}
bool InMemoryEntityStore::AddUser(std::string id, Value attributes) {
  if (user_aliases_.count(id)) return false;
  return users_.emplace(std::move(id), std::move(attributes)).second;
}
bool InMemoryEntityStore::AddUserAlias(std::string alias, std::string_view user_id) {
  const Value* user = FindIn(users_, user_id);
  if (!user || users_.count(alias)) return false;
  return user_aliases_.emplace(std::move(alias), user).second;
}
bool InMemoryEntityStore::AddResource(std::string kind, std::string id, Value attributes) {
  return resources_.emplace(ResourceKey(kind, id), std::move(attributes)).second;
}

const Value* InMemoryEntityStore::FindOrganization(std::string_view id) const {
  return FindIn(organizations_, id);
}
const Value* InMemoryEntityStore::FindUser(std::string_view id) const {
  if (const Value* user = FindIn(users_, id)) return user;
  auto it = user_aliases_.find(id);
  return it == user_aliases_.end() ? nullptr : it->second;
}
const Value* InMemoryEntityStore::FindResource(std::string_view kind, std::string_view id) const {
  return FindIn(resources_, EntityKey{kind, id});
}

const EntityStore& EmptyEntityStore() {
  static const InMemoryEntityStore* empty = new InMemoryEntityStore();
  return *empty;
}

}  // namespace castellan::engine
