#include <algorithm>
#include <map>
#include <memory>

#include "engine/activation.h"
#include "engine/entity_store.h"
#include "engine/policy_functions.h"
#include "engine/policy_set.h"

namespace castellan::engine {
namespace {

struct RoleEntry {
  int64_t rank;
  std::string level;
  Value grants;        // list of permission names, inherited ones included
  Value customisable;  // list of permission names, inherited ones included
  Value tags;          // list of strings
};
using RoleTable = std::map<std::string, RoleEntry, std::less<>>;

// The names of the permissions in `ids`, in declaration order.
Value Names(const PolicySet& set, const PermissionSet& ids) {
  ValueList out;
  for (size_t i = 0; i < set.permissions().size(); ++i) {
    if (ids.Contains(static_cast<PermissionId>(i))) {
      out.push_back(Value::String(set.permissions()[i].decl->name));
    }
  }
  return Value::List(std::move(out));
}

// The role name of one entry of a `roles` list: "partner.admin" or {role: "partner.admin", ...}.
const Value* RoleNameOf(const Value& entry) {
  if (entry.kind() == Value::Kind::kString) return &entry;
  if (entry.kind() == Value::Kind::kMap) {
    const Value* name = entry.map_value().FindString("role");
    if (name && name->kind() == Value::Kind::kString) return name;
  }
  return nullptr;
}

Value BadRoleList(const char* fn) {
  return Value::Error(ErrorKind::kNoMatchingOverload,
                      std::string(fn) + " expects a list of role names or {role: name} bindings");
}

std::shared_ptr<const RoleTable> RoleTableOf(const PolicySet& set) {
  auto table = std::make_shared<RoleTable>();
  for (const auto& r : set.source().roles) {
    const CompiledRole* role = set.FindRole(r.name);
    PermissionSet customisable = role->ceiling;
    customisable.RemoveAll(role->grants);
    ValueList tags;
    for (const auto& t : r.tags) tags.push_back(Value::String(t));
    (*table)[r.name] = {r.rank, r.level, Names(set, role->grants), Names(set, customisable),
                        Value::List(std::move(tags))};
  }
  return table;
}

// A custom role stored as data (engine/entity_snapshot.h) of the principal's
// partner (its organization, or that organization's parent); null outside a
// decision or when there is none.
const CompiledRole* StoredRoleOf(std::string_view name, const Activation& a) {
  const EntityStore* store = a.entities();
  const Value* principal = a.Find("principal");
  if (!store || !principal || principal->kind() != Value::Kind::kMap) return nullptr;
  const Value* org = principal->map_value().FindString("org");
  if (!org || org->kind() != Value::Kind::kString) return nullptr;
  std::string_view partner = org->string_value();
  if (const Value* own = store->FindOrganization(partner);
      own && own->kind() == Value::Kind::kMap) {
    const Value* parent = own->map_value().FindString("parent");
    if (parent && parent->kind() == Value::Kind::kString && !parent->string_value().empty()) {
      partner = parent->string_value();
    }
  }
  return store->FindCustomRole(partner, name);
}

// A custom role as the role functions see it: rank 0, no customisable, no tags.
RoleEntry EntryOf(const PolicySet& set, const CompiledRole& role) {
  return {role.decl->rank, role.decl->level, Names(set, role.grants), Value::List({}),
          Value::List({})};
}

// role.rank and friends: a declared Role, else the principal's partner's custom role.
template <typename Get>
PolicyFunctionImpl RoleLookup(std::string name, Get get) {
  return [name, get](const PolicySet& set) -> ContextFunctionImpl {
    auto table = RoleTableOf(set);
    return [name, get, table, &set](std::span<const Value> args, const Activation& a) -> Value {
      if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
        return NoMatchingOverload(name, args);
      }
      if (auto it = table->find(args[0].string_value()); it != table->end()) {
        return get(it->second);
      }
      if (const CompiledRole* stored = StoredRoleOf(args[0].string_value(), a)) {
        return get(EntryOf(set, *stored));
      }
      return Value::Error(ErrorKind::kInvalidArgument,
                          "unknown role '" + args[0].string_value() + "'");
    };
  };
}

Value RoleNames(std::span<const Value> args) {
  if (args.size() != 1 || args[0].kind() != Value::Kind::kList) return BadRoleList("role.names");
  ValueList names;
  for (const Value& entry : args[0].list_value()) {
    const Value* name = RoleNameOf(entry);
    if (!name) return BadRoleList("role.names");
    names.push_back(*name);
  }
  return Value::List(std::move(names));
}

// The highest rank among a list of roles (optionally only those of one
// level; 0 when none is of that level). An empty list is an error, as
// role.rank of an unknown role is: a principal with no role must not rank
// beneath everyone, so a rule comparing ranks fails closed.
ContextFunctionImpl MaxRank(const PolicySet& set) {
  return [table = RoleTableOf(set), &set](std::span<const Value> args, const Activation& a) {
    if (args.empty() || args.size() > 2 || args[0].kind() != Value::Kind::kList ||
        (args.size() == 2 && args[1].kind() != Value::Kind::kString)) {
      return NoMatchingOverload("role.maxRank", args);
    }
    if (args[0].list_value().empty()) {
      return Value::Error(ErrorKind::kInvalidArgument, "role.maxRank of no role (an empty list)");
    }
    int64_t best = 0;
    for (const Value& entry : args[0].list_value()) {
      const Value* name = RoleNameOf(entry);
      if (!name) return BadRoleList("role.maxRank");
      auto it = table->find(name->string_value());
      if (it == table->end()) {
        const CompiledRole* stored = StoredRoleOf(name->string_value(), a);
        if (!stored) {
          return Value::Error(ErrorKind::kInvalidArgument,
                              "unknown role '" + name->string_value() + "'");
        }
        if (args.size() == 2 && stored->decl->level != args[1].string_value()) continue;
        best = std::max(best, stored->decl->rank);
        continue;
      }
      if (args.size() == 2 && it->second.level != args[1].string_value()) continue;
      best = std::max(best, it->second.rank);
    }
    return Value::Int(best);
  };
}

}  // namespace

