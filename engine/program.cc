#include "engine/program.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "dsl/checker.h"
#include "engine/catalogue.h"
#include "engine/optional_functions.h"

namespace castellan::engine {
namespace internal {

// Comprehensions nested deeper than this are compiled to an error node (and
// rejected by the checker when policies load).
constexpr size_t kMaxLocals = kMaxComprehensionVariables;

// One evaluation's state: its variables and what is left of its budget.
struct Frame {
  static constexpr int64_t kUnmetered = std::numeric_limits<int64_t>::max() / 4;

  const Activation& activation;
  // The program's comprehension and bind variables (Program::locals_ of
  // them); nullptr when it has none.
  Value* locals = nullptr;
  int64_t cost_left = kUnmetered;
  int64_t bytes_left = kUnmetered;

  bool out() const { return (cost_left | bytes_left) < 0; }
  // Records work about to be done; false when the evaluation may not do it.
  bool Charge(int64_t units) {
    cost_left -= units;
    return !out();
  }
  // Records a string, list or map just built.
  bool ChargeBytes(int64_t bytes) {
    bytes_left -= bytes;
    return !out();
  }
};

class PlanNode {
 public:
  virtual ~PlanNode() = default;
  virtual Value Eval(Frame& frame) const = 0;
  // The same value as Eval(), without copying it when it already lives where
  // it outlives the caller's use (a variable, a field of one, a constant, a
  // local): a reference to it. Otherwise the value is evaluated into
  // `scratch` and the reference is to `scratch`.
  virtual const Value& EvalRef(Frame& frame, Value& scratch) const {
    scratch = Eval(frame);
    return scratch;
  }
};

}  // namespace internal

namespace {

using internal::Frame;
using internal::kMaxLocals;
using internal::PlanNode;
using NodePtr = std::unique_ptr<const PlanNode>;
using K = Value::Kind;

// ---- Metering ---------------------------------------------------------------------------
// The error of an evaluation that ran out; built once, shared (no allocation
// on the path that stops a runaway expression).
const Value& OutOfBudget(const Frame& f) {
  static const Value cost = Value::Error(
      ErrorKind::kBudgetExceeded, "evaluation budget exceeded: the expression does too much work");
  static const Value bytes =
      Value::Error(ErrorKind::kBudgetExceeded,
                   "evaluation budget exceeded: the expression builds too much data");
  return f.bytes_left < 0 ? bytes : cost;
}

// The work a call does on one argument, beyond the call itself: one unit per
// list element or map entry, one per 16 bytes of string (comparing, copying
// or scanning 16 bytes costs about what visiting one element does).
int64_t WorkUnits(const Value& v) {
  switch (v.kind()) {
    case K::kString:
      return static_cast<int64_t>(v.string_value().size() >> 4);
    case K::kBytes:
      return static_cast<int64_t>(v.bytes_value().size() >> 4);
    case K::kList:
      return static_cast<int64_t>(v.list_value().size());
    case K::kMap:
      return static_cast<int64_t>(v.map_value().size());
    default:
      return 0;
  }
}

// The work of walking `v` whole, as equality does: WorkUnits of it and of
// everything nested in it. Stops counting once past `limit`, so that the walk
// never costs more than the work it would refuse.
int64_t DeepWorkUnits(const Value& v, int64_t limit) {
  int64_t units = WorkUnits(v);
  if (units > limit) return units;
  if (v.kind() == K::kList) {
    for (const Value& item : v.list_value()) {
      if (item.kind() >= K::kString && item.kind() <= K::kMap)
        units += DeepWorkUnits(item, limit - units);
      if (units > limit) return units;
    }
  } else if (v.kind() == K::kMap) {
    for (const auto& [key, item] : v.map_value().entries()) {
      if (item.kind() >= K::kString && item.kind() <= K::kMap)
        units += DeepWorkUnits(item, limit - units);
      if (units > limit) return units;
    }
  }
  return units;
}

// The memory a freshly built value holds (its elements are shared, not copied).
int64_t BuiltBytes(const Value& v) {
  switch (v.kind()) {
    case K::kString:
      return static_cast<int64_t>(v.string_value().size());
    case K::kBytes:
      return static_cast<int64_t>(v.bytes_value().size());
    case K::kList:
      return static_cast<int64_t>(v.list_value().size() * sizeof(Value));
    case K::kMap:
      return static_cast<int64_t>(v.map_value().size() * 2 * sizeof(Value));
    default:
      return 0;
  }
}

// How a function's cost grows with its arguments.
enum class CallCost {
  kFlat,    // the same whatever the arguments: size, type, dyn, `_[_]` (maps are hashed)
  kEqual,   // `==`, `!=`: walks both sides whole, however deeply nested
  kIn,      // `@in`: a list is searched element by element, a map is hashed
  kLookup,  // reads stored entities: linear in its arguments, builds nothing
  kLinear,  // linear in its arguments, and may build a result as large
  kRegex,   // `matches` with a pattern known only at run time, compiled per call
};

CallCost CostOf(std::string_view function, bool contextual) {
  if (contextual) return CallCost::kLookup;
  if (function == "size" || function == "type" || function == "dyn" || function == "_[_]") {
    return CallCost::kFlat;
  }
  if (function == "_==_" || function == "_!=_") return CallCost::kEqual;
  if (function == "@in") return CallCost::kIn;
  if (function == "matches") return CallCost::kRegex;
  return CallCost::kLinear;
}

// ---- Leaves -----------------------------------------------------------------------
class ConstNode final : public PlanNode {
 public:
  explicit ConstNode(Value v) : value_(std::move(v)) {}
  Value Eval(Frame&) const override { return value_; }
  const Value& EvalRef(Frame&, Value&) const override { return value_; }
  const Value& value() const { return value_; }

