#include "engine/math_extension.h"

#include <cmath>
#include <limits>
#include <string>

#include "engine/catalogue.h"

namespace castellan::engine::math_extension {
namespace {

using K = Value::Kind;

bool IsNumber(const Value& v) {
  return v.kind() == K::kInt || v.kind() == K::kUint || v.kind() == K::kDouble;
}

// The value `better` prefers among one number or a list of numbers.
template <typename Better>
Value Extreme(const char* name, Args a, Better better) {
  if (a.size() != 1) return NoMatchingOverload(name, a);
  if (IsNumber(a[0])) return a[0];
  if (a[0].kind() != K::kList) return NoMatchingOverload(name, a);
  const ValueList& items = a[0].list_value();
  if (items.empty()) {
    return Value::Error(ErrorKind::kInvalidArgument,
                        std::string(name) + "(list) argument must not be empty");
  }
  const Value* best = nullptr;
  for (const Value& item : items) {
    if (!IsNumber(item)) return NoMatchingOverload(name, a);
    int c;
    if (best == nullptr || (Compare(item, *best, &c) && better(c))) best = &item;
  }
  return *best;
}

template <typename Fn>
Value OnDouble(const char* name, Args a, Fn fn) {
  if (a.size() != 1 || a[0].kind() != K::kDouble) return NoMatchingOverload(name, a);
  return fn(a[0].double_value());
}

template <typename IntOp, typename UintOp>
Value Bitwise(const char* name, Args a, IntOp int_op, UintOp uint_op) {
  if (a.size() == 2 && a[0].kind() == K::kInt && a[1].kind() == K::kInt) {
    return Value::Int(int_op(a[0].int_value(), a[1].int_value()));
  }
  if (a.size() == 2 && a[0].kind() == K::kUint && a[1].kind() == K::kUint) {
    return Value::Uint(uint_op(a[0].uint_value(), a[1].uint_value()));
  }
  return NoMatchingOverload(name, a);
}

template <typename Shift>
Value BitShift(const char* name, Args a, Shift shift) {
  if (a.size() != 2 || a[1].kind() != K::kInt ||
      (a[0].kind() != K::kInt && a[0].kind() != K::kUint)) {
    return NoMatchingOverload(name, a);
  }
  const int64_t by = a[1].int_value();
  if (by < 0) {
    return Value::Error(ErrorKind::kInvalidArgument,
                        std::string(name) + "() negative offset: " + std::to_string(by));
  }
  if (a[0].kind() == K::kUint) {
    return Value::Uint(by >= 64 ? 0 : shift(a[0].uint_value(), static_cast<int>(by)));
  }
  const auto bits = static_cast<uint64_t>(a[0].int_value());
  return Value::Int(static_cast<int64_t>(by >= 64 ? 0 : shift(bits, static_cast<int>(by))));
}

}  // namespace

Value Greatest(Args a) {
  return Extreme("math.greatest", a, [](int c) { return c > 0; });
}
Value Least(Args a) {
  return Extreme("math.least", a, [](int c) { return c < 0; });
}
Value Ceil(Args a) {
  return OnDouble("math.ceil", a, [](double d) { return Value::Double(std::ceil(d)); });
}
Value Floor(Args a) {
  return OnDouble("math.floor", a, [](double d) { return Value::Double(std::floor(d)); });
}
Value Round(Args a) {
  return OnDouble("math.round", a, [](double d) { return Value::Double(std::round(d)); });
}
Value Trunc(Args a) {
  return OnDouble("math.trunc", a, [](double d) { return Value::Double(std::trunc(d)); });
}
Value IsNaN(Args a) {
  return OnDouble("math.isNaN", a, [](double d) { return Value::Bool(std::isnan(d)); });
}
Value IsInf(Args a) {
  return OnDouble("math.isInf", a, [](double d) { return Value::Bool(std::isinf(d)); });
}
Value IsFinite(Args a) {
  return OnDouble("math.isFinite", a, [](double d) { return Value::Bool(std::isfinite(d)); });
}

Value Abs(Args a) {
  if (a.size() == 1 && a[0].kind() == K::kInt) {
    const int64_t i = a[0].int_value();
    if (i == std::numeric_limits<int64_t>::min()) {
      return Value::Error(ErrorKind::kOverflow, "integer overflow in math.abs");
    }
    return Value::Int(i < 0 ? -i : i);
  }
  if (a.size() == 1 && a[0].kind() == K::kUint) return a[0];
  return OnDouble("math.abs", a, [](double d) { return Value::Double(std::fabs(d)); });
}

Value Sign(Args a) {
  if (a.size() == 1 && a[0].kind() == K::kInt) {
    const int64_t i = a[0].int_value();
    return Value::Int((i > 0) - (i < 0));
  }
  if (a.size() == 1 && a[0].kind() == K::kUint) return Value::Uint(a[0].uint_value() > 0);
  return OnDouble("math.sign", a, [](double d) {
    if (std::isnan(d) || d == 0) return Value::Double(d);
    return Value::Double(d > 0 ? 1.0 : -1.0);
  });
}

Value BitAnd(Args a) {
  return Bitwise(
      "math.bitAnd", a, [](int64_t x, int64_t y) { return x & y; },
      [](uint64_t x, uint64_t y) { return x & y; });
}
Value BitOr(Args a) {
  return Bitwise(
      "math.bitOr", a, [](int64_t x, int64_t y) { return x | y; },
      [](uint64_t x, uint64_t y) { return x | y; });
}
Value BitXor(Args a) {
  return Bitwise(
      "math.bitXor", a, [](int64_t x, int64_t y) { return x ^ y; },
      [](uint64_t x, uint64_t y) { return x ^ y; });
}
Value BitNot(Args a) {
  if (a.size() == 1 && a[0].kind() == K::kInt) return Value::Int(~a[0].int_value());
  if (a.size() == 1 && a[0].kind() == K::kUint) return Value::Uint(~a[0].uint_value());
  return NoMatchingOverload("math.bitNot", a);
}
Value BitShiftLeft(Args a) {
  return BitShift("math.bitShiftLeft", a, [](uint64_t x, int by) { return x << by; });
}
Value BitShiftRight(Args a) {
  return BitShift("math.bitShiftRight", a, [](uint64_t x, int by) { return x >> by; });
}

}  // namespace castellan::engine::math_extension

