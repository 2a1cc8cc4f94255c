// The type checker: resolves names and checks an expression against the
// variables and functions its environment declares.
//
// Check() reports every problem it finds (undeclared names, unknown
// functions, calls no overload accepts, non-bool conditions, constant
// patterns the regex engine rejects, comprehensions nested deeper than
// evaluation supports) as positioned diagnostics, returns the expression's
// type, and records what every name resolved to (resolution.h). Values of type `dyn`
// (entity attributes, request data) pass any check and are tested at run
// time instead. A CheckEnvironment is immutable once built; Check() is
// thread-safe for distinct expressions.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"
#include "dsl/resolution.h"
#include "dsl/type.h"

namespace castellan::dsl {

// What a string may have to name: something the policy set declares. The
// loader checks string literals where the environment says one is expected.
enum class NameKind { kNone, kRole, kPermission, kAction, kGroup };

struct Overload {
  bool receiver = false;     // called as params[0].name(params[1..])
  std::vector<Type> params;  // receiver first when `receiver`
  Type result;
  std::string signature;  // as declared, for messages and docs
};

// A declared function: its overloads, and which string arguments (by
// position, receiver first) must name something the policy set declares.
struct FunctionDecl {
  std::vector<Overload> overloads;
  std::vector<NameKind> argument_names;
  NameKind result_names = NameKind::kNone;  // the result holds such names
};

struct VariableDecl {
  Type type;
  NameKind names = NameKind::kNone;  // the value holds such names
};

// What a string argument that must be a regular expression is checked with:
// an error message, or empty when `pattern` is valid.
using PatternCheck = std::function<std::string(std::string_view pattern)>;

// The variables and functions an expression may use. The dsl layer declares
// none itself: the engine builds environments from its catalogue
// (engine/catalogue.h). Immutable once built.
class CheckEnvironment {
 public:
  void DeclareVariable(std::string name, Type type, NameKind names = NameKind::kNone) {
    variables_[std::move(name)] = {std::move(type), names};
  }
  // `signature` reads "name(int, list(A)) -> bool"; a leading '.' makes it a
  // receiver call whose first parameter is the receiver: ".size(string) -> int".
  // REQUIRES: a well-formed signature (these are written by us, not users).
  void DeclareFunction(std::string_view signature);
  // Marks `function`'s string arguments and result as declared names.
  // REQUIRES: `function` is declared.
  void DeclareNames(std::string_view function, std::vector<NameKind> arguments, NameKind result);
  // Constant string arguments of `function` at `argument` are regular
  // expressions, checked at load with `check`.
  void DeclarePattern(std::string_view function, size_t argument);
  void SetPatternCheck(PatternCheck check) { pattern_check_ = std::move(check); }
  // The deepest nesting of comprehension variables evaluation supports (0: no limit).
  void SetMaxComprehensionVariables(size_t n) { max_comprehension_variables_ = n; }
  // Identifiers no one declared are variables of type dyn (for callers that
  // bind whatever they like, e.g. tests and benchmarks), not errors.
  void AllowUndeclaredVariables() { allow_undeclared_ = true; }

  const Type* FindVariable(std::string_view name) const;
  const VariableDecl* FindVariableDecl(std::string_view name) const;
  const std::vector<Overload>* FindFunction(std::string_view name) const;
  const FunctionDecl* FindFunctionDecl(std::string_view name) const;
  const std::map<std::string, VariableDecl, std::less<>>& variables() const { return variables_; }
  const std::map<std::string, FunctionDecl, std::less<>>& functions() const { return functions_; }
  // Argument positions of `function` that are patterns.
  bool IsPattern(std::string_view function, size_t argument) const;
  const PatternCheck& pattern_check() const { return pattern_check_; }
  size_t max_comprehension_variables() const { return max_comprehension_variables_; }
  bool allow_undeclared() const { return allow_undeclared_; }

 private:
  std::map<std::string, VariableDecl, std::less<>> variables_;
  std::map<std::string, FunctionDecl, std::less<>> functions_;
  std::set<std::pair<std::string, size_t>, std::less<>> patterns_;
  PatternCheck pattern_check_;
  size_t max_comprehension_variables_ = 0;
  bool allow_undeclared_ = false;
};

// What a variable holding an entity (principal, resource, customer) or the
// action parameters (params) is declared to contain, from the pack's
// EntityKind documents and action `params:` (dsl/entity_schema.h). With a
// shape, `principal.rol` is an unknown attribute, an optional one must be
// read under a has() test or with `.?`, its type is the declared one, and a
// string literal compared with an enumerated one must be one of its values.
struct FieldShape {
  Type type;
  bool optional = false;
  std::vector<std::string> values;  // the only string values; empty = any
};

struct ObjectShape {
  std::string noun = "attribute";  // "attribute" or "parameter", for messages
  std::string owner;               // "user", "todo", "the actions of this rule", ...
  std::map<std::string, FieldShape, std::less<>> fields;
  // Fields that only some of the possible kinds declare: the one that lacks it.
  std::map<std::string, std::string, std::less<>> absent_from;
  // Fields not listed are of an undeclared kind (dyn), not errors.
  bool open = false;
};

// By variable name ("principal", "resource", "params", "customer").
using Shapes = std::map<std::string, ObjectShape, std::less<>>;

struct CheckResult {
  Type type;
  Diagnostics diagnostics;
  Resolutions resolutions;  // what each node names (see resolution.h)
};

// `shapes` (may be null) types the fields of the variables it names; other
// variables keep their declared types.
CheckResult Check(const Expr& expr, const CheckEnvironment& env, const std::string& file,
                  const Shapes* shapes = nullptr);

}  // namespace castellan::dsl
