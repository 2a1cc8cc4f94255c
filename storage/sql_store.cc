// The Store over Poco Data: SQLite (the embedded default) and PostgreSQL.
// The only file that calls Poco Data: its exceptions become Statuses here.
//
// SQL is written once with `?` placeholders; PostgreSQL gets `$1, $2, ...`.
// Every value a user gave is a bound parameter. Every write transaction
// starts by bumping a counter row, which takes the write lock at once
// (SQLite: no deferred-lock upgrade to fail; PostgreSQL: writers queue on
// the row), so the precondition checks that follow see the latest data.
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/entity_columns.h"
#include "storage/migrations.h"
#include "storage/store.h"

namespace castellan::storage {
namespace {

using Poco::Int64;
using Poco::Data::Session;
using Poco::Data::Statement;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

constexpr int kBusyTimeoutMs = 10000;
constexpr size_t kMaxLimit = 1000;

// A parameter list built as a query is: strings and integers, in order.
class Params {
 public:
  Params& Add(std::string value) {
    texts_.push_back(std::move(value));
    order_.push_back({true, texts_.size() - 1});
    return *this;
  }
  Params& Add(Int64 value) {
    numbers_.push_back(value);
    order_.push_back({false, numbers_.size() - 1});
    return *this;
  }
  void BindTo(Statement& statement) const {
    for (const auto& [text, index] : order_) {
      if (text) {
        statement.bind(texts_[index]);
      } else {
        statement.bind(numbers_[index]);
      }
    }
  }

 private:
  std::vector<std::string> texts_;
  std::vector<Int64> numbers_;
  std::vector<std::pair<bool, size_t>> order_;
};

Int64 Micros(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

std::chrono::system_clock::time_point FromMicros(Int64 micros) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(micros)));
}

// A user's alias or id another user already holds.
struct Rollback {
  WriteOutcome outcome;
  std::string message;
};

class SqlStore final : public Store {
 public:
  SqlStore(Dialect dialect, std::unique_ptr<Session> session)
      : dialect_(dialect), session_(std::move(session)) {}

  std::string_view backend() const override {
    return dialect_ == Dialect::kPostgresql ? "postgresql" : "sqlite";
  }

  Status Configure();

  Status Migrate(int* applied) override;
  // Migrate() once the replicas' migration lock is held.
  Status MigrateLocked(int* applied);
  Status SchemaVersion(int* version) override;
  Status DataVersion(uint64_t* version) override;
  Status LoadAll(std::vector<StoredEntity>* out, uint64_t* data_version) override;
  Status Get(std::string_view kind, std::string_view id, std::optional<StoredEntity>* out) override;
  Status List(const EntityFilter& filter, std::vector<StoredEntity>* out,
              std::string* next_after_id) override;
  Status Put(const engine::EntityRecord& record, const Precondition& precondition,
             WriteResult* result) override;
  Status Delete(std::string_view kind, std::string_view id, const Precondition& precondition,
                WriteResult* result) override;
  Status Import(const std::vector<engine::EntityRecord>& records, bool replace_all,
                WriteResult* result) override;
  Status AppendDecisions(std::vector<DecisionLogEntry>* entries) override;
  Status QueryDecisions(const DecisionFilter& filter, std::vector<DecisionLogEntry>* out,
                        uint64_t* next_after_seq) override;
  Status DeleteDecisionsBefore(std::chrono::system_clock::time_point before,
                               uint64_t* deleted) override;

 private:
  // `sql` with the dialect's placeholders.
  std::string Sql(std::string_view sql) const {
    if (dialect_ == Dialect::kSqlite) return std::string(sql);
    std::string out;
    int n = 0;
    for (char c : sql) {
      if (c == '?') {
        out += '$' + std::to_string(++n);
      } else {
        out += c;
      }
    }
    return out;
  }

  // Runs one statement; `extract` adds the into() extractions.
  void Run(std::string_view sql, const Params& params,
           const std::function<void(Statement&)>& extract = nullptr) {
    Statement statement(*session_);
    statement << Sql(sql);
    params.BindTo(statement);
    if (extract) extract(statement);
    statement.execute();
  }
  void Run(std::string_view sql) { Run(sql, Params()); }

