// The type checker: resolves names and checks an expression against the
// variables and functions its environment declares.
//
// Check() reports every problem it finds (undeclared names, unknown
// functions, calls no overload accepts, non-bool conditions) as positioned
// diagnostics and returns the expression's type. Values of type `dyn`
// (entity attributes, request data) pass any check and are tested at run
// time instead. A CheckEnvironment is immutable once built; Check() is
// thread-safe for distinct expressions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"
#include "dsl/type.h"

namespace castellan::dsl {

struct Overload {
  bool receiver = false;     // called as params[0].name(params[1..])
  std::vector<Type> params;  // receiver first when `receiver`
  Type result;
};

class CheckEnvironment {
 public:
  // CEL's standard functions and Castellan's domain helpers (email.*), no variables.
  static CheckEnvironment Standard();

  void DeclareVariable(std::string name, Type type) { variables_[std::move(name)] = type; }
  // `signature` reads "name(int, list(A)) -> bool"; a leading '.' makes it a
  // receiver call whose first parameter is the receiver: ".size(string) -> int".
  // REQUIRES: a well-formed signature (these are written by us, not users).
  void DeclareFunction(std::string_view signature);

  const Type* FindVariable(std::string_view name) const;
  const std::vector<Overload>* FindFunction(std::string_view name) const;
  const std::map<std::string, Type, std::less<>>& variables() const { return variables_; }

 private:
  std::map<std::string, Type, std::less<>> variables_;
  std::map<std::string, std::vector<Overload>, std::less<>> functions_;
};

struct CheckResult {
  Type type;
  Diagnostics diagnostics;
};

CheckResult Check(const Expr& expr, const CheckEnvironment& env, const std::string& file);

}  // namespace castellan::dsl
