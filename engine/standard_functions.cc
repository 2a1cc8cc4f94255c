// CEL's standard function library over engine::Value.
#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "dsl/literal.h"
#include "engine/catalogue.h"
#include "engine/function_registry.h"
#include "engine/optional_functions.h"

namespace castellan::engine {
namespace {

using K = Value::Kind;
using Args = std::span<const Value>;

Value Overflow(const char* what) {
  return Value::Error(ErrorKind::kOverflow, what);
}
Value Invalid(std::string what) {
  return Value::Error(ErrorKind::kInvalidArgument, std::move(what));
}

bool Is(Args a, K k0) {
  return a.size() == 1 && a[0].kind() == k0;
}
bool Is(Args a, K k0, K k1) {
  return a.size() == 2 && a[0].kind() == k0 && a[1].kind() == k1;
}

// ---- Arithmetic -------------------------------------------------------------
Value AddTime(const Timestamp& t, const Duration& d) {
  Timestamp out;
  if (!MakeTimestamp(TotalNanos(t) + TotalNanos(d), &out))
    return Overflow("timestamp out of range");
  return Value::Time(out);
}

Value Add(Args a) {
  if (Is(a, K::kInt, K::kInt)) {
    int64_t r;
    if (__builtin_add_overflow(a[0].int_value(), a[1].int_value(), &r))
      return Overflow("integer overflow");
    return Value::Int(r);
  }
  if (Is(a, K::kUint, K::kUint)) {
    uint64_t r;
    if (__builtin_add_overflow(a[0].uint_value(), a[1].uint_value(), &r))
      return Overflow("unsigned integer overflow");
    return Value::Uint(r);
  }
  if (Is(a, K::kDouble, K::kDouble))
    return Value::Double(a[0].double_value() + a[1].double_value());
  if (Is(a, K::kString, K::kString))
    return Value::String(a[0].string_value() + a[1].string_value());
  if (Is(a, K::kBytes, K::kBytes)) return Value::Bytes(a[0].bytes_value() + a[1].bytes_value());
  if (Is(a, K::kList, K::kList)) {
    if (a[0].list_value().empty()) return a[1];
    if (a[1].list_value().empty()) return a[0];
    ValueList out = a[0].list_value();
    out.insert(out.end(), a[1].list_value().begin(), a[1].list_value().end());
    return Value::List(std::move(out));
  }
  if (Is(a, K::kTimestamp, K::kDuration))
    return AddTime(a[0].timestamp_value(), a[1].duration_value());
  if (Is(a, K::kDuration, K::kTimestamp))
    return AddTime(a[1].timestamp_value(), a[0].duration_value());
  if (Is(a, K::kDuration, K::kDuration)) {
    Duration out;
    if (!MakeDuration(TotalNanos(a[0].duration_value()) + TotalNanos(a[1].duration_value()),
                      &out)) {
      return Overflow("duration out of range");
    }
    return Value::Dur(out);
  }
  return NoMatchingOverload("_+_", a);
}

Value Subtract(Args a) {
  if (Is(a, K::kInt, K::kInt)) {
    int64_t r;
    if (__builtin_sub_overflow(a[0].int_value(), a[1].int_value(), &r))
      return Overflow("integer overflow");
    return Value::Int(r);
  }
  if (Is(a, K::kUint, K::kUint)) {
    uint64_t r;
    if (__builtin_sub_overflow(a[0].uint_value(), a[1].uint_value(), &r))
      return Overflow("unsigned integer overflow");
    return Value::Uint(r);
  }
  if (Is(a, K::kDouble, K::kDouble))
    return Value::Double(a[0].double_value() - a[1].double_value());
  if (Is(a, K::kTimestamp, K::kTimestamp)) {
    Duration out;
    if (!MakeDuration(TotalNanos(a[0].timestamp_value()) - TotalNanos(a[1].timestamp_value()),
                      &out)) {
      return Overflow("duration out of range");
    }
    return Value::Dur(out);
  }
  if (Is(a, K::kTimestamp, K::kDuration)) {
    Timestamp out;
    if (!MakeTimestamp(TotalNanos(a[0].timestamp_value()) - TotalNanos(a[1].duration_value()),
                       &out)) {
      return Overflow("timestamp out of range");
    }
    return Value::Time(out);
  }
  if (Is(a, K::kDuration, K::kDuration)) {
    Duration out;
    if (!MakeDuration(TotalNanos(a[0].duration_value()) - TotalNanos(a[1].duration_value()),
                      &out)) {
      return Overflow("duration out of range");
    }
    return Value::Dur(out);
  }
  return NoMatchingOverload("_-_", a);
}

Value Multiply(Args a) {
  if (Is(a, K::kInt, K::kInt)) {
    int64_t r;
    if (__builtin_mul_overflow(a[0].int_value(), a[1].int_value(), &r))
      return Overflow("integer overflow");
    return Value::Int(r);
  }
  if (Is(a, K::kUint, K::kUint)) {
    uint64_t r;
    if (__builtin_mul_overflow(a[0].uint_value(), a[1].uint_value(), &r))
      return Overflow("unsigned integer overflow");
    return Value::Uint(r);
  }
  if (Is(a, K::kDouble, K::kDouble))
    return Value::Double(a[0].double_value() * a[1].double_value());
  return NoMatchingOverload("_*_", a);
}

Value Divide(Args a) {
  if (Is(a, K::kInt, K::kInt)) {
    int64_t x = a[0].int_value(), y = a[1].int_value();
    if (y == 0) return Value::Error(ErrorKind::kDivisionByZero, "division by zero");
    if (x == std::numeric_limits<int64_t>::min() && y == -1) return Overflow("integer overflow");
    return Value::Int(x / y);
  }
  if (Is(a, K::kUint, K::kUint)) {
    if (a[1].uint_value() == 0) return Value::Error(ErrorKind::kDivisionByZero, "division by zero");
    return Value::Uint(a[0].uint_value() / a[1].uint_value());
  }
  if (Is(a, K::kDouble, K::kDouble))
    return Value::Double(a[0].double_value() / a[1].double_value());
  return NoMatchingOverload("_/_", a);
}

Value Modulo(Args a) {
  if (Is(a, K::kInt, K::kInt)) {
    int64_t x = a[0].int_value(), y = a[1].int_value();
    if (y == 0) return Value::Error(ErrorKind::kDivisionByZero, "modulus by zero");
    if (x == std::numeric_limits<int64_t>::min() && y == -1) return Overflow("integer overflow");
    return Value::Int(x % y);
  }
  if (Is(a, K::kUint, K::kUint)) {
    if (a[1].uint_value() == 0) return Value::Error(ErrorKind::kDivisionByZero, "modulus by zero");
    return Value::Uint(a[0].uint_value() % a[1].uint_value());
  }
  return NoMatchingOverload("_%_", a);
}

Value Negate(Args a) {
  if (Is(a, K::kInt)) {
    if (a[0].int_value() == std::numeric_limits<int64_t>::min())
      return Overflow("integer overflow");
    return Value::Int(-a[0].int_value());
  }
  if (Is(a, K::kDouble)) return Value::Double(-a[0].double_value());
  return NoMatchingOverload("-_", a);
}

Value Not(Args a) {
  if (Is(a, K::kBool)) return Value::Bool(!a[0].bool_value());
  return NoMatchingOverload("!_", a);
}

// ---- Comparison -----------------------------------------------------------------
template <typename Pred>
FunctionImpl Relation(const char* name, Pred pred) {
  return [name, pred](Args a) {
    int r;
    if (a.size() == 2 && Compare(a[0], a[1], &r)) return Value::Bool(pred(r));
    // NaN compares false with every number.
    if (a.size() == 2 && (a[0].kind() == K::kDouble || a[1].kind() == K::kDouble)) {
      bool numeric = true;
      for (const Value& v : a) {
        numeric =
            numeric && (v.kind() == K::kInt || v.kind() == K::kUint || v.kind() == K::kDouble);
      }
      if (numeric) return Value::Bool(false);
    }
    return NoMatchingOverload(name, a);
  };
}

Value In(Args a) {
  if (a.size() == 2 && a[1].kind() == K::kList) {
    for (const Value& v : a[1].list_value()) {
      if (Equal(v, a[0])) return Value::Bool(true);
    }
    return Value::Bool(false);
  }
  if (a.size() == 2 && a[1].kind() == K::kMap)
    return Value::Bool(a[1].map_value().Find(a[0]) != nullptr);
  return NoMatchingOverload("@in", a);
}

Value Index(Args a) {
  // Indexing into an optional is an optional index (optionals extension).
  if (a.size() == 2 && a[0].kind() == K::kOptional) return OptionalIndex(a[0], a[1]);
  if (a.size() == 2 && a[0].kind() == K::kList) {
    const ValueList& list = a[0].list_value();
    int64_t i;
    switch (a[1].kind()) {
      case K::kInt:
        i = a[1].int_value();
        break;
      case K::kUint:
        if (a[1].uint_value() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Invalid("index out of range");
        }
        i = static_cast<int64_t>(a[1].uint_value());
        break;
      case K::kDouble: {
        double d = a[1].double_value();
        if (std::trunc(d) != d || std::fabs(d) > 9e18)
          return Invalid("invalid_argument: index " + a[1].DebugString() + " is not an integer");
        i = static_cast<int64_t>(d);
        break;
      }
      default:
        return Invalid("invalid_argument: list index must be an int, not " +
                       std::string(a[1].TypeName()));
    }
    if (i < 0 || i >= static_cast<int64_t>(list.size())) {
      return Invalid("invalid_argument: index " + std::to_string(i) +
                     " out of range for a list of size " + std::to_string(list.size()));
    }
    return list[static_cast<size_t>(i)];
  }
  if (a.size() == 2 && a[0].kind() == K::kMap) {
    const Value* v = a[0].map_value().Find(a[1]);
    if (v == nullptr)
      return Value::Error(ErrorKind::kNoSuchKey, "no such key: " + a[1].DebugString());
    return *v;
  }
  return NoMatchingOverload("_[_]", a);
}

// ---- Strings, lists, maps ------------------------------------------------------------
int64_t CodePoints(const std::string& s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Value Size(Args a) {
  if (Is(a, K::kString)) return Value::Int(CodePoints(a[0].string_value()));
  if (Is(a, K::kBytes)) return Value::Int(static_cast<int64_t>(a[0].bytes_value().size()));
  if (Is(a, K::kList)) return Value::Int(static_cast<int64_t>(a[0].list_value().size()));
  if (Is(a, K::kMap)) return Value::Int(static_cast<int64_t>(a[0].map_value().size()));
  return NoMatchingOverload("size", a);
}

template <typename Pred>
FunctionImpl StringPredicate(const char* name, Pred pred) {
  return [name, pred](Args a) {
    if (Is(a, K::kString, K::kString))
      return Value::Bool(pred(a[0].string_value(), a[1].string_value()));
    return NoMatchingOverload(name, a);
  };
}

Value Matches(Args a) {
  if (!Is(a, K::kString, K::kString)) return NoMatchingOverload("matches", a);
  RE2 re(a[1].string_value(), RE2::Quiet);
  if (!re.ok()) return Invalid("invalid regular expression: " + re.error());
  return Value::Bool(RE2::PartialMatch(a[0].string_value(), re));
}

FunctionImpl CaseMap(const char* name, bool lower) {
  return [name, lower](Args a) {
    if (!Is(a, K::kString)) return NoMatchingOverload(name, a);
    std::string s = a[0].string_value();
    for (char& c : s) {
      if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return Value::String(std::move(s));
  };
}

// ---- Conversions ------------------------------------------------------------------
Value ToInt(Args a) {
  if (a.size() != 1) return NoMatchingOverload("int", a);
  const Value& v = a[0];
  switch (v.kind()) {
    case K::kInt:
      return v;
    case K::kUint:
      if (v.uint_value() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return Overflow("range error: uint too large for int");
      return Value::Int(static_cast<int64_t>(v.uint_value()));
    case K::kDouble: {
      double d = v.double_value();
      if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0))
        return Overflow("range error: double out of int range");
      return Value::Int(static_cast<int64_t>(d));
    }
    case K::kString: {
      const std::string& s = v.string_value();
      int64_t out;
      auto res = std::from_chars(s.data(), s.data() + s.size(), out);
      if (res.ec != std::errc() || res.ptr != s.data() + s.size())
        return Invalid("cannot convert '" + s + "' to int");
      return Value::Int(out);
    }
    case K::kTimestamp:
      return Value::Int(v.timestamp_value().seconds);
    default:
      return NoMatchingOverload("int", a);
  }
}

Value ToUint(Args a) {
  if (a.size() != 1) return NoMatchingOverload("uint", a);
  const Value& v = a[0];
  switch (v.kind()) {
    case K::kUint:
      return v;
    case K::kInt:
      if (v.int_value() < 0) return Overflow("range error: negative int to uint");
      return Value::Uint(static_cast<uint64_t>(v.int_value()));
    case K::kDouble: {
      double d = v.double_value();
      if (!(d > -1.0 && d < 18446744073709551616.0))
        return Overflow("range error: double out of uint range");
      return Value::Uint(static_cast<uint64_t>(d));
    }
    case K::kString: {
      const std::string& s = v.string_value();
      uint64_t out;
      auto res = std::from_chars(s.data(), s.data() + s.size(), out);
      if (res.ec != std::errc() || res.ptr != s.data() + s.size())
        return Invalid("cannot convert '" + s + "' to uint");
      return Value::Uint(out);
    }
    default:
      return NoMatchingOverload("uint", a);
  }
}

Value ToDouble(Args a) {
  if (a.size() != 1) return NoMatchingOverload("double", a);
  const Value& v = a[0];
  switch (v.kind()) {
    case K::kDouble:
      return v;
    case K::kInt:
      return Value::Double(static_cast<double>(v.int_value()));
    case K::kUint:
      return Value::Double(static_cast<double>(v.uint_value()));
    case K::kString: {
      const std::string& s = v.string_value();
      double out;
      auto res = std::from_chars(s.data(), s.data() + s.size(), out);
      if (res.ec != std::errc() || res.ptr != s.data() + s.size())
        return Invalid("cannot convert '" + s + "' to double");
      return Value::Double(out);
    }
    default:
      return NoMatchingOverload("double", a);
  }
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

Value ToString(Args a) {
  if (a.size() != 1) return NoMatchingOverload("string", a);
  const Value& v = a[0];
  switch (v.kind()) {
    case K::kString:
      return v;
    case K::kInt:
      return Value::String(std::to_string(v.int_value()));
    case K::kUint:
      return Value::String(std::to_string(v.uint_value()));
    case K::kDouble:
      return Value::String(FormatDouble(v.double_value()));
    case K::kBool:
      return Value::String(v.bool_value() ? "true" : "false");
    case K::kBytes:
      if (!dsl::IsValidUtf8(v.bytes_value()))
        return Invalid("invalid UTF-8 in bytes to string conversion");
      return Value::String(v.bytes_value());
    case K::kTimestamp:
      return Value::String(FormatTimestamp(v.timestamp_value()));
    case K::kDuration:
      return Value::String(FormatDuration(v.duration_value()));
    default:
      return NoMatchingOverload("string", a);
  }
}

Value ToBytes(Args a) {
  if (Is(a, K::kBytes)) return a[0];
  if (Is(a, K::kString)) return Value::Bytes(a[0].string_value());
  return NoMatchingOverload("bytes", a);
}

Value ToBool(Args a) {
  if (Is(a, K::kBool)) return a[0];
  if (Is(a, K::kString)) {
    const std::string& s = a[0].string_value();
    if (s == "1" || s == "t" || s == "true" || s == "TRUE" || s == "True") return Value::Bool(true);
    if (s == "0" || s == "f" || s == "false" || s == "FALSE" || s == "False")
      return Value::Bool(false);
    return Invalid("Type conversion error: cannot convert '" + s + "' to bool");
  }
  return NoMatchingOverload("bool", a);
}

Value ToTimestamp(Args a) {
  if (Is(a, K::kTimestamp)) return a[0];
  if (Is(a, K::kString)) {
    std::string error;
    auto t = ParseTimestamp(a[0].string_value(), &error);
    if (!t)
      return Value::Error(error.find("range") != std::string::npos ? ErrorKind::kOverflow
                                                                   : ErrorKind::kInvalidArgument,
                          error);
    return Value::Time(*t);
  }
  if (Is(a, K::kInt)) {
    Timestamp t;
    if (!MakeTimestamp(static_cast<Int128>(a[0].int_value()) * 1000000000, &t))
      return Overflow("timestamp out of range");
    return Value::Time(t);
  }
  return NoMatchingOverload("timestamp", a);
}

Value ToDuration(Args a) {
  if (Is(a, K::kDuration)) return a[0];
  if (Is(a, K::kString)) {
    std::string error;
    auto d = ParseDuration(a[0].string_value(), &error);
    if (!d)
      return Value::Error(error.find("range") != std::string::npos ? ErrorKind::kOverflow
                                                                   : ErrorKind::kInvalidArgument,
                          error);
    return Value::Dur(*d);
  }
  return NoMatchingOverload("duration", a);
}

Value TypeOf(Args a) {
  if (a.size() != 1) return NoMatchingOverload("type", a);
  return Value::Type(a[0].TypeName());
}

Value Dyn(Args a) {
  if (a.size() != 1) return NoMatchingOverload("dyn", a);
  return a[0];
}

// ---- Time accessors -----------------------------------------------------------------
enum class Field {
  kFullYear,
  kMonth,
  kDate,
  kDayOfMonth,
  kDayOfWeek,
  kDayOfYear,
  kHours,
  kMinutes,
  kSeconds,
  kMilliseconds
};

FunctionImpl TimeAccessor(const char* name, Field field) {
  return [name, field](Args a) -> Value {
    if (!a.empty() && a[0].kind() == K::kDuration && a.size() == 1) {
      const Int128 total = TotalNanos(a[0].duration_value());
      switch (field) {
        case Field::kHours:
          return Value::Int(static_cast<int64_t>(total / 3600000000000LL));
        case Field::kMinutes:
          return Value::Int(static_cast<int64_t>(total / 60000000000LL));
        case Field::kSeconds:
          return Value::Int(static_cast<int64_t>(total / 1000000000LL));
        case Field::kMilliseconds:
          return Value::Int(static_cast<int64_t>(total / 1000000LL % 1000));
        default:
          return NoMatchingOverload(name, a);
      }
    }
    if (a.empty() || a[0].kind() != K::kTimestamp || a.size() > 2 ||
        (a.size() == 2 && a[1].kind() != K::kString)) {
      return NoMatchingOverload(name, a);
    }
    CivilTime c;
    std::string error;
    if (!ToCivil(a[0].timestamp_value(),
                 a.size() == 2 ? std::string_view(a[1].string_value()) : std::string_view(), &c,
                 &error)) {
      return Value::Error(ErrorKind::kUnsupported, error);
    }
    switch (field) {
      case Field::kFullYear:
        return Value::Int(c.year);
      case Field::kMonth:
        return Value::Int(c.month - 1);
      case Field::kDate:
        return Value::Int(c.day);
      case Field::kDayOfMonth:
        return Value::Int(c.day - 1);
      case Field::kDayOfWeek:
        return Value::Int(c.day_of_week);
      case Field::kDayOfYear:
        return Value::Int(c.day_of_year);
      case Field::kHours:
        return Value::Int(c.hour);
      case Field::kMinutes:
        return Value::Int(c.minute);
      case Field::kSeconds:
        return Value::Int(c.second);
      case Field::kMilliseconds:
        return Value::Int(c.nanos / 1000000);
    }
    return NoMatchingOverload(name, a);
  };
}

}  // namespace

Value NoMatchingOverload(std::string_view function, std::span<const Value> args) {
  std::string message = "no matching overload for '" + std::string(function) + "' applied to (";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) message += ", ";
    message += args[i].TypeName();
  }
  return Value::Error(ErrorKind::kNoMatchingOverload, message + ")");
}

const FunctionImpl* FunctionRegistry::Find(std::string_view name) const {
  auto it = functions_.find(std::string(name));
  return it == functions_.end() ? nullptr : &it->second;
}

const ContextFunctionImpl* FunctionRegistry::FindContextual(std::string_view name) const {
  auto it = contextual_.find(std::string(name));
  return it == contextual_.end() ? nullptr : &it->second;
}

void AddStandardFunctions(Catalogue& c) {
  c.BeginFamily("Standard functions",
                "CEL's standard library: operators, string tests, conversions and time accessors.");
  auto all = [](std::string_view op, std::initializer_list<const char*> signatures) {
    std::vector<std::string> out;
    for (const char* s : signatures) out.push_back(std::string(op) + s);
    return out;
  };
  c.AddFunction("!_", {"!_(bool) -> bool"}, Not, {"Logical negation.", "!false"});
  c.AddFunction("-_", {"-_(int) -> int", "-_(double) -> double"}, Negate,
                {"Arithmetic negation; overflow is an error.", "-(3) == -3"});
  c.AddFunction(
      "_*_",
      all("_*_", {"(int, int) -> int", "(uint, uint) -> uint", "(double, double) -> double"}),
      Multiply, {"Multiplication; int and uint overflow is an error.", "6 * 7 == 42"});
  c.AddFunction(
      "_/_",
      all("_/_", {"(int, int) -> int", "(uint, uint) -> uint", "(double, double) -> double"}),
      Divide, {"Division; integer division by zero is an error.", "7 / 2 == 3"});
  c.AddFunction("_%_", all("_%_", {"(int, int) -> int", "(uint, uint) -> uint"}), Modulo,
                {"Remainder; by zero is an error.", "7 % 3 == 1"});
  c.AddFunction(
      "_+_",
      all("_+_", {"(int, int) -> int", "(uint, uint) -> uint", "(double, double) -> double",
                  "(string, string) -> string", "(bytes, bytes) -> bytes",
                  "(list(A), list(A)) -> list(A)", "(timestamp, duration) -> timestamp",
                  "(duration, timestamp) -> timestamp", "(duration, duration) -> duration"}),
      Add, {"Addition, concatenation, and time plus a duration.", "'ab' + 'c' == 'abc'"});
  c.AddFunction(
      "_-_",
      all("_-_", {"(int, int) -> int", "(uint, uint) -> uint", "(double, double) -> double",
                  "(timestamp, timestamp) -> duration", "(timestamp, duration) -> timestamp",
                  "(duration, duration) -> duration"}),
      Subtract,
      {"Subtraction, and the duration between two timestamps.",
       "timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z') == "
       "duration('24h')"});
  c.AddFunction("_==_", {"_==_(A, A) -> bool"},
                [](Args a) {
                  return a.size() == 2 ? Value::Bool(Equal(a[0], a[1]))
                                       : NoMatchingOverload("_==_", a);
                },
                {"Equality; numbers of different types compare by value when dyn.",
                 "[1, 2] == [1, 2] && dyn(1) == 1.0"});
  c.AddFunction("_!=_", {"_!=_(A, A) -> bool"},
                [](Args a) {
                  return a.size() == 2 ? Value::Bool(!Equal(a[0], a[1]))
                                       : NoMatchingOverload("_!=_", a);
                },
                {"Inequality.", "'a' != 'b'"});
  struct Comparison {
    const char* name;
    bool (*holds)(int);
    FunctionDoc doc;
  };
  const Comparison comparisons[] = {
      {"_<_", [](int c) { return c < 0; }, {"Less than.", "1 < 2u"}},
      {"_<=_", [](int c) { return c <= 0; }, {"Less than or equal.", "'a' <= 'a'"}},
      {"_>_", [](int c) { return c > 0; }, {"Greater than.", "2.5 > 2"}},
      {"_>=_",
       [](int c) { return c >= 0; },
       {"Greater than or equal.", "duration('1h') >= duration('60m')"}},
  };
  for (const Comparison& r : comparisons) {
    std::vector<std::string> overloads;
    for (const char* t : {"bool", "string", "bytes", "timestamp", "duration"}) {
      overloads.push_back(std::string(r.name) + "(" + t + ", " + t + ") -> bool");
    }
    for (const char* x : {"int", "uint", "double"}) {
      for (const char* y : {"int", "uint", "double"}) {
        overloads.push_back(std::string(r.name) + "(" + x + ", " + y + ") -> bool");
      }
    }
    c.AddFunction(r.name, std::move(overloads), Relation(r.name, r.holds), r.doc);
  }
  c.AddFunction("@in", {"@in(A, list(A)) -> bool", "@in(A, map(A, B)) -> bool"}, In,
                {"`x in list` (an element) and `k in map` (a key).", "2 in [1, 2, 3]"});
  c.AddFunction(
      "_[_]", {"_[_](list(A), int) -> A", "_[_](map(A, B), A) -> B"}, Index,
      {"Indexing a list by position or a map by key; out of range or missing is an error.",
       "[1, 2][1] == 2"});
  c.AddFunction("size",
                {"size(string) -> int", "size(bytes) -> int", "size(list(A)) -> int",
                 "size(map(A, B)) -> int", ".size(string) -> int", ".size(bytes) -> int",
                 ".size(list(A)) -> int", ".size(map(A, B)) -> int"},
                Size,
                {"Code points of a string, bytes, elements or entries.", "'héllo'.size() == 5"});
  c.AddFunction("contains", {".contains(string, string) -> bool"},
                StringPredicate("contains",
                                [](const std::string& s, const std::string& t) {
                                  return s.find(t) != std::string::npos;
                                }),
                {"Substring test.", "'castellan'.contains('tell')"});
  c.AddFunction("startsWith", {".startsWith(string, string) -> bool"},
                StringPredicate("startsWith",
                                [](const std::string& s, const std::string& t) {
                                  return s.compare(0, t.size(), t) == 0 && s.size() >= t.size();
                                }),
                {"Prefix test.", "'castellan'.startsWith('cast')"});
  c.AddFunction("endsWith", {".endsWith(string, string) -> bool"},
                StringPredicate("endsWith",
                                [](const std::string& s, const std::string& t) {
                                  return s.size() >= t.size() &&
                                         s.compare(s.size() - t.size(), t.size(), t) == 0;
                                }),
                {"Suffix test.", "'castellan'.endsWith('lan')"});
  c.AddFunction("matches", {".matches(string, string) -> bool", "matches(string, string) -> bool"},
                Matches,
                {"RE2 search (linear time, no catastrophic backtracking); a constant pattern is "
                 "compiled, and checked, when policies load.",
                 "'ticket-42'.matches('^ticket-[0-9]+$')"});
  c.MarkPattern("matches", 1);
  c.AddFunction("lowerAscii", {".lowerAscii(string) -> string"}, CaseMap("lowerAscii", true),
                {"ASCII letters lower-cased; others unchanged.", "'ABc'.lowerAscii() == 'abc'"});
  c.AddFunction("upperAscii", {".upperAscii(string) -> string"}, CaseMap("upperAscii", false),
                {"ASCII letters upper-cased; others unchanged.", "'abC'.upperAscii() == 'ABC'"});
  c.AddFunction("int",
                all("int", {"(int) -> int", "(uint) -> int", "(double) -> int", "(string) -> int",
                            "(timestamp) -> int"}),
                ToInt,
                {"Conversion to int (a timestamp gives Unix seconds); out of range is an error.",
                 "int('42') == 42"});
  c.AddFunction(
      "uint",
      all("uint", {"(uint) -> uint", "(int) -> uint", "(double) -> uint", "(string) -> uint"}),
      ToUint, {"Conversion to uint; negative or out of range is an error.", "uint(7) == 7u"});
  c.AddFunction("double",
                all("double", {"(double) -> double", "(int) -> double", "(uint) -> double",
                               "(string) -> double"}),
                ToDouble, {"Conversion to double.", "double('2.5') == 2.5"});
  c.AddFunction("string",
                all("string", {"(string) -> string", "(int) -> string", "(uint) -> string",
                               "(double) -> string", "(bool) -> string", "(bytes) -> string",
                               "(timestamp) -> string", "(duration) -> string"}),
                ToString, {"Conversion to string; bytes must be UTF-8.", "string(42) == '42'"});
  c.AddFunction("bytes", all("bytes", {"(bytes) -> bytes", "(string) -> bytes"}), ToBytes,
                {"Conversion to bytes (a string's UTF-8).", "bytes('a') == b'a'"});
  c.AddFunction(
      "bool", all("bool", {"(bool) -> bool", "(string) -> bool"}), ToBool,
      {"Conversion to bool from 'true' or 'false' (and CEL's other spellings).", "bool('true')"});
  c.AddFunction(
      "timestamp",
      all("timestamp", {"(timestamp) -> timestamp", "(string) -> timestamp", "(int) -> timestamp"}),
      ToTimestamp,
      {"An RFC 3339 string, or Unix seconds, as a timestamp.",
       "timestamp(0) == timestamp('1970-01-01T00:00:00Z')"});
  c.AddFunction(
      "duration", all("duration", {"(duration) -> duration", "(string) -> duration"}), ToDuration,
      {"A duration such as '1h30m', '2.5s' or '-90m'.", "duration('1h30m') == duration('90m')"});
  c.AddFunction("type", {"type(A) -> type(A)"}, TypeOf,
                {"The type of a value, comparable with type names.", "type(1) == int"});
  c.AddFunction("dyn", {"dyn(A) -> dyn"}, Dyn,
                {"The value itself, its type left to run time.", "dyn(1) == 1"});
  struct Accessor {
    const char* name;
    Field field;
    bool on_durations;
    const char* summary;
    const char* example;
  };
  const Accessor accessors[] = {
      {"getFullYear", Field::kFullYear, false, "The year.",
       "timestamp('2024-03-05T10:20:30Z').getFullYear() == 2024"},
      {"getMonth", Field::kMonth, false, "The month, 0 for January.",
       "timestamp('2024-03-05T10:20:30Z').getMonth() == 2"},
      {"getDate", Field::kDate, false, "The day of the month, from 1.",
       "timestamp('2024-03-05T10:20:30Z').getDate() == 5"},
      {"getDayOfMonth", Field::kDayOfMonth, false, "The day of the month, from 0.",
       "timestamp('2024-03-05T10:20:30Z').getDayOfMonth() == 4"},
      {"getDayOfWeek", Field::kDayOfWeek, false, "The day of the week, 0 for Sunday.",
       "timestamp('2024-03-05T10:20:30Z').getDayOfWeek() == 2"},
      {"getDayOfYear", Field::kDayOfYear, false, "The day of the year, from 0.",
       "timestamp('2024-03-05T10:20:30Z').getDayOfYear() == 64"},
      {"getHours", Field::kHours, true, "The hour, or a duration's whole hours.",
       "timestamp('2024-03-05T10:20:30Z').getHours('+02:00') == 12"},
      {"getMinutes", Field::kMinutes, true, "The minute, or a duration's whole minutes.",
       "duration('90m').getMinutes() == 90"},
      {"getSeconds", Field::kSeconds, true, "The second, or a duration's whole seconds.",
       "timestamp('2024-03-05T10:20:30Z').getSeconds() == 30"},
      {"getMilliseconds", Field::kMilliseconds, true,
       "The millisecond within the second, of a timestamp or a duration.",
       "timestamp('2024-03-05T10:20:30.250Z').getMilliseconds() == 250"},
  };
  for (const Accessor& a : accessors) {
    std::vector<std::string> overloads = {std::string(".") + a.name + "(timestamp) -> int",
                                          std::string(".") + a.name + "(timestamp, string) -> int"};
    if (a.on_durations) overloads.push_back(std::string(".") + a.name + "(duration) -> int");
    c.AddFunction(a.name, std::move(overloads), TimeAccessor(a.name, a.field),
                  {std::string(a.summary) +
                       " Of a timestamp in UTC, or in the time zone given (an IANA name or "
                       "'+05:30').",
                   a.example});
  }
}

}  // namespace castellan::engine
