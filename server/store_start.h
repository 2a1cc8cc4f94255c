// Store mode at start (docs/http-api.md, "Serving"): open the store (the
// embedded SQLite file in the data directory unless --store names one),
// migrate it, seed it from entity files when it holds no entity, and load
// every entity for the first EntitySnapshot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/entity_record.h"
#include "server/config.h"
#include "storage/store.h"

namespace castellan::server {

// Opens `url` and applies pending migrations; null with `error` saying why.
// A sqlite: URL's directory is created (0700) when missing.
std::unique_ptr<storage::Store> OpenMigratedStore(const std::string& url, std::string* error);

struct StoreStart {
  std::unique_ptr<storage::Store> store;
  std::vector<engine::EntityRecord> records;  // every stored entity (store mode)
  uint64_t data_version = 0;
  size_t seeded = 0;  // entities imported from --seed-entities
};

// Opens and migrates config.StoreUrl(); in store mode also seeds and loads.
// False with `error`: `usage` true for a store that cannot be opened or
// migrated (exit 2), false for seed files with problems (exit 1).
bool StartStore(const ServerConfig& config, StoreStart* out, std::string* error, bool* usage);

// Entity files (or directories searched for *entities.yaml|yml|json) as
// records, in file order; false with `error` on a file that cannot be read.
// The entities themselves are checked by the write that stores them.
bool ReadEntityRecords(const std::vector<std::filesystem::path>& paths,
                       std::vector<engine::EntityRecord>* out, std::string* error);

}  // namespace castellan::server