 private:
  Value value_;
};

class LocalNode final : public PlanNode {
 public:
  explicit LocalNode(size_t slot) : slot_(slot) {}
  Value Eval(Frame& f) const override { return f.locals[slot_]; }
  // A local in scope is not rebound while an expression that names it runs
  // (nested comprehensions and binds take the slots above it).
  const Value& EvalRef(Frame& f, Value&) const override { return f.locals[slot_]; }

 private:
  size_t slot_;
};

Value SelectField(const Value& operand, const std::string& field, bool test_only) {
  if (operand.is_error()) return operand;
  // Selecting from an optional is an optional selection (optionals extension).
  if (operand.kind() == K::kOptional) {
    const Value* inner = operand.optional_value();
    if (test_only) return inner ? SelectField(*inner, field, true) : Value::Bool(false);
    return OptionalSelect(operand, field);
  }
  if (operand.kind() != K::kMap) {
    return Value::Error(ErrorKind::kNoMatchingOverload, "type '" + std::string(operand.TypeName()) +
                                                            "' does not support field selection");
  }
  const Value* v = operand.map_value().FindString(field);
  if (test_only) return Value::Bool(v != nullptr);
  if (v == nullptr) return Value::Error(ErrorKind::kNoSuchKey, "no such key: '" + field + "'");
  return *v;
}

// A variable the checker resolved; `a.b.c` with the variable `a.b` is this
// node under a SelectNode for `c`.
// The variable is named by number (Activation::FindVariable), fixed here.
class VariableNode final : public PlanNode {
 public:
  explicit VariableNode(std::string name) : name_(std::move(name)), variable_(VariableOf(name_)) {}
  Value Eval(Frame& f) const override {
    Value scratch;
    return EvalRef(f, scratch);
  }
  const Value& EvalRef(Frame& f, Value& scratch) const override {
    const Value* v = f.activation.FindVariable(variable_, name_);
    if (v == nullptr) {
      scratch =
          Value::Error(ErrorKind::kNoSuchAttribute, "no value for the variable '" + name_ + "'");
      return scratch;
    }
    return *v;
  }

 private:
  std::string name_;
  Variable variable_;
};

// An undeclared dotted name `a.b.c` of an unchecked expression: the longest
// prefix the activation binds is the variable, the rest are fields.
class UndeclaredNameNode final : public PlanNode {
 public:
  explicit UndeclaredNameNode(std::vector<std::string> parts)
      : parts_(std::move(parts)), prefixes_(dsl::DottedPrefixes(parts_)) {}

  Value Eval(Frame& f) const override {
    for (size_t n = parts_.size(); n >= 1; --n) {
      const Value* v = f.activation.Find(prefixes_[n - 1]);
      if (v == nullptr) continue;
      Value current = *v;
      for (size_t i = n; i < parts_.size(); ++i) current = SelectField(current, parts_[i], false);
      return current;
    }
    return Value::Error(ErrorKind::kNoSuchAttribute,
                        "undeclared reference to '" + prefixes_.back() + "'");
  }

