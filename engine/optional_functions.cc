#include "engine/optional_functions.h"

#include <cmath>
#include <limits>
#include <string>

#include "engine/catalogue.h"

namespace castellan::engine {
namespace {

using K = Value::Kind;
using Args = std::span<const Value>;

// The list position `key` names, if it is an integral number.
bool ListPosition(const Value& key, int64_t* out) {
  switch (key.kind()) {
    case K::kInt:
      *out = key.int_value();
      return true;
    case K::kUint:
      if (key.uint_value() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        *out = -1;  // out of range of any list
        return true;
      }
      *out = static_cast<int64_t>(key.uint_value());
      return true;
    case K::kDouble: {
      const double d = key.double_value();
      if (std::trunc(d) != d || std::fabs(d) > 9e18) return false;
      *out = static_cast<int64_t>(d);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Value OptionalSelect(const Value& operand, std::string_view field) {
  if (operand.kind() == K::kOptional) {
    const Value* inner = operand.optional_value();
    return inner == nullptr ? operand : OptionalSelect(*inner, field);
  }
  if (operand.is_error()) return operand;
  if (operand.kind() != K::kMap) {
    return Value::Error(ErrorKind::kNoMatchingOverload, "type '" + std::string(operand.TypeName()) +
                                                            "' does not support field selection");
  }
  const Value* v = operand.map_value().FindString(field);
  return v == nullptr ? Value::None() : Value::Optional(*v);
}

Value OptionalIndex(const Value& operand, const Value& key) {
  if (operand.kind() == K::kOptional) {
    const Value* inner = operand.optional_value();
    return inner == nullptr ? operand : OptionalIndex(*inner, key);
  }
  if (operand.is_error()) return operand;
  if (key.is_error()) return key;
  if (operand.kind() == K::kList) {
    int64_t i;
    if (!ListPosition(key, &i)) {
      const Value args[] = {operand, key};
      return NoMatchingOverload("_[?_]", args);
    }
    const ValueList& list = operand.list_value();
    if (i < 0 || i >= static_cast<int64_t>(list.size())) return Value::None();
    return Value::Optional(list[static_cast<size_t>(i)]);
  }
  if (operand.kind() == K::kMap) {
    const Value* v = operand.map_value().Find(key);
    return v == nullptr ? Value::None() : Value::Optional(*v);
  }
  const Value args[] = {operand, key};
  return NoMatchingOverload("_[?_]", args);
}

bool IsZeroValue(const Value& v) {
  switch (v.kind()) {
    case K::kNull:
      return true;
    case K::kBool:
      return !v.bool_value();
    case K::kInt:
      return v.int_value() == 0;
    case K::kUint:
      return v.uint_value() == 0;
    case K::kDouble:
      return v.double_value() == 0;
    case K::kString:
      return v.string_value().empty();
    case K::kBytes:
      return v.bytes_value().empty();
    case K::kList:
      return v.list_value().empty();
    case K::kMap:
      return v.map_value().size() == 0;
    case K::kTimestamp:
      return TotalNanos(v.timestamp_value()) == 0;
    case K::kDuration:
      return TotalNanos(v.duration_value()) == 0;
    case K::kOptional:
      return v.optional_value() == nullptr;
    case K::kType:
    case K::kError:
      return false;
  }
  return false;
}

namespace {

Value OptionalOf(Args a) {
  return a.size() == 1 ? Value::Optional(a[0]) : NoMatchingOverload("optional.of", a);
}
Value OptionalOfNonZeroValue(Args a) {
  if (a.size() != 1) return NoMatchingOverload("optional.ofNonZeroValue", a);
  return IsZeroValue(a[0]) ? Value::None() : Value::Optional(a[0]);
}
Value OptionalNone(Args a) {
  return a.empty() ? Value::None() : NoMatchingOverload("optional.none", a);
}
Value HasValue(Args a) {
  if (a.size() != 1 || a[0].kind() != K::kOptional) return NoMatchingOverload("hasValue", a);
  return Value::Bool(a[0].optional_value() != nullptr);
}
Value OptionalValue(Args a) {
  if (a.size() != 1 || a[0].kind() != K::kOptional) return NoMatchingOverload("value", a);
  if (a[0].optional_value() == nullptr) {
    return Value::Error(ErrorKind::kNoSuchKey, "optional.none() has no value");
  }
  return *a[0].optional_value();
}
Value OrValue(Args a) {
  if (a.size() != 2 || a[0].kind() != K::kOptional) return NoMatchingOverload("orValue", a);
  return a[0].optional_value() ? *a[0].optional_value() : a[1];
}
Value Or(Args a) {
  if (a.size() != 2 || a[0].kind() != K::kOptional || a[1].kind() != K::kOptional) {
    return NoMatchingOverload("or", a);
  }
  return a[0].optional_value() ? a[0] : a[1];
}
Value OptSelect(Args a) {
  if (a.size() != 2 || a[1].kind() != K::kString) return NoMatchingOverload("_?._", a);
  return OptionalSelect(a[0], a[1].string_value());
}
Value OptIndex(Args a) {
  return a.size() == 2 ? OptionalIndex(a[0], a[1]) : NoMatchingOverload("_[?_]", a);
}

}  // namespace

void AddOptionalFunctions(Catalogue& c) {
  c.BeginFamily("Optionals extension",
                "CEL's optional types (cel-go `cel.OptionalTypes`): `a.?b` and `a[?k]` read an "
                "attribute that may be missing, e.g. `resource.?deleted.orValue(false)`.");
  c.AddFunction("optional.of", {"optional.of(A) -> optional_type(A)"}, OptionalOf,
                {"An optional holding the value.", "optional.of(1).hasValue()"});
  c.AddFunction(
      "optional.ofNonZeroValue", {"optional.ofNonZeroValue(A) -> optional_type(A)"},
      OptionalOfNonZeroValue,
      {"An optional holding the value, or optional.none() for a zero value ('', 0, [], ...).",
       "!optional.ofNonZeroValue('').hasValue()"});
  c.AddFunction("optional.none", {"optional.none() -> optional_type(dyn)"}, OptionalNone,
                {"The empty optional.", "!optional.none().hasValue()"});
  c.AddFunction("hasValue", {".hasValue(optional_type(A)) -> bool"}, HasValue,
                {"Whether the optional holds a value.", "{'a': 1}.?a.hasValue()"});
  c.AddFunction(
      "value", {".value(optional_type(A)) -> A"}, OptionalValue,
      {"The optional's value; an error when it is empty.", "optional.of(2).value() == 2"});
  c.AddFunction("orValue", {".orValue(optional_type(A), A) -> A"}, OrValue,
                {"The optional's value, or the default given when it is empty.",
                 "{'deleted': true}.?archived.orValue(false) == false"});
  c.AddFunction("or", {".or(optional_type(A), optional_type(A)) -> optional_type(A)"}, Or,
                {"The optional if it holds a value, otherwise the other one.",
                 "optional.none().or(optional.of(3)).value() == 3"});
  c.AddFunction("_?._",
                {"_?._(map(K, V), string) -> optional_type(V)",
                 "_?._(optional_type(map(K, V)), string) -> optional_type(V)"},
                OptSelect,
                {"`m.?f`: optional.of(m.f) when the field is present, else optional.none().",
                 "!{'a': 1}.?b.hasValue()"});
  c.AddFunction(
      "_[?_]",
      {"_[?_](list(A), int) -> optional_type(A)", "_[?_](map(K, V), K) -> optional_type(V)",
       "_[?_](optional_type(list(A)), int) -> optional_type(A)",
       "_[?_](optional_type(map(K, V)), K) -> optional_type(V)"},
      OptIndex,
      {"`x[?k]`: optional.of(x[k]) when the index or key is present, else optional.none().",
       "[1, 2][?5].orValue(0) == 0"});
  // Indexing into an optional: the standard `_[_]` (AddStandardFunctions,
  // which must come first) already handles optionals.
  c.AddOverloads("_[_]", {"_[_](optional_type(list(A)), int) -> optional_type(A)",
                          "_[_](optional_type(map(K, V)), K) -> optional_type(V)"});
}

}  // namespace castellan::engine