  Int64 Number(std::string_view sql, const Params& params) {
    std::vector<Int64> values;
    Run(sql, params, [&](Statement& s) { s, into(values); });
    return values.empty() ? 0 : values.front();
  }

  // `body` inside one transaction, rolled back when it throws or returns
  // a Rollback; infrastructure errors become the Status.
  Status Transaction(std::string_view what, const std::function<std::optional<Rollback>()>& body,
                     std::optional<Rollback>* rolled_back = nullptr);
  Status Guard(std::string_view what, const std::function<void()>& body);

  // One entity write: a transaction that first bumps the data version, then
  // runs `body` with the new version; `result` says how it ended.
  Status EntityWrite(std::string_view what,
                     const std::function<std::optional<Rollback>(Int64 version)>& body,
                     WriteResult* result);
  // Within a write transaction: the data version after this write.
  Int64 BumpDataVersion() {
    Run("UPDATE counters SET value = value + 1 WHERE name = 'data_version'");
    return Number("SELECT value FROM counters WHERE name = 'data_version'", Params());
  }
  // The stored version of one entity, nullopt when absent.
  std::optional<Int64> VersionOf(std::string_view kind, std::string_view id);
  void Remove(const EntityRow& row);
  void Insert(const EntityRow& row, Int64 version);
  // Another user holding one of `row`'s aliases, or its id as an alias.
  std::optional<Rollback> AliasConflict(const EntityRow& row);
  Status Rows(std::string_view sql, const Params& params, EntityTable table,
              std::vector<StoredEntity>* out, std::vector<std::string>* ids = nullptr);

  Dialect dialect_;
  std::unique_ptr<Session> session_;
};

Status SqlStore::Guard(std::string_view what, const std::function<void()>& body) {
  try {
    body();
    return Status::Ok();
  } catch (const Poco::Exception& e) {
    return Status::Error(std::string(what) + ": " + e.displayText());
  } catch (const std::exception& e) {
    return Status::Error(std::string(what) + ": " + e.what());
  }
}

Status SqlStore::Transaction(std::string_view what,
                             const std::function<std::optional<Rollback>()>& body,
                             std::optional<Rollback>* rolled_back) {
  std::optional<Rollback> rollback;
  Status status = Guard(what, [&] {
    session_->begin();
    try {
      rollback = body();
    } catch (...) {
      session_->rollback();
      throw;
    }
    if (rollback) {
      session_->rollback();
    } else {
      session_->commit();
    }
  });
  if (!status.ok()) {
    // A failed commit may leave the session in a transaction.
    Guard("rollback", [&] {
      if (session_->isTransaction()) session_->rollback();
    });
  }
  if (rolled_back) *rolled_back = std::move(rollback);
  return status;
}

Status SqlStore::Configure() {
  return Guard("configure", [&] {
    if (dialect_ == Dialect::kSqlite) {
      // WAL: readers never wait for the writer; FULL: a commit is on disk
      // (the WAL fsynced) before it returns, so an acknowledged write survives
      // power loss, not only a crash of the process.
      std::vector<std::string> mode;
      Run("PRAGMA journal_mode=WAL", Params(), [&](Statement& s) { s, into(mode); });
      Run("PRAGMA synchronous=FULL");
      Run("PRAGMA foreign_keys=ON");
      std::vector<Int64> timeout;
      Run("PRAGMA busy_timeout=" + std::to_string(kBusyTimeoutMs), Params(),
          [&](Statement& s) { s, into(timeout); });
      if (Number("PRAGMA foreign_keys", Params()) != 1) {
        throw Poco::Exception("foreign keys could not be turned on");
      }
    } else {
      Run("SET client_min_messages TO WARNING");
    }
  });
}

Status SqlStore::SchemaVersion(int* version) {
  return Guard("schema version", [&] {
    Run("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    *version = static_cast<int>(
        Number("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", Params()));
  });
}

// The PostgreSQL advisory lock that replicas migrating one store take in turn.
constexpr int64_t kMigrationLock = 0x63617374656c6c61;  // "castella"