 private:
  std::vector<std::string> parts_;
  std::vector<std::string> prefixes_;
};

class SelectNode final : public PlanNode {
 public:
  SelectNode(NodePtr operand, std::string field, bool test_only)
      : operand_(std::move(operand)), field_(std::move(field)), test_only_(test_only) {}
  Value Eval(Frame& f) const override {
    Value scratch;
    const Value& operand = operand_->EvalRef(f, scratch);
    return SelectField(operand, field_, test_only_);
  }
  // A field found in a map that outlives the call is returned in place.
  const Value& EvalRef(Frame& f, Value& scratch) const override {
    Value operand_scratch;
    const Value& operand = operand_->EvalRef(f, operand_scratch);
    if (!test_only_ && operand.kind() == K::kMap && &operand != &operand_scratch) {
      if (const Value* v = operand.map_value().FindString(field_)) return *v;
    }
    scratch = SelectField(operand, field_, test_only_);
    return scratch;
  }

 private:
  NodePtr operand_;
  std::string field_;
  bool test_only_;
};

// ---- Calls ---------------------------------------------------------------------------
// Evaluates the arguments (stopping at the first error) and hands them to `impl`, a
// FunctionImpl or a ContextFunctionImpl.
template <typename Impl>
class CallNode final : public PlanNode {
 public:
  CallNode(const Impl* impl, std::vector<NodePtr> args, CallCost cost)
      : impl_(impl), args_(std::move(args)), cost_(cost) {
    // A constant argument is metered once, here, not on every call.
    for (const NodePtr& a : args_) {
      const auto* c = dynamic_cast<const ConstNode*>(a.get());
      constant_deep_units_.push_back(
          c ? DeepWorkUnits(c->value(), std::numeric_limits<int64_t>::max()) : -1);
    }
    // A plain function is called directly, not through std::function.
    if constexpr (std::is_same_v<Impl, FunctionImpl>) {
      if (auto* fn = impl_->template target<Value (*)(std::span<const Value>)>()) direct_ = *fn;
    }
  }
  Value Eval(Frame& f) const override {
    // Most calls take one to three arguments; keep them on the stack, built
    // only as they are evaluated.
    struct Small {
      Small() {}
      ~Small() { std::destroy_n(slots, built); }
      union {
        Value slots[4];
      };
      size_t built = 0;
    } small;
    std::vector<Value> large;
    Value* values = small.slots;
    const bool on_stack = args_.size() <= 4;
    if (!on_stack) {
      large.resize(args_.size());
      values = large.data();
    }
    for (size_t i = 0; i < args_.size(); ++i) {
      if (on_stack) {
        new (&values[i]) Value();
        small.built = i + 1;
      }
      // One copy of a variable or field, straight from where it lives.
      const Value& v = args_[i]->EvalRef(f, values[i]);
      if (&v != &values[i]) values[i] = v;
      if (values[i].is_error()) return values[i];
    }
    std::span<const Value> span(values, args_.size());
    // Charged before the call, so that work over budget is never started.
    if (!f.Charge(Work(span, f.cost_left))) return OutOfBudget(f);
    Value result;
    if constexpr (std::is_same_v<Impl, ContextFunctionImpl>) {
      result = (*impl_)(span, f.activation);
    } else {
      result = direct_ ? direct_(span) : (*impl_)(span);
    }
    if (cost_ == CallCost::kLinear && !f.ChargeBytes(BuiltBytes(result))) return OutOfBudget(f);
    return result;
  }

 private:
  // DeepWorkUnits(args[i], limit), taken from the constant's count when it
  // is one: the same whenever it is within `limit`, and past it otherwise.
  int64_t DeepUnits(std::span<const Value> args, size_t i, int64_t limit) const {
    const int64_t known = constant_deep_units_[i];
    return known >= 0 ? known : DeepWorkUnits(args[i], limit);
  }

  // The units this call costs; at least `left` + 1 when it may not be made.
  int64_t Work(std::span<const Value> args, int64_t left) const {
    int64_t units = 0;
    switch (cost_) {
      case CallCost::kFlat:
        break;
      case CallCost::kEqual:
        for (size_t i = 0; i < args.size(); ++i) {
          units += DeepUnits(args, i, left - units);
          if (units > left) break;
        }
        break;
      case CallCost::kIn:
        // Each element is compared with the needle as `==` would.
        if (args.size() == 2 && args[1].kind() == K::kList) units = DeepUnits(args, 1, left);
        if (!args.empty() && units <= left) units += DeepUnits(args, 0, left - units);
        break;
      case CallCost::kRegex:
        // Compiling a pattern costs far more per byte than scanning a subject.
        if (args.size() == 2 && args[1].kind() == K::kString) {
          units = static_cast<int64_t>(args[1].string_value().size()) * 2 + WorkUnits(args[0]);
          break;
        }
        [[fallthrough]];
      case CallCost::kLookup:
      case CallCost::kLinear:
        for (const Value& a : args) units += WorkUnits(a);
        break;
    }
    return units;
  }

