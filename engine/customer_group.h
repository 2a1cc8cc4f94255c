// Membership of a customer group: static groups list their members, dynamic
// groups evaluate their `match:` expression over the organization's stored
// attributes (bound as `customer`). A group with an `owner` holds only
// organizations whose `parent` is the owner.
#pragma once

#include <string_view>

#include "engine/entity_store.h"
#include "engine/evaluation_budget.h"
#include "engine/policy_set.h"
#include "engine/value.h"

namespace castellan::engine {

// True or false; an error Value when the organization is unknown to `store`
// (dynamic groups only) or the match expression fails. Callers treat an
// error as "not a member" (fail closed). `now` is the request's time. The
// match draws on `budget` (a fresh default one when null).
Value GroupContains(const CompiledGroup& group, std::string_view org_id, const EntityStore& store,
                    const Value& now, EvaluationBudget* budget = nullptr);

}  // namespace castellan::engine