Status SqlStore::Migrate(int* applied) {
  *applied = 0;
  // Replicas that start together on a new store migrate it one at a time:
  // PostgreSQL holds a session lock for the whole of it (CREATE TABLE IF NOT
  // EXISTS alone races there); SQLite serialises the writes, and each
  // migration below reads the version again under its write lock.
  if (dialect_ == Dialect::kPostgresql) {
    Status locked = Guard("migration lock", [&] {
      Number("SELECT COUNT(*) FROM (SELECT pg_advisory_lock(?)) AS l",
             Params().Add(Int64{kMigrationLock}));
    });
    if (!locked.ok()) return locked;
  }
  Status status = MigrateLocked(applied);
  if (dialect_ == Dialect::kPostgresql) {
    Guard("migration unlock", [&] {
      Number("SELECT COUNT(*) FROM (SELECT pg_advisory_unlock(?)) AS l",
             Params().Add(Int64{kMigrationLock}));
    });
  }
  return status;
}

Status SqlStore::MigrateLocked(int* applied) {
  int current = 0;
  if (Status status = SchemaVersion(&current); !status.ok()) return status;
  if (current > LatestSchemaVersion()) {
    return Status::Error("the store's schema is version " + std::to_string(current) +
                         ", newer than this castellan knows (" +
                         std::to_string(LatestSchemaVersion()) + ")");
  }
  for (const Migration& migration : Migrations(dialect_)) {
    if (migration.version <= current) continue;
    bool done_by_another = false;
    Status status = Transaction("migration " + std::to_string(migration.version), [&] {
      // Takes the write lock before reading, so the version read is the last committed one.
      Run("UPDATE schema_migrations SET version = version WHERE version < 0");
      if (Number("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", Params()) >=
          migration.version) {
        done_by_another = true;
        return std::optional<Rollback>(Rollback{WriteOutcome::kDone, "applied by another replica"});
      }
      for (const std::string& statement : migration.statements) Run(statement);
      Params params;
      params.Add(Int64{migration.version})
          .Add(migration.name)
          .Add(Micros(std::chrono::system_clock::now()));
      Run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", params);
      return std::optional<Rollback>();
    });
    if (!status.ok()) return status;
    if (!done_by_another) ++*applied;
  }
  return Status::Ok();
}

Status SqlStore::DataVersion(uint64_t* version) {
  return Guard("data version", [&] {
    *version = static_cast<uint64_t>(
        Number("SELECT value FROM counters WHERE name = 'data_version'", Params()));
  });
}

Status SqlStore::Rows(std::string_view sql, const Params& params, EntityTable table,
                      std::vector<StoredEntity>* out, std::vector<std::string>* ids) {
  std::vector<std::string> kinds, keys, attributes;
  std::vector<Int64> versions;
  Status status = Guard("read", [&] {
    Run(sql, params, [&](Statement& s) {
      if (table == EntityTable::kResources) s, into(kinds);
      s, into(keys), into(attributes), into(versions);
    });
  });
  if (!status.ok()) return status;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string kind = table == EntityTable::kResources ? kinds[i]
                       : table == EntityTable::kUsers   ? "user"
                                                        : "organization";
    StoredEntity entity;
    std::string error;
    if (!FromRow(std::move(kind), keys[i], attributes[i], &entity.record, &error)) {
      return Status::Error(error);
    }
    entity.version = static_cast<uint64_t>(versions[i]);
    out->push_back(std::move(entity));
  }
  if (ids) *ids = std::move(keys);
  return Status::Ok();
}

Status SqlStore::LoadAll(std::vector<StoredEntity>* out, uint64_t* data_version) {
  out->clear();
  Status inner = Status::Ok();
  Status status = Transaction("load", [&] {
    if (dialect_ == Dialect::kPostgresql) {
      // One snapshot for every table and the counter.
      Run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }
    *data_version = static_cast<uint64_t>(
        Number("SELECT value FROM counters WHERE name = 'data_version'", Params()));
    inner = Rows("SELECT id, attributes, version FROM organizations ORDER BY id", Params(),
                 EntityTable::kOrganizations, out);
    if (inner.ok()) {
      inner = Rows("SELECT id, attributes, version FROM users ORDER BY id", Params(),
                   EntityTable::kUsers, out);
    }
    if (inner.ok()) {
      inner = Rows("SELECT kind, id, attributes, version FROM resources ORDER BY kind, id",
                   Params(), EntityTable::kResources, out);
    }
    return std::optional<Rollback>();
  });
  return status.ok() ? inner : status;
}