  const Impl* impl_;
  Value (*direct_)(std::span<const Value>) = nullptr;
  std::vector<NodePtr> args_;
  std::vector<int64_t> constant_deep_units_;  // per argument; -1: not a constant
  CallCost cost_;
};

// `s.matches('constant')`: the pattern is compiled once.
class MatchesConstNode final : public PlanNode {
 public:
  MatchesConstNode(NodePtr subject, const std::string& pattern)
      : subject_(std::move(subject)), re_(std::make_unique<RE2>(pattern, RE2::Quiet)) {}
  bool ok() const { return re_->ok(); }
  Value Eval(Frame& f) const override {
    Value s = subject_->Eval(f);
    if (s.is_error()) return s;
    if (s.kind() != K::kString) {
      Value args[] = {s, Value::String(re_->pattern())};
      return NoMatchingOverload("matches", args);
    }
    if (!f.Charge(WorkUnits(s))) return OutOfBudget(f);
    return Value::Bool(RE2::PartialMatch(s.string_value(), *re_));
  }

 private:
  NodePtr subject_;
  std::unique_ptr<RE2> re_;
};

class ErrorNode final : public PlanNode {
 public:
  ErrorNode(ErrorKind kind, std::string message, std::vector<NodePtr> args = {})
      : error_(Value::Error(kind, std::move(message))), args_(std::move(args)) {}
  Value Eval(Frame& f) const override {
    // Arguments still go first so that their errors win, as for any call.
    for (const auto& a : args_) {
      Value v = a->Eval(f);
      if (v.is_error()) return v;
    }
    return error_;
  }

 private:
  Value error_;
  std::vector<NodePtr> args_;
};

// ---- Logic with error absorption -------------------------------------------------------
Value LogicError(const Value& a, const Value& b, const char* op) {
  if (a.is_error()) return a;
  if (b.is_error()) return b;
  Value args[] = {a, b};
  return NoMatchingOverload(op, args);
}

class AndNode final : public PlanNode {
 public:
  AndNode(NodePtr l, NodePtr r) : l_(std::move(l)), r_(std::move(r)) {}
  Value Eval(Frame& f) const override {
    Value a = l_->Eval(f);
    if (a.is_bool() && !a.bool_value()) return a;
    if (!a.is_bool() && f.out()) return a;
    Value b = r_->Eval(f);
    if (b.is_bool() && !b.bool_value()) return b;
    if (a.is_bool() && b.is_bool()) return Value::Bool(true);
    return LogicError(a, b, "_&&_");
  }

 private:
  NodePtr l_, r_;
};

class OrNode final : public PlanNode {
 public:
  OrNode(NodePtr l, NodePtr r) : l_(std::move(l)), r_(std::move(r)) {}
  Value Eval(Frame& f) const override {
    Value a = l_->Eval(f);
    if (a.is_bool() && a.bool_value()) return a;
    if (!a.is_bool() && f.out()) return a;
    Value b = r_->Eval(f);
    if (b.is_bool() && b.bool_value()) return b;
    if (a.is_bool() && b.is_bool()) return Value::Bool(false);
    return LogicError(a, b, "_||_");
  }

 private:
  NodePtr l_, r_;
};

class ConditionalNode final : public PlanNode {
 public:
  ConditionalNode(NodePtr c, NodePtr t, NodePtr e)
      : c_(std::move(c)), t_(std::move(t)), e_(std::move(e)) {}
  Value Eval(Frame& f) const override {
    Value c = c_->Eval(f);
    if (c.is_error()) return c;
    if (!c.is_bool()) {
      Value args[] = {c};
      return NoMatchingOverload("_?_:_", args);
    }
    return c.bool_value() ? t_->Eval(f) : e_->Eval(f);
  }

 private:
  NodePtr c_, t_, e_;
};

// ---- Aggregates ----------------------------------------------------------------------------
class ListNode final : public PlanNode {
 public:
  explicit ListNode(std::vector<NodePtr> items) : items_(std::move(items)) {}
  Value Eval(Frame& f) const override {
    ValueList out;
    out.reserve(items_.size());
    for (const auto& i : items_) {
      out.push_back(i->Eval(f));
      if (out.back().is_error()) return out.back();
    }
    if (!f.ChargeBytes(static_cast<int64_t>(out.size() * sizeof(Value)))) return OutOfBudget(f);
    return Value::List(std::move(out));
  }

