// Entity files into a store, checked first: what `castellan import` does and
// what `castellan serve --seed-entities` does on a store's first start.
//
// Every entity is checked against the policies as a write over HTTP would be
// (engine::ValidateEntity at its file position), then all of them together
// with the entities the store already holds (references, aliases, ids), and
// only then written, in one transaction: all or nothing.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dsl/diagnostic.h"
#include "storage/store.h"

namespace castellan::engine {
class PolicySet;
}

namespace castellan::storage {

struct EntityImport {
  // The users' mistakes, all of them: at file:line:column where the entity
  // was written, else (a stored entity the import breaks) as "kind/id /path: ...".
  dsl::Diagnostics problems;
  std::vector<std::string> unplaced;
  dsl::Diagnostics warnings;     // never stop the import
  Status status = Status::Ok();  // the store could not be read or written
  WriteResult result;            // kDone, or why the store refused
  size_t count = 0;              // entities read from the files

  bool imported() const {
    return status.ok() && problems.empty() && unplaced.empty() &&
           result.outcome == WriteOutcome::kDone;
  }
};

// `replace_all`: every stored entity the files do not name is removed.
EntityImport ImportEntityFiles(const std::vector<std::filesystem::path>& paths,
                               const std::shared_ptr<const engine::PolicySet>& policies,
                               Store& store, bool replace_all);

}  // namespace castellan::storage