void AddRoleFunctions(Catalogue& c) {
  using dsl::NameKind;
  c.BeginFamily("Role helpers",
                "The declared Roles of the policy set. A literal role name no Role declares is "
                "reported when policies load.");
  auto lookup = [](const char* name, auto get) { return RoleLookup(name, get); };
  c.AddFunction("role.rank", {"role.rank(string) -> int"},
                lookup("role.rank", [](const RoleEntry& e) { return Value::Int(e.rank); }),
                {"The `rank` of the declared Role.", "role.rank('admin') == 100"});
  c.NameArguments("role.rank", {NameKind::kRole});
  c.AddFunction("role.level", {"role.level(string) -> string"},
                lookup("role.level", [](const RoleEntry& e) { return Value::String(e.level); }),
                {"The `level` of the declared Role.", "role.level('admin') == 'partner'"});
  c.NameArguments("role.level", {NameKind::kRole});
  c.AddFunction("role.grants", {"role.grants(string) -> list(string)"},
                lookup("role.grants", [](const RoleEntry& e) { return e.grants; }),
                {"The permissions the Role grants, those of the roles it `inherits` included.",
                 "'read' in role.grants('viewer')"});
  c.NameArguments("role.grants", {NameKind::kRole}, NameKind::kPermission);
  c.AddFunction("role.customisable", {"role.customisable(string) -> list(string)"},
                lookup("role.customisable", [](const RoleEntry& e) { return e.customisable; }),
                {"The permissions a holder of the Role may be given on top of its grants "
                 "(inherited ones included).",
                 "role.customisable('viewer') == ['write']"});
  c.NameArguments("role.customisable", {NameKind::kRole}, NameKind::kPermission);
  c.AddFunction("role.tags", {"role.tags(string) -> list(string)"},
                lookup("role.tags", [](const RoleEntry& e) { return e.tags; }),
                {"The Role's `tags`: free metadata.", "'builtin' in role.tags('viewer')"});
  c.NameArguments("role.tags", {NameKind::kRole});
  c.AddFunction("role.names", {"role.names(dyn) -> list(string)"}, FunctionImpl(RoleNames),
                {"The role names of a `roles` list (names or `{role: ...}` bindings).",
                 "role.names(['admin', {'role': 'viewer'}]) == ['admin', 'viewer']"});
  c.NameArguments("role.names", {}, NameKind::kRole);
  c.AddFunction("role.maxRank", {"role.maxRank(dyn) -> int", "role.maxRank(dyn, string) -> int"},
                PolicyFunctionImpl(MaxRank),
                {"The highest rank in a `roles` list (of one level: 0 when none is); an empty "
                 "list is an error, so a principal with no role fails closed.",
                 "role.maxRank(['admin', 'viewer']) == 100"});
}

}  // namespace castellan::engine
