// Fuzz target: expression text -> parse -> check -> compile -> evaluate.
//
// The input is one expression of the policy language. It is parsed, checked
// against the rule environment, compiled with the function registry of the
// default pack (policies/: standard, role.*, permission.*, org(), ...) and
// evaluated against a fixed request: a user and an organization of that pack,
// a small context, an action and a fixed `now`. Expressions that fail the
// check are compiled unchecked (names resolved at run time) and evaluated too,
// since Program documents that path for unchecked input. Any crash,
// sanitizer report or hang is a bug; wrong input must end as diagnostics or
// an error Value.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/entity_file.h"
#include "api/json_value.h"
#include "dsl/checker.h"
#include "dsl/parser.h"
#include "dsl/policy_loader.h"
#include "engine/activation.h"
#include "engine/catalogue.h"
#include "engine/policy_set.h"
#include "engine/program.h"
#include "engine/time_value.h"

namespace castellan::engine {
namespace {

// Until evaluation has a cost budget (issue 8, part 4), a nested
// comprehension over a long literal can run for minutes; the cap keeps
// libFuzzer's -timeout for real hangs rather than merely slow inputs.
constexpr size_t kMaxInputBytes = 4096;

// The fixed request every expression is evaluated in.
struct FixedActivation final : public Activation {
  const Value* Find(std::string_view name) const override { return values.Find(name); }
  const EntityStore* entities() const override { return store.get(); }

  MapActivation values;
  std::shared_ptr<const EntityStore> store;
};

struct Fixture {
  std::shared_ptr<const PolicySet> set;
  FixedActivation activation;
};

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz fixture: %s\n", what.c_str());
  std::abort();
}

const Fixture& TheFixture() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    const std::string pack = std::string(CASTELLAN_SOURCE_DIR) + "/policies";
    PolicySetLoad load = LoadPolicySet(pack);
    if (!load.set) Fail("policies/ does not load:\n" + load.formatted);
    f->set = load.set;

    api::EntityLoadResult entities = api::LoadEntityFiles({pack + "/entities.yaml"});
    if (!entities.store) Fail("policies/entities.yaml does not load");
    f->activation.store = entities.store;
    const Value* principal = entities.store->FindUser("adam@acme.example");
    const Value* resource = entities.store->FindOrganization("contoso");
    if (!principal || !resource) Fail("the fixed principal or resource is missing");
    auto& values = f->activation.values;
    values.Bind("principal", *principal);
    values.Bind("resource", *resource);
    values.Bind("context", api::FromJson(nlohmann::json::parse(R"({
      "mfa_verified": true, "otp_fresh": false, "ip": "192.0.2.7", "attempts": 3,
      "score": 0.5, "tags": ["a", "b"], "nested": {"k": [1, 2, {"x": null}]}})")));
    values.Bind("action", Value::String("company.view"));
    values.Bind("permissions", Value::List({Value::String("company.view")}));
    std::string error;
    auto now = ParseTimestamp("2026-11-02T12:00:00Z", &error);
    if (!now) Fail("the fixed time does not parse: " + error);
    values.Bind("now", Value::Time(*now));
    return f;
  }();
  return *fixture;
}

}  // namespace
}  // namespace castellan::engine

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace castellan;
  if (size > engine::kMaxInputBytes) return -1;  // not added to the corpus
  const engine::Fixture& fixture = engine::TheFixture();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  dsl::ParseResult parsed = dsl::ParseExpression(text, "fuzz");
  if (!parsed.expr) {
    if (parsed.diagnostics.empty()) std::abort();  // a failed parse must say why
    return 0;
  }
  // Checked expressions compile from the checker's resolutions; the rest are
  // compiled unchecked (Compile() resolves them, undeclared names as variables).
  dsl::CheckResult checked = dsl::Check(*parsed.expr, engine::PolicyEnvironments().rule, "fuzz");
  engine::ProgramOptions options{&fixture.set->functions(),
                                 checked.diagnostics.empty() ? &checked.resolutions : nullptr};
  auto program = engine::Program::Compile(*parsed.expr, options);
  engine::Value result = program->Evaluate(fixture.activation);
  // Printing walks the whole result (and error messages) once more.
  (void)result.DebugString();
  return 0;
}
