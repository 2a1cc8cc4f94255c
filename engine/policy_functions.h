// The functions policies call beyond CEL's standard library: role.*,
// permission.*, org(), user() and group.contains() (see
// docs/policy-language.md for what each returns).
//
// Each compiled policy set registers its own copies, because they read that
// set's declarations. An unknown role, permission or group name is an error
// value, so a rule that uses one never allows. All tables are immutable and
// the functions are safe to call from many threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dsl/policy.h"
#include "engine/function_registry.h"

namespace castellan::engine {

class PolicySet;

// role.rank, role.level, role.grants, role.customisable, role.names, role.maxRank.
void RegisterRoleFunctions(FunctionRegistry& registry, const std::vector<dsl::RoleDecl>& roles);

// permission.requires, permission.companyLevel, permission.levels.
void RegisterPermissionFunctions(FunctionRegistry& registry,
                                 const std::vector<dsl::PermissionDecl>& permissions);

// org(id), user(id), lookup(kind, id) (read through the activation's EntityStore) and
// group.contains(group, org_id) over the groups of `set`, which must outlive
// the registry.
void RegisterEntityFunctions(FunctionRegistry& registry, const PolicySet& set);

namespace internal {

// Registers `name(string)`: finds the argument in `table` (declared names of
// `what`, e.g. "role") and returns get(entry); an unknown name is an error.
template <typename Table, typename Get>
void AddNamedLookup(FunctionRegistry& registry, const std::string& name, const char* what,
                    std::shared_ptr<const Table> table, Get get) {
  registry.Add(name, [name, what, table, get](std::span<const Value> args) -> Value {
    if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
      return NoMatchingOverload(name, args);
    }
    auto it = table->find(args[0].string_value());
    if (it == table->end()) {
      return Value::Error(ErrorKind::kInvalidArgument,
                          std::string("unknown ") + what + " '" + args[0].string_value() + "'");
    }
    return get(it->second);
  });
}

}  // namespace internal
}  // namespace castellan::engine
