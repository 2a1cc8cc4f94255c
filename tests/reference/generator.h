// A seeded random generator of policy sets, entities and requests for the
// differential test (differential_test.cc), over every construct of the
// policy language: permissions with requires (closures, chains), levels,
// company_level, step_up and `on:`; roles with level, rank, grants,
// customisable and every scope term; principals with role names and bindings
// (own access lists and customised permissions), customer access (all,
// customers, groups, auto-assign with assigned_at); static and dynamic
// customer groups; deny and allow rules over names and patterns with
// when/unless; missing attributes, wrong types and unknown actions,
// principals, resources and roles.
//
// Policy sets are generated as YAML text and go through the real loader, so
// the loader and checker are exercised too and a failing case can be written
// to a directory and replayed with `castellan check`. Entities and requests
// are built as Values directly: they need no parser, and Values can hold
// what no entity file can (a timestamp-typed `now`, non-map principals).
//
// Everything is a pure function of (seed, case index): a case can be
// regenerated alone. Consecutive cases share a policy set (kCasesPerPolicySet)
// and an entity set (kCasesPerEntitySet) so that loading does not dominate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/decision.h"
#include "engine/entity_store.h"

namespace castellan::reference {

inline constexpr uint64_t kCasesPerPolicySet = 16;
inline constexpr uint64_t kCasesPerEntitySet = 4;

// One policy file (several YAML documents) for the cases of policy block `block`.
std::string GeneratePolicyYaml(uint64_t seed, uint64_t block);

// Generated entities, and a rendering of them for reports.
struct GeneratedEntities {
  std::shared_ptr<const engine::InMemoryEntityStore> store;
  std::string text;
};
GeneratedEntities GenerateEntities(uint64_t seed, uint64_t block);

engine::DecisionRequest GenerateRequest(uint64_t seed, uint64_t index);

// The request as one line, for reports.
std::string RequestToString(const engine::DecisionRequest& request);

}  // namespace castellan::reference
