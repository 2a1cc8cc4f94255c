// The checked contents of a policy directory: what the YAML documents declare.
//
// Produced by LoadPolicyDirectory() (policy_loader.h) only when every file
// parsed and every check passed; the engine compiles it into a decision
// snapshot. Plain value types; expressions are shared, immutable ASTs. Every
// declaration remembers where it was written, for reasons and diagnostics.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/resolution.h"
#include "dsl/type.h"

namespace castellan::dsl {

struct Location {
  std::string file;  // path relative to the policy directory
  int line = 0;
  int column = 0;
  std::string ToString() const { return file + ":" + std::to_string(line); }
};

// A name that refers to another declaration, with where the reference is.
struct Reference {
  std::string name;
  Location location;
};

struct PermissionDecl {
  std::string name;
  std::vector<Reference> requires_;  // permissions this one depends on
  bool company_level = false;        // grantable only if the user's company enables it
  std::vector<std::string> levels;   // role levels whose holders may have it; empty = any
  std::vector<std::string> tags;     // free metadata, readable from rules
  std::string description;
  Location location;
};

// Whether a decision first requires the resource's organization to be in the
// principal's scope (`organization`, the default) or not (`none`: resources
// that belong to no organization, e.g. a todo, a session, a proposed object).
enum class ScopeMode { kOrganization, kNone };

// Where the value of an entity attribute may come from.
enum class AttributeSource {
  kStore,    // only the store: a request supplying it is refused
  kRequest,  // only the request (e.g. a todo's ownerID)
  kBoth,     // the request may supply or replace it
};

// One attribute of an entity kind, or one parameter of an action.
struct AttributeDecl {
  std::string name;
  Type type;                                       // dyn when the declaration names none
  bool optional = false;                           // read it with has() or `.?`
  std::vector<std::string> values;                 // the only string values allowed; empty = any
  AttributeSource from = AttributeSource::kStore;  // entity attributes only
  std::string description;
  Location location;
};

// Where entities of a kind come from.
enum class EntitySource {
  kStore,    // the store: an unknown id is unknown_resource (a proposed one says "new": true)
  kRequest,  // the request only (a todo): taken inline, validated against the declaration
};

// An `EntityKind` document: the attributes entities of one kind have. The
// checker types attribute access with it; the engine refuses request
// attributes it does not declare as coming from the request.
struct EntityKindDecl {
  std::string name;  // "user" (the principal's kind), "organization", "todo", ...
  EntitySource source = EntitySource::kStore;
  ScopeMode scope = ScopeMode::kOrganization;  // an action's own `scope` overrides it
  std::vector<AttributeDecl> attributes;
  std::string description;
  Location location;
};

struct ActionDecl {
  std::string name;
  std::vector<Reference> requires_;     // permissions the action needs, every one
  std::vector<Reference> requires_any;  // ... and at least one of these (when not empty)
  bool step_up = false;                 // needs a fresh one-time PIN (context.otp_fresh)
  std::vector<std::string> on;          // resource kinds it applies to; empty = any
  std::optional<ScopeMode> scope;       // unset: the resource kind's, else organization
  std::vector<AttributeDecl> params;    // the action's parameters (`params.<name>` in rules)
  std::string description;
  Location location;
};

struct RoleDecl {
  std::string name;
  std::string level;                    // e.g. "partner", "company"
  int64_t rank = 0;                     // higher outranks lower within a level
  std::vector<Reference> grants;        // permissions held by default
  std::vector<Reference> customisable;  // permissions that may be granted on top
  // Where a binding of this role applies, as organization terms: "own" (the
  // holder's organization), "assigned_customers" (customers of the holder's
  // partner inside its customer access), "customers" (every customer of the
  // holder's partner), "any" (every organization: platform staff). The
  // holder's partner is its organization, or the partner that owns it (a
  // company user's own company is then one of the partner's customers).
  std::vector<std::string> scope{"own"};
  std::vector<Reference> inherits;  // roles whose grants and customisable this one adds to its own
  std::vector<std::string> tags;    // free metadata, readable from rules
  std::string description;
  Location location;
};

// A `kind: CustomRoles` document: what the custom roles tenants store as data
// (engine/entity_snapshot.h) of one role level may be. A stored role naming
// `level` gets `scope` and holds only permissions within `permissions`, the
// ceiling.
struct CustomRolesDecl {
  std::string level;                      // e.g. "partner"
  std::vector<std::string> scope{"own"};  // as a RoleDecl's scope
  std::vector<Reference> permissions;     // the ceiling
  std::string description;
  Location location;
};

// A checked expression with the text it was written as.
struct Condition {
  std::shared_ptr<const Expr> expr;
  // What the checker resolved each node of `expr` to; the engine compiles from it.
  std::shared_ptr<const Resolutions> resolutions;
  std::string text;
  Location location;
};

struct CustomerGroupDecl {
  std::string name;
  std::optional<std::vector<std::string>> members;  // static group
  std::optional<Condition> match;                   // dynamic group over `customer`
  // The partner that owns the group: only its customers are members, and only
  // its users' access may name it. Empty: a group of the whole installation.
  std::string owner;
  std::string description;
  Location location;
};

enum class Effect { kAllow, kDeny };

struct RuleDecl {
  std::string name;
  Effect effect = Effect::kDeny;
  std::vector<Reference> actions;   // action names, or patterns ending in ".*" / "*"
  std::vector<Reference> except;    // actions (or patterns) taken out of `actions`
  std::optional<Condition> when;    // applies only when true
  std::optional<Condition> unless;  // applies only when false
  std::string reason;               // machine-readable code for deny reasons
  std::string message;              // for people
  Location location;
};

struct PolicyDecl {
  std::string name;
  std::string description;
  std::vector<RuleDecl> rules;
  Location location;
};

// A named constant (`params` empty, `is_function` false) or function of a
// `Definitions` document, usable from any expression of the policy set.
// Calls are expanded where they are written (see dsl/definitions.h), so a
// definition costs nothing beyond its body.
struct DefinitionDecl {
  std::string name;
  bool is_function = false;         // written `name(a, b): ...`
  std::vector<std::string> params;  // parameter names, in order
  Condition body;                   // the expression (checked with params as dyn)
  Location location;
};

struct PolicyFile {
  std::string path;  // relative to the policy directory
  std::string text;
};

struct PolicySource {
  std::vector<PolicyFile> files;
  std::vector<PermissionDecl> permissions;
  std::vector<ActionDecl> actions;
  std::vector<RoleDecl> roles;
  std::vector<CustomRolesDecl> custom_roles;  // at most one per level
  std::vector<CustomerGroupDecl> groups;
  std::vector<PolicyDecl> policies;
  std::vector<EntityKindDecl> entity_kinds;
  std::vector<DefinitionDecl> definitions;
  std::string revision;  // content hash of all files (16 hex digits)

  // "3 files, 12 permissions, 20 actions, 6 roles, 2 groups, 3 policies (15 rules)"
  std::string Summary() const;
};

}  // namespace castellan::dsl