Status SqlStore::Get(std::string_view kind, std::string_view id, std::optional<StoredEntity>* out) {
  out->reset();
  std::vector<StoredEntity> found;
  Status status = Status::Ok();
  switch (TableOf(kind)) {
    case EntityTable::kOrganizations:
      status = Rows("SELECT id, attributes, version FROM organizations WHERE id = ?",
                    Params().Add(std::string(id)), EntityTable::kOrganizations, &found);
      break;
    case EntityTable::kUsers:
      status = Rows("SELECT id, attributes, version FROM users WHERE id = ?",
                    Params().Add(std::string(id)), EntityTable::kUsers, &found);
      break;
    case EntityTable::kResources:
      status = Rows("SELECT kind, id, attributes, version FROM resources WHERE kind = ? AND id = ?",
                    Params().Add(std::string(kind)).Add(std::string(id)), EntityTable::kResources,
                    &found);
      break;
  }
  if (status.ok() && !found.empty()) *out = std::move(found.front());
  return status;
}

Status SqlStore::List(const EntityFilter& filter, std::vector<StoredEntity>* out,
                      std::string* next_after_id) {
  out->clear();
  next_after_id->clear();
  const size_t limit = std::clamp<size_t>(filter.limit, 1, kMaxLimit);
  const EntityTable table = TableOf(filter.kind);
  std::string sql;
  Params params;
  switch (table) {
    case EntityTable::kOrganizations:
      sql = "SELECT id, attributes, version FROM organizations WHERE id > ?";
      break;
    case EntityTable::kUsers:
      sql = "SELECT id, attributes, version FROM users WHERE id > ?";
      break;
    case EntityTable::kResources:
      sql = "SELECT kind, id, attributes, version FROM resources WHERE kind = ? AND id > ?";
      params.Add(filter.kind);
      break;
  }
  params.Add(filter.after_id);
  if (!filter.org.empty()) {
    sql += table == EntityTable::kOrganizations ? " AND parent = ?" : " AND org = ?";
    params.Add(filter.org);
  }
  if (!filter.id_prefix.empty()) {
    // substr counts characters on both backends; no LIKE (SQLite's ignores case).
    Int64 characters = 0;
    for (char c : filter.id_prefix) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
    }
    sql += " AND substr(id, 1, CAST(? AS INTEGER)) = ?";
    params.Add(characters).Add(filter.id_prefix);
  }
  sql += " ORDER BY id LIMIT ?";
  params.Add(static_cast<Int64>(limit + 1));
  std::vector<std::string> ids;
  if (Status status = Rows(sql, params, table, out, &ids); !status.ok()) return status;
  if (out->size() > limit) {
    out->resize(limit);
    *next_after_id = ids[limit - 1];
  }
  return Status::Ok();
}

std::optional<Int64> SqlStore::VersionOf(std::string_view kind, std::string_view id) {
  std::vector<Int64> versions;
  const auto extract = [&](Statement& s) { s, into(versions); };
  switch (TableOf(kind)) {
    case EntityTable::kOrganizations:
      Run("SELECT version FROM organizations WHERE id = ?", Params().Add(std::string(id)), extract);
      break;
    case EntityTable::kUsers:
      Run("SELECT version FROM users WHERE id = ?", Params().Add(std::string(id)), extract);
      break;
    case EntityTable::kResources:
      Run("SELECT version FROM resources WHERE kind = ? AND id = ?",
          Params().Add(std::string(kind)).Add(std::string(id)), extract);
      break;
  }
  if (versions.empty()) return std::nullopt;
  return versions.front();
}

