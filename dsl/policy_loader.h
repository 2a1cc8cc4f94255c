// Loads a policy directory: every *.yaml / *.yml file below it (recursively,
// in path order), several documents per file, except decision fixtures
// (*_test.yaml). Each document has a `kind`: Permissions, Role,
// CustomerGroup, Definitions (read first: any expression may use them),
// EntityKind (attributes conditions are then typed against) or Policy (see
// docs/policy-language.md).
//
// Every problem in every file is reported in one pass, each with
// file:line:column (expressions included), and a directory with any error is
// rejected whole: `source` is set only when `diagnostics` is empty.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dsl/checker.h"
#include "dsl/diagnostic.h"
#include "dsl/policy.h"

namespace castellan::dsl {

// The environments expressions are checked in: a rule's when/unless, and a
// customer group's match (which sees `customer`). The engine builds them
// from its catalogue (engine/catalogue.h).
struct PolicyEnvironments {
  CheckEnvironment rule;
  CheckEnvironment group;
};

struct LoadResult {
  std::optional<PolicySource> source;
  Diagnostics diagnostics;
  // The files read (also on failure), to show source lines under diagnostics.
  std::vector<PolicyFile> files;

  // Diagnostics formatted with source lines and carets.
  std::string FormattedDiagnostics() const;
};

// Expressions are checked in `env` (engine::PolicyEnvironments() gives the
// catalogue's), which must outlive the call.
LoadResult LoadPolicyDirectory(const std::filesystem::path& directory,
                               const PolicyEnvironments& env);

// Loads documents from in-memory files (the loader's core; tests use it).
LoadResult LoadPolicyFiles(std::vector<PolicyFile> files, const PolicyEnvironments& env);

}  // namespace castellan::dsl
