// Value: one CEL runtime value, errors included.
//
// A small tagged value (32 bytes). Scalars are held inline; strings, bytes,
// lists, maps and errors are immutable and shared through shared_ptr, so
// copying a Value never copies their contents. Values are immutable once
// built and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "engine/time_value.h"

namespace castellan::engine {

class Value;
using ValueList = std::vector<Value>;
class MapValue;

// Why an evaluation failed. The kind is stable (tests and reasons use it);
// the message is for people.
enum class ErrorKind {
  kNoMatchingOverload,  // a function applied to arguments of the wrong types
  kNoSuchKey,           // map lookup or field selection of a missing key
  kNoSuchAttribute,     // a variable that the request does not carry
  kInvalidArgument,     // e.g. list index out of range, bad conversion input
  kDivisionByZero,
  kOverflow,         // integer overflow, or a time out of range
  kUnboundFunction,  // a function with no implementation
  kUnsupported,      // a feature outside the supported subset
  kBudgetExceeded,   // the evaluation ran out of its EvaluationBudget
};

struct ErrorValue {
  ErrorKind kind;
  std::string message;
};

// The type of a value, as `type(x)` returns it.
struct TypeValue {
  std::string_view name;  // "int", "list", "google.protobuf.Timestamp", ...
  friend bool operator==(const TypeValue&, const TypeValue&) = default;
};

class Value {
 public:
  enum class Kind : uint8_t {
    kNull,
    kBool,
    kInt,
    kUint,
    kDouble,
    kString,
    kBytes,
    kList,
    kMap,
    kTimestamp,
    kDuration,
    kType,
    kError,
    kOptional,  // optional.of(x) or optional.none() (CEL's optionals extension)
  };

  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b) { return Value(b); }
  static Value Int(int64_t i) { return Value(i); }
  static Value Uint(uint64_t u) { return Value(u); }
  static Value Double(double d) { return Value(d); }
  static Value String(std::string s);
  static Value Bytes(std::string s);
  static Value List(ValueList items);
  static Value Map(std::shared_ptr<const MapValue> map);
  static Value Time(Timestamp t) { return Value(t); }
  static Value Dur(Duration d) { return Value(d); }
  static Value Type(std::string_view static_name) { return Value(TypeValue{static_name}); }
  static Value Error(ErrorKind kind, std::string message);
  // An optional holding `v`, and the empty optional (optional.none()).
  static Value Optional(Value v);
  static Value None();

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_error() const { return kind() == Kind::kError; }
  bool is_bool() const { return kind() == Kind::kBool; }

  // REQUIRES: the matching kind.
  bool bool_value() const { return std::get<bool>(data_); }
  int64_t int_value() const { return std::get<int64_t>(data_); }
  uint64_t uint_value() const { return std::get<uint64_t>(data_); }
  double double_value() const { return std::get<double>(data_); }
  const std::string& string_value() const { return *std::get<StringRef>(data_).p; }
  const std::string& bytes_value() const { return *std::get<BytesRef>(data_).p; }
  const ValueList& list_value() const { return *std::get<ListRef>(data_).p; }
  const MapValue& map_value() const { return *std::get<MapRef>(data_).p; }
  const Timestamp& timestamp_value() const { return std::get<Timestamp>(data_); }
  const Duration& duration_value() const { return std::get<Duration>(data_); }
  const TypeValue& type_value() const { return std::get<TypeValue>(data_); }
  const ErrorValue& error_value() const { return *std::get<ErrorRef>(data_).p; }
  // REQUIRES: kOptional. Null when the optional is empty.
  const Value* optional_value() const { return std::get<OptionalRef>(data_).p.get(); }

  // The CEL type of this value (`type(x)`); errors report "error".
  std::string_view TypeName() const;

  // CEL-style rendering: strings quoted, lists [..], maps {k: v}, errors error(...).
  std::string DebugString() const;

 private:
  struct StringRef {
    std::shared_ptr<const std::string> p;
  };
  struct BytesRef {
    std::shared_ptr<const std::string> p;
  };
  struct ListRef {
    std::shared_ptr<const ValueList> p;
  };
  struct MapRef {
    std::shared_ptr<const MapValue> p;
  };
  struct ErrorRef {
    std::shared_ptr<const ErrorValue> p;
  };
  struct OptionalRef {
    std::shared_ptr<const Value> p;  // null: none
  };
  using Data = std::variant<std::monostate, bool, int64_t, uint64_t, double, StringRef, BytesRef,
                            ListRef, MapRef, Timestamp, Duration, TypeValue, ErrorRef, OptionalRef>;

  template <typename T>
  explicit Value(T v) : data_(std::move(v)) {}

  Data data_;
};

// An immutable map with CEL key semantics: keys are bool, int, uint or
// string, and numerically equal int/uint keys (and lookups by an integral
// double) find each other. Maps beyond a few entries are indexed by hash, so
// that building one from a request and looking keys up stay linear and
// constant however many keys a caller sends.
class MapValue {
 public:
  using Entry = std::pair<Value, Value>;

  // Fails (returns an error Value in *error) on unsupported key types or
  // repeated keys.
  static std::shared_ptr<const MapValue> Make(std::vector<Entry> entries, Value* error);

  size_t size() const { return entries_.size(); }
  const std::vector<Entry>& entries() const { return entries_; }
  // The value for `key`, or nullptr. An unsupported key type finds nothing.
  const Value* Find(const Value& key) const;
  const Value* FindString(std::string_view key) const;

 private:
  // Up to this many entries a scan beats hashing.
  static constexpr size_t kIndexAbove = 32;

  const Value* FindIndexed(const Value& key) const;
  // Adds entries_.back() to the index; false when its key is already there.
  bool IndexLast();

  // Kept apart so that the many small maps stay small.
  struct Index {
    std::unordered_map<std::string_view, size_t> strings;  // views into entries_' keys
    std::unordered_map<uint64_t, size_t> naturals;         // int >= 0 and uint keys
    std::unordered_map<int64_t, size_t> negatives;
    size_t bools[2] = {SIZE_MAX, SIZE_MAX};
  };

  std::vector<Entry> entries_;
  std::unique_ptr<Index> index_;  // null up to kIndexAbove entries
};

// `base` with the entries of `over` added, replacing those with the same
// key. Returns `base` itself (no copy) when `over` adds nothing new, and the
// other side when one is not a map.
Value MergeMaps(const Value& base, const Value& over);

// CEL equality (heterogeneous numbers compare by value; other kinds that
// differ are unequal). Neither side may be an error.
bool Equal(const Value& a, const Value& b);

// Three-way comparison for <, <=, >, >=; false when the kinds do not order.
bool Compare(const Value& a, const Value& b, int* result);

}  // namespace castellan::engine