void SqlStore::Remove(const EntityRow& row) {
  switch (row.table) {
    case EntityTable::kOrganizations:
      Run("DELETE FROM organizations WHERE id = ?", Params().Add(row.id));
      break;
    case EntityTable::kUsers:  // aliases and bindings go with it (ON DELETE CASCADE)
      Run("DELETE FROM users WHERE id = ?", Params().Add(row.id));
      break;
    case EntityTable::kResources:
      Run("DELETE FROM resources WHERE kind = ? AND id = ?", Params().Add(row.kind).Add(row.id));
      break;
  }
}

void SqlStore::Insert(const EntityRow& row, Int64 version) {
  switch (row.table) {
    case EntityTable::kOrganizations:
      Run("INSERT INTO organizations (id, parent, attributes, version) VALUES (?, ?, ?, ?)",
          Params().Add(row.id).Add(row.org).Add(row.attributes).Add(version));
      return;
    case EntityTable::kResources:
      Run("INSERT INTO resources (kind, id, org, attributes, version) VALUES (?, ?, ?, ?, ?)",
          Params().Add(row.kind).Add(row.id).Add(row.org).Add(row.attributes).Add(version));
      return;
    case EntityTable::kUsers:
      break;
  }
  Run("INSERT INTO users (id, org, status, attributes, version) VALUES (?, ?, ?, ?, ?)",
      Params().Add(row.id).Add(row.org).Add(row.status).Add(row.attributes).Add(version));
  for (const std::string& alias : row.aliases) {
    Run("INSERT INTO user_aliases (alias, user_id) VALUES (?, ?)", Params().Add(alias).Add(row.id));
  }
  Int64 ordinal = 0;
  for (const RoleBindingRow& binding : row.bindings) {
    Run("INSERT INTO role_bindings (user_id, ordinal, role, access) VALUES (?, ?, ?, ?)",
        Params().Add(row.id).Add(ordinal++).Add(binding.role).Add(binding.access));
  }
}

std::optional<Rollback> SqlStore::AliasConflict(const EntityRow& row) {
  if (row.table != EntityTable::kUsers) return std::nullopt;
  std::vector<std::string> holders;
  Run("SELECT user_id FROM user_aliases WHERE alias = ? AND user_id <> ?",
      Params().Add(row.id).Add(row.id), [&](Statement& s) { s, into(holders); });
  if (!holders.empty()) {
    return Rollback{WriteOutcome::kConflict,
                    "user id '" + row.id + "' is an alias of user '" + holders.front() + "'"};
  }
  for (const std::string& alias : row.aliases) {
    holders.clear();
    Run("SELECT user_id FROM user_aliases WHERE alias = ? AND user_id <> ?",
        Params().Add(alias).Add(row.id), [&](Statement& s) { s, into(holders); });
    if (Number("SELECT COUNT(*) FROM users WHERE id = ?", Params().Add(alias)) > 0) {
      holders.push_back(alias);
    }
    if (!holders.empty()) {
      return Rollback{WriteOutcome::kConflict,
                      "alias '" + alias + "' is held by user '" + holders.front() + "'"};
    }
  }
  return std::nullopt;
}

// What a write expects against what is stored; nullopt when it may go on.
std::optional<Rollback> CheckPrecondition(const Precondition& precondition,
                                          std::optional<Int64> stored) {
  if (precondition.if_none_match && stored) {
    return Rollback{WriteOutcome::kPreconditionFailed, "the entity exists"};
  }
  if (precondition.if_match) {
    if (!stored) return Rollback{WriteOutcome::kPreconditionFailed, "the entity does not exist"};
    if (static_cast<uint64_t>(*stored) != *precondition.if_match) {
      return Rollback{WriteOutcome::kPreconditionFailed,
                      "the entity is at version " + std::to_string(*stored) + ", not " +
                          std::to_string(*precondition.if_match)};
    }
  }
  return std::nullopt;
}

