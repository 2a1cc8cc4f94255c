// Evaluation cost of compiled expressions typical of authorization rules.
#include <benchmark/benchmark.h>

#include "dsl/parser.h"
#include "engine/program.h"

namespace castellan::engine {
namespace {

MapActivation MakeActivation() {
  MapActivation act;
  Value error;
  auto principal =
      MapValue::Make({{Value::String("role"), Value::String("admin")},
                      {Value::String("email"), Value::String("alice+ops@partner.com")},
                      {Value::String("customers"),
                       Value::List({Value::String("contoso"), Value::String("fabrikam")})}},
                     &error);
  auto resource = MapValue::Make(
      {{Value::String("org"), Value::String("fabrikam")},
       {Value::String("allowed_domains"), Value::List({Value::String("partner.com")})}},
      &error);
  act.Bind("principal", Value::Map(principal));
  act.Bind("resource", Value::Map(resource));
  return act;
}

void BM_Evaluate(benchmark::State& state, const char* text) {
  auto parsed = dsl::ParseExpression(text);
  auto program = Program::Compile(*parsed.expr);
  MapActivation act = MakeActivation();
  for (auto _ : state) benchmark::DoNotOptimize(program->Evaluate(act));
}

BENCHMARK_CAPTURE(BM_Evaluate, role_in_list, "principal.role in ['owner', 'super_admin', 'admin']");
BENCHMARK_CAPTURE(BM_Evaluate, scope_membership, "resource.org in principal.customers");
BENCHMARK_CAPTURE(BM_Evaluate, email_whitelist,
                  "email.domainIn(principal.email, resource.allowed_domains)");

}  // namespace
}  // namespace castellan::engine

BENCHMARK_MAIN();
