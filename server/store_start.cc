#include "server/store_start.h"

#include "engine/policy_set.h"
#include "storage/data_directory.h"
#include "storage/entity_import.h"

namespace castellan::server {

namespace fs = std::filesystem;

std::unique_ptr<storage::Store> OpenMigratedStore(const std::string& url, std::string* error) {
  if (url.rfind("sqlite:", 0) == 0) {
    const storage::Status made =
        storage::MakePrivateDirectory(fs::path(url.substr(7)).parent_path());
    if (!made.ok()) {
      *error = "cannot create the store's directory: " + made.message();
      return nullptr;
    }
  }
  storage::Status status = storage::Status::Ok();
  std::unique_ptr<storage::Store> store = storage::Store::Open(url, &status);
  if (!store) {
    *error = "cannot open the store: " + status.message();
    return nullptr;
  }
  int applied = 0;
  status = store->Migrate(&applied);
  if (!status.ok()) {
    *error = "cannot migrate the store: " + status.message();
    return nullptr;
  }
  return store;
}

bool StartStore(const ServerConfig& config, StoreStart* out, std::string* error, bool* usage) {
  *usage = true;
  out->store = OpenMigratedStore(config.StoreUrl(), error);
  if (!out->store) return false;
  if (!config.store_mode()) return true;
  std::vector<storage::StoredEntity> stored;
  storage::Status status = out->store->LoadAll(&stored, &out->data_version);
  if (status.ok() && stored.empty() && !config.seed_entities.empty()) {
    // Checked whole against the policies before anything is written.
    const engine::PolicySetLoad policies = engine::LoadPolicySet(config.policies);
    if (!policies.set) {
      *error = policies.formatted + "the policies have errors; the store is not seeded";
      *usage = false;
      return false;
    }
    storage::EntityImport seeded =
        storage::ImportEntityFiles(config.seed_entities, policies.set, *out->store, false);
    if (!seeded.status.ok()) {
      *error = "cannot seed the store: " + seeded.status.message();
      return false;
    }
    if (!seeded.imported()) {
      dsl::SortDiagnostics(seeded.problems);
      *error = "the seed entities have problems; nothing was written:\n";
      for (const dsl::Diagnostic& d : seeded.problems) *error += "  " + d.ToString() + "\n";
      for (const std::string& line : seeded.unplaced) *error += "  " + line + "\n";
      if (seeded.result.outcome != storage::WriteOutcome::kDone) {
        *error += "  " + seeded.result.message + "\n";
      }
      *usage = false;
      return false;
    }
    out->seeded = seeded.count;
    if (status.ok()) status = out->store->LoadAll(&stored, &out->data_version);
  }
  if (!status.ok()) {
    *error = "cannot read the store: " + status.message();
    return false;
  }
  out->records.reserve(stored.size());
  for (auto& e : stored) out->records.push_back(std::move(e.record));
  return true;
}

}  // namespace castellan::server
