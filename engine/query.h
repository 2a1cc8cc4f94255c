// Queries: which resources of a kind a principal may act on, and which
// principals may act on a resource (docs/queries.md).
//
// Every candidate is decided by Decide(), exactly as /v1/check would decide
// it: there is no second semantics. When the action needs the resource's
// organization in the principal's scope (PolicySet::ScopeOf), the candidates
// are narrowed before any rule runs to those whose organization may be in
// scope, read from the principal's bindings as Decide() reads them:
//   - resources: the principal's own organization, the customers its
//     bindings' access lists (customers, static groups' members), or every
//     customer of its partner (EntitySnapshot::ChildrenOf) for `customers`,
//     `all`, a dynamic group or auto-assignment; a role of scope `any`
//     narrows nothing. Organizations are found by id, users by
//     EntitySnapshot::UsersOf, other kinds by a scan of OfKind(kind)
//     comparing each entity's `org` (no index by organization);
//   - subjects: the users of the resource's organization, of its partner and
//     of that partner's customers, and any user holding a role of scope `any`.
// Otherwise the candidates are every stored entity of the kind, or every user.
// Candidates are visited in id order; a page ends only at `limit`, with a
// token (the last id returned) to continue, so nothing is silently truncated.
// Plain functions over an immutable snapshot: thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/entity_snapshot.h"
#include "engine/trust_boundary.h"
#include "engine/value.h"

namespace castellan::engine {

struct QueryPage {
  std::string after_id;  // exclusive; empty for the first page
  size_t limit = 100;    // at least 1
};

struct QueryResult {
  std::vector<std::string> ids;  // allowed, sorted by id
  // The last id of this page when candidates remain after it; empty otherwise.
  std::string next_after_id;
  size_t examined = 0;  // candidates decided
  // Not empty: the request itself is refused (as a check would be); no ids.
  std::vector<Refusal> refusals;
};

// The resources of `kind` on which `principal` (a map: a stored user's `id`,
// or an inline principal) may do `action`. `params` are the action's
// parameters, as a check's (null: none).
QueryResult AllowedResources(const EntitySnapshot& snapshot, const Value& principal,
                             const std::string& kind, const std::string& action,
                             const Value& context, const QueryPage& page,
                             const Value& params = Value());

// The stored users who may do `action` on `resource` (a map: `kind` and `id`).
QueryResult AllowedSubjects(const EntitySnapshot& snapshot, const Value& resource,
                            const std::string& action, const Value& context, const QueryPage& page,
                            const Value& params = Value());

}  // namespace castellan::engine
