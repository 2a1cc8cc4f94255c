#include "storage/migrations.h"

#include <string_view>

namespace castellan::storage {
namespace {

// The statements are written once; `{key}` is the type of an id column:
// PostgreSQL compares ids byte by byte (COLLATE "C", as SQLite's BINARY
// does), so pages and prefixes come out the same on both backends whatever
// locale the database was created with.
std::string Spell(std::string_view statement, Dialect dialect) {
  constexpr std::string_view kKey = "{key}";
  const std::string_view key = dialect == Dialect::kPostgresql ? "TEXT COLLATE \"C\"" : "TEXT";
  std::string out;
  size_t start = 0;
  for (size_t at = statement.find(kKey); at != std::string_view::npos;
       at = statement.find(kKey, start)) {
    out.append(statement.substr(start, at - start));
    out.append(key);
    start = at + kKey.size();
  }
  out.append(statement.substr(start));
  return out;
}

struct Step {
  int version;
  const char* name;
  std::vector<std::string_view> statements;
};

// Version 1: entities (typed columns beside the attributes as JSON text, the
// source of truth), aliases and role bindings derived from the attributes,
// the counters, and the decision log.
const std::vector<Step>& Steps() {
  static const std::vector<Step> steps = {
      {1,
       "entities and decision log",
       {
           "CREATE TABLE counters (name {key} PRIMARY KEY, value BIGINT NOT NULL)",
           "INSERT INTO counters (name, value) VALUES ('data_version', 0)",
           "INSERT INTO counters (name, value) VALUES ('decision_seq', 0)",
           "CREATE TABLE organizations (id {key} PRIMARY KEY, parent {key} NOT NULL,"
           " attributes TEXT NOT NULL, version BIGINT NOT NULL)",
           "CREATE INDEX organizations_parent ON organizations (parent, id)",
           "CREATE TABLE users (id {key} PRIMARY KEY, org {key} NOT NULL, status TEXT NOT NULL,"
           " attributes TEXT NOT NULL, version BIGINT NOT NULL)",
           "CREATE INDEX users_org ON users (org, id)",
           "CREATE TABLE user_aliases (alias {key} PRIMARY KEY, user_id {key} NOT NULL"
           " REFERENCES users (id) ON DELETE CASCADE)",
           "CREATE INDEX user_aliases_user ON user_aliases (user_id)",
           "CREATE TABLE role_bindings (user_id {key} NOT NULL REFERENCES users (id)"
           " ON DELETE CASCADE, ordinal BIGINT NOT NULL, role {key} NOT NULL,"
           " access TEXT NOT NULL, PRIMARY KEY (user_id, ordinal))",
           "CREATE INDEX role_bindings_role ON role_bindings (role)",
           "CREATE TABLE resources (kind {key} NOT NULL, id {key} NOT NULL, org {key} NOT NULL,"
           " attributes TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (kind, id))",
           "CREATE INDEX resources_org ON resources (kind, org, id)",
           "CREATE TABLE decision_log (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL,"
           " request_id TEXT NOT NULL, principal {key} NOT NULL, action {key} NOT NULL,"
           " resource_kind {key} NOT NULL, resource_id {key} NOT NULL, effect TEXT NOT NULL,"
           " rule TEXT NOT NULL, reasons TEXT NOT NULL, policy_revision TEXT NOT NULL,"
           " entity_version BIGINT NOT NULL)",
           "CREATE INDEX decision_log_at ON decision_log (at)",
           "CREATE INDEX decision_log_principal ON decision_log (principal, seq)",
           "CREATE INDEX decision_log_action ON decision_log (action, seq)",
           "CREATE INDEX decision_log_resource ON decision_log (resource_kind, resource_id, seq)",
       }},
  };
  return steps;
}

std::vector<Migration> Build(Dialect dialect) {
  std::vector<Migration> out;
  for (const Step& step : Steps()) {
    Migration migration{step.version, step.name, {}};
    for (std::string_view statement : step.statements) {
      migration.statements.push_back(Spell(statement, dialect));
    }
    out.push_back(std::move(migration));
  }
  return out;
}

}  // namespace

const std::vector<Migration>& Migrations(Dialect dialect) {
  static const std::vector<Migration> sqlite = Build(Dialect::kSqlite);
  static const std::vector<Migration> postgresql = Build(Dialect::kPostgresql);
  return dialect == Dialect::kPostgresql ? postgresql : sqlite;
}

int LatestSchemaVersion() {
  return Steps().back().version;
}

}  // namespace castellan::storage
