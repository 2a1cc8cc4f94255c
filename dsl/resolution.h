// Resolutions: what the checker decided each expression node refers to, by
// node id, so that the planner (engine/program.cc) compiles from the record
// instead of resolving names a second time.
//
// Names are resolved once, in the checker: `a.b.c` may be the variable `a.b`
// with the field `c`, and `email.domain(x)` is the function "email.domain",
// not a call on a variable `email`. Only nodes that name something get an
// entry; literals, lists and maps need none. Immutable once Check() returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "dsl/type.h"

namespace castellan::dsl {

struct Resolution {
  enum class Kind {
    kVariable,  // a declared variable; `fields` follow it
    kLocal,     // a comprehension variable; `fields` follow it
    kFunction,  // a call of the function `name`
    kType,      // a type denotation such as `int` or `google.protobuf.Timestamp`
    // A name no one declared, accepted only by environments that allow it
    // (CheckEnvironment::AllowUndeclaredVariables): `name` is its first part
    // and `fields` the rest, and evaluation binds the longest dotted prefix
    // the activation has, as CEL does for unchecked expressions.
    kUndeclared,
  };
  Kind kind = Kind::kVariable;
  // The variable, local, function ("email.domain", "_+_") or type's name.
  std::string name;
  // kVariable, kLocal: the fields selected after the name (`a.b.c` where `a`
  // is the variable: {"b", "c"}).
  std::vector<std::string> fields;
  // kFunction: the call's target is its first argument (`s.size()`); false
  // for global calls and for namespaced names (`email.domain(x)`).
  bool receiver = false;
  // kFunction: the overloads (indices into the environment's list for
  // `name`) that the argument types admit; several when some are dyn.
  std::vector<size_t> overloads;
  // The node's type as the checker inferred it (kType: the type's type).
  Type type;
};

class Resolutions {
 public:
  void Record(int64_t id, Resolution resolution) { by_id_[id] = std::move(resolution); }
  // nullptr when the node names nothing.
  const Resolution* Find(int64_t id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &it->second;
  }
  size_t size() const { return by_id_.size(); }

 private:
  std::unordered_map<int64_t, Resolution> by_id_;
};

}  // namespace castellan::dsl
