#include "engine/catalogue.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "engine/program.h"

namespace castellan::engine {
namespace {

// The name an overload signature declares: ".charAt(string, int) -> string" -> "charAt".
std::string_view SignatureName(std::string_view signature) {
  if (!signature.empty() && signature[0] == '.') signature.remove_prefix(1);
  return signature.substr(0, signature.find('('));
}

// The catalogue is written by us and built once at start-up: a mistake in it
// stops the program, in release builds too, rather than shipping a function
// the checker accepts and evaluation cannot serve.
void Require(bool ok, std::string_view what, std::string_view name) {
  if (ok) return;
  std::fprintf(stderr, "catalogue: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(name.size()), name.data());
  std::abort();
}

bool HasImplementation(const Catalogue::Impl& impl) {
  return std::visit([](const auto& f) { return static_cast<bool>(f); }, impl);
}

}  // namespace

const Catalogue& Catalogue::Default() {
  static const Catalogue* catalogue = [] {
    auto* c = new Catalogue();
    AddPolicyVariables(*c);
    AddStandardFunctions(*c);
    AddEmailFunctions(*c);
    AddRoleFunctions(*c);
    AddPermissionFunctions(*c);
    AddScopeFunctions(*c);
    AddEntityFunctions(*c);
    AddStringExtensions(*c);
    AddMathExtensions(*c);
    AddListExtensions(*c);
    AddEncoderExtensions(*c);
    AddOptionalFunctions(*c);
    return c;
  }();
  return *catalogue;
}

void Catalogue::BeginFamily(std::string heading, std::string description) {
  families_.push_back({std::move(heading), std::move(description)});
}

void Catalogue::AddFunction(std::string name, std::vector<std::string> overloads, Impl impl,
                            FunctionDoc doc) {
  Require(Find(name) == nullptr, "declared twice", name);
  Require(!overloads.empty(), "no overloads", name);
  Require(HasImplementation(impl), "no implementation", name);
  for (const auto& o : overloads)
    Require(SignatureName(o) == name, "an overload of another function", o);
  if (families_.empty()) BeginFamily("Functions", "");
  Function f;
  f.name = std::move(name);
  f.overloads = std::move(overloads);
  f.impl = std::move(impl);
  f.doc = std::move(doc);
  f.family = families_.size() - 1;
  functions_.push_back(std::move(f));
}

void Catalogue::AddOverloads(std::string_view name, std::vector<std::string> overloads) {
  Function* f = Find(name);
  Require(f != nullptr, "overloads added to an undeclared function", name);
  for (auto& o : overloads) {
    Require(SignatureName(o) == name, "an overload of another function", o);
    f->overloads.push_back(std::move(o));
  }
}

void Catalogue::NameArguments(std::string_view name, std::vector<dsl::NameKind> arguments,
                              dsl::NameKind result) {
  Function* f = Find(name);
  Require(f != nullptr, "names of an undeclared function", name);
  f->argument_names = std::move(arguments);
  f->result_names = result;
}

void Catalogue::MarkPattern(std::string_view name, size_t argument) {
  Function* f = Find(name);
  Require(f != nullptr, "pattern of an undeclared function", name);
  f->patterns.push_back(argument);
}

void Catalogue::AddVariable(Variable variable) {
  variables_.push_back(std::move(variable));
}

Catalogue::Function* Catalogue::Find(std::string_view name) {
  for (auto& f : functions_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const Catalogue::Function* Catalogue::FindFunction(std::string_view name) const {
  return const_cast<Catalogue*>(this)->Find(name);
}

dsl::CheckEnvironment Catalogue::Environment(Scope scope) const {
  dsl::CheckEnvironment env;
  for (const Variable& v : variables_) {
    if (std::find(v.scopes.begin(), v.scopes.end(), scope) == v.scopes.end()) continue;
    auto type = dsl::ParseTypeName(v.type);
    Require(type.has_value(), "a variable of no known type", v.name);
    env.DeclareVariable(v.name, *type, v.names);
  }
  for (const Function& f : functions_) {
    for (const auto& o : f.overloads) env.DeclareFunction(o);
    if (!f.argument_names.empty() || f.result_names != dsl::NameKind::kNone) {
      env.DeclareNames(f.name, f.argument_names, f.result_names);
    }
    for (size_t p : f.patterns) env.DeclarePattern(f.name, p);
  }
  env.SetPatternCheck(CheckPattern);
  env.SetMaxComprehensionVariables(kMaxComprehensionVariables);
  return env;
}

dsl::PolicyEnvironments Catalogue::Environments() const {
  return {Environment(Scope::kRule), Environment(Scope::kGroup)};
}

FunctionRegistry Catalogue::Registry(const PolicySet* set) const {
  FunctionRegistry registry;
  for (const Function& f : functions_) {
    if (const auto* plain = std::get_if<FunctionImpl>(&f.impl)) {
      registry.Add(f.name, *plain);
    } else if (const auto* contextual = std::get_if<ContextFunctionImpl>(&f.impl)) {
      registry.AddContextual(f.name, *contextual);
    } else if (set != nullptr) {
      registry.AddContextual(f.name, std::get<PolicyFunctionImpl>(f.impl)(*set));
    }
  }
  return registry;
}

const dsl::PolicyEnvironments& PolicyEnvironments() {
  static const dsl::PolicyEnvironments* env =
      new dsl::PolicyEnvironments(Catalogue::Default().Environments());
  return *env;
}

const FunctionRegistry& FunctionRegistry::Standard() {
  static const FunctionRegistry* registry = new FunctionRegistry(Catalogue::Default().Registry());
  return *registry;
}

void AddPolicyVariables(Catalogue& c) {
  using dsl::NameKind;
  c.AddVariable(
      {"principal", "dyn", "Who asks: a map of attributes (id, org, roles, ...).", {Scope::kRule}});
  c.AddVariable({"resource", "dyn", "What is asked about: a map of attributes.", {Scope::kRule}});
  c.AddVariable({"context", "dyn", "The request's context: a map of attributes.", {Scope::kRule}});
  c.AddVariable({"action",
                 "string",
                 "The name of the action being decided.",
                 {Scope::kRule},
                 NameKind::kAction});
  c.AddVariable({"now",
                 "timestamp",
                 "`context.now` when the request has it, else the clock.",
                 {Scope::kRule, Scope::kGroup}});
  c.AddVariable({"permissions",
                 "list(string)",
                 "The permissions the principal holds at the resource's organization (for an "
                 "action of scope none: those of every binding).",
                 {Scope::kRule},
                 NameKind::kPermission});
  c.AddVariable(
      {"customer", "dyn", "The organization a group's `match:` is asked about.", {Scope::kGroup}});
}

}  // namespace castellan::engine