 private:
  std::vector<NodePtr> items_;
};

class MapNode final : public PlanNode {
 public:
  explicit MapNode(std::vector<NodePtr> kv) : kv_(std::move(kv)) {}
  Value Eval(Frame& f) const override {
    std::vector<MapValue::Entry> entries;
    entries.reserve(kv_.size() / 2);
    for (size_t i = 0; i + 1 < kv_.size(); i += 2) {
      Value k = kv_[i]->Eval(f);
      if (k.is_error()) return k;
      Value v = kv_[i + 1]->Eval(f);
      if (v.is_error()) return v;
      entries.emplace_back(std::move(k), std::move(v));
    }
    if (!f.ChargeBytes(static_cast<int64_t>(entries.size() * 2 * sizeof(Value)))) {
      return OutOfBudget(f);
    }
    Value error;
    auto map = MapValue::Make(std::move(entries), &error);
    if (!map) return error;
    return Value::Map(std::move(map));
  }

 private:
  std::vector<NodePtr> kv_;
};

// ---- Comprehensions ---------------------------------------------------------------------------
class ComprehensionNode final : public PlanNode {
 public:
  // `iteration_cost`: the units one pass over the predicate and transform costs.
  ComprehensionNode(dsl::Macro macro, NodePtr range, size_t slot1, size_t slot2, bool two_vars,
                    NodePtr predicate, NodePtr transform, int64_t iteration_cost)
      : iteration_cost_(std::max<int64_t>(iteration_cost, 1)),
        macro_(macro),
        range_(std::move(range)),
        slot1_(slot1),
        slot2_(slot2),
        two_vars_(two_vars),
        predicate_(std::move(predicate)),
        transform_(std::move(transform)) {}

  Value Eval(Frame& f) const override {
    Value range = range_->Eval(f);
    if (range.is_error()) return range;
    if (range.kind() != K::kList && range.kind() != K::kMap) {
      Value args[] = {range};
      return NoMatchingOverload(dsl::MacroName(macro_), args);
    }
    const bool is_list = range.kind() == K::kList;
    const size_t n = is_list ? range.list_value().size() : range.map_value().size();

    Value first_error;
    bool have_error = false;
    int64_t count = 0;
    ValueList list_out;
    std::vector<MapValue::Entry> map_out;

    for (size_t i = 0; i < n; ++i) {
      if (!f.Charge(iteration_cost_)) return OutOfBudget(f);
      // Bind the loop variables: (element) or (index, element) for lists,
      // (key) or (key, value) for maps.
      Value key =
          is_list ? Value::Int(static_cast<int64_t>(i)) : range.map_value().entries()[i].first;
      Value elem = is_list ? range.list_value()[i] : range.map_value().entries()[i].second;
      if (two_vars_) {
        f.locals[slot1_] = key;
        f.locals[slot2_] = elem;
      } else {
        f.locals[slot1_] = is_list ? elem : key;
      }
      const Value& item = is_list ? elem : key;  // what one-variable forms yield

      switch (macro_) {
        case dsl::Macro::kAll:
        case dsl::Macro::kExists: {
          Value p = predicate_->Eval(f);
          const bool decisive = macro_ == dsl::Macro::kAll ? false : true;
          if (p.is_bool()) {
            if (p.bool_value() == decisive) return p;
          } else if (!have_error) {
            first_error = p.is_error() ? p : NoMatchingOverloadOf(p);
            have_error = true;
          }
          break;
        }
        case dsl::Macro::kExistsOne: {
          Value p = predicate_->Eval(f);
          if (!p.is_bool()) return p.is_error() ? p : NoMatchingOverloadOf(p);
          count += p.bool_value();
          break;
        }
        case dsl::Macro::kFilter: {
          Value p = predicate_->Eval(f);
          if (!p.is_bool()) return p.is_error() ? p : NoMatchingOverloadOf(p);
          if (p.bool_value()) list_out.push_back(item);
          break;
        }
        case dsl::Macro::kMap:
        case dsl::Macro::kTransformList:
        case dsl::Macro::kTransformMap: {
          if (predicate_) {
            Value p = predicate_->Eval(f);
            if (!p.is_bool()) return p.is_error() ? p : NoMatchingOverloadOf(p);
            if (!p.bool_value()) break;
          }
          Value t = transform_->Eval(f);
          if (t.is_error()) return t;
          if (macro_ == dsl::Macro::kTransformMap) {
            map_out.emplace_back(key, std::move(t));
          } else {
            list_out.push_back(std::move(t));
          }
          break;
        }
      }
    }
    if (!f.ChargeBytes(BuiltBytes(list_out) + BuiltBytes(map_out))) return OutOfBudget(f);
    switch (macro_) {
      case dsl::Macro::kAll:
        return have_error ? first_error : Value::Bool(true);
      case dsl::Macro::kExists:
        return have_error ? first_error : Value::Bool(false);
      case dsl::Macro::kExistsOne:
        return Value::Bool(count == 1);
      case dsl::Macro::kTransformMap: {
        Value error;
        auto map = MapValue::Make(std::move(map_out), &error);
        return map ? Value::Map(std::move(map)) : error;
      }
      default:
        return Value::List(std::move(list_out));
    }
  }

