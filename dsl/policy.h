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
  std::string description;
  Location location;
};

struct ActionDecl {
  std::string name;
  std::vector<Reference> requires_;  // permissions the action needs
  bool step_up = false;              // needs a fresh one-time PIN (context.otp_fresh)
  std::vector<std::string> on;       // resource kinds it applies to; empty = any
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
  std::string description;
  Location location;
};

enum class Effect { kAllow, kDeny };

struct RuleDecl {
  std::string name;
  Effect effect = Effect::kDeny;
  std::vector<Reference> actions;   // action names, or patterns ending in ".*" / "*"
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

struct PolicyFile {
  std::string path;  // relative to the policy directory
  std::string text;
};

struct PolicySource {
  std::vector<PolicyFile> files;
  std::vector<PermissionDecl> permissions;
  std::vector<ActionDecl> actions;
  std::vector<RoleDecl> roles;
  std::vector<CustomerGroupDecl> groups;
  std::vector<PolicyDecl> policies;
  std::string revision;  // content hash of all files (16 hex digits)

  // "3 files, 12 permissions, 20 actions, 6 roles, 2 groups, 3 policies (15 rules)"
  std::string Summary() const;
};

}  // namespace castellan::dsl
