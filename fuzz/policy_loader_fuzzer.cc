// Fuzz target: the YAML policy loader, then the compiler and one decision.
//
// The input is one or more policy files: a line "#--file--" starts the next
// one (a YAML comment, so a seed made from real files stays valid YAML). The
// files go through dsl::LoadPolicyFiles (the loader's in-memory core, what
// LoadPolicyDirectory calls after reading the directory); a set that loads is
// compiled, and every declared action is decided for one fixed principal, so
// rules written by the fuzzer are evaluated too. The loader must report
// problems as diagnostics, never crash, and return a source exactly when it
// reports no problem.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"
#include "engine/entity_store.h"
#include "engine/policy_set.h"

namespace castellan::dsl {
namespace {

constexpr std::string_view kFileSeparator = "\n#--file--\n";
constexpr size_t kMaxFiles = 8;
// As in the expression target: until evaluation has a budget, a rule can
// loop over a long literal for a long time; 64 KiB is plenty for the loader.
constexpr size_t kMaxInputBytes = 64 * 1024;

std::vector<PolicyFile> SplitFiles(std::string_view input) {
  std::vector<PolicyFile> files;
  while (files.size() + 1 < kMaxFiles) {
    const size_t at = input.find(kFileSeparator);
    if (at == std::string_view::npos) break;
    files.push_back(
        {"f" + std::to_string(files.size()) + ".yaml", std::string(input.substr(0, at))});
    input.remove_prefix(at + kFileSeparator.size());
  }
  files.push_back({"f" + std::to_string(files.size()) + ".yaml", std::string(input)});
  return files;
}

engine::Value Map(std::vector<std::pair<std::string, engine::Value>> entries) {
  std::vector<engine::MapValue::Entry> items;
  for (auto& [key, value] : entries) items.push_back({engine::Value::String(key), value});
  return engine::Value::Map(engine::MapValue::Make(std::move(items), nullptr));
}

}  // namespace
}  // namespace castellan::dsl

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace castellan;
  using engine::Value;
  if (size > dsl::kMaxInputBytes) return -1;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  dsl::LoadResult loaded =
      dsl::LoadPolicyFiles(dsl::SplitFiles(input), engine::PolicyEnvironments());
  if (loaded.source.has_value() != loaded.diagnostics.empty()) std::abort();
  (void)loaded.FormattedDiagnostics();
  if (!loaded.source) return 0;

  engine::PolicySet::CompileResult compiled = engine::PolicySet::Compile(std::move(*loaded.source));
  if ((compiled.set != nullptr) != compiled.diagnostics.empty()) std::abort();
  if (!compiled.set) return 0;

  // Every declared action, for a principal holding every declared role.
  std::vector<Value> roles;
  for (const auto& role : compiled.set->source().roles) roles.push_back(Value::String(role.name));
  engine::DecisionRequest request;
  request.principal = dsl::Map({{"id", Value::String("u@o.example")},
                                {"org", Value::String("o")},
                                {"status", Value::String("active")},
                                {"roles", Value::List(std::move(roles))}});
  request.resource = dsl::Map({{"kind", Value::String("organization")},
                               {"id", Value::String("o")},
                               {"org", Value::String("o")}});
  request.context = dsl::Map({{"now", Value::String("2026-11-02T12:00:00Z")}});
  engine::InMemoryEntityStore entities;
  engine::Decision decision = engine::Decide(*compiled.set, entities, request);
  if (decision.results.size() != compiled.set->actions().size()) std::abort();
  return 0;
}
