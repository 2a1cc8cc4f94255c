#include <algorithm>
#include <map>
#include <memory>

#include "engine/policy_functions.h"

namespace castellan::engine {
namespace {

struct RoleEntry {
  int64_t rank;
  std::string level;
  Value grants;        // list of permission names
  Value customisable;  // list of permission names
};
using RoleTable = std::map<std::string, RoleEntry, std::less<>>;

Value Names(const std::vector<dsl::Reference>& refs) {
  ValueList out;
  for (const auto& r : refs) out.push_back(Value::String(r.name));
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

}  // namespace

void RegisterRoleFunctions(FunctionRegistry& registry, const std::vector<dsl::RoleDecl>& roles) {
  auto table = std::make_shared<RoleTable>();
  for (const auto& r : roles) {
    (*table)[r.name] = {r.rank, r.level, Names(r.grants), Names(r.customisable)};
  }

  std::shared_ptr<const RoleTable> roles_by_name = table;
  auto add = [&](const char* name, auto get) {
    internal::AddNamedLookup(registry, name, "role", roles_by_name, get);
  };
  add("role.rank", [](const RoleEntry& e) { return Value::Int(e.rank); });
  add("role.level", [](const RoleEntry& e) { return Value::String(e.level); });
  add("role.grants", [](const RoleEntry& e) { return e.grants; });
  add("role.customisable", [](const RoleEntry& e) { return e.customisable; });

  registry.Add("role.names", [](std::span<const Value> args) {
    if (args.size() != 1 || args[0].kind() != Value::Kind::kList) return BadRoleList("role.names");
    ValueList names;
    for (const Value& entry : args[0].list_value()) {
      const Value* name = RoleNameOf(entry);
      if (!name) return BadRoleList("role.names");
      names.push_back(*name);
    }
    return Value::List(std::move(names));
  });

  // The highest rank among a list of roles (optionally only those of one
  // level); 0 for an empty list, so "no role" is beneath every ranked role.
  registry.Add("role.maxRank", [table](std::span<const Value> args) {
    if (args.empty() || args.size() > 2 || args[0].kind() != Value::Kind::kList ||
        (args.size() == 2 && args[1].kind() != Value::Kind::kString)) {
      return NoMatchingOverload("role.maxRank", args);
    }
    int64_t best = 0;
    for (const Value& entry : args[0].list_value()) {
      const Value* name = RoleNameOf(entry);
      if (!name) return BadRoleList("role.maxRank");
      auto it = table->find(name->string_value());
      if (it == table->end()) {
        return Value::Error(ErrorKind::kInvalidArgument,
                            "unknown role '" + name->string_value() + "'");
      }
      if (args.size() == 2 && it->second.level != args[1].string_value()) continue;
      best = std::max(best, it->second.rank);
    }
    return Value::Int(best);
  });
}

}  // namespace castellan::engine
