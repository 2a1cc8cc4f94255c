// Queries (engine/query.h) on a generated scenario: one partner with 10,000
// customers and 2,000 users. allowed-resources over all companies for a
// partner admin (every customer is a candidate and allowed), and for a user
// with 3 assigned customers (10,001 candidates, 3 allowed). Policies: the
// elements sample pack. bench/README.md has the command and the medians.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/entity_snapshot.h"
#include "engine/policy_set.h"
#include "engine/query.h"

namespace castellan::engine {
namespace {

constexpr int kCustomers = 10000;
constexpr int kUsers = 2000;

EntityRecord Record(const std::string& kind, const nlohmann::json& j) {
  return {kind, j["id"].get<std::string>(), api::FromJson(j)};
}

std::string Customer(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "c%05d", i);
  return id;
}

struct Scenario {
  std::shared_ptr<const PolicySet> policies;
  std::shared_ptr<const EntitySnapshot> snapshot;
  Value context;
};

const Scenario& Get() {
  static const Scenario s = [] {
    Scenario out;
    dsl::LoadResult loaded =
        dsl::LoadPolicyDirectory(CASTELLAN_SOURCE_DIR "/samples/elements", PolicyEnvironments());
    if (!loaded.source) std::abort();
    out.policies = PolicySet::Compile(std::move(*loaded.source)).set;
    std::vector<EntityRecord> records;
    records.push_back(Record("organization", {{"id", "msp"}, {"type", "partner"}}));
    for (int i = 0; i < kCustomers; ++i) {
      records.push_back(
          Record("organization", {{"id", Customer(i)}, {"type", "customer"}, {"parent", "msp"}}));
    }
    records.push_back(Record("user", {{"id", "admin@msp"},
                                      {"org", "msp"},
                                      {"status", "active"},
                                      {"roles", {"partner.admin"}},
                                      {"customer_access", {{"all", true}}}}));
    records.push_back(Record(
        "user",
        {{"id", "three@msp"},
         {"org", "msp"},
         {"status", "active"},
         {"roles", {"partner.admin"}},
         {"customer_access", {{"customers", {Customer(7), Customer(4242), Customer(9001)}}}}}));
    for (int i = 2; i < kUsers; ++i) {
      records.push_back(Record("user", {{"id", "u" + std::to_string(i) + "@msp"},
                                        {"org", "msp"},
                                        {"status", "active"},
                                        {"roles", {"partner.user"}}}));
    }
    auto built = EntitySnapshot::Build(std::move(records), out.policies, 1);
    if (!built.snapshot) {
      for (const auto& p : built.problems)
        std::fprintf(stderr, "%s %s %s\n", p.id.c_str(), p.path.c_str(), p.message.c_str());
      std::abort();
    }
    out.snapshot = built.snapshot;
    out.context = api::FromJson(nlohmann::json::parse(R"({"now": "2026-11-02T12:00:00Z"})"));
    return out;
  }();
  return s;
}

void Run(benchmark::State& state, const char* user, size_t expected) {
  const Scenario& s = Get();
  const Value principal = api::FromJson({{"id", user}});
  for (auto _ : state) {
    QueryResult r = AllowedResources(*s.snapshot, principal, "organization", "company.view",
                                     s.context, QueryPage{"", 100000});
    if (r.ids.size() != expected) state.SkipWithError("unexpected answer size");
    benchmark::DoNotOptimize(r);
  }
}

void BM_PartnerAdminAllCompanies(benchmark::State& state) {
  Run(state, "admin@msp", kCustomers + 1);
}
void BM_UserWithThreeAssignments(benchmark::State& state) {
  Run(state, "three@msp", 4);
}
BENCHMARK(BM_PartnerAdminAllCompanies)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UserWithThreeAssignments)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace castellan::engine

BENCHMARK_MAIN();
