// The entity schema: `kind: EntityKind` documents and attribute declarations
// (an entity kind's `attributes:`, an action's `params:`), and the shapes
// (checker.h) they give the variables of each condition.
//
// Reading reports every problem as a positioned Diagnostic: unknown keys,
// unknown type names, repeated attributes, `values` on a non-string type.
// CheckEntitySchema() then runs over the whole PolicySource, once every file
// is read: repeated kinds, and every condition re-checked with its shapes:
// `principal` with the `user` kind, `resource` with the kinds the rule's
// actions apply to (`on:`), `params` with the parameters those actions
// declare, a group's `customer` with the `organization` kind. Anything
// undeclared stays dyn, so packs without EntityKind documents or action
// parameters check exactly as before. yaml-cpp is read here through
// accessors that do not throw on checked nodes; no exception leaves.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/checker.h"
#include "dsl/diagnostic.h"
#include "dsl/policy.h"
#include "dsl/policy_loader.h"

namespace YAML {
class Node;
}

namespace castellan::dsl {

// A type as `type:` may name it: string, int, uint, double, bool, bytes,
// timestamp, duration, list, list(T), map, map(string, T) or dyn; nullopt
// for anything else.
std::optional<Type> ParseAttributeType(std::string_view text);

// Reads one `kind: EntityKind` document into `out.entity_kinds`.
void ReadEntityKind(const YAML::Node& doc, const std::string& file, Diagnostics& diagnostics,
                    PolicySource& out);

// What an attribute map declares: an entity kind's attributes (which may say
// `from:`) or an action's parameters (which may not).
enum class AttributeUse { kEntity, kParameter };

// Reads an `attributes:` or `params:` mapping (null: none).
std::vector<AttributeDecl> ReadAttributes(const YAML::Node& node, AttributeUse use,
                                          const std::string& file, Diagnostics& diagnostics);

// The shapes a rule's conditions are checked with, and a group's match.
Shapes RuleShapes(const PolicySource& source, const RuleDecl& rule);
Shapes GroupShapes(const PolicySource& source);

// Checks the `match` of a customer group stored as data rather than read
// from a policy file: parsed with positions within `text` itself (its first
// character is line 1, column 1; file ""), checked in `env` (the group
// environment) with GroupShapes(source), and must be a bool. Definitions are
// not expanded: they exist only while a policy directory loads. nullopt with
// `diagnostics` filled when it does not check.
std::optional<Condition> CheckStoredMatch(const std::string& text, const PolicySource& source,
                                          const CheckEnvironment& env, Diagnostics& diagnostics);

// Cross-document checks (see above). Replaces the resolutions of conditions
// that check with the typed ones.
void CheckEntitySchema(PolicySource& source, const PolicyEnvironments& env,
                       Diagnostics& diagnostics);

}  // namespace castellan::dsl
