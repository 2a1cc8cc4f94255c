#include "engine/entity_snapshot.h"

#include <algorithm>
#include <map>
#include <set>

#include "dsl/entity_schema.h"
#include "engine/catalogue.h"
#include "engine/policy_set.h"
#include "engine/trust_boundary.h"

namespace castellan::engine {
namespace {

using K = Value::Kind;

std::string Key(std::string_view kind, std::string_view id) {
  std::string key(kind);
  key += '/';
  key += id;
  return key;
}

const Value* Field(const Value& map, std::string_view key) {
  return map.kind() == K::kMap ? map.map_value().FindString(key) : nullptr;
}

std::string_view StringField(const Value& map, std::string_view key) {
  const Value* v = Field(map, key);
  return v && v->kind() == K::kString ? std::string_view(v->string_value()) : std::string_view();
}

std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "/" + std::to_string(i);
}

bool IsCustomRole(const EntityRecord& r) {
  if (r.kind != "role") return false;
  const Value* builtin = Field(r.attributes, "builtin");
  return !(builtin && builtin->is_bool() && builtin->bool_value());
}
bool IsGroup(const EntityRecord& r) {
  return r.kind == "customer_group";
}

// Collects the problems of one entity.
class Problems {
 public:
  Problems(const EntityRecord& r, std::vector<EntityProblem>* out) : r_(r), out_(out) {}
  void Add(std::string path, const char* code, std::string message) {
    out_->push_back({r_.kind, r_.id, std::move(path), code, std::move(message)});
  }
  void Invalid(std::string path, std::string message) {
    Add(std::move(path), "invalid_entity", std::move(message));
  }