Status SqlStore::EntityWrite(std::string_view what,
                             const std::function<std::optional<Rollback>(Int64 version)>& body,
                             WriteResult* result) {
  const bool created = result->created;
  Int64 version = 0;
  std::optional<Rollback> rollback;
  Status status = Transaction(
      what,
      [&] {
        version = BumpDataVersion();
        return body(version);
      },
      &rollback);
  if (!status.ok()) return status;
  if (rollback) {
    result->outcome = rollback->outcome;
    result->message = rollback->message;
    result->data_version = static_cast<uint64_t>(version - 1);
    result->created = created;
  } else {
    result->outcome = WriteOutcome::kDone;
    result->data_version = static_cast<uint64_t>(version);
  }
  return Status::Ok();
}

Status SqlStore::Put(const engine::EntityRecord& record, const Precondition& precondition,
                     WriteResult* result) {
  *result = WriteResult{};
  EntityRow row;
  std::string error;
  if (!ToRow(record, &row, &error))
    return Status::Error(record.kind + "/" + record.id + ": " + error);
  return EntityWrite(
      "put",
      [&](Int64 version) -> std::optional<Rollback> {
        const std::optional<Int64> stored = VersionOf(row.kind, row.id);
        if (auto failed = CheckPrecondition(precondition, stored)) return failed;
        result->created = !stored;
        if (stored) Remove(row);
        if (auto conflict = AliasConflict(row)) return conflict;
        Insert(row, version);
        return std::nullopt;
      },
      result);
}

Status SqlStore::Delete(std::string_view kind, std::string_view id,
                        const Precondition& precondition, WriteResult* result) {
  *result = WriteResult{};
  EntityRow row;
  row.table = TableOf(kind);
  row.kind = std::string(kind);
  row.id = std::string(id);
  return EntityWrite(
      "delete",
      [&](Int64) -> std::optional<Rollback> {
        const std::optional<Int64> stored = VersionOf(kind, id);
        if (!stored) {
          return Rollback{WriteOutcome::kNotFound,
                          std::string(kind) + "/" + std::string(id) + " does not exist"};
        }
        if (auto failed = CheckPrecondition(precondition, stored)) return failed;
        Remove(row);
        return std::nullopt;
      },
      result);
}

Status SqlStore::Import(const std::vector<engine::EntityRecord>& records, bool replace_all,
                        WriteResult* result) {
  *result = WriteResult{};
  std::vector<EntityRow> rows(records.size());
  std::optional<Rollback> duplicate;
  std::set<std::pair<std::string, std::string>> seen;
  std::map<std::string, std::string> names;  // user id or alias -> the user
  for (size_t i = 0; i < records.size(); ++i) {
    std::string error;
    if (!ToRow(records[i], &rows[i], &error)) {
      return Status::Error(records[i].kind + "/" + records[i].id + ": " + error);
    }
    const EntityRow& row = rows[i];
    if (!duplicate && !seen.insert({row.kind, row.id}).second) {
      duplicate =
          Rollback{WriteOutcome::kConflict, row.kind + "/" + row.id + " appears more than once"};
    }
    if (row.table != EntityTable::kUsers || duplicate) continue;
    for (size_t k = 0; k <= row.aliases.size(); ++k) {
      const std::string& name = k == 0 ? row.id : row.aliases[k - 1];
      const auto [it, added] = names.emplace(name, row.id);
      if (!added && it->second != row.id) {
        duplicate =
            Rollback{WriteOutcome::kConflict, "'" + name + "' names both user '" + it->second +
                                                  "' and user '" + row.id + "'"};
        break;
      }
    }
  }
  Status status = EntityWrite(
      "import",
      [&](Int64 version) -> std::optional<Rollback> {
        if (duplicate) return duplicate;
        if (replace_all) {
          Run("DELETE FROM users");  // aliases and bindings go with them
          Run("DELETE FROM organizations");
          Run("DELETE FROM resources");
        } else {
          // Every entity being replaced goes first, so that aliases moving
          // between users in the same import do not conflict with themselves.
          for (const EntityRow& row : rows) Remove(row);
        }
        for (const EntityRow& row : rows) {
          if (auto conflict = AliasConflict(row)) return conflict;
          Insert(row, version);
        }
        return std::nullopt;
      },
      result);
  result->created = result->outcome == WriteOutcome::kDone && !records.empty();
  return status;
}

