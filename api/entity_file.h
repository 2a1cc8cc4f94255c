// Entity files: the organizations, users and other resources that decisions
// read, in YAML or JSON (the sample packs' fixtures and `serve --entities`
// use the same files).
//
//   organizations:                 # id, and parent for a partner's customers
//     - {id: acme, kind: partner}
//     - {id: contoso, parent: acme, allowed_domains: [contoso.com]}
//   users:                         # id, org, status, roles, ...
//     - {id: alice@acme.example, org: acme, status: active, roles: [partner.admin]}
//   resources:                     # kind and id, plus org
//     - {kind: product, id: p1, org: contoso}
//
// Every problem (syntax, missing id, duplicate id, unknown top-level key) is
// reported with file:line:column; nothing is added to the store unless the
// whole set of files is valid.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "dsl/diagnostic.h"
#include "engine/entity_store.h"

namespace castellan::api {

struct EntityLoadResult {
  std::shared_ptr<const engine::InMemoryEntityStore> store;  // null on errors
  dsl::Diagnostics diagnostics;
};

// `paths` are files, or directories searched (recursively) for files whose
// name ends in "entities.yaml", "entities.yml" or "entities.json".
EntityLoadResult LoadEntityFiles(const std::vector<std::filesystem::path>& paths);

}  // namespace castellan::api
