// Catalogue: the one declaration of every variable and function a policy
// expression may use, each function with its checker overloads, the one
// implementation that serves them, and its documentation.
//
// Everything else is derived from it: the checker's environments
// (dsl::CheckEnvironment, for rules and for group matches), the runtime
// FunctionRegistry a Program binds calls to, and the function reference in
// docs/policy-language.md (`castellan functions`, engine/function_reference.h). A function
// cannot be declared without an implementation, nor implemented without a
// declaration, because AddFunction takes both at once and is the only way in:
// Environment() and Registry() iterate the same entries.
//
// Registering a family: write one file with one entry point, e.g.
//   void AddStringExtensions(Catalogue& c) {
//     c.BeginFamily("Strings", "CEL's strings extension ...");
//     c.AddFunction("charAt", {".charAt(string, int) -> string"}, CharAt,
//                   {"The character at a code point index.", "'abc'.charAt(1) == 'b'"});
//   }
// declare it below and call it from Catalogue::Default() (engine/catalogue.cc),
// then regenerate the docs: `build/<you>/cli/castellan functions --write
// docs/policy-language.md` (tests/engine/catalogue_test.cc fails while
// the committed docs differ, and evaluates every example expecting `true`).
//
// A Catalogue is built once and immutable afterwards; Default() is safe to
// share between threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dsl/checker.h"
#include "dsl/policy_loader.h"
#include "engine/function_registry.h"

namespace castellan::engine {

class PolicySet;

struct FunctionDoc {
  std::string summary;  // one line, for docs/policy-language.md
  std::string example;  // a CEL expression that evaluates to true, e.g. "'abc'.charAt(1) == 'b'"
};

// An implementation that reads the policy set it is compiled into
// (role.rank reads the set's roles). Called once per PolicySet::Compile;
// `set` outlives the returned function.
using PolicyFunctionImpl = std::function<ContextFunctionImpl(const PolicySet& set)>;

// Where an expression is evaluated: a rule's when/unless, or a customer
// group's match (which sees `customer` instead of the request).
enum class Scope { kRule, kGroup };

class Catalogue {
 public:
  using Impl = std::variant<FunctionImpl, ContextFunctionImpl, PolicyFunctionImpl>;

  struct Function {
    std::string name;                    // as a rule calls it: "charAt", "email.domain", "_+_"
    std::vector<std::string> overloads;  // checker signatures
    Impl impl;
    FunctionDoc doc;
    // What declared name a string argument must be (empty: any string),
    // by argument position; checked at load for string literals.
    std::vector<dsl::NameKind> argument_names;
    dsl::NameKind result_names = dsl::NameKind::kNone;  // the result holds such names
    std::vector<size_t> patterns;  // argument positions that are regular expressions
    size_t family = 0;             // index into families()
  };
  struct Family {
    std::string heading;      // "Strings"
    std::string description;  // a paragraph for the docs
  };
  struct Variable {
    std::string name;
    std::string type;  // in the signature syntax: "dyn", "list(string)"
    std::string summary;
    std::vector<Scope> scopes;
    dsl::NameKind names = dsl::NameKind::kNone;  // the value holds declared names
  };

  // Every function and variable Castellan offers.
  static const Catalogue& Default();

  // Functions added from now on are documented under this heading.
  void BeginFamily(std::string heading, std::string description);

  // Declares `name` ("charAt", "math.greatest", "email.domain", "_+_") with
  // its overloads in the checker's signature syntax (".charAt(string, int) ->
  // string"; a leading '.' = receiver call) and the one implementation that
  // serves them, which dispatches on the runtime kinds of its arguments.
  // Declaring a name twice, an overload of another name, or an empty
  // implementation is a programming error (asserted).
  void AddFunction(std::string name, std::vector<std::string> overloads, Impl impl,
                   FunctionDoc doc);
  // Adds overloads to a function already declared whose implementation
  // already handles them (e.g. `_[_]` on optionals, whose implementation the
  // standard family owns).
  void AddOverloads(std::string_view name, std::vector<std::string> overloads);
  // Marks `name`'s string arguments (by position) and result as declared names.
  void NameArguments(std::string_view name, std::vector<dsl::NameKind> arguments,
                     dsl::NameKind result = dsl::NameKind::kNone);
  // Argument `argument` (receiver first) of `name` is an RE2 pattern: a
  // constant one is compiled at load, and one RE2 rejects is reported.
  void MarkPattern(std::string_view name, size_t argument);

  void AddVariable(Variable variable);

  const std::vector<Function>& functions() const { return functions_; }
  const std::vector<Family>& families() const { return families_; }
  const std::vector<Variable>& variables() const { return variables_; }
  const Function* FindFunction(std::string_view name) const;

  // The checker's view: every function, and the variables of `scope`.
  dsl::CheckEnvironment Environment(Scope scope) const;
  // Both scopes, as the policy loader takes them.
  dsl::PolicyEnvironments Environments() const;
  // Every implementation; policy functions bound to `set`, which must outlive
  // the registry (when null they are left out: expressions outside a policy
  // set cannot call them).
  FunctionRegistry Registry(const PolicySet* set = nullptr) const;

 private:
  Function* Find(std::string_view name);

  std::vector<Function> functions_;
  std::vector<Family> families_;
  std::vector<Variable> variables_;
};

// Catalogue::Default()'s environments, built once: what the policy loader takes.
const dsl::PolicyEnvironments& PolicyEnvironments();

// The families, in the order the documentation lists them.
void AddStandardFunctions(Catalogue& catalogue);    // CEL's standard library
void AddEmailFunctions(Catalogue& catalogue);       // email.*
void AddRoleFunctions(Catalogue& catalogue);        // role.*
void AddPermissionFunctions(Catalogue& catalogue);  // permission.*
void AddScopeFunctions(Catalogue& catalogue);       // scope.covers, scope.permissionsAt
void AddEntityFunctions(Catalogue& catalogue);      // org, user, lookup, group.contains
// The rule and group variables (principal, resource, ..., customer).
void AddPolicyVariables(Catalogue& catalogue);
// CEL's extension libraries, as cel-go defines them.
void AddStringExtensions(Catalogue& catalogue);   // engine/strings_extension.h
void AddMathExtensions(Catalogue& catalogue);     // engine/math_extension.h
void AddListExtensions(Catalogue& catalogue);     // lists.* and sets.*, engine/lists_extension.h
void AddEncoderExtensions(Catalogue& catalogue);  // base64.*, engine/encoders_extension.h
void AddOptionalFunctions(Catalogue& catalogue);  // optional.*, .?, [?]: optional_functions.h

}  // namespace castellan::engine
