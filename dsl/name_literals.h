// Name literals: the string literals of an expression that must name
// something the policy set declares (a role, permission, action or customer
// group), found from what the checker resolved and what the environment says
// each variable and function holds or expects (NameKind).
//
// `role.rank("x")` and `permission.requires("x")` take a name;
// `"x" in role.names(...)`, `"x" in permissions` and `action == "x"` compare
// one with a value that holds names. A literal there that nothing declares
// can only ever fail or be false at run time, so the loader rejects it.
#pragma once

#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/checker.h"
#include "dsl/resolution.h"

namespace castellan::dsl {

struct NameLiteral {
  const Expr* literal;  // a string constant
  NameKind kind;
};

// In source order.
std::vector<NameLiteral> NameLiterals(const Expr& expr, const Resolutions& resolutions,
                                      const CheckEnvironment& env);

// " (did you mean 'x'?)" for the first of `candidates` within one edit
// (insertion, deletion or substitution) of `name`, else "".
template <typename Names>
std::string DidYouMean(const std::string& name, const Names& candidates);

// True when a and b differ by at most one insertion, deletion or substitution.
bool WithinOneEdit(const std::string& a, const std::string& b);

template <typename Names>
std::string DidYouMean(const std::string& name, const Names& candidates) {
  for (const auto& candidate : candidates) {
    if (WithinOneEdit(candidate, name)) return " (did you mean '" + candidate + "'?)";
  }
  return "";
}

}  // namespace castellan::dsl
