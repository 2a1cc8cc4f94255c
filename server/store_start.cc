#include "server/store_start.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "api/yaml_value.h"
#include "engine/entity_snapshot.h"
#include "engine/policy_set.h"

namespace castellan::server {
namespace {

namespace fs = std::filesystem;

bool IsEntityFile(const fs::path& p) {
  const std::string name = p.filename().string();
  for (const char* suffix : {"entities.yaml", "entities.yml", "entities.json"}) {
    const std::string s = suffix;
    if (name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      return true;
    }
  }
  return false;
}

bool ReadFile(const fs::path& file, std::vector<engine::EntityRecord>* out, std::string* error) {
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    *error = file.string() + ": " + e.what();
    return false;
  }
  if (!doc || doc.IsNull()) return true;
  if (!doc.IsMap()) {
    *error = file.string() + ": expected organizations, users and resources";
    return false;
  }
  for (const char* section : {"organizations", "users", "resources"}) {
    const YAML::Node items = doc[section];
    if (!items) continue;
    if (!items.IsSequence()) {
      *error = file.string() + ": " + section + " must be a list";
      return false;
    }
    for (const YAML::Node& item : items) {
      const std::string where = file.string() + ":" + std::to_string(item.Mark().line + 1) + ":" +
                                std::to_string(item.Mark().column + 1);
      if (!item.IsMap() || !item["id"] || !item["id"].IsScalar()) {
        *error = where + ": an entity is a map with an id";
        return false;
      }
      std::string kind = section == std::string("organizations") ? "organization"
                         : section == std::string("users")       ? "user"
                                                                 : "";
      if (kind.empty()) {
        if (!item["kind"] || !item["kind"].IsScalar()) {
          *error = where + ": a resource names its kind";
          return false;
        }
        kind = item["kind"].Scalar();
      }
      out->push_back({kind, item["id"].Scalar(), api::FromYaml(item)});
    }
  }
  return true;
}

}  // namespace

bool ReadEntityRecords(const std::vector<fs::path>& paths, std::vector<engine::EntityRecord>* out,
                       std::string* error) {
  for (const fs::path& root : paths) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      if (!ReadFile(root, out, error)) return false;
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
      if (e.is_regular_file() && IsEntityFile(e.path())) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (!ReadFile(f, out, error)) return false;
    }
  }
  return true;
}

std::unique_ptr<storage::Store> OpenMigratedStore(const std::string& url, std::string* error) {
  if (url.rfind("sqlite:", 0) == 0) {
    const fs::path dir = fs::path(url.substr(7)).parent_path();
    std::error_code ec;
    if (!dir.empty() && !fs::exists(dir, ec)) {
      fs::create_directories(dir, ec);
      if (ec) {
        *error = "cannot create the store's directory " + dir.string() + ": " + ec.message();
        return nullptr;
      }
      ::chmod(dir.c_str(), 0700);
    }
  }
  storage::Status status = storage::Status::Ok();
  std::unique_ptr<storage::Store> store = storage::Store::Open(url, &status);
  if (!store) {
    *error = "cannot open the store " + url + ": " + status.message();
    return nullptr;
  }
  int applied = 0;
  status = store->Migrate(&applied);
  if (!status.ok()) {
    *error = "cannot migrate the store " + url + ": " + status.message();
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
    std::vector<engine::EntityRecord> seeds;
    if (!ReadEntityRecords(config.seed_entities, &seeds, error)) {
      *usage = false;
      return false;
    }
    // Checked whole against the policies before anything is written.
    const engine::PolicySetLoad policies = engine::LoadPolicySet(config.policies);
    if (!policies.set) {
      *error = policies.formatted + "the policies have errors; the store is not seeded";
      *usage = false;
      return false;
    }
    const engine::EntitySnapshot::Result checked =
        engine::EntitySnapshot::Build(seeds, policies.set, 1);
    if (!checked.snapshot) {
      *error = "the seed entities have problems; nothing was written:\n";
      for (const auto& p : checked.problems) {
        *error += "  " + p.kind + "/" + p.id + (p.path.empty() ? "" : " " + p.path) + ": " +
                  p.message + " (" + p.code + ")\n";
      }
      *usage = false;
      return false;
    }
    storage::WriteResult written;
    status = out->store->Import(seeds, false, &written);
    if (status.ok() && written.outcome != storage::WriteOutcome::kDone) {
      *error = "the seed entities were refused: " + written.message;
      *usage = false;
      return false;
    }
    out->seeded = seeds.size();
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
