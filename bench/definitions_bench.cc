// A rule that uses definitions against the same rule written out by hand:
// definitions are expanded where they are used (dsl/definitions.h), so the
// two should cost the same. Figures in bench/README.md.
#include <benchmark/benchmark.h>

#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/program.h"

namespace castellan::engine {
namespace {

constexpr const char* kDefinitions = R"(
kind: Definitions
constants:
  admin_roles: [owner, admin]
functions:
  manages(actor, target): actor.org == target.parent || actor.org == target.org
  administrator(a): a.role in admin_roles
)";

MapActivation MakeActivation() {
  MapActivation act;
  Value error;
  auto principal = MapValue::Make({{Value::String("role"), Value::String("admin")},
                                   {Value::String("org"), Value::String("acme")}},
                                  &error);
  auto resource = MapValue::Make({{Value::String("org"), Value::String("fabrikam")},
                                  {Value::String("parent"), Value::String("acme")}},
                                 &error);
  act.Bind("principal", Value::Map(principal));
  act.Bind("resource", Value::Map(resource));
  return act;
}

void BM_Rule(benchmark::State& state, const char* when) {
  dsl::LoadResult loaded = dsl::LoadPolicyFiles(
      {{"defs.yaml", kDefinitions},
       {"rules.yaml", std::string("kind: Policy\nname: p\nrules:\n  - name: r\n    effect: allow\n"
                                  "    actions: ['*']\n    when: ") +
                          when + "\n"}},
      PolicyEnvironments());
  if (!loaded.source) {
    state.SkipWithError(loaded.FormattedDiagnostics().c_str());
    return;
  }
  const dsl::Condition& c = *loaded.source->policies[0].rules[0].when;
  auto program = Program::Compile(*c.expr, {nullptr, c.resolutions.get()});
  MapActivation act = MakeActivation();
  if (!program->Evaluate(act).is_bool()) state.SkipWithError("not a bool");
  for (auto _ : state) benchmark::DoNotOptimize(program->Evaluate(act));
}

BENCHMARK_CAPTURE(BM_Rule, by_hand,
                  "principal.role in ['owner', 'admin'] && (principal.org == resource.parent || "
                  "principal.org == resource.org)");
BENCHMARK_CAPTURE(BM_Rule, with_definitions,
                  "administrator(principal) && manages(principal, resource)");

}  // namespace
}  // namespace castellan::engine

BENCHMARK_MAIN();
