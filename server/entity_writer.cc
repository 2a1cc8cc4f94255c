#include "server/entity_writer.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "api/json_value.h"
#include "api/strict_json.h"
#include "server/json_response.h"
#include "storage/entity_columns.h"

namespace castellan::server {
namespace {

std::string Key(std::string_view kind, std::string_view id) {
  return std::string(kind) + "/" + std::string(id);
}

EntityWriteOutcome Failure(int status, std::string code, std::string message) {
  EntityWriteOutcome out;
  out.status = status;
  out.code = std::move(code);
  out.message = std::move(message);
  return out;
}

bool IsConflict(const engine::EntityProblem& p) {
  return p.code == "duplicate_id" || p.code == "alias_taken";
}

}  // namespace

std::string_view EntityWriteOutcome::result() const {
  switch (status) {
    case 200:
    case 201:
    case 204:
      return "ok";
    case 400:
      return "invalid";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 412:
      return "precondition_failed";
    default:
      return "error";
  }
}

EntityWriter::EntityWriter(ServiceState& state, Metrics& metrics,
                           std::unique_ptr<storage::Store> store)
    : state_(state), metrics_(metrics), store_(std::move(store)) {}

EntityWriteOutcome EntityWriter::Record(EntityWriteOutcome outcome) {
  metrics_.RecordEntityWrite(outcome.result());
  return outcome;
}

template <typename StoreWrite>
EntityWriteOutcome EntityWriter::Commit(std::vector<engine::EntityRecord> puts,
                                        std::vector<std::pair<std::string, std::string>> deletes,
                                        const std::vector<std::string>* problem_paths,
                                        bool replace_all, StoreWrite store_write) {
  EntityWriteOutcome out = Failure(503, "not_ready", "no policy set is loaded");
  // A problem of (kind, id) is reported at its record's place in the request.
  auto place = [&](engine::EntityProblem p) {
    for (size_t i = 0; problem_paths && i < puts.size() && i < problem_paths->size(); ++i) {
      if (puts[i].kind == p.kind && puts[i].id == p.id) {
        p.path = (*problem_paths)[i] + p.path;
        break;
      }
    }
    return p;
  };
  state_.Write([&](const Snapshot& current) -> std::shared_ptr<const engine::EntitySnapshot> {
    const engine::EntitySnapshot& entities = *current.entity_snapshot;
    if (replace_all) {
      // Every serving entity the import does not name goes; the store does
      // the same in its transaction.
      std::set<std::string> named;
      for (const auto& r : puts) named.insert(Key(r.kind, r.id));
      for (const engine::EntityRecord* r : entities.All()) {
        if (!named.count(Key(r->kind, r->id))) deletes.emplace_back(r->kind, r->id);
      }
    }
    for (const engine::EntityRecord& record : puts) {
      for (auto& p : engine::ValidateEntity(record, *current.policies)) {
        out.problems.push_back(place(std::move(p)));
      }
      if (std::optional<engine::EntityProblem> p = storage::UnstorableProblem(record)) {
        out.problems.push_back(place(std::move(*p)));
      }
    }
    if (!out.problems.empty()) {
      auto problems = std::move(out.problems);
      out = Failure(400, "invalid_entity", "the entity is not valid: see problems");
      out.problems = std::move(problems);
      return nullptr;
    }
    for (const auto& [kind, id] : deletes) {
      if (!entities.Find(kind, id)) {
        out = Failure(404, "not_found", "no entity " + Key(kind, id));
        return nullptr;
      }
    }
    const uint64_t guess = current.entity_version + 1;
    engine::EntitySnapshot::Result next = entities.Apply(puts, deletes, guess);
    if (!next.problems.empty() || !next.snapshot) {
      bool conflict = false;
      std::vector<engine::EntityProblem> problems;
      for (auto& p : next.problems) {
        conflict = conflict || IsConflict(p);
        problems.push_back(place(std::move(p)));
      }
      out = conflict ? Failure(409, "conflict", "the write conflicts with stored entities")
                     : Failure(400, "invalid_entity", "the entity is not valid: see problems");
      out.problems = std::move(problems);
      return nullptr;
    }
    storage::WriteResult written;
    storage::Status status = storage::Status::Ok();
    {
      std::lock_guard<std::mutex> lock(store_mutex_);
      status = store_write(*store_, &written);
    }
    if (!status.ok()) {
      out = Failure(500, "store_error", LogStoreFailure(status));
      return nullptr;
    }
    switch (written.outcome) {
      case storage::WriteOutcome::kDone:
        break;
      case storage::WriteOutcome::kPreconditionFailed:
        out = Failure(412, "precondition_failed",
                      written.message.empty() ? "the entity changed since (If-Match/If-None-Match)"
                                              : written.message);
        return nullptr;
      case storage::WriteOutcome::kNotFound:
        out =
            Failure(404, "not_found", written.message.empty() ? "no such entity" : written.message);
        return nullptr;
      case storage::WriteOutcome::kConflict:
        out = Failure(409, "conflict", written.message);
        return nullptr;
    }
    out = EntityWriteOutcome();
    out.status = written.created ? 201 : 200;
    out.data_version = written.data_version;
    if (written.data_version != guess) {
      // Another process (a replica on the same store) wrote in between: the
      // store, not this snapshot plus the write, is what is true now.
      // Until it does (the store or the build failed), nothing is swapped:
      // a snapshot labelled with a version it does not hold would lie, and
      // Refresh() tries again.
      return LoadFromStore(current.policies);
    }
    return next.snapshot;
  });
  return out;
}

std::shared_ptr<const engine::EntitySnapshot> EntityWriter::LoadFromStore(
    const std::shared_ptr<const engine::PolicySet>& policies) {
  std::vector<storage::StoredEntity> stored;
  uint64_t data_version = 0;
  storage::Status status = storage::Status::Ok();
  {
    std::lock_guard<std::mutex> lock(store_mutex_);
    status = store_->LoadAll(&stored, &data_version);
  }
  if (!status.ok()) return nullptr;
  std::vector<engine::EntityRecord> records;
  records.reserve(stored.size());
  for (storage::StoredEntity& entity : stored) records.push_back(std::move(entity.record));
  return engine::EntitySnapshot::Build(std::move(records), policies, data_version).snapshot;
}

uint64_t EntityWriter::Refresh() {
  uint64_t refreshed = 0;
  state_.Write([&](const Snapshot& current) -> std::shared_ptr<const engine::EntitySnapshot> {
    uint64_t data_version = 0;
    storage::Status status = storage::Status::Ok();
    {
      std::lock_guard<std::mutex> lock(store_mutex_);
      status = store_->DataVersion(&data_version);
    }
    if (!status.ok() || data_version == current.entity_version) return nullptr;
    std::shared_ptr<const engine::EntitySnapshot> loaded = LoadFromStore(current.policies);
    if (loaded) refreshed = loaded->version();
    return loaded;
  });
  return refreshed;
}

EntityWriteOutcome EntityWriter::Put(engine::EntityRecord record,
                                     const storage::Precondition& precondition) {
  std::vector<engine::EntityRecord> puts = {record};
  EntityWriteOutcome out = Commit(std::move(puts), {}, nullptr, false,
                                  [&](storage::Store& store, storage::WriteResult* result) {
                                    return store.Put(record, precondition, result);
                                  });
  if (out.status == 200 || out.status == 201) out.stored = std::move(record);
  return Record(std::move(out));
}

EntityWriteOutcome EntityWriter::Patch(const std::string& kind, const std::string& id,
                                       const std::string& patch_json,
                                       const storage::Precondition& precondition) {
  nlohmann::json patch;
  api::JsonParseError error;
  if (!api::ParseStrictJson(patch_json, &patch, &error, 64)) {
    return Record(Failure(400, error.code, error.Describe()));
  }
  if (!patch.is_object()) {
    return Record(Failure(400, "invalid_request", "a merge patch is a JSON object"));
  }
  // Read, patch, write with If-Match on what was read: a write in between
  // gives 412, and without the client's own If-Match the patch is tried again.
  EntityWriteOutcome out;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::optional<storage::StoredEntity> stored;
    if (storage::Status s = Get(kind, id, &stored); !s.ok()) {
      return Record(Failure(500, "store_error", LogStoreFailure(s)));
    }
    if (!stored) return Record(Failure(404, "not_found", "no entity " + Key(kind, id)));
    if (precondition.if_none_match ||
        (precondition.if_match && *precondition.if_match != stored->version)) {
      return Record(Failure(412, "precondition_failed",
                            "the entity is at version " + std::to_string(stored->version)));
    }
    nlohmann::json attributes = api::ToJson(stored->record.attributes);
    attributes.merge_patch(patch);
    if (!attributes.is_object()) {
      return Record(Failure(400, "invalid_request", "the patch must leave an object"));
    }
    // The path names the entity: a patch may not move it.
    if (attributes.contains("id") && attributes["id"] != id) {
      return Record(Failure(400, "invalid_request", "a patch may not change 'id'"));
    }
    if (kind != "organization" && kind != "user" && attributes.contains("kind") &&
        attributes["kind"] != kind) {
      return Record(Failure(400, "invalid_request", "a patch may not change 'kind'"));
    }
    attributes["id"] = id;
    if (kind != "organization" && kind != "user") attributes["kind"] = kind;
    engine::EntityRecord record{kind, id, api::FromJson(attributes)};
    storage::Precondition expected;
    expected.if_match = stored->version;
    std::vector<engine::EntityRecord> puts = {record};
    out = Commit(std::move(puts), {}, nullptr, false,
                 [&](storage::Store& store, storage::WriteResult* result) {
                   return store.Put(record, expected, result);
                 });
    if (out.status == 201) out.status = 200;
    if (out.status == 200) out.stored = std::move(record);
    if (out.status != 412 || precondition.if_match) break;
  }
  return Record(std::move(out));
}

