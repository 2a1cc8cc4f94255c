// CEL's optionals extension (cel-go's `cel.OptionalTypes`): optional.of,
// optional.ofNonZeroValue, optional.none, hasValue, value, orValue, or, and the
// optional selection `a.?b` and index `a[?b]` the parser writes as calls of
// `_?._` and `_[?_]`.
//
// An optional is a Value of kind kOptional. Selecting from or indexing into
// an optional selects from its value, if any, and yields an optional, so
// `resource.?deleted.orValue(false)` reads "false unless the attribute is
// there". All functions are pure and safe to call from many threads.
// AddOptionalFunctions (declared in engine/catalogue.h) adds them to the catalogue.
#pragma once

#include <span>
#include <string_view>

#include "engine/value.h"

namespace castellan::engine {

// `operand.?field`: optional.of(the field) when `operand` is a map holding
// it, optional.none() when it does not (or `operand` is an empty optional).
Value OptionalSelect(const Value& operand, std::string_view field);

// `operand[?key]`: like `operand[key]`, but a missing key or an index out of
// range is optional.none() rather than an error.
Value OptionalIndex(const Value& operand, const Value& key);

// `optional.ofNonZeroValue(v)`'s test: null, false, 0, "", b"", [], {}, a
// zero duration and the epoch are zero values.
bool IsZeroValue(const Value& v);

}  // namespace castellan::engine
