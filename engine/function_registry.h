// FunctionRegistry: the implementations of the functions expressions call,
// built from the catalogue (engine/catalogue.h), which pairs each with its
// declaration; nothing else adds to one.
//
// Functions are looked up by name once, when a Program is compiled; calls
// dispatch on the runtime kinds of their arguments inside the
// implementation. A receiver call `x.f(a)` passes `x` as the first argument.
// Namespaced functions keep their dots ("email.domain"). A registry is
// immutable after construction and safe to share between threads.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/activation.h"
#include "engine/value.h"

namespace castellan::engine {

using FunctionImpl = std::function<Value(std::span<const Value> args)>;
// A function that also reads the request it runs in (e.g. org(id) reads the
// activation's entity store).
using ContextFunctionImpl =
    std::function<Value(std::span<const Value> args, const Activation& activation)>;

class FunctionRegistry {
 public:
  // Every function of the catalogue except those that read a policy set.
  static const FunctionRegistry& Standard();

  // Adds or replaces `name` (Catalogue::Registry does).
  void Add(std::string name, FunctionImpl impl) { functions_[std::move(name)] = std::move(impl); }
  void AddContextual(std::string name, ContextFunctionImpl impl) {
    contextual_[std::move(name)] = std::move(impl);
  }
  // nullptr when no function has that name.
  const FunctionImpl* Find(std::string_view name) const;
  const ContextFunctionImpl* FindContextual(std::string_view name) const;

 private:
  std::unordered_map<std::string, FunctionImpl> functions_;
  std::unordered_map<std::string, ContextFunctionImpl> contextual_;
};

// "no matching overload for 'f' applied to (int, string)".
Value NoMatchingOverload(std::string_view function, std::span<const Value> args);

}  // namespace castellan::engine