Status SqlStore::AppendDecisions(std::vector<DecisionLogEntry>* entries) {
  if (entries->empty()) return Status::Ok();
  return Transaction("append decisions", [&] {
    Run("UPDATE counters SET value = value + ? WHERE name = 'decision_seq'",
        Params().Add(static_cast<Int64>(entries->size())));
    Int64 seq = Number("SELECT value FROM counters WHERE name = 'decision_seq'", Params()) -
                static_cast<Int64>(entries->size());
    for (DecisionLogEntry& entry : *entries) {
      entry.seq = static_cast<uint64_t>(++seq);
      nlohmann::json reasons = nlohmann::json::array();
      for (const std::string& reason : entry.reasons) reasons.push_back(StorableText(reason));
      Params params;
      params.Add(seq)
          .Add(Micros(entry.at))
          .Add(StorableText(entry.request_id))
          .Add(StorableText(entry.principal))
          .Add(StorableText(entry.action))
          .Add(StorableText(entry.resource_kind))
          .Add(StorableText(entry.resource_id))
          .Add(StorableText(entry.effect))
          .Add(StorableText(entry.rule))
          .Add(reasons.dump())
          .Add(StorableText(entry.policy_revision))
          .Add(static_cast<Int64>(entry.entity_version));
      Run("INSERT INTO decision_log (seq, at, request_id, principal, action, resource_kind,"
          " resource_id, effect, rule, reasons, policy_revision, entity_version)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          params);
    }
    return std::optional<Rollback>();
  });
}

Status SqlStore::QueryDecisions(const DecisionFilter& filter, std::vector<DecisionLogEntry>* out,
                                uint64_t* next_after_seq) {
  out->clear();
  *next_after_seq = 0;
  const size_t limit = std::clamp<size_t>(filter.limit, 1, kMaxLimit);
  std::string sql =
      "SELECT seq, at, request_id, principal, action, resource_kind, resource_id, effect, rule,"
      " reasons, policy_revision, entity_version FROM decision_log WHERE seq > ?";
  Params params;
  params.Add(static_cast<Int64>(filter.after_seq));
  const auto equal = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    sql += std::string(" AND ") + column + " = ?";
    params.Add(StorableText(value));
  };
  equal("principal", filter.principal);
  equal("action", filter.action);
  equal("resource_kind", filter.resource_kind);
  equal("resource_id", filter.resource_id);
  equal("effect", filter.effect);
  if (filter.from) {
    sql += " AND at >= ?";
    params.Add(Micros(*filter.from));
  }
  if (filter.to) {
    sql += " AND at < ?";
    params.Add(Micros(*filter.to));
  }
  sql += " ORDER BY seq LIMIT ?";
  params.Add(static_cast<Int64>(limit + 1));

  std::vector<Int64> seqs, ats, entity_versions;
  std::vector<std::string> request_ids, principals, actions, kinds, ids, effects, rules, reasons,
      revisions;
  Status status = Guard("query decisions", [&] {
    Run(sql, params, [&](Statement& s) {
      s, into(seqs), into(ats), into(request_ids), into(principals), into(actions), into(kinds),
          into(ids), into(effects), into(rules), into(reasons), into(revisions),
          into(entity_versions);
    });
  });
  if (!status.ok()) return status;
  for (size_t i = 0; i < seqs.size() && i < limit; ++i) {
    DecisionLogEntry entry;
    entry.seq = static_cast<uint64_t>(seqs[i]);
    entry.at = FromMicros(ats[i]);
    entry.request_id = request_ids[i];
    entry.principal = principals[i];
    entry.action = actions[i];
    entry.resource_kind = kinds[i];
    entry.resource_id = ids[i];
    entry.effect = effects[i];
    entry.rule = rules[i];
    const nlohmann::json codes = nlohmann::json::parse(reasons[i], nullptr, false);
    if (codes.is_array()) {
      for (const auto& code : codes) {
        if (code.is_string()) entry.reasons.push_back(code.get<std::string>());
      }
    }
    entry.policy_revision = revisions[i];
    entry.entity_version = static_cast<uint64_t>(entity_versions[i]);
    out->push_back(std::move(entry));
  }
  if (seqs.size() > limit) *next_after_seq = out->back().seq;
  return Status::Ok();
}

