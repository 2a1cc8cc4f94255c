// Cost of whole decisions on the default pack: one action, and every declared
// action (the allowed-actions query), for a principal and a resource named by
// id and read from the entity store.
#include <benchmark/benchmark.h>

#include "api/entity_file.h"
#include "api/json_value.h"
#include "engine/decision.h"

namespace castellan::engine {
namespace {

struct Fixture {
  std::shared_ptr<const PolicySet> set;
  std::shared_ptr<const EntityStore> store;
  Fixture() {
    set = LoadPolicySet(CASTELLAN_SOURCE_DIR "/policies").set;
    store = api::LoadEntityFiles({CASTELLAN_SOURCE_DIR "/policies/entities.yaml"}).store;
    if (!set || !store) std::abort();
  }
};

const Fixture& Pack() {
  static const Fixture* f = new Fixture();
  return *f;
}

DecisionRequest Request(std::vector<std::string> actions) {
  return DecisionRequest{api::FromJson({{"id", "adam@acme.example"}}),
                         api::FromJson({{"kind", "organization"}, {"id", "contoso"}}),
                         api::FromJson({{"now", "2026-11-02T12:00:00Z"}, {"otp_fresh", true}}),
                         std::move(actions)};
}

void BM_DecideOneAction(benchmark::State& state) {
  const Fixture& f = Pack();
  const DecisionRequest request = Request({"backup_set.add"});
  for (auto _ : state) benchmark::DoNotOptimize(Decide(*f.set, *f.store, request));
}
BENCHMARK(BM_DecideOneAction);

void BM_DecideEveryAction(benchmark::State& state) {
  const Fixture& f = Pack();
  const DecisionRequest request = Request({});
  for (auto _ : state) benchmark::DoNotOptimize(Decide(*f.set, *f.store, request));
}
BENCHMARK(BM_DecideEveryAction);

}  // namespace
}  // namespace castellan::engine

BENCHMARK_MAIN();
