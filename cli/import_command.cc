#include <filesystem>
#include <iostream>

#include "api/entity_file.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/store_url.h"
#include "engine/policy_set.h"
#include "storage/entity_import.h"
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
  storage::Status status = storage::Status::Ok();
  auto store = storage::Store::Open(url, &status);
  int applied = 0;
  if (store) status = store->Migrate(&applied);
  if (!status.ok()) {
    std::cerr << "castellan import: " << status.message() << "\n";
    return kExitUsage;
  }
  storage::EntityImport import =
      storage::ImportEntityFiles(parsed.paths, policies.set, *store, parsed.replace);
  std::cerr << api::FormatWarnings(import.warnings);
  if (!import.problems.empty() || !import.unplaced.empty()) {
    dsl::SortDiagnostics(import.problems);
    for (const dsl::Diagnostic& d : import.problems) std::cout << d.ToString() << "\n";
    for (const std::string& line : import.unplaced) std::cout << line << "\n";
    const size_t count = import.problems.size() + import.unplaced.size();
    std::cout << count << (count == 1 ? " problem" : " problems") << "; nothing imported\n";
    return kExitFailure;
  }
  if (!import.status.ok()) {
    std::cerr << "castellan import: " << import.status.message() << "\n";
    return kExitUsage;
  }
  if (import.result.outcome != storage::WriteOutcome::kDone) {
    std::cout << "castellan import: " << import.result.message << "; nothing imported\n";
    return kExitFailure;
  }
  std::cout << "imported " << import.count << (import.count == 1 ? " entity" : " entities")
            << " into the " << store->backend() << " store; data version "
            << import.result.data_version << "\n";
  return kExitOk;
}

}  // namespace castellan::cli