 private:
  const EntityRecord& r_;
  std::vector<EntityProblem>* out_;
};

// `field` of the record, when present, must be a non-empty string.
void CheckString(const EntityRecord& r, std::string_view field, bool required, Problems& p) {
  const Value* v = Field(r.attributes, field);
  if (!v) {
    if (required)
      p.Invalid("/" + JsonPointerToken(field), "'" + std::string(field) + "' is required");
    return;
  }
  if (v->kind() != K::kString || v->string_value().empty()) {
    p.Invalid("/" + JsonPointerToken(field),
              "'" + std::string(field) + "' must be a non-empty string");
  }
}

// A list of non-empty strings at `field`, when present.
void CheckStringList(const EntityRecord& r, std::string_view field, Problems& p) {
  const Value* v = Field(r.attributes, field);
  if (!v) return;
  const std::string path = "/" + JsonPointerToken(field);
  if (v->kind() != K::kList) {
    p.Invalid(path, "'" + std::string(field) + "' must be a list of strings");
    return;
  }
  for (size_t i = 0; i < v->list_value().size(); ++i) {
    const Value& item = v->list_value()[i];
    if (item.kind() != K::kString || item.string_value().empty()) {
      p.Invalid(Index(path, i), "'" + std::string(field) + "' must hold non-empty strings");
    }
  }
}

void CheckUser(const EntityRecord& r, Problems& p) {
  CheckString(r, "org", false, p);
  CheckStringList(r, "aliases", p);
  CheckStringList(r, "permissions", p);
  if (const Value* access = Field(r.attributes, "customer_access");
      access && access->kind() != K::kMap) {
    p.Invalid("/customer_access", "'customer_access' must be a map");
  }
  const Value* roles = Field(r.attributes, "roles");
  if (!roles) return;
  if (roles->kind() != K::kList) {
    p.Invalid("/roles", "'roles' must be a list of role names or {role: name, ...}");
    return;
  }
  for (size_t i = 0; i < roles->list_value().size(); ++i) {
    const Value& entry = roles->list_value()[i];
    const std::string path = Index("/roles", i);
    if (entry.kind() == K::kString) {
      if (entry.string_value().empty()) p.Invalid(path, "a role name must not be empty");
      continue;
    }
    if (entry.kind() != K::kMap) {
      p.Invalid(path, "a binding is a role name or {role: name, access: ..., permissions: ...}");
      continue;
    }
    const Value* role = Field(entry, "role");
    if (!role || role->kind() != K::kString || role->string_value().empty()) {
      p.Invalid(path + "/role", "a binding needs 'role', the role's name");
    }
    if (const Value* access = Field(entry, "access"); access && access->kind() != K::kMap) {
      p.Invalid(path + "/access", "'access' must be a map");
    }
    if (const Value* perms = Field(entry, "permissions")) {
      if (perms->kind() != K::kList) {
        p.Invalid(path + "/permissions", "'permissions' must be a list of permission names");
      }
    }
  }
}

// A custom role's permissions: each a declared permission within the ceiling
// of `custom`. Adds the ones that are to `grants`; reports the others to `p`.
void CheckPermissions(const EntityRecord& r, const PolicySet& policies,
                      const CompiledCustomRoles& custom, Problems& p, PermissionSet* grants) {
  const Value* perms = Field(r.attributes, "permissions");
  if (!perms) {
    p.Invalid("/permissions", "a custom role needs 'permissions', a list of permission names");
    return;
  }
  if (perms->kind() != K::kList) {
    p.Invalid("/permissions", "'permissions' must be a list of permission names");
    return;
  }
  for (size_t i = 0; i < perms->list_value().size(); ++i) {
    const Value& name = perms->list_value()[i];
    const std::string path = Index("/permissions", i);
    PermissionId id;
    if (name.kind() != K::kString) {
      p.Invalid(path, "a permission is named by a string");
    } else if (!policies.FindPermission(name.string_value(), &id)) {
      p.Add(path, "unknown_permission",
            "unknown permission '" + name.string_value() + "': the policies declare none so named");
    } else if (!custom.ceiling.Contains(id)) {
      p.Add(path, "outside_ceiling",
            "permission '" + name.string_value() + "' is outside the ceiling of level '" +
                custom.decl->level + "' (the CustomRoles document at " +
                custom.decl->location.ToString() + ")");
    } else if (grants) {
      grants->Add(id);
    }
  }
}

// The CustomRoles document a custom role names, or a problem.
const CompiledCustomRoles* CustomRolesOf(const EntityRecord& r, const PolicySet& policies,
                                         Problems& p) {
  if (policies.source().custom_roles.empty()) {
    p.Invalid("", "custom roles are not allowed: the policies have no CustomRoles document");
    return nullptr;
  }
  const Value* level = Field(r.attributes, "level");
  if (level && level->kind() != K::kString) {
    p.Invalid("/level", "'level' must be a string");
    return nullptr;
  }
  const std::string_view name = level ? std::string_view(level->string_value()) : "";
  const CompiledCustomRoles* custom = policies.FindCustomRoles(name);
  if (!custom) {
    p.Invalid("/level", level ? "no CustomRoles document declares level '" + std::string(name) + "'"
                              : std::string("'level' is required: the policies declare custom "
                                            "roles of several levels"));
  }
  return custom;
}

void CheckCustomRole(const EntityRecord& r, const PolicySet& policies, Problems& p) {
  CheckString(r, "org", true, p);
  if (const Value* access = Field(r.attributes, "access"); access && access->kind() != K::kMap) {
    p.Invalid("/access", "'access' must be a map (all, customers or groups)");
  }
  if (const CompiledCustomRoles* custom = CustomRolesOf(r, policies, p)) {
    CheckPermissions(r, policies, *custom, p, nullptr);
  }
}

// A stored group's match, checked as a policy CustomerGroup's would be.
std::optional<dsl::Condition> CheckMatch(const Value& match, const PolicySet& policies,
                                         Problems& p) {
  if (match.kind() != K::kString) {
    p.Invalid("/match", "'match' must be an expression (a string)");
    return std::nullopt;
  }
  dsl::Diagnostics diagnostics;
  std::optional<dsl::Condition> checked = dsl::CheckStoredMatch(
      match.string_value(), policies.source(), PolicyEnvironments().group, diagnostics);
  for (const auto& d : diagnostics) {
    p.Add("/match", "invalid_expression",
          std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  }
  return checked;
}

void CheckGroup(const EntityRecord& r, const PolicySet& policies, Problems& p) {
  CheckString(r, "org", true, p);
  const Value* members = Field(r.attributes, "members");
  const Value* match = Field(r.attributes, "match");
  if (members && match) {
    p.Invalid("", "a customer group has either 'members' (static) or 'match' (dynamic), not both");
  } else if (!members && !match) {
    p.Invalid("", "a customer group needs 'members' (static) or 'match' (dynamic)");
  }
  if (members) CheckStringList(r, "members", p);
  if (members && members->kind() != K::kList) return;
  if (match) CheckMatch(*match, policies, p);
}

// ---- Compiled custom roles and groups -------------------------------------------------

// A custom role with the declaration it was compiled from (CompiledRole points into it).
struct StoredRole {
  std::shared_ptr<const EntityRecord> record;
  dsl::RoleDecl decl;
  CompiledRole role;
};
struct StoredGroup {
  std::shared_ptr<const EntityRecord> record;
  dsl::CustomerGroupDecl decl;
  CompiledGroup group;
};

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename T>
using ByName = std::unordered_map<std::string, T, NameHash, std::equal_to<>>;
// owner (partner) -> id -> compiled; an owner's map is shared between
// snapshots until a write touches that owner.
template <typename T>
using ByOwner = ByName<std::shared_ptr<const ByName<std::shared_ptr<const T>>>>;

template <typename T>
const T* FindIn(const ByOwner<T>& index, std::string_view owner, std::string_view id) {
  auto o = index.find(owner);
  if (o == index.end()) return nullptr;
  auto it = o->second->find(id);
  return it == o->second->end() ? nullptr : it->second.get();
}
template <typename T>
void PutIn(ByOwner<T>& index, const std::string& owner, const std::string& id,
           std::shared_ptr<const T> item) {
  auto copy = std::make_shared<ByName<std::shared_ptr<const T>>>();
  if (auto o = index.find(owner); o != index.end()) *copy = *o->second;
  (*copy)[id] = std::move(item);
  index[owner] = std::move(copy);
}
template <typename T>
void EraseFrom(ByOwner<T>& index, std::string_view owner, std::string_view id) {
  auto o = index.find(owner);
  if (o == index.end() || o->second->find(id) == o->second->end()) return;
  auto copy = std::make_shared<ByName<std::shared_ptr<const T>>>(*o->second);
  copy->erase(std::string(id));
  if (copy->empty()) {
    index.erase(o);
  } else {
    o->second = std::move(copy);
  }
}

// Compiles a custom role. `lenient`: permissions the ceiling no longer holds
// are dropped with a warning instead of refusing the role (Build, Rebuild).
std::shared_ptr<const StoredRole> CompileRole(std::shared_ptr<const EntityRecord> record,
                                              const PolicySet& policies, bool lenient,
                                              std::vector<EntityProblem>* problems,
                                              std::vector<EntityProblem>* warnings) {
  std::vector<EntityProblem> found;
  Problems p(*record, &found);
  CheckString(*record, "org", true, p);
  const CompiledCustomRoles* custom = CustomRolesOf(*record, policies, p);
  auto out = std::make_shared<StoredRole>();
  PermissionSet grants;
  if (custom) CheckPermissions(*record, policies, *custom, p, &grants);
  bool refused = false;
  for (auto& problem : found) {
    const bool droppable =
        problem.code == "outside_ceiling" || problem.code == "unknown_permission";
    if (lenient && droppable) {
      problem.message += " (dropped)";
      warnings->push_back(std::move(problem));
    } else {
      refused = true;
      problems->push_back(std::move(problem));
    }
  }
  if (refused || !custom) return nullptr;
  out->record = std::move(record);
  const Value& attrs = out->record->attributes;
  dsl::RoleDecl& decl = out->decl;
  decl.name = out->record->id;
  decl.level = custom->decl->level;
  decl.scope = custom->decl->scope;
  for (size_t i = 0; i < policies.permissions().size(); ++i) {
    if (grants.Contains(static_cast<PermissionId>(i))) {
      decl.grants.push_back({policies.permissions()[i].decl->name, custom->decl->location});
    }
  }
  decl.description = std::string(StringField(attrs, "description"));
  decl.location = {"", 1, 1};
  grants.KeepOnly(custom->level_allowed);
  const Value* access = Field(attrs, "access");
  out->role = CompiledRole{&out->decl,    grants,
                           grants,        custom->level_allowed,
                           custom->scope, access && access->kind() == K::kMap ? access : nullptr};
  return out;
}

std::shared_ptr<const StoredGroup> CompileGroup(std::shared_ptr<const EntityRecord> record,
                                                const PolicySet& policies,
                                                std::vector<EntityProblem>* problems) {
  const size_t before = problems->size();
  Problems p(*record, problems);
  CheckString(*record, "org", true, p);
  const Value& attrs = record->attributes;
  const Value* members = Field(attrs, "members");
  const Value* match = Field(attrs, "match");
  auto out = std::make_shared<StoredGroup>();
  if (members && match) {
    p.Invalid("", "a customer group has either 'members' (static) or 'match' (dynamic), not both");
  } else if (!members && !match) {
    p.Invalid("", "a customer group needs 'members' (static) or 'match' (dynamic)");
  } else if (members) {
    CheckStringList(*record, "members", p);
    if (members->kind() == K::kList) {
      std::vector<std::string> names;
      for (const Value& m : members->list_value()) {
        if (m.kind() == K::kString) names.push_back(m.string_value());
      }
      out->group.members.insert(names.begin(), names.end());
      out->decl.members = std::move(names);
    }
  } else {
    out->decl.match = CheckMatch(*match, policies, p);
    if (out->decl.match) {
      out->group.match = Program::Compile(
          *out->decl.match->expr, {&policies.functions(), out->decl.match->resolutions.get()});
    }
  }
  if (problems->size() != before) return nullptr;
  out->record = std::move(record);
  out->decl.name = out->record->id;
  out->decl.owner = std::string(StringField(out->record->attributes, "org"));
  out->decl.description = std::string(StringField(out->record->attributes, "description"));
  out->decl.location = {"", 1, 1};
  out->group.decl = &out->decl;
  return out;
}

}  // namespace

struct EntitySnapshot::Compiled {
  ByOwner<StoredRole> roles;
  ByOwner<StoredGroup> groups;
};

// ---- Validation -----------------------------------------------------------------------

std::vector<EntityProblem> ValidateEntity(const EntityRecord& r, const PolicySet& policies) {
  std::vector<EntityProblem> out;
  Problems p(r, &out);
  if (r.kind.empty()) p.Invalid("/kind", "an entity needs a kind");
  // Entities are keyed "kind/id": a kind holding '/' could name another's key.
  if (r.kind.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
    p.Invalid("/kind", "a kind may not contain '/' or NUL");
  }
  if (r.id.empty()) p.Invalid("/id", "an entity needs an id (a non-empty string)");
  if (r.attributes.kind() != K::kMap) {
    p.Invalid("", "an entity is a map of its attributes");
    return out;
  }
  if (StringField(r.attributes, "id") != r.id) {
    p.Invalid("/id", "'id' must be the entity's id, '" + r.id + "'");
  }
  const bool resource = r.kind != "organization" && r.kind != "user";
  if (resource && StringField(r.attributes, "kind") != r.kind) {
    p.Invalid("/kind", "'kind' must be the resource's kind, '" + r.kind + "'");
  }
  if (r.kind == "organization") {
    CheckString(r, "parent", false, p);
    if (!r.id.empty() && StringField(r.attributes, "parent") == r.id) {
      p.Invalid("/parent", "an organization cannot be its own parent");
    }
  } else if (r.kind == "user") {
    CheckUser(r, p);
  } else {
    CheckString(r, "org", false, p);
  }
  if (const dsl::EntityKindDecl* decl = policies.FindEntityKind(r.kind)) {
    std::vector<Refusal> refusals;
    CheckInlineEntity(r.attributes, *decl, r.kind == "user", &refusals);
    for (const Refusal& refusal : refusals) {
      p.Invalid("/" + JsonPointerToken(refusal.attribute), refusal.message);
    }
  }
  if (IsCustomRole(r)) CheckCustomRole(r, policies, p);
  if (IsGroup(r)) CheckGroup(r, policies, p);
  return out;
}

// ---- Building -------------------------------------------------------------------------

namespace {

// Adds `user`'s aliases to `aliases`; reports each taken by another user.
void AddAliases(const std::shared_ptr<const EntityRecord>& user,
                const EntityTable<std::shared_ptr<const EntityRecord>>& records,
                EntityTable<std::shared_ptr<const EntityRecord>>& aliases,
                std::vector<EntityProblem>* problems) {
  const Value* list = Field(user->attributes, "aliases");
  if (!list || list->kind() != K::kList) return;
  Problems p(*user, problems);
  for (size_t i = 0; i < list->list_value().size(); ++i) {
    const Value& alias = list->list_value()[i];
    if (alias.kind() != K::kString || alias.string_value().empty()) continue;
    const std::string& name = alias.string_value();
    auto owner = records.find(Key("user", name));
    if (owner != records.end() && owner->second != user) {
      p.Add(Index("/aliases", i), "alias_taken", "alias '" + name + "' is another user's id");
      continue;
    }
    auto [it, inserted] = aliases.emplace(name, user);
    if (!inserted && it->second != user) {
      p.Add(Index("/aliases", i), "alias_taken",
            "alias '" + name + "' is already an alias of user '" + it->second->id + "'");
    }
  }
}

void RemoveAliases(const EntityRecord& user,
                   EntityTable<std::shared_ptr<const EntityRecord>>& aliases) {
  const Value* list = Field(user.attributes, "aliases");
  if (!list || list->kind() != K::kList) return;
  for (const Value& alias : list->list_value()) {
    if (alias.kind() != K::kString) continue;
    auto it = aliases.find(alias.string_value());
    if (it != aliases.end() && it->second.get() == &user) aliases.erase(it);
  }
}

}  // namespace

EntitySnapshot::Result EntitySnapshot::Build(std::vector<EntityRecord> records,
                                             std::shared_ptr<const PolicySet> policies,
                                             uint64_t version) {
  Result result;
  std::shared_ptr<EntitySnapshot> next(new EntitySnapshot());
  next->version_ = version;
  next->policies_ = policies;
  auto compiled = std::make_shared<Compiled>();
  std::vector<std::shared_ptr<const EntityRecord>> users;
  next->records_.reserve(records.size());
  for (EntityRecord& r : records) {
    std::vector<EntityProblem> shape = ValidateEntity(r, *policies);
    // Permissions outside the ceiling are dropped with a warning below, not refused.
    for (auto& problem : shape) {
      if (problem.code != "outside_ceiling" && problem.code != "unknown_permission") {
        result.problems.push_back(std::move(problem));
      }
    }
    auto record = std::make_shared<const EntityRecord>(std::move(r));
    const std::string key = Key(record->kind, record->id);
    if (!next->records_.emplace(key, record).second) {
      result.problems.push_back(
          {record->kind, record->id, "", "duplicate_id",
           "duplicate id: another " + record->kind + " is '" + record->id + "'"});
      continue;
    }
    if (record->kind == "user") users.push_back(record);
    const std::string owner(StringField(record->attributes, "org"));
    if (IsCustomRole(*record)) {
      auto role =
          CompileRole(record, *policies, /*lenient=*/true, &result.problems, &result.warnings);
      if (role) PutIn(compiled->roles, owner, record->id, std::move(role));
    } else if (IsGroup(*record)) {
      std::vector<EntityProblem> ignored;  // ValidateEntity reported them
      auto group = CompileGroup(record, *policies, &ignored);
      if (group) PutIn(compiled->groups, owner, record->id, std::move(group));
    }
  }
  for (const auto& user : users) AddAliases(user, next->records_, next->aliases_, &result.problems);
  // A role's problems were reported twice (by ValidateEntity and CompileRole): keep one of each.
  std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
  std::vector<EntityProblem> unique;
  for (auto& p : result.problems) {
    if (seen.insert({p.kind, p.id, p.path, p.code}).second) unique.push_back(std::move(p));
  }
  result.problems = std::move(unique);
  if (!result.problems.empty()) return result;
  next->compiled_ = std::move(compiled);
  next->BuildIndexes();
  result.snapshot = std::move(next);
  return result;
}

EntitySnapshot::Result EntitySnapshot::Apply(
    std::vector<EntityRecord> puts, const std::vector<std::pair<std::string, std::string>>& deletes,
    uint64_t version) const {
  Result result;
  std::shared_ptr<EntitySnapshot> next(new EntitySnapshot());
  next->version_ = version;
  next->policies_ = policies_;
  // Copies of the indexes (pointers only): the records themselves are shared.
  next->records_ = records_;
  next->aliases_ = aliases_;
  auto compiled = std::make_shared<Compiled>(*compiled_);

  auto remove = [&](const std::string& key) {
    auto it = next->records_.find(key);
    if (it == next->records_.end()) return;
    const EntityRecord& old = *it->second;
    const std::string_view owner = StringField(old.attributes, "org");
    if (old.kind == "user") RemoveAliases(old, next->aliases_);
    if (IsCustomRole(old)) EraseFrom(compiled->roles, owner, old.id);
    if (IsGroup(old)) EraseFrom(compiled->groups, owner, old.id);
    next->records_.erase(it);
  };
  for (const auto& [kind, id] : deletes) remove(Key(kind, id));

  std::set<std::string> put_keys;
  std::vector<std::shared_ptr<const EntityRecord>> added;
  for (EntityRecord& r : puts) {
    std::vector<EntityProblem> shape = ValidateEntity(r, *policies_);
    result.problems.insert(result.problems.end(), shape.begin(), shape.end());
    const std::string key = Key(r.kind, r.id);
    if (!put_keys.insert(key).second) {
      result.problems.push_back(
          {r.kind, r.id, "", "duplicate_id", "the same entity is written twice in one change"});
      continue;
    }
    if (!shape.empty()) continue;
    // Ids of tenant-defined roles and groups are unique across partners: a
    // write naming another partner's must not take it over.
    if (auto it = next->records_.find(key);
        it != next->records_.end() && (IsCustomRole(*it->second) || IsGroup(*it->second)) &&
        StringField(it->second->attributes, "org") != StringField(r.attributes, "org")) {
      result.problems.push_back({r.kind, r.id, "/org", "duplicate_id",
                                 "'" + r.id + "' is another organization's " + r.kind +
                                     "; delete it first or choose another id"});
      continue;
    }
    remove(key);
    auto record = std::make_shared<const EntityRecord>(std::move(r));
    next->records_.emplace(key, record);
    added.push_back(record);
  }
  for (const auto& record : added) {
    const std::string owner(StringField(record->attributes, "org"));
    Problems p(*record, &result.problems);
    auto require_org = [&](std::string_view field) {
      const std::string_view org = StringField(record->attributes, field);
      if (!org.empty() && !next->records_.count(Key("organization", org))) {
        p.Add("/" + std::string(field), "unknown_organization",
              "no organization '" + std::string(org) + "' is stored");
      }
    };
    if (record->kind == "user") {
      require_org("org");
      // A new user's id may not be someone's alias.
      auto alias = next->aliases_.find(record->id);
      if (alias != next->aliases_.end() && alias->second->id != record->id) {
        p.Add("/id", "alias_taken",
              "id '" + record->id + "' is already an alias of user '" + alias->second->id + "'");
      }
      AddAliases(record, next->records_, next->aliases_, &result.problems);
    } else if (record->kind == "organization") {
      require_org("parent");
    } else if (IsCustomRole(*record)) {
      require_org("org");
      std::vector<EntityProblem> ignored;  // ValidateEntity reported them
      if (auto role = CompileRole(record, *policies_, /*lenient=*/false, &ignored, &ignored)) {
        PutIn(compiled->roles, owner, record->id, std::move(role));
      }
    } else if (IsGroup(*record)) {
      require_org("org");
      std::vector<EntityProblem> ignored;
      if (auto group = CompileGroup(record, *policies_, &ignored)) {
        PutIn(compiled->groups, owner, record->id, std::move(group));
      }
    }
  }
  if (!result.problems.empty()) return result;
  next->compiled_ = std::move(compiled);
  next->BuildIndexes();
  result.snapshot = std::move(next);
  return result;
}

EntitySnapshot::Result EntitySnapshot::Rebuild(std::shared_ptr<const PolicySet> policies) const {
  std::vector<EntityRecord> records;
  records.reserve(records_.size());
  for (const EntityRecord* r : All()) records.push_back(*r);
  return Build(std::move(records), std::move(policies), version_);
}

// ---- Query indexes -------------------------------------------------------------------

struct EntitySnapshot::Indexes {
  using List = std::vector<const EntityRecord*>;
  std::map<std::string, List, std::less<>> by_kind, users_by_org, children;
};

void EntitySnapshot::BuildIndexes() {
  auto indexes = std::make_shared<Indexes>();
  for (const auto& entry : records_) {
    const EntityRecord* r = entry.second.get();
    indexes->by_kind[r->kind].push_back(r);
    if (r->kind == "user") {
      indexes->users_by_org[std::string(StringField(r->attributes, "org"))].push_back(r);
    } else if (r->kind == "organization") {
      const std::string_view parent = StringField(r->attributes, "parent");
      if (!parent.empty()) indexes->children[std::string(parent)].push_back(r);
    }
  }
  auto by_id = [](const EntityRecord* a, const EntityRecord* b) { return a->id < b->id; };
  for (auto* index : {&indexes->by_kind, &indexes->users_by_org, &indexes->children}) {
    for (auto& entry : *index) std::sort(entry.second.begin(), entry.second.end(), by_id);
  }
  indexes_ = std::move(indexes);
}

namespace {
const std::vector<const EntityRecord*>& Lookup(
    const std::map<std::string, std::vector<const EntityRecord*>, std::less<>>& index,
    std::string_view key) {
  static const std::vector<const EntityRecord*> kNone;
  auto it = index.find(key);
  return it == index.end() ? kNone : it->second;
}
}  // namespace

const std::vector<const EntityRecord*>& EntitySnapshot::OfKind(std::string_view kind) const {
  return Lookup(indexes_->by_kind, kind);
}
const std::vector<const EntityRecord*>& EntitySnapshot::UsersOf(std::string_view org) const {
  return Lookup(indexes_->users_by_org, org);
}
const std::vector<const EntityRecord*>& EntitySnapshot::ChildrenOf(std::string_view org) const {
  return Lookup(indexes_->children, org);
}

// ---- Reading --------------------------------------------------------------------------

const EntityRecord* EntitySnapshot::Find(std::string_view kind, std::string_view id) const {
  auto it = records_.find(EntityKey{kind, id});
  return it == records_.end() ? nullptr : it->second.get();
}

std::vector<const EntityRecord*> EntitySnapshot::All() const {
  std::vector<const EntityRecord*> out;
  out.reserve(records_.size());
  for (const auto& entry : records_) out.push_back(entry.second.get());
  auto rank = [](const EntityRecord* r) {
    return r->kind == "organization" ? 0 : r->kind == "user" ? 1 : 2;
  };
  std::sort(out.begin(), out.end(), [&](const EntityRecord* a, const EntityRecord* b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a->id != b->id) return a->id < b->id;
    return a->kind < b->kind;
  });
  return out;
}

