// CEL's lists and sets extensions (cel-go ext/lists.go, ext/sets.go):
// slice, flatten, distinct, sort, lists.range, sets.contains,
// sets.equivalent and sets.intersects.
//
// Elements compare with CEL equality (so 1 and 1.0 are the same element).
// Every function is pure and safe to call from many threads.
// AddListExtensions (declared in engine/catalogue.h) adds them to the catalogue.
#pragma once

#include <span>

#include "engine/value.h"

namespace castellan::engine::lists_extension {

using Args = std::span<const Value>;

Value Slice(Args a);     // list.slice(int, int) -> list
Value Flatten(Args a);   // list.flatten([int depth]) -> list
Value Distinct(Args a);  // list.distinct() -> list, first occurrences kept
Value Sort(Args a);      // list.sort() -> list, elements of one orderable kind
Value Range(Args a);     // lists.range(int n) -> [0, 1, ..., n-1]
Value SetsContains(
    Args a);  // sets.contains(list, list): every element of the second is in the first
Value SetsEquivalent(Args a);  // sets.equivalent(list, list): each contains the other
Value SetsIntersects(Args a);  // sets.intersects(list, list): some element is in both

}  // namespace castellan::engine::lists_extension
