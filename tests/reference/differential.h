// The differential run: generated cases decided by the compiled engine
// (engine::Decide over engine::PolicySet::Compile) and by the reference model
// (reference_model.h), compared action by action.
//
// What must agree, per action: the effect, the deciding rule, and the
// sequence of reasons (code, permission, required_by, organization, condition
// text, rule), messages aside. A sequence, not a multiset, because the order
// is part of the documented semantics (docs/decisions.md: the checks run in a
// fixed order, deny rules and allow rules in file order, the `requires`
// closure breadth first), and people read reasons in that order.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace castellan::reference {

struct DifferentialStats {
  uint64_t cases = 0;
  uint64_t actions = 0;
  uint64_t allowed = 0;
  uint64_t disagreements = 0;  // cases where the engine and the reference differ
  uint64_t load_failures = 0;  // generated policy sets the loader rejected (a generator bug)
  std::map<std::string, uint64_t> reason_codes;  // how often each code was given
};

// Runs cases [first, first + count) of `seed`. Each disagreement (and load
// failure), up to `max_reports`, is appended to `report` with everything
// needed to replay it: seed, case number, the policy file, the entities, the
// request and both answers.
DifferentialStats RunDifferential(uint64_t seed, uint64_t first, uint64_t count,
                                  std::string* report, int max_reports = 3);

}  // namespace castellan::reference