size_t EntitySnapshot::size() const {
  return records_.size();
}

const Value* EntitySnapshot::FindOrganization(std::string_view id) const {
  const EntityRecord* r = Find("organization", id);
  return r ? &r->attributes : nullptr;
}

const Value* EntitySnapshot::FindUser(std::string_view id) const {
  if (const EntityRecord* r = Find("user", id)) return &r->attributes;
  auto it = aliases_.find(id);
  return it == aliases_.end() ? nullptr : &it->second->attributes;
}

const Value* EntitySnapshot::FindResource(std::string_view kind, std::string_view id) const {
  const EntityRecord* r = Find(kind, id);
  return r ? &r->attributes : nullptr;
}

const CompiledRole* EntitySnapshot::FindCustomRole(std::string_view partner,
                                                   std::string_view name) const {
  if (!compiled_ || partner.empty()) return nullptr;
  const StoredRole* role = FindIn(compiled_->roles, partner, name);
  return role ? &role->role : nullptr;
}

const CompiledGroup* EntitySnapshot::FindCustomerGroup(std::string_view owner,
                                                       std::string_view name) const {
  if (!compiled_ || owner.empty()) return nullptr;
  const StoredGroup* group = FindIn(compiled_->groups, owner, name);
  return group ? &group->group : nullptr;
}

}  // namespace castellan::engine
