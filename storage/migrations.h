// Migrations: the store's schema as numbered steps, the same tables on
// SQLite and PostgreSQL. Store::Migrate() applies the pending ones, each in
// its own transaction, and records each in `schema_migrations`.
//
// A migration, once released, never changes: a new column or index is a new
// step at the end.
#pragma once

#include <string>
#include <vector>

namespace castellan::storage {

enum class Dialect { kSqlite, kPostgresql };

struct Migration {
  int version = 0;  // 1, 2, ...: the schema version once applied
  std::string name;
  std::vector<std::string> statements;  // one SQL statement each, no parameters
};

// Every migration, in order, with the dialect's spelling of the types.
const std::vector<Migration>& Migrations(Dialect dialect);

// The schema version this binary writes (the last migration's).
int LatestSchemaVersion();

}  // namespace castellan::storage