Status SqlStore::DeleteDecisionsBefore(std::chrono::system_clock::time_point before,
                                       uint64_t* deleted) {
  *deleted = 0;
  return Transaction("delete decisions", [&] {
    Params params;
    params.Add(Micros(before));
    *deleted =
        static_cast<uint64_t>(Number("SELECT COUNT(*) FROM decision_log WHERE at < ?", params));
    Run("DELETE FROM decision_log WHERE at < ?", params);
    return std::optional<Rollback>();
  });
}

// Poco's PostgreSQL connector takes "key=value" pairs separated by spaces,
// not a URL: libpq parses the URL, and each value it found is passed on.
// Values holding spaces or quotes cannot be passed that way.
bool PostgresConnectionString(const std::string& url, std::string* out, std::string* error) {
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &message);
  if (!options) {
    *error = message ? message : "cannot parse the URL";
    PQfreemem(message);
    return false;
  }
  bool ok = true;
  for (PQconninfoOption* option = options; option->keyword; ++option) {
    if (!option->val || !*option->val) continue;
    const std::string value = option->val;
    if (value.find_first_of(" \t\n'\"\\") != std::string::npos) {
      *error = std::string("the value of ") + option->keyword + " holds a space or a quote";
      ok = false;
      break;
    }
    if (!out->empty()) *out += ' ';
    *out += std::string(option->keyword) + "=" + value;
  }
  PQconninfoFree(options);
  return ok;
}

void RegisterConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

}  // namespace

std::unique_ptr<Store> Store::Open(std::string_view url, Status* status) {
  RegisterConnectors();
  Dialect dialect = Dialect::kSqlite;
  std::string connector = "SQLite";
  std::string target(url);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    // libpq reads the URL itself (user, password, host, port, database,
    // and parameters such as sslmode or connect_timeout).
    dialect = Dialect::kPostgresql;
    connector = "PostgreSQL";
    target.clear();
    if (std::string error; !PostgresConnectionString(std::string(url), &target, &error)) {
      *status = Status::Error("PostgreSQL store URL: " + error);
      return nullptr;
    }
  } else if (url.starts_with("sqlite:")) {
    target = std::string(url.substr(7));
  }
  if (target.empty()) {
    *status = Status::Error("store URL '" + std::string(url) + "' names no database");
    return nullptr;
  }
  if (dialect == Dialect::kPostgresql) {
    // libpq is asked first: Poco 1.11 never frees the connection of a
    // failed connect (LeakSanitizer shows it), and a server that cannot be
    // reached is the common failure.
    PGconn* probe = PQconnectdb(target.c_str());
    const bool reachable = PQstatus(probe) == CONNECTION_OK;
    std::string why = reachable ? "" : PQerrorMessage(probe);
    while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
    PQfinish(probe);
    if (!reachable) {
      *status = Status::Error("cannot open the PostgreSQL store: " + why);
      return nullptr;
    }
  }
  std::unique_ptr<Session> session;
  try {
    // Poco retries a SQLite open that fails until this many seconds have
    // passed (60 by default); a file that cannot be opened will not become
    // openable in the meantime.
    const size_t login_timeout = dialect == Dialect::kSqlite ? 1 : Session::LOGIN_TIMEOUT_DEFAULT;
    session = std::make_unique<Session>(connector, target, login_timeout);
  } catch (const Poco::Exception& e) {
    // The URL may hold a password: name the backend, not the URL.
    *status = Status::Error("cannot open the " +
                            std::string(dialect == Dialect::kPostgresql
                                            ? "PostgreSQL store"
                                            : "SQLite store '" + target + "'") +
                            ": " + e.displayText());
    return nullptr;
  }
  auto store = std::make_unique<SqlStore>(dialect, std::move(session));
  if (Status configured = store->Configure(); !configured.ok()) {
    *status = configured;
    return nullptr;
  }
  *status = Status::Ok();
  return store;
}

}  // namespace castellan::storage
