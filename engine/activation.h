// Activation: how variables reach the evaluator.
//
// The evaluator asks for a top-level variable by name (`principal`,
// `resource`, `now`, ...); each caller (the server, the fixtures runner, the
// conformance runner) adapts its own data to this interface. Find() must be
// safe to call from the evaluating thread for the duration of an evaluation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/value.h"

namespace castellan::engine {

class EntityStore;
class EvaluationBudget;

// The principal's access, for rules that ask about an organization other
// than the resource's (scope.covers, scope.permissionsAt). The decider
// implements it from the principal's role bindings.
class PrincipalScope {
 public:
  virtual ~PrincipalScope() = default;
  // Whether the principal's bindings, or its own organization, cover `org_id`.
  virtual bool Covers(std::string_view org_id) const = 0;
  // The names of the permissions the principal holds at `org_id` (a list Value).
  virtual Value PermissionsAt(std::string_view org_id) const = 0;
};

// The variables a decision binds, so that a compiled program can name one by
// number instead of comparing strings on every evaluation. kOther: any other
// name (fixtures, conformance), found by Find().
enum class Variable : uint8_t {
  kPrincipal,
  kResource,
  kContext,
  kParams,
  kAction,
  kNow,
  kPermissions,
  kOther,
};

// The Variable that `name` is, or kOther.
inline Variable VariableOf(std::string_view name) {
  if (name == "principal") return Variable::kPrincipal;
  if (name == "resource") return Variable::kResource;
  if (name == "context") return Variable::kContext;
  if (name == "params") return Variable::kParams;
  if (name == "action") return Variable::kAction;
  if (name == "now") return Variable::kNow;
  if (name == "permissions") return Variable::kPermissions;
  return Variable::kOther;
}

class Activation {
 public:
  virtual ~Activation() = default;
  // The value bound to `name`, or nullptr when there is none.
  virtual const Value* Find(std::string_view name) const = 0;
  // The same as Find(name) where `variable` == VariableOf(name); a decision's
  // activation answers by `variable` without comparing names.
  virtual const Value* FindVariable(Variable /*variable*/, std::string_view name) const {
    return Find(name);
  }
  // The stored entities functions such as org(id) read; nullptr when none.
  virtual const EntityStore* entities() const { return nullptr; }
  // The request's budget, for functions that evaluate expressions of their
  // own (group.contains); nullptr when the caller set none.
  virtual EvaluationBudget* budget() const { return nullptr; }
  // The principal's access; nullptr outside a decision (the scope.* functions
  // then fail closed with an error).
  virtual const PrincipalScope* principal_scope() const { return nullptr; }
};

// An Activation over a plain name -> value table; a decision's variables
// are also found by number.
class MapActivation final : public Activation {
 public:
  MapActivation() = default;
  MapActivation(const MapActivation& other) : values_(other.values_) { Rebind(); }
  MapActivation& operator=(const MapActivation& other) {
    values_ = other.values_;
    Rebind();
    return *this;
  }

  void Bind(std::string name, Value value) {
    const Variable variable = VariableOf(name);
    Value& slot = values_[std::move(name)];
    slot = std::move(value);
    if (variable != Variable::kOther) bound_[static_cast<size_t>(variable)] = &slot;
  }
  const Value* Find(std::string_view name) const override {
    auto it = values_.find(std::string(name));
    return it == values_.end() ? nullptr : &it->second;
  }
  const Value* FindVariable(Variable variable, std::string_view name) const override {
    return variable == Variable::kOther ? Find(name) : bound_[static_cast<size_t>(variable)];
  }

 private:
  // Points bound_ at the table's values (whose nodes stay put as it grows).
  void Rebind() {
    std::fill(std::begin(bound_), std::end(bound_), nullptr);
    for (auto& [name, value] : values_) {
      const Variable variable = VariableOf(name);
      if (variable != Variable::kOther) bound_[static_cast<size_t>(variable)] = &value;
    }
  }

  std::unordered_map<std::string, Value> values_;
  const Value* bound_[static_cast<size_t>(Variable::kOther)] = {};
};

}  // namespace castellan::engine