 private:
  Value NoMatchingOverloadOf(const Value& v) const {
    Value args[] = {v};
    return NoMatchingOverload(dsl::MacroName(macro_), args);
  }

  static int64_t BuiltBytes(const ValueList& list) {
    return static_cast<int64_t>(list.size() * sizeof(Value));
  }
  static int64_t BuiltBytes(const std::vector<MapValue::Entry>& entries) {
    return static_cast<int64_t>(entries.size() * sizeof(MapValue::Entry));
  }

  int64_t iteration_cost_;
  dsl::Macro macro_;
  NodePtr range_;
  size_t slot1_, slot2_;
  bool two_vars_;
  NodePtr predicate_, transform_;
};

// `cel.bind(x, init, body)`: `body` with the local `x` holding `init`,
// evaluated once. The parser writes it `[init].map(x, body)[0]` (and
// definitions expand their calls to it, dsl/definitions.h); this node gives
// the same result without building the two one-element lists.
class BindNode final : public PlanNode {
 public:
  BindNode(NodePtr init, size_t slot, NodePtr body)
      : init_(std::move(init)), slot_(slot), body_(std::move(body)) {}
  Value Eval(Frame& f) const override {
    Value v = init_->Eval(f);
    if (v.is_error()) return v;
    f.locals[slot_] = std::move(v);
    return body_->Eval(f);
  }

 private:
  NodePtr init_;
  size_t slot_;
  NodePtr body_;
};

// ---- The compiler ------------------------------------------------------------------------------
class Compiler {
 public:
  Compiler(const FunctionRegistry& functions, const dsl::Resolutions& resolutions)
      : functions_(functions), resolutions_(resolutions) {}

  // Plan nodes compiled so far (constant-folded literals count as one).
  int64_t nodes() const { return nodes_; }
  size_t max_depth() const { return max_depth_; }
  // The most comprehension and bind variables in scope at once.
  size_t max_locals() const { return max_locals_; }

  NodePtr Compile(const dsl::Expr& e) {
    ++nodes_;
    max_depth_ = std::max(max_depth_, ++depth_);
    NodePtr node = CompileNode(e);
    --depth_;
    return node;
  }

 private:
  NodePtr CompileNode(const dsl::Expr& e) {
    switch (e.kind) {
      case dsl::Expr::Kind::kConstant:
        return std::make_unique<ConstNode>(ConstantValue(e.constant));
      case dsl::Expr::Kind::kIdent:
      case dsl::Expr::Kind::kSelect: {
        if (const dsl::Resolution* r = resolutions_.Find(e.id)) return CompileName(*r);
        if (e.kind == dsl::Expr::Kind::kSelect) {
          return std::make_unique<SelectNode>(Compile(*e.target), e.name, e.test_only);
        }
        return std::make_unique<ErrorNode>(ErrorKind::kNoSuchAttribute,
                                           "undeclared reference to '" + e.name + "'");
      }
      case dsl::Expr::Kind::kCall:
        return CompileCall(e);
      case dsl::Expr::Kind::kList:
      case dsl::Expr::Kind::kMap: {
        std::vector<NodePtr> items;
        const int64_t nodes_before = nodes_;
        bool constant = true;
        for (const auto& a : e.args) {
          items.push_back(Compile(*a));
          constant = constant && dynamic_cast<const ConstNode*>(items.back().get()) != nullptr;
        }
        NodePtr node = e.kind == dsl::Expr::Kind::kList
                           ? NodePtr(std::make_unique<ListNode>(std::move(items)))
                           : NodePtr(std::make_unique<MapNode>(std::move(items)));
        // A literal made only of constants is built once, here, not per request.
        if (constant) {
          const MapActivation no_variables;
          Frame scratch{no_variables};
          nodes_ = nodes_before;
          return std::make_unique<ConstNode>(node->Eval(scratch));
        }
        return node;
      }
      case dsl::Expr::Kind::kComprehension:
        return CompileComprehension(e);
    }
    return std::make_unique<ErrorNode>(ErrorKind::kUnsupported, "unknown expression kind");
  }