namespace castellan::engine {

void AddMathExtensions(Catalogue& c) {
  namespace x = math_extension;
  c.BeginFamily("Math extension",
                "CEL's math extension (cel-go `ext.Math`). `math.greatest` and `math.least` take "
                "several numbers or one list; an empty list is an error.");
  c.AddFunction("math.greatest",
                {"math.greatest(int) -> int", "math.greatest(uint) -> uint",
                 "math.greatest(double) -> double", "math.greatest(list(int)) -> int",
                 "math.greatest(list(uint)) -> uint", "math.greatest(list(double)) -> double"},
                x::Greatest,
                {"The greatest of its numeric arguments, or of a list of numbers.",
                 "math.greatest(1, 3u, 2.5) == 3u"});
  c.AddFunction("math.least",
                {"math.least(int) -> int", "math.least(uint) -> uint",
                 "math.least(double) -> double", "math.least(list(int)) -> int",
                 "math.least(list(uint)) -> uint", "math.least(list(double)) -> double"},
                x::Least,
                {"The least of its numeric arguments, or of a list of numbers.",
                 "math.least([3, -1, 2]) == -1"});
  c.AddFunction("math.ceil", {"math.ceil(double) -> double"}, x::Ceil,
                {"Rounds up.", "math.ceil(1.2) == 2.0"});
  c.AddFunction("math.floor", {"math.floor(double) -> double"}, x::Floor,
                {"Rounds down.", "math.floor(-1.2) == -2.0"});
  c.AddFunction(
      "math.round", {"math.round(double) -> double"}, x::Round,
      {"Rounds to the nearest whole number, halves away from zero.", "math.round(-1.5) == -2.0"});
  c.AddFunction("math.trunc", {"math.trunc(double) -> double"}, x::Trunc,
                {"Rounds towards zero.", "math.trunc(-1.7) == -1.0"});
  c.AddFunction("math.abs",
                {"math.abs(int) -> int", "math.abs(uint) -> uint", "math.abs(double) -> double"},
                x::Abs, {"The absolute value (an error for the least int).", "math.abs(-3) == 3"});
  c.AddFunction("math.sign",
                {"math.sign(int) -> int", "math.sign(uint) -> uint", "math.sign(double) -> double"},
                x::Sign, {"-1, 0 or 1 in the argument's type.", "math.sign(-4.5) == -1.0"});
  c.AddFunction("math.isNaN", {"math.isNaN(double) -> bool"}, x::IsNaN,
                {"Whether a double is NaN.", "math.isNaN(0.0 / 0.0)"});
  c.AddFunction("math.isInf", {"math.isInf(double) -> bool"}, x::IsInf,
                {"Whether a double is infinite.", "math.isInf(1.0 / 0.0)"});
  c.AddFunction("math.isFinite", {"math.isFinite(double) -> bool"}, x::IsFinite,
                {"Whether a double is neither infinite nor NaN.", "math.isFinite(1.5)"});
  c.AddFunction("math.bitAnd", {"math.bitAnd(int, int) -> int", "math.bitAnd(uint, uint) -> uint"},
                x::BitAnd, {"Bitwise and.", "math.bitAnd(6, 3) == 2"});
  c.AddFunction("math.bitOr", {"math.bitOr(int, int) -> int", "math.bitOr(uint, uint) -> uint"},
                x::BitOr, {"Bitwise or.", "math.bitOr(4u, 1u) == 5u"});
  c.AddFunction("math.bitXor", {"math.bitXor(int, int) -> int", "math.bitXor(uint, uint) -> uint"},
                x::BitXor, {"Bitwise exclusive or.", "math.bitXor(6, 3) == 5"});
  c.AddFunction("math.bitNot", {"math.bitNot(int) -> int", "math.bitNot(uint) -> uint"}, x::BitNot,
                {"Bitwise complement.", "math.bitNot(0) == -1"});
  c.AddFunction("math.bitShiftLeft",
                {"math.bitShiftLeft(int, int) -> int", "math.bitShiftLeft(uint, int) -> uint"},
                x::BitShiftLeft,
                {"Shifts left; 64 places or more give 0.", "math.bitShiftLeft(1, 4) == 16"});
  c.AddFunction(
      "math.bitShiftRight",
      {"math.bitShiftRight(int, int) -> int", "math.bitShiftRight(uint, int) -> uint"},
      x::BitShiftRight,
      {"Shifts right without extending the sign.", "math.bitShiftRight(1024u, 2) == 256u"});
}

}  // namespace castellan::engine
