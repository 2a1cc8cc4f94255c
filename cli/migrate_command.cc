#include <iostream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/store_url.h"
#include "storage/migrations.h"
#include "storage/store.h"

namespace castellan::cli {
namespace {

constexpr const char* kMigrateHelp = R"(Usage: castellan migrate [--store URL | --data-dir DIR]

Brings the store's schema up to the version this castellan writes, applying
each pending migration in its own transaction, and prints the schema version
before and after. Running it again changes nothing. `castellan serve` and
`castellan import` migrate too; this command does it alone, for example
before a rolling upgrade.

Options:
  --store URL      sqlite:PATH (or a bare PATH) or postgresql://user@host:port/db
  --data-dir DIR   the SQLite store DIR/castellan.db (default castellan-data;
                   made, mode 0700, when missing)

Exit status: 0 when the schema is current, 2 on usage errors or when the
store cannot be opened or migrated (or is newer than this castellan).
)";

}  // namespace

int MigrateCommand(const std::vector<std::string>& args) {
  Arguments parsed;
  std::string error;
  if (!ParseArguments("migrate", args, {"--store", "--data-dir"}, "argument", &parsed, &error)) {
    std::cerr << error << "\n\n" << kMigrateHelp;
    return kExitUsage;
  }
  if (parsed.help) {
    std::cout << kMigrateHelp;
    return kExitOk;
  }
  if (!parsed.operand.empty()) {
    std::cerr << "castellan migrate: unexpected argument '" << parsed.operand << "'\n\n"
              << kMigrateHelp;
    return kExitUsage;
  }
  std::string url;
  if (!ResolveStoreUrl(parsed, /*create=*/true, &url, &error)) {
    std::cerr << "castellan migrate: " << error << "\n";
    return kExitUsage;
  }
  storage::Status status = storage::Status::Ok();
  auto store = storage::Store::Open(url, &status);
  int before = 0, applied = 0, after = 0;
  if (store) status = store->SchemaVersion(&before);
  if (store && status.ok()) status = store->Migrate(&applied);
  if (store && status.ok()) status = store->SchemaVersion(&after);
  if (!status.ok()) {
    std::cerr << "castellan migrate: " << status.message() << "\n";
    return kExitUsage;
  }
  std::cout << store->backend() << " store: schema version " << before << " -> " << after << " ("
            << applied << (applied == 1 ? " migration" : " migrations") << " applied)\n";
  return kExitOk;
}

}  // namespace castellan::cli
