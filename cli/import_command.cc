#include <filesystem>
#include <iostream>
#include <map>

#include "api/entity_file.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/store_url.h"
#include "engine/entity_snapshot.h"
#include "engine/policy_set.h"
#include "storage/store.h"

namespace castellan::cli {
namespace {

constexpr const char* kImportHelp =
    R"(Usage: castellan import FILE|DIR... [--store URL | --data-dir DIR] [--policies DIR] [--replace]

Reads entity files (YAML or JSON: organizations, users, resources; a
directory is searched for files named *entities.yaml, *entities.yml or
*entities.json), checks every entity against the policies as the service
would (shape, declared attributes, custom roles within the CustomRoles
ceiling, customer groups' match expressions, references to other entities,
the store's own entities included), and writes them all in one transaction:
either every entity is imported or, on any problem, none is. Every problem
is printed, as file:line:column: error: ... where the file position is
known, else as kind/id /path: .... An entity already stored is replaced.
The store is migrated first.

Options:
  --store URL      sqlite:PATH (or a bare PATH) or postgresql://user@host:port/db
  --data-dir DIR   the SQLite store DIR/castellan.db (default castellan-data;
                   made, mode 0700, when missing)
  --policies DIR   the policies to check against (default policies)
  --replace        remove every stored entity the files do not name

Exit status: 0 when everything was imported, 1 when an entity has a problem
(nothing is written), 2 on usage errors, invalid policies, or when the store
cannot be opened or written.
)";

struct ImportArguments {
  Arguments store;  // --store, --data-dir
  std::vector<std::filesystem::path> paths;
  std::string policies = "policies";
  bool replace = false;
  bool help = false;
};

bool Parse(const std::vector<std::string>& args, ImportArguments* out, std::string* error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      out->help = true;
    } else if (a == "--replace") {
      out->replace = true;
    } else if (a == "--store" || a == "--data-dir" || a == "--policies") {
      if (i + 1 == args.size()) {
        *error = a + " needs a value";
        return false;
      }
      if (a == "--policies") {
        out->policies = args[++i];
      } else {
        out->store.options[a].push_back(args[++i]);
      }
    } else if (a.size() > 1 && a[0] == '-') {
      *error = "unknown option '" + a + "'";
      return false;
    } else {
      out->paths.emplace_back(a);
    }
  }
  if (out->paths.empty() && !out->help) {
    *error = "missing FILE or DIR";
    return false;
  }
  return true;
}

std::string Label(const engine::EntityProblem& problem) {
  return problem.kind + "/" + problem.id + " " + (problem.path.empty() ? "/" : problem.path) +
         ": " + problem.message;
}

}  // namespace

int ImportCommand(const std::vector<std::string>& args) {
  ImportArguments parsed;
  std::string error;
  if (!Parse(args, &parsed, &error)) {
    std::cerr << "castellan import: " << error << "\n\n" << kImportHelp;
    return kExitUsage;
  }
  if (parsed.help) {
    std::cout << kImportHelp;
    return kExitOk;
  }

  std::string url;
  if (!ResolveStoreUrl(parsed.store, /*create=*/true, &url, &error)) {
    std::cerr << "castellan import: " << error << "\n";
    return kExitUsage;
  }
  engine::PolicySetLoad policies = engine::LoadPolicySet(parsed.policies);
  if (!policies.set) {
    std::cerr << policies.formatted << "castellan import: the policies in '" << parsed.policies
              << "' are invalid; nothing imported\n";
    return kExitUsage;
  }
  api::EntityLoadResult loaded = api::LoadEntityFiles(parsed.paths, policies.set.get());
  std::cerr << api::FormatWarnings(loaded.warnings);
  dsl::Diagnostics problems = loaded.diagnostics;
  // Where each record was written, to place the problems the store's own
  // entities reveal.
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < loaded.records.size(); ++i) {
    const engine::EntityRecord& record = loaded.records[i];
    index.emplace(std::make_pair(record.kind, record.id), i);
    for (const engine::EntityProblem& problem : engine::ValidateEntity(record, *policies.set)) {
      problems.push_back(api::ProblemDiagnostic(problem, loaded.positions[i]));
    }
  }
  const auto report = [&](const dsl::Diagnostics& diagnostics,
                          const std::vector<std::string>& unplaced) {
    dsl::Diagnostics sorted = diagnostics;
    dsl::SortDiagnostics(sorted);
    for (const dsl::Diagnostic& d : sorted) std::cout << d.ToString() << "\n";
    for (const std::string& line : unplaced) std::cout << line << "\n";
    const size_t count = sorted.size() + unplaced.size();
    std::cout << count << (count == 1 ? " problem" : " problems") << "; nothing imported\n";
    return kExitFailure;
  };
  if (!problems.empty()) return report(problems, {});

  storage::Status status = storage::Status::Ok();
  auto store = storage::Store::Open(url, &status);
  int applied = 0;
  if (store) status = store->Migrate(&applied);

  // The entities as the store will hold them, checked together: references
  // to stored entities resolve, and a stored entity the import breaks shows.
  std::vector<engine::EntityRecord> next = loaded.records;
  if (status.ok() && !parsed.replace) {
    std::vector<storage::StoredEntity> stored;
    uint64_t data_version = 0;
    status = store->LoadAll(&stored, &data_version);
    for (storage::StoredEntity& entity : stored) {
      if (!index.count({entity.record.kind, entity.record.id})) {
        next.push_back(std::move(entity.record));
      }
    }
  }
  if (!status.ok()) {
    std::cerr << "castellan import: " << status.message() << "\n";
    return kExitUsage;
  }
  engine::EntitySnapshot::Result built =
      engine::EntitySnapshot::Build(std::move(next), policies.set, 0);
  if (!built.snapshot) {
    dsl::Diagnostics placed;
    std::vector<std::string> unplaced;
    for (const engine::EntityProblem& problem : built.problems) {
      const auto it = index.find({problem.kind, problem.id});
      if (it != index.end()) {
        placed.push_back(api::ProblemDiagnostic(problem, loaded.positions[it->second]));
      } else {
        unplaced.push_back(Label(problem));
      }
    }
    return report(placed, unplaced);
  }

  storage::WriteResult result;
  status = store->Import(loaded.records, parsed.replace, &result);
  if (!status.ok()) {
    std::cerr << "castellan import: " << status.message() << "\n";
    return kExitUsage;
  }
  if (result.outcome != storage::WriteOutcome::kDone) {
    std::cout << "castellan import: " << result.message << "; nothing imported\n";
    return kExitFailure;
  }
  std::cout << "imported " << loaded.records.size()
            << (loaded.records.size() == 1 ? " entity" : " entities") << " into the "
            << store->backend() << " store; data version " << result.data_version << "\n";
  return kExitOk;
}

}  // namespace castellan::cli
