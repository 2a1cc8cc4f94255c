// role.rank(name) and role.level(name): the ranked-role helpers of rules.
//
// They read the Role documents of one policy set, so each compiled policy
// set registers its own copies. An unknown role name is an error value (and
// so never allows). Thread-safe: the tables are immutable.
#pragma once

#include <vector>

#include "dsl/policy.h"
#include "engine/function_registry.h"

namespace castellan::engine {

// Adds role.rank and role.level over `roles` to `registry`.
void RegisterRoleFunctions(FunctionRegistry& registry, const std::vector<dsl::RoleDecl>& roles);

}  // namespace castellan::engine
