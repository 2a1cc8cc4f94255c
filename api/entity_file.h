// Entity files: the organizations, users and other resources that decisions
// read, in YAML or JSON (the sample packs' fixtures and `serve --entities`
// use the same files).
//
//   organizations:                 # id, and parent for a partner's customers
//     - {id: acme, kind: partner}
//     - {id: contoso, parent: acme, allowed_domains: [contoso.com]}
//   users:                         # id, org, status, roles, ...; aliases: other ids
//     - {id: alice@acme.example, org: acme, status: active, roles: [partner.admin],
//        aliases: [pid-4711]}
//   resources:                     # kind and id, plus org
//     - {kind: product, id: p1, org: contoso}
//
// Every problem (syntax, missing id, duplicate id or alias, unknown top-level
// key) is reported with file:line:column; nothing is loaded unless the whole
// set of files is valid. Given the policy set, the entities are also checked
// and compiled as the store checks them (engine::EntitySnapshot: attribute
// types an EntityKind declares, custom roles against the CustomRoles ceiling,
// customer groups' match expressions), each problem at its entity's position,
// and loading warns (without failing) where a user's principal-level
// `permissions` list, which replaces the grants of every binding without its
// own list (within the role's ceiling), leaves a binding with no permission
// at all.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dsl/diagnostic.h"
#include "engine/entity_record.h"
#include "engine/entity_snapshot.h"
#include "engine/entity_store.h"

namespace castellan::engine {
class PolicySet;
}

namespace castellan::api {

// Where an entity was written: its list item in an entity file (1-based).
struct RecordPosition {
  std::string file;
  int line = 0;
  int column = 0;
};

struct EntityLoadResult {
  // What decisions read: `snapshot` when a policy set was given, else an
  // engine::InMemoryEntityStore. Null on errors.
  std::shared_ptr<const engine::EntityStore> store;
  // Given a policy set: the entities as one snapshot of data version 0 (entity
  // files are read-only). Null otherwise or on errors.
  std::shared_ptr<const engine::EntitySnapshot> snapshot;
  // Every entity read, in file order (also on errors, for those that parsed),
  // and where each was written: positions[i] is records[i]'s.
  std::vector<engine::EntityRecord> records;
  std::vector<RecordPosition> positions;
  dsl::Diagnostics diagnostics;
  dsl::Diagnostics warnings;  // only with a policy set; never make the load fail
};

// `paths` are files, or directories searched (recursively) for files whose
// name ends in "entities.yaml", "entities.yml" or "entities.json".
// REQUIRES: `policies`, when given, outlives the result's store and snapshot.
EntityLoadResult LoadEntityFiles(const std::vector<std::filesystem::path>& paths,
                                 const engine::PolicySet* policies = nullptr);

// An entity problem as a diagnostic at `at` (the entity's position), its
// message naming the entity and the JSON pointer: "user 'ann' /roles/0: ...".
dsl::Diagnostic ProblemDiagnostic(const engine::EntityProblem& problem, const RecordPosition& at);

// "file:line:column: warning: message" lines, one per warning.
std::string FormatWarnings(const dsl::Diagnostics& warnings);

}  // namespace castellan::api
