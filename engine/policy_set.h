// PolicySet: a checked policy source compiled once into an immutable snapshot.
//
// Compile() resolves everything a decision needs ahead of time: permissions
// are numbered and each action's `requires` closure is flattened (each
// needed permission remembers what pulled it in), roles become permission
// sets with their customisation ceiling, rule conditions and group matchers
// become Programs, and every action gets the list of rules that can decide
// it. A PolicySet is never modified after Compile(); share it as
// std::shared_ptr<const PolicySet> and read it from any number of threads.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dsl/diagnostic.h"
#include "dsl/policy.h"
#include "engine/function_registry.h"
#include "engine/permission_set.h"
#include "engine/program.h"

namespace castellan::engine {

// A permission an action needs, and the action or permission whose
// `requires` pulled it in.
struct NeededPermission {
  PermissionId id;
  std::string required_by;
};

// One operand of a condition's top-level `&&` chain, to name the part that failed.
struct Conjunct {
  std::shared_ptr<const Program> program;
  std::string text;
};

struct CompiledRule {
  const dsl::RuleDecl* decl;
  std::string policy;  // the Policy document's name
  std::shared_ptr<const Program> when;
  std::shared_ptr<const Program> unless;
  std::vector<Conjunct> when_conjuncts;  // when `when` is `a && b && ...`; else empty
};

struct CompiledAction {
  const dsl::ActionDecl* decl;
  Value name;                           // the action's name as the `action` variable, built once
  std::vector<NeededPermission> needs;  // the closure over `requires`, in order
  std::vector<PermissionId> needs_any;  // `requires_any`: at least one of these too
  std::vector<const CompiledRule*> deny_rules;
  std::vector<const CompiledRule*> allow_rules;
};

struct CompiledPermission {
  const dsl::PermissionDecl* decl;
  std::vector<std::string> levels;  // empty: any role level
};

enum class ScopeTerm { kOwn, kAssignedCustomers, kCustomers, kAny };

struct CompiledRole {
  const dsl::RoleDecl* decl;
  PermissionSet grants;   // its own and every inherited role's (transitively)
  PermissionSet ceiling;  // grants plus customisable, inherited ones included
  // Permissions a holder of this role may have at all: those without `levels`
  // and those whose `levels` name this role's level.
  PermissionSet level_allowed;
  std::vector<ScopeTerm> scope;
  // A custom role's (engine/entity_snapshot.h) customer access, used by a
  // binding that gives none of its own; null for policy roles.
  const Value* access = nullptr;
};

// A `kind: CustomRoles` document: the scope and ceiling of the custom roles
// of one level.
struct CompiledCustomRoles {
  const dsl::CustomRolesDecl* decl;
  PermissionSet ceiling;
  PermissionSet level_allowed;  // as a role of this level's
  std::vector<ScopeTerm> scope;
};

struct CompiledGroup {
  const dsl::CustomerGroupDecl* decl;
  std::unordered_set<std::string> members;  // static groups
  std::shared_ptr<const Program> match;     // dynamic groups, over `customer`
};

class PolicySet {
 public:
  struct CompileResult {
    std::shared_ptr<const PolicySet> set;  // null when diagnostics has errors
    dsl::Diagnostics diagnostics;
  };
  static CompileResult Compile(dsl::PolicySource source);

  const dsl::PolicySource& source() const { return source_; }
  const std::string& revision() const { return source_.revision; }

  // Lookups by name; nullptr when the name is not declared (exact match).
  const CompiledAction* FindAction(std::string_view name) const;
  const CompiledRole* FindRole(std::string_view name) const;
  const CompiledGroup* FindGroup(std::string_view name) const;
  // The CustomRoles document of `level`; for "" the only one (nullptr when
  // there are none or several).
  const CompiledCustomRoles* FindCustomRoles(std::string_view level) const;
  const CompiledPermission* FindPermission(std::string_view name, PermissionId* id) const;
  // The `EntityKind` declaration of `kind` ("user" is the principal's), or nullptr.
  const dsl::EntityKindDecl* FindEntityKind(std::string_view kind) const;

  // Whether deciding `action` on a resource of `resource_kind` first requires
  // the resource's organization to be in the principal's scope: the action's
  // `scope`, else the resource kind's EntityKind `scope`, else organization.
  dsl::ScopeMode ScopeOf(const CompiledAction& action, std::string_view resource_kind) const;

  const std::vector<CompiledAction>& actions() const { return actions_; }
  const std::vector<CompiledPermission>& permissions() const { return permissions_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  const FunctionRegistry& functions() const { return functions_; }
  // Permissions held only where the holder's organization enables them.
  const PermissionSet& company_level() const { return company_level_; }

 private:
  PolicySet() = default;

  dsl::PolicySource source_;
  FunctionRegistry functions_;
  std::vector<CompiledPermission> permissions_;
  std::vector<CompiledAction> actions_;
  std::vector<CompiledRole> roles_;
  std::vector<CompiledGroup> groups_;
  std::vector<CompiledCustomRoles> custom_roles_;
  std::vector<CompiledRule> rules_;
  PermissionSet company_level_;
  // Heterogeneous lookup: finding a string_view allocates nothing.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using NameIndex = std::unordered_map<std::string, size_t, NameHash, std::equal_to<>>;
  NameIndex permission_index_, action_index_, role_index_, group_index_;

  NameIndex entity_kind_index_;  // into source_.entity_kinds
};

// Loads, checks and compiles the policy directory `dir` in one step.
struct PolicySetLoad {
  std::shared_ptr<const PolicySet> set;  // null when there were errors
  dsl::Diagnostics diagnostics;
  std::string formatted;  // the diagnostics with source lines and carets
};
PolicySetLoad LoadPolicySet(const std::filesystem::path& dir);

}  // namespace castellan::engine