  static Value ConstantValue(const dsl::Constant& c) {
    switch (c.kind) {
      case dsl::Constant::Kind::kNull:
        return Value::Null();
      case dsl::Constant::Kind::kBool:
        return Value::Bool(c.bool_value);
      case dsl::Constant::Kind::kInt:
        return Value::Int(c.int_value);
      case dsl::Constant::Kind::kUint:
        return Value::Uint(c.uint_value);
      case dsl::Constant::Kind::kDouble:
        return Value::Double(c.double_value);
      case dsl::Constant::Kind::kString:
        return Value::String(c.string_value);
      case dsl::Constant::Kind::kBytes:
        return Value::Bytes(c.string_value);
    }
    return Value::Null();
  }

  // A variable, local or type denotation, and the fields selected after it.
  NodePtr CompileName(const dsl::Resolution& r) {
    NodePtr node;
    switch (r.kind) {
      case dsl::Resolution::Kind::kType:
        return std::make_unique<ConstNode>(Value::Type(r.name));
      case dsl::Resolution::Kind::kLocal:
        if (auto slot = FindLocal(r.name)) node = std::make_unique<LocalNode>(*slot);
        break;
      case dsl::Resolution::Kind::kVariable:
        node = std::make_unique<VariableNode>(r.name);
        break;
      case dsl::Resolution::Kind::kUndeclared: {
        std::vector<std::string> parts = {r.name};
        parts.insert(parts.end(), r.fields.begin(), r.fields.end());
        return std::make_unique<UndeclaredNameNode>(std::move(parts));
      }
      case dsl::Resolution::Kind::kFunction:
        break;
    }
    if (!node) {
      return std::make_unique<ErrorNode>(ErrorKind::kNoSuchAttribute,
                                         "undeclared reference to '" + r.name + "'");
    }
    // A dotted name counts as one node, however many fields it selects.
    for (const std::string& field : r.fields) {
      node = std::make_unique<SelectNode>(std::move(node), field, false);
    }
    return node;
  }

  NodePtr CompileCall(const dsl::Expr& e) {
    const std::string& fn = e.name;
    if (dsl::IsBind(e) && locals_.size() < kMaxLocals) return CompileBind(*e.args[0]);
    if (fn == "_&&_" && e.args.size() == 2) {
      return std::make_unique<AndNode>(Compile(*e.args[0]), Compile(*e.args[1]));
    }
    if (fn == "_||_" && e.args.size() == 2) {
      return std::make_unique<OrNode>(Compile(*e.args[0]), Compile(*e.args[1]));
    }
    if (fn == "_?_:_" && e.args.size() == 3) {
      return std::make_unique<ConditionalNode>(Compile(*e.args[0]), Compile(*e.args[1]),
                                               Compile(*e.args[2]));
    }
    // The checker says which function this is and whether the target is its
    // first argument (`s.size()`) or part of its name (`email.domain(x)`).
    const dsl::Resolution* r = resolutions_.Find(e.id);
    std::vector<const dsl::Expr*> operands;
    if (e.target && (r == nullptr || r->receiver)) operands.push_back(e.target.get());
    for (const auto& a : e.args) operands.push_back(a.get());
    std::vector<NodePtr> args;
    for (const dsl::Expr* a : operands) args.push_back(Compile(*a));
    if (r == nullptr || r->kind != dsl::Resolution::Kind::kFunction) {
      return std::make_unique<ErrorNode>(ErrorKind::kUnboundFunction,
                                         "unresolved function '" + fn + "'", std::move(args));
    }
    const std::string& name = r->name;

    if (name == "matches" && operands.size() == 2 &&
        operands[1]->kind == dsl::Expr::Kind::kConstant &&
        operands[1]->constant.kind == dsl::Constant::Kind::kString) {
      const std::string& pattern = operands[1]->constant.string_value;
      auto node = std::make_unique<MatchesConstNode>(std::move(args[0]), pattern);
      if (node->ok()) return node;
      return std::make_unique<ErrorNode>(ErrorKind::kInvalidArgument,
                                         "invalid regular expression '" + pattern + "'");
    }
    if (const ContextFunctionImpl* impl = functions_.FindContextual(name)) {
      return std::make_unique<CallNode<ContextFunctionImpl>>(impl, std::move(args),
                                                             CostOf(name, true));
    }
    const FunctionImpl* impl = functions_.Find(name);
    if (impl == nullptr) {
      return std::make_unique<ErrorNode>(ErrorKind::kUnboundFunction,
                                         "unbound function '" + name + "'", std::move(args));
    }
    return std::make_unique<CallNode<FunctionImpl>>(impl, std::move(args), CostOf(name, false));
  }

