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
// key) is reported with file:line:column; nothing is added to the store unless
// the whole set of files is valid. Given the policy set, loading also warns
// (without failing) where a user's principal-level `permissions` list, which
// replaces the grants of every binding without its own list (within the
// role's ceiling), leaves a binding with no permission at all.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "dsl/diagnostic.h"
#include "engine/entity_store.h"

namespace castellan::engine {
class PolicySet;
}

namespace castellan::api {

struct EntityLoadResult {
  std::shared_ptr<const engine::InMemoryEntityStore> store;  // null on errors
  dsl::Diagnostics diagnostics;
  dsl::Diagnostics warnings;  // only with a policy set; never make the load fail
};

// `paths` are files, or directories searched (recursively) for files whose
// name ends in "entities.yaml", "entities.yml" or "entities.json".
EntityLoadResult LoadEntityFiles(const std::vector<std::filesystem::path>& paths,
                                 const engine::PolicySet* policies = nullptr);

// "file:line:column: warning: message" lines, one per warning.
std::string FormatWarnings(const dsl::Diagnostics& warnings);

}  // namespace castellan::api
