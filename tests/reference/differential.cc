#include "tests/reference/differential.h"

#include <memory>
#include <optional>

#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"
#include "engine/policy_set.h"
#include "tests/reference/generator.h"
#include "tests/reference/reference_model.h"

namespace castellan::reference {

DifferentialStats RunDifferential(uint64_t seed, uint64_t first, uint64_t count,
                                  std::string* report, int max_reports) {
  DifferentialStats stats;
  int reports = 0;
  std::optional<uint64_t> policy_block, entity_block;
  std::string yaml;
  std::shared_ptr<const engine::PolicySet> set;
  GeneratedEntities entities;

  for (uint64_t index = first; index < first + count; ++index) {
    ++stats.cases;
    if (policy_block != index / kCasesPerPolicySet) {
      policy_block = index / kCasesPerPolicySet;
      yaml = GeneratePolicyYaml(seed, *policy_block);
      dsl::LoadResult loaded =
          dsl::LoadPolicyFiles({{"generated.yaml", yaml}}, engine::PolicyEnvironments());
      set = nullptr;
      std::string problems = loaded.FormattedDiagnostics();
      if (loaded.source) {
        auto compiled = engine::PolicySet::Compile(std::move(*loaded.source));
        set = compiled.set;
        for (const auto& d : compiled.diagnostics) problems += d.ToString() + "\n";
      }
      if (!set) {
        stats.load_failures += kCasesPerPolicySet;
        if (reports++ < max_reports && report) {
          *report += "seed " + std::to_string(seed) + " case " + std::to_string(index) +
                     ": the generated policy set does not load\n" + problems +
                     "--- generated.yaml\n" + yaml + "\n";
        }
      }
    }
    if (!set) continue;
    if (entity_block != index / kCasesPerEntitySet) {
      entity_block = index / kCasesPerEntitySet;
      entities = GenerateEntities(seed, *entity_block);
    }
    const engine::DecisionRequest request = GenerateRequest(seed, index);
    const auto engine_answer = Reduce(engine::Decide(*set, *entities.store, request));
    const auto reference_answer = ReferenceDecide(set->source(), *entities.store, request);

    for (const auto& d : engine_answer) {
      ++stats.actions;
      stats.allowed += d.allowed;
      for (const auto& r : d.reasons) ++stats.reason_codes[r.code];
    }
    if (engine_answer == reference_answer) continue;
    ++stats.disagreements;
    if (reports++ < max_reports && report) {
      *report += "DISAGREEMENT seed " + std::to_string(seed) + " case " + std::to_string(index) +
                 " (replay: CASTELLAN_DIFF_SEED=" + std::to_string(seed) +
                 " CASTELLAN_DIFF_FIRST=" + std::to_string(index) +
                 " CASTELLAN_DIFF_CASES=1)\n--- generated.yaml\n" + yaml + "--- entities\n" +
                 entities.text + "--- request\n" + RequestToString(request) + "--- engine\n" +
                 ToString(engine_answer) + "--- reference\n" + ToString(reference_answer) + "\n";
    }
  }
  return stats;
}

}  // namespace castellan::reference
