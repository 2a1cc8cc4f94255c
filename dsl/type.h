// Type: the static types the checker reasons about (a subset of CEL's).
//
// A small value type. `dyn` stands for "known only at run time" and is
// assignable to and from every type; type parameters (A, B, K, V) appear only
// in function signatures and are bound during overload resolution.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace castellan::dsl {

class Type {
 public:
  enum class Kind {
    kDyn,
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
    kParam,
    kOptional,  // optional_type(T): CEL's optionals extension
  };

  Type() = default;  // dyn
  static Type Dyn() { return Type(Kind::kDyn); }
  static Type Null() { return Type(Kind::kNull); }
  static Type Bool() { return Type(Kind::kBool); }
  static Type Int() { return Type(Kind::kInt); }
  static Type Uint() { return Type(Kind::kUint); }
  static Type Double() { return Type(Kind::kDouble); }
  static Type String() { return Type(Kind::kString); }
  static Type Bytes() { return Type(Kind::kBytes); }
  static Type Timestamp() { return Type(Kind::kTimestamp); }
  static Type Duration() { return Type(Kind::kDuration); }
  static Type List(Type elem);
  static Type Map(Type key, Type value);
  static Type TypeOf(Type t);  // type(T): the type of a type denotation
  static Type Optional(Type value);
  static Type Param(std::string name);

  Kind kind() const { return kind_; }
  bool is_dyn() const { return kind_ == Kind::kDyn; }
  // REQUIRES: kList (elem), kMap (key, value), kType (of), kOptional (value).
  const Type& param(size_t i) const { return params_[i]; }
  const std::string& param_name() const { return name_; }

  // "int", "list(string)", "map(string, dyn)", "google.protobuf.Timestamp",
  // "optional_type(int)".
  std::string ToString() const;
  friend bool operator==(const Type&, const Type&) = default;

 private:
  explicit Type(Kind kind) : kind_(kind) {}
  Kind kind_ = Kind::kDyn;
  std::vector<Type> params_;
  std::string name_;
};

// Parses names such as "int", "list(string)", "map(string,dyn)",
// "google.protobuf.Duration", "optional_type(int)" or a single-letter type
// parameter. A bare "list" is list(dyn) and a bare "map" map(dyn, dyn).
std::optional<Type> ParseTypeName(std::string_view text);

}  // namespace castellan::dsl