  NodePtr CompileComprehension(const dsl::Expr& e) {
    NodePtr range = Compile(*e.target);
    const bool two = !e.iter_var2.empty();
    if (locals_.size() + (two ? 2 : 1) > kMaxLocals) {
      return std::make_unique<ErrorNode>(ErrorKind::kUnsupported,
                                         "comprehensions are nested too deeply");
    }
    const size_t slot1 = locals_.size();
    locals_.push_back(e.iter_var);
    size_t slot2 = slot1;
    if (two) {
      slot2 = locals_.size();
      locals_.push_back(e.iter_var2);
    }
    max_locals_ = std::max(max_locals_, locals_.size());
    const int64_t nodes_before = nodes_;
    NodePtr predicate = e.predicate ? Compile(*e.predicate) : nullptr;
    NodePtr transform = e.transform ? Compile(*e.transform) : nullptr;
    locals_.resize(slot1);
    return std::make_unique<ComprehensionNode>(e.macro, std::move(range), slot1, slot2, two,
                                               std::move(predicate), std::move(transform),
                                               nodes_ - nodes_before);
  }

  // `[init].map(x, body)`, taken as cel.bind(x, init, body).
  NodePtr CompileBind(const dsl::Expr& map) {
    NodePtr init = Compile(*map.target->args[0]);
    const size_t slot = locals_.size();
    locals_.push_back(map.iter_var);
    max_locals_ = std::max(max_locals_, locals_.size());
    NodePtr body = Compile(*map.transform);
    locals_.resize(slot);
    return std::make_unique<BindNode>(std::move(init), slot, std::move(body));
  }

  std::optional<size_t> FindLocal(const std::string& name) const {
    for (size_t i = locals_.size(); i-- > 0;) {
      if (locals_[i] == name) return i;
    }
    return std::nullopt;
  }

  const FunctionRegistry& functions_;
  const dsl::Resolutions& resolutions_;
  std::vector<std::string> locals_;
  int64_t nodes_ = 0;
  size_t depth_ = 0, max_depth_ = 0;
  size_t max_locals_ = 0;
};

}  // namespace

std::string CheckPattern(std::string_view pattern) {
  RE2 re(pattern, RE2::Quiet);
  return re.ok() ? std::string() : re.error();
}

Program::~Program() = default;

std::shared_ptr<const Program> Program::Compile(const dsl::Expr& expr,
                                                const ProgramOptions& options) {
  std::shared_ptr<Program> program(new Program());
  const FunctionRegistry& functions =
      options.functions ? *options.functions : FunctionRegistry::Standard();
  dsl::CheckResult checked;
  if (options.resolutions == nullptr) {
    static const dsl::CheckEnvironment* unchecked = [] {
      auto* env = new dsl::CheckEnvironment(Catalogue::Default().Environment(Scope::kRule));
      env->AllowUndeclaredVariables();
      return env;
    }();
    checked = dsl::Check(expr, *unchecked, "<expression>");
  }
  Compiler compiler(functions, options.resolutions ? *options.resolutions : checked.resolutions);
  program->root_ = compiler.Compile(expr);
  program->static_cost_ = compiler.nodes();
  program->depth_ = compiler.max_depth();
  program->locals_ = compiler.max_locals();
  return program;
}

Value Program::Evaluate(const Activation& activation) const {
  EvaluationBudget budget;
  return Evaluate(activation, budget);
}

Value Program::Evaluate(const Activation& activation, EvaluationBudget& budget) const {
  const EvaluationLimits& limits = budget.limits();
  if (depth_ > limits.depth) {
    static const Value too_deep =
        Value::Error(ErrorKind::kBudgetExceeded,
                     "evaluation budget exceeded: the expression is nested too deeply");
    return too_deep;
  }
  const int64_t allowance = std::min(limits.evaluation_cost, budget.remaining());
  // Only the slots the program uses are built (most conditions use none).
  union Locals {
    Locals() {}
    ~Locals() {}
    Value slots[kMaxComprehensionVariables];
  } locals;
  std::uninitialized_default_construct_n(locals.slots, locals_);
  Frame frame{activation, locals.slots};
  frame.cost_left = allowance;
  frame.bytes_left = limits.evaluation_bytes;
  Value result = frame.Charge(static_cost_) ? root_->Eval(frame) : Value();
  std::destroy_n(locals.slots, locals_);
  // Work refused for want of budget was never done: spend at most the allowance.
  budget.Spend(
      std::clamp<int64_t>(allowance - frame.cost_left, 0, std::max<int64_t>(allowance, 0)));
  // Running out anywhere decides the result, even where `||`, `&&` or a
  // comprehension would otherwise have absorbed the error.
  if (frame.out()) return OutOfBudget(frame);
  return result;
}

}  // namespace castellan::engine
