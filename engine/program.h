// Program: one expression compiled for evaluation.
//
// Compile() turns a parsed (and usually checked) dsl::Expr into a tree of
// immutable plan nodes: functions are bound to their implementations,
// comprehension variables to slots, constant regexes are precompiled and
// literals are built once. Evaluate() walks that tree; it never throws, never
// mutates the Program, and is safe to call from many threads at once.
// Errors are values: a failed evaluation returns an error Value.
//
// Every evaluation draws on an EvaluationBudget (engine/evaluation_budget.h):
// the work it does is metered as it goes, and running out returns an error of
// kind kBudgetExceeded instead of finishing the work.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "dsl/ast.h"
#include "dsl/resolution.h"
#include "engine/activation.h"
#include "engine/evaluation_budget.h"
#include "engine/function_registry.h"
#include "engine/value.h"

namespace castellan::engine {

namespace internal {
class PlanNode;
}

// How many comprehension variables may be in scope at once (nested
// comprehensions); the checker rejects deeper nesting when policies load.
inline constexpr size_t kMaxComprehensionVariables = 16;

// Why RE2 rejects `pattern` as `matches` compiles it, or empty when it is valid.
std::string CheckPattern(std::string_view pattern);

struct ProgramOptions {
  // Every function of the catalogue except the policy functions, when null.
  const FunctionRegistry* functions = nullptr;
  // What the checker resolved each node to (dsl::CheckResult::resolutions).
  // When null, Compile() checks the expression itself against the
  // catalogue's functions, taking every undeclared identifier for a variable
  // (for callers that bind whatever they like: tests, benchmarks).
  const dsl::Resolutions* resolutions = nullptr;
};

class Program {
 public:
  static std::shared_ptr<const Program> Compile(const dsl::Expr& expr,
                                                const ProgramOptions& options = {});
  ~Program();

  // Spends from `budget` (and never more than its per-evaluation limits).
  Value Evaluate(const Activation& activation, EvaluationBudget& budget) const;
  // With a fresh budget of the default limits.
  Value Evaluate(const Activation& activation) const;

  // The units every evaluation costs before any iteration or call: one per
  // plan node.
  int64_t static_cost() const { return static_cost_; }
  // The depth of the expression tree.
  size_t depth() const { return depth_; }

 private:
  Program() = default;
  std::unique_ptr<const internal::PlanNode> root_;
  int64_t static_cost_ = 0;
  size_t depth_ = 0;
  size_t locals_ = 0;  // comprehension and bind slots (kMaxComprehensionVariables at most)
};

}  // namespace castellan::engine
