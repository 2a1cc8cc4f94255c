#include "engine/lists_extension.h"

#include <algorithm>
#include <string>

#include "engine/catalogue.h"

namespace castellan::engine::lists_extension {
namespace {

using K = Value::Kind;

Value Invalid(std::string message) {
  return Value::Error(ErrorKind::kInvalidArgument, std::move(message));
}

bool Contains(const ValueList& list, const Value& v) {
  return std::any_of(list.begin(), list.end(), [&](const Value& x) { return Equal(x, v); });
}

void FlattenInto(const ValueList& list, int64_t depth, ValueList* out) {
  for (const Value& item : list) {
    if (item.kind() == K::kList && depth > 0) {
      FlattenInto(item.list_value(), depth - 1, out);
    } else {
      out->push_back(item);
    }
  }
}

bool TwoLists(Args a) {
  return a.size() == 2 && a[0].kind() == K::kList && a[1].kind() == K::kList;
}

}  // namespace

Value Slice(Args a) {
  if (a.size() != 3 || a[0].kind() != K::kList || a[1].kind() != K::kInt ||
      a[2].kind() != K::kInt) {
    return NoMatchingOverload("slice", a);
  }
  const ValueList& list = a[0].list_value();
  const int64_t start = a[1].int_value(), end = a[2].int_value();
  const auto size = static_cast<int64_t>(list.size());
  if (start < 0 || end < 0) {
    return Invalid("cannot slice(" + std::to_string(start) + ", " + std::to_string(end) +
                   "), negative indexes not supported");
  }
  if (start > end) {
    return Invalid("cannot slice(" + std::to_string(start) + ", " + std::to_string(end) +
                   "), start index must be less than or equal to end index");
  }
  if (end > size) {
    return Invalid("cannot slice(" + std::to_string(start) + ", " + std::to_string(end) +
                   "), list is length " + std::to_string(size));
  }
  return Value::List(ValueList(list.begin() + start, list.begin() + end));
}

Value Flatten(Args a) {
  if (a.empty() || a.size() > 2 || a[0].kind() != K::kList ||
      (a.size() == 2 && a[1].kind() != K::kInt)) {
    return NoMatchingOverload("flatten", a);
  }
  const int64_t depth = a.size() == 2 ? a[1].int_value() : 1;
  if (depth < 0) return Invalid("level must be non-negative");
  ValueList out;
  FlattenInto(a[0].list_value(), depth, &out);
  return Value::List(std::move(out));
}

Value Distinct(Args a) {
  if (a.size() != 1 || a[0].kind() != K::kList) return NoMatchingOverload("distinct", a);
  ValueList out;
  for (const Value& item : a[0].list_value()) {
    if (!Contains(out, item)) out.push_back(item);
  }
  return Value::List(std::move(out));
}

Value Sort(Args a) {
  if (a.size() != 1 || a[0].kind() != K::kList) return NoMatchingOverload("sort", a);
  ValueList out = a[0].list_value();
  for (const Value& item : out) {
    int c;
    if (!Compare(item, out.front(), &c) || item.kind() != out.front().kind()) {
      return Invalid("list elements must have the same orderable type");
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Value& x, const Value& y) {
    int c = 0;
    Compare(x, y, &c);
    return c < 0;
  });
  return Value::List(std::move(out));
}

Value Range(Args a) {
  if (a.size() != 1 || a[0].kind() != K::kInt) return NoMatchingOverload("lists.range", a);
  ValueList out;
  for (int64_t i = 0; i < a[0].int_value(); ++i) out.push_back(Value::Int(i));
  return Value::List(std::move(out));
}

Value SetsContains(Args a) {
  if (!TwoLists(a)) return NoMatchingOverload("sets.contains", a);
  const ValueList& set = a[0].list_value();
  return Value::Bool(std::all_of(a[1].list_value().begin(), a[1].list_value().end(),
                                 [&](const Value& v) { return Contains(set, v); }));
}

Value SetsEquivalent(Args a) {
  if (!TwoLists(a)) return NoMatchingOverload("sets.equivalent", a);
  const Value swapped[] = {a[1], a[0]};
  return Value::Bool(SetsContains(a).bool_value() && SetsContains(swapped).bool_value());
}

Value SetsIntersects(Args a) {
  if (!TwoLists(a)) return NoMatchingOverload("sets.intersects", a);
  const ValueList& set = a[0].list_value();
  return Value::Bool(std::any_of(a[1].list_value().begin(), a[1].list_value().end(),
                                 [&](const Value& v) { return Contains(set, v); }));
}

}  // namespace castellan::engine::lists_extension

namespace castellan::engine {

void AddListExtensions(Catalogue& c) {
  namespace x = lists_extension;
  c.BeginFamily("Lists and sets extension",
                "CEL's lists and sets extensions (cel-go `ext.Lists`, `ext.Sets`). Elements "
                "compare with CEL equality, so `1` and `1.0` are the same element.");
  c.AddFunction("slice", {".slice(list(A), int, int) -> list(A)"}, x::Slice,
                {"The elements from a start index up to an end index (exclusive).",
                 "[1, 2, 3, 4].slice(1, 3) == [2, 3]"});
  c.AddFunction("flatten",
                {".flatten(list(dyn)) -> list(dyn)", ".flatten(list(dyn), int) -> list(dyn)"},
                x::Flatten,
                {"Nested lists spliced in, one level deep or to a given depth.",
                 "[1, [2, [3]]].flatten() == [1, 2, [3]]"});
  c.AddFunction(
      "distinct", {".distinct(list(A)) -> list(A)"}, x::Distinct,
      {"The first occurrence of each element, in order.", "[1, 2, 1, 3].distinct() == [1, 2, 3]"});
  c.AddFunction("sort", {".sort(list(A)) -> list(A)"}, x::Sort,
                {"The elements in ascending order (all of one orderable type).",
                 "['b', 'c', 'a'].sort() == ['a', 'b', 'c']"});
  c.AddFunction("lists.range", {"lists.range(int) -> list(int)"}, x::Range,
                {"The ints 0 to n - 1.", "lists.range(3) == [0, 1, 2]"});
  c.AddFunction("sets.contains", {"sets.contains(list(A), list(A)) -> bool"}, x::SetsContains,
                {"Whether the first list holds every element of the second.",
                 "sets.contains(['admin', 'editor'], ['editor'])"});
  c.AddFunction("sets.equivalent", {"sets.equivalent(list(A), list(A)) -> bool"}, x::SetsEquivalent,
                {"Whether the two lists hold the same elements, ignoring order and repeats.",
                 "sets.equivalent([1, 2, 2], [2, 1])"});
  c.AddFunction(
      "sets.intersects", {"sets.intersects(list(A), list(A)) -> bool"}, x::SetsIntersects,
      {"Whether the two lists share an element.", "sets.intersects(['a', 'b'], ['b', 'c'])"});
}

}  // namespace castellan::engine
