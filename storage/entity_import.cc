#include "storage/entity_import.h"

#include <map>
#include <utility>

#include "api/entity_file.h"
#include "engine/entity_snapshot.h"
#include "engine/policy_set.h"
#include "storage/entity_columns.h"

namespace castellan::storage {

EntityImport ImportEntityFiles(const std::vector<std::filesystem::path>& paths,
                               const std::shared_ptr<const engine::PolicySet>& policies,
                               Store& store, bool replace_all) {
  EntityImport out;
  api::EntityLoadResult loaded = api::LoadEntityFiles(paths, policies.get());
  out.warnings = std::move(loaded.warnings);
  out.problems = std::move(loaded.diagnostics);
  out.count = loaded.records.size();
  // Where each record was written, to place the problems found together.
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < loaded.records.size(); ++i) {
    const engine::EntityRecord& record = loaded.records[i];
    index.emplace(std::make_pair(record.kind, record.id), i);
    for (const engine::EntityProblem& problem : engine::ValidateEntity(record, *policies)) {
      out.problems.push_back(api::ProblemDiagnostic(problem, loaded.positions[i]));
    }
    if (std::optional<engine::EntityProblem> problem = UnstorableProblem(record)) {
      out.problems.push_back(api::ProblemDiagnostic(*problem, loaded.positions[i]));
    }
  }
  if (!out.problems.empty()) return out;

  // The entities as the store will hold them, checked together: references
  // to stored entities resolve, and a stored entity the import breaks shows.
  std::vector<engine::EntityRecord> next = loaded.records;
  if (!replace_all) {
    std::vector<StoredEntity> stored;
    uint64_t data_version = 0;
    out.status = store.LoadAll(&stored, &data_version);
    if (!out.status.ok()) return out;
    for (StoredEntity& entity : stored) {
      if (!index.count({entity.record.kind, entity.record.id})) {
        next.push_back(std::move(entity.record));
      }
    }
  }
  engine::EntitySnapshot::Result built =
      engine::EntitySnapshot::Build(std::move(next), policies, 0);
  if (!built.snapshot) {
    for (const engine::EntityProblem& problem : built.problems) {
      const auto it = index.find({problem.kind, problem.id});
      if (it != index.end()) {
        out.problems.push_back(api::ProblemDiagnostic(problem, loaded.positions[it->second]));
      } else {
        out.unplaced.push_back(problem.kind + "/" + problem.id + " " +
                               (problem.path.empty() ? "/" : problem.path) + ": " +
                               problem.message);
      }
    }
    return out;
  }
  out.status = store.Import(loaded.records, replace_all, &out.result);
  return out;
}

}  // namespace castellan::storage