EntityWriteOutcome EntityWriter::Delete(const std::string& kind, const std::string& id,
                                        const storage::Precondition& precondition) {
  EntityWriteOutcome out = Commit({}, {{kind, id}}, nullptr, false,
                                  [&](storage::Store& store, storage::WriteResult* result) {
                                    return store.Delete(kind, id, precondition, result);
                                  });
  if (out.status == 200 || out.status == 201) out.status = 204;
  return Record(std::move(out));
}

EntityWriteOutcome EntityWriter::Import(std::vector<engine::EntityRecord> records,
                                        const std::vector<std::string>& problem_paths,
                                        bool replace_all) {
  const size_t count = records.size();
  EntityWriteOutcome out = Commit(records, {}, &problem_paths, replace_all,
                                  [&](storage::Store& store, storage::WriteResult* result) {
                                    return store.Import(records, replace_all, result);
                                  });
  if (out.status == 201) out.status = 200;
  if (out.status == 200) out.imported = count;
  return Record(std::move(out));
}

storage::Status EntityWriter::Get(std::string_view kind, std::string_view id,
                                  std::optional<storage::StoredEntity>* out) {
  if (!storage::IsKeyText(kind) || !storage::IsKeyText(id)) {
    *out = std::nullopt;  // no stored key holds NUL or bytes that are not UTF-8
    return storage::Status::Ok();
  }
  std::lock_guard<std::mutex> lock(store_mutex_);
  return store_->Get(kind, id, out);
}

storage::Status EntityWriter::List(const storage::EntityFilter& filter,
                                   std::vector<storage::StoredEntity>* out,
                                   std::string* next_after_id) {
  for (const std::string* key : {&filter.kind, &filter.org, &filter.id_prefix, &filter.after_id}) {
    if (!storage::IsKeyText(*key)) {  // matches no stored key
      out->clear();
      next_after_id->clear();
      return storage::Status::Ok();
    }
  }
  std::lock_guard<std::mutex> lock(store_mutex_);
  return store_->List(filter, out, next_after_id);
}

}  // namespace castellan::server
