// The cost of one entity write and how long until decisions see it, at
// 10,000 and 100,000 users (issue 12), on the default pack:
//   - BM_Apply: EntitySnapshot::Apply() of one changed user (the next
//     snapshot, sharing every entity it does not touch);
//   - BM_StorePut: Store::Put() of one user on SQLite (one transaction,
//     WAL, synchronous as the service opens it);
//   - BM_WriteToVisible: what the service does for a PUT, in order: the
//     store transaction, Apply, the pointer swap, then a decision on the new
//     snapshot that must see the change (the user's status flips, and with
//     it the decision) — write → visible, without HTTP.
// bench/README.md has the command and the figures.
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>

#include "api/json_value.h"
#include "api/yaml_value.h"
#include "engine/decision.h"
#include "engine/entity_snapshot.h"
#include "engine/policy_set.h"
#include "storage/store.h"

namespace castellan {
namespace {

namespace fs = std::filesystem;
using engine::EntityRecord;

std::string UserId(int64_t i) {
  return "user" + std::to_string(i) + "@acme.example";
}

EntityRecord User(int64_t i, bool active) {
  return {"user", UserId(i),
          api::FromJson({{"id", UserId(i)},
                         {"org", "acme"},
                         {"status", active ? "active" : "disabled"},
                         {"email", UserId(i)},
                         {"roles", {"partner.admin"}},
                         {"customer_access", {{"customers", {"contoso"}}}}})};
}

// The default pack's organizations as its entity file writes them, then
// `users` generated users.
std::vector<EntityRecord> Records(int64_t users) {
  std::vector<EntityRecord> out;
  const YAML::Node file = YAML::LoadFile(CASTELLAN_SOURCE_DIR "/policies/entities.yaml");
  for (const YAML::Node& org : file["organizations"]) {
    out.push_back({"organization", org["id"].Scalar(), api::FromYaml(org)});
  }
  for (int64_t i = 0; i < users; ++i) out.push_back(User(i, true));
  return out;
}

// One population, built once per size and shared by the benchmarks.
struct World {
  std::shared_ptr<const engine::PolicySet> policies;
  std::shared_ptr<const engine::EntitySnapshot> snapshot;
  std::unique_ptr<storage::Store> store;
  fs::path dir;
  uint64_t version = 0;
};

World& At(int64_t users) {
  static std::map<int64_t, std::unique_ptr<World>> worlds;
  auto& w = worlds[users];
  if (w) return *w;
  w = std::make_unique<World>();
  w->policies = engine::LoadPolicySet(CASTELLAN_SOURCE_DIR "/policies").set;
  if (!w->policies) {
    std::fprintf(stderr, "cannot load the default pack's policies\n");
    std::abort();
  }
  std::vector<EntityRecord> records = Records(users);
  w->dir = fs::temp_directory_path() /
           ("castellan_store_bench_" + std::to_string(::getpid()) + "_" + std::to_string(users));
  fs::remove_all(w->dir);
  fs::create_directories(w->dir);
  storage::Status status = storage::Status::Ok();
  w->store = storage::Store::Open("sqlite:" + (w->dir / "castellan.db").string(), &status);
  int applied = 0;
  storage::WriteResult result;
  if (w->store) status = w->store->Migrate(&applied);
  if (status.ok()) status = w->store->Import(records, false, &result);
  if (!status.ok() || result.outcome != storage::WriteOutcome::kDone) {
    std::fprintf(stderr, "store: %s %s\n", status.message().c_str(), result.message.c_str());
    std::abort();
  }
  w->version = result.data_version;
  auto built = engine::EntitySnapshot::Build(std::move(records), w->policies, w->version);
  if (!built.snapshot) {
    for (const auto& p : built.problems) {
      std::fprintf(stderr, "%s/%s %s: %s\n", p.kind.c_str(), p.id.c_str(), p.path.c_str(),
                   p.message.c_str());
    }
    std::abort();
  }
  w->snapshot = built.snapshot;
  return *w;
}

void Cleanup() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    if (e.path().filename().string().rfind(
            "castellan_store_bench_" + std::to_string(::getpid()) + "_", 0) == 0) {
      fs::remove_all(e.path(), ec);
    }
  }
}

void BM_Apply(benchmark::State& state) {
  World& w = At(state.range(0));
  int64_t i = 0;
  for (auto _ : state) {
    ++i;
    auto next = w.snapshot->Apply({User(i % state.range(0), i % 2 == 0)}, {}, w.version + 1);
    if (!next.snapshot) state.SkipWithError("Apply refused the write");
    benchmark::DoNotOptimize(next);
  }
}
BENCHMARK(BM_Apply)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_StorePut(benchmark::State& state) {
  World& w = At(state.range(0));
  int64_t i = 0;
  for (auto _ : state) {
    storage::WriteResult result;
    ++i;
    const EntityRecord user = User(i % state.range(0), i % 2 == 0);
    if (!w.store->Put(user, {}, &result).ok() || result.outcome != storage::WriteOutcome::kDone) {
      state.SkipWithError("Put failed");
    }
    w.version = result.data_version;
  }
}
BENCHMARK(BM_StorePut)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_WriteToVisible(benchmark::State& state) {
  World& w = At(state.range(0));
  std::shared_ptr<const engine::EntitySnapshot> current = w.snapshot;
  const int64_t target = state.range(0) / 2;
  bool active = true;
  for (auto _ : state) {
    active = !active;
    const EntityRecord user = User(target, active);
    storage::WriteResult result;
    if (!w.store->Put(user, {}, &result).ok()) state.SkipWithError("Put failed");
    auto next = current->Apply({user}, {}, result.data_version);
    if (!next.snapshot) state.SkipWithError("Apply refused the write");
    std::atomic_store(&current, next.snapshot);  // what the service swaps
    // A decision on the snapshot now current sees the new status.
    const auto seen = std::atomic_load(&current);
    const engine::Decision d = engine::Decide(
        *w.policies, *seen,
        engine::DecisionRequest{api::FromJson({{"id", UserId(target)}}),
                                api::FromJson({{"kind", "organization"}, {"id", "contoso"}}),
                                api::FromJson({{"now", "2026-11-02T12:00:00Z"}}),
                                {"company.view"}});
    if (d.results.empty() || d.results[0].allowed != active) {
      state.SkipWithError("the write was not visible to the next decision");
    }
  }
  w.snapshot = current;
}
BENCHMARK(BM_WriteToVisible)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace castellan

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  castellan::Cleanup();
  return 0;
}
