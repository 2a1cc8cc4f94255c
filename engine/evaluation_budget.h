// EvaluationBudget: how much work one request may make the evaluator do.
//
// Expressions are written by policy authors but run over data the caller
// sends, so their cost is only known at run time: `l.all(x, l.exists(y, ...))`
// is quadratic in a list the request chose. Every evaluation therefore draws
// on a budget of cost units (see docs/decisions.md, "Evaluation budgets"):
//  - one unit per plan node evaluated, per comprehension iteration and per
//    call, plus, for calls whose work grows with their arguments, one unit per
//    list element or map entry and per 16 bytes of string they take;
//  - a cap on the bytes of strings, lists and maps one evaluation builds;
//  - a cap on the depth of the expression tree.
// One evaluation may spend at most `evaluation_cost`, and all the evaluations
// and decisions of one request together at most `request_cost`. Running out
// is an error Value of kind kBudgetExceeded; Decide() turns it into the
// reason `evaluation_budget_exceeded` (a deny rule applies, an allow rule does
// not match) and, once the request's budget is spent, denies every remaining
// action without evaluating anything.
//
// A budget belongs to one request on one thread: a plain counter, no locks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace castellan::engine {

struct EvaluationLimits {
  // The defaults keep any request within a 1 MiB body under about 50 ms of
  // CPU (docs/decisions.md records the measurements behind them).
  static constexpr int64_t kDefaultEvaluationCost = 100'000;
  static constexpr int64_t kDefaultRequestCost = 1'000'000;
  static constexpr int64_t kDefaultEvaluationBytes = 4 << 20;
  static constexpr size_t kDefaultDepth = 1000;

  int64_t evaluation_cost = kDefaultEvaluationCost;    // units, one evaluation
  int64_t request_cost = kDefaultRequestCost;          // units, all of one request
  int64_t evaluation_bytes = kDefaultEvaluationBytes;  // bytes built, one evaluation
  size_t depth = kDefaultDepth;                        // expression tree depth
};

class EvaluationBudget {
 public:
  explicit EvaluationBudget(const EvaluationLimits& limits = {})
      : limits_(limits), remaining_(limits.request_cost) {}

  const EvaluationLimits& limits() const { return limits_; }
  // Units left for the rest of the request; at most zero once spent.
  int64_t remaining() const { return remaining_; }
  bool exhausted() const { return remaining_ <= 0; }
  int64_t spent() const { return limits_.request_cost - remaining_; }

  // Records `units` of work (the evaluator calls this once per evaluation,
  // Decide() once per action).
  void Spend(int64_t units) { remaining_ -= units; }

 private:
  EvaluationLimits limits_;
  int64_t remaining_;
};

}  // namespace castellan::engine
