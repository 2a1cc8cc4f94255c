#include "dsl/checker.h"

#include <algorithm>
#include <cassert>
#include <optional>

#include "dsl/name_literals.h"

namespace castellan::dsl {
namespace {

using Bindings = std::map<std::string, Type, std::less<>>;

// Can a value of type `from` be passed where `to` is expected? Binds type
// parameters of `to` in `bindings`.
bool Assignable(const Type& to, const Type& from, Bindings& bindings) {
  if (to.kind() == Type::Kind::kParam) {
    auto it = bindings.find(to.param_name());
    if (it == bindings.end()) {
      bindings[to.param_name()] = from;
      return true;
    }
    Bindings scratch;
    if (Assignable(it->second, from, scratch)) return true;
    if (Assignable(from, it->second, scratch)) {
      it->second = from;
      return true;
    }
    return false;
  }
  if (to.is_dyn() || from.is_dyn()) return true;
  if (to.kind() != from.kind()) return false;
  switch (to.kind()) {
    // Type values compare at run time (type(1) == type(1u) is simply false).
    case Type::Kind::kType:
      return true;
    case Type::Kind::kList:
    case Type::Kind::kOptional:
      return Assignable(to.param(0), from.param(0), bindings);
    case Type::Kind::kMap:
      return Assignable(to.param(0), from.param(0), bindings) &&
             Assignable(to.param(1), from.param(1), bindings);
    default:
      return true;
  }
}

Type Substitute(const Type& t, const Bindings& bindings) {
  switch (t.kind()) {
    case Type::Kind::kParam: {
      auto it = bindings.find(t.param_name());
      return it == bindings.end() ? Type::Dyn() : it->second;
    }
    case Type::Kind::kList:
      return Type::List(Substitute(t.param(0), bindings));
    case Type::Kind::kMap:
      return Type::Map(Substitute(t.param(0), bindings), Substitute(t.param(1), bindings));
    case Type::Kind::kType:
      return Type::TypeOf(Substitute(t.param(0), bindings));
    case Type::Kind::kOptional:
      return Type::Optional(Substitute(t.param(0), bindings));
    default:
      return t;
  }
}

// The common type of list elements or map keys/values: the type itself when
// all agree, otherwise dyn.
Type Join(const std::vector<Type>& types) {
  if (types.empty()) return Type::Dyn();
  for (const Type& t : types) {
    if (!(t == types[0])) return Type::Dyn();
  }
  return types[0];
}

// The type named by an identifier such as `int` or `google.protobuf.Timestamp`.
bool TypeDenotation(std::string_view name, Type* type) {
  static const char* const kNames[] = {"bool",
                                       "int",
                                       "uint",
                                       "double",
                                       "string",
                                       "bytes",
                                       "null_type",
                                       "google.protobuf.Timestamp",
                                       "google.protobuf.Duration"};
  for (const char* n : kNames) {
    if (name == n) {
      *type = Type::TypeOf(*ParseTypeName(n));
      return true;
    }
  }
  if (name == "list")
    *type = Type::TypeOf(Type::List(Type::Dyn()));
  else if (name == "map")
    *type = Type::TypeOf(Type::Map(Type::Dyn(), Type::Dyn()));
  else if (name == "type")
    *type = Type::TypeOf(Type::TypeOf(Type::Dyn()));
  else
    return false;
  return true;
}

class Checker {
 public:
  Checker(const CheckEnvironment& env, const std::string& file, const Shapes* shapes,
          CheckResult& result)
      : env_(env),
        file_(file),
        shapes_(shapes),
        diagnostics_(result.diagnostics),
        resolutions_(result.resolutions) {}

  Type Visit(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kConstant:
        return ConstantType(e.constant);
      case Expr::Kind::kIdent:
        return VisitName(e, {e.name});
      case Expr::Kind::kSelect:
        return VisitSelect(e);
      case Expr::Kind::kCall:
        return VisitCall(e);
      case Expr::Kind::kList: {
        std::vector<Type> elems;
        for (const auto& a : e.args) elems.push_back(Visit(*a));
        return Type::List(Join(elems));
      }
      case Expr::Kind::kMap: {
        std::vector<Type> keys, values;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          Type k = Visit(*e.args[i]);
          if (!k.is_dyn() && k.kind() != Type::Kind::kBool && k.kind() != Type::Kind::kInt &&
              k.kind() != Type::Kind::kUint && k.kind() != Type::Kind::kString) {
            Error(*e.args[i], "map keys must be bool, int, uint or string, not " + k.ToString());
          }
          keys.push_back(k);
          values.push_back(Visit(*e.args[i + 1]));
        }
        return Type::Map(Join(keys), Join(values));
      }
      case Expr::Kind::kComprehension:
        return VisitComprehension(e);
    }
    return Type::Dyn();
  }

 private:
  static Type ConstantType(const Constant& c) {
    switch (c.kind) {
      case Constant::Kind::kNull:
        return Type::Null();
      case Constant::Kind::kBool:
        return Type::Bool();
      case Constant::Kind::kInt:
        return Type::Int();
      case Constant::Kind::kUint:
        return Type::Uint();
      case Constant::Kind::kDouble:
        return Type::Double();
      case Constant::Kind::kString:
        return Type::String();
      case Constant::Kind::kBytes:
        return Type::Bytes();
    }
    return Type::Dyn();
  }

  void Error(const Expr& at, std::string message, const char* code = "type") {
    diagnostics_.push_back({file_, at.position.line, at.position.column, std::move(message), code});
  }

  const Type* FindLocal(std::string_view name) const {
    for (size_t i = locals_.size(); i-- > 0;) {
      if (locals_[i].first == name) return &locals_[i].second;
    }
    return nullptr;
  }

  // Resolves `a.b.c`: a local, or the longest declared variable prefix, or a
  // type denotation; the remaining parts are field selections.
  Type VisitName(const Expr& e, const std::vector<std::string>& parts) {
    if (const Type* local = FindLocal(parts[0])) {
      return Resolve(e, Resolution::Kind::kLocal, parts[0], parts, 1,
                     SelectPath(e, *local, parts, 1));
    }
    const std::vector<std::string> prefixes = DottedPrefixes(parts);
    for (size_t n = parts.size(); n >= 1; --n) {
      if (const Type* var = env_.FindVariable(prefixes[n - 1])) {
        Type type = *var;
        size_t from = n;
        const ObjectShape* shape = n == 1 && parts.size() > 1 ? ShapeOf(parts[0]) : nullptr;
        if (shape != nullptr) {
          type = ReadField(e, *shape, parts[0], parts[1]);
          from = 2;
        }
        return Resolve(e, Resolution::Kind::kVariable, prefixes[n - 1], parts, n,
                       SelectPath(e, type, parts, from));
      }
    }
    Type type;
    if (TypeDenotation(prefixes.back(), &type)) {
      return Resolve(e, Resolution::Kind::kType, prefixes.back(), parts, parts.size(), type);
    }
    if (env_.allow_undeclared()) {
      return Resolve(e, Resolution::Kind::kUndeclared, parts[0], parts, 1, Type::Dyn());
    }
    Error(e, "undeclared reference to '" + prefixes.back() + "'" + Suggestion(), "reference");
    return Type::Dyn();
  }

  // Records that `e` names `name`, the first `used` of `parts`, followed by
  // field selections of the rest.
  Type Resolve(const Expr& e, Resolution::Kind kind, std::string name,
               const std::vector<std::string>& parts, size_t used, Type type) {
    Resolution r;
    r.kind = kind;
    r.name = std::move(name);
    r.fields.assign(parts.begin() + static_cast<std::ptrdiff_t>(used), parts.end());
    r.type = type;
    resolutions_.Record(e.id, std::move(r));
    return type;
  }

  std::string Suggestion() const {
    std::string names;
    for (const auto& [name, type] : env_.variables()) {
      names += (names.empty() ? "" : ", ") + name;
    }
    return names.empty() ? "" : " (declared variables: " + names + ")";
  }

  Type SelectPath(const Expr& e, Type type, const std::vector<std::string>& parts, size_t from) {
    for (size_t i = from; i < parts.size(); ++i) type = SelectType(e, type, parts[i]);
    return type;
  }

  Type SelectType(const Expr& at, const Type& operand, const std::string& field) {
    if (operand.is_dyn()) return Type::Dyn();
    // Selecting from an optional selects from its value, if any (optionals extension).
    if (operand.kind() == Type::Kind::kOptional) {
      return Type::Optional(SelectType(at, operand.param(0), field));
    }
    if (operand.kind() == Type::Kind::kMap) {
      Bindings b;
      if (!Assignable(operand.param(0), Type::String(), b)) {
        Error(at, "cannot select field '" + field + "' from " + operand.ToString());
      }
      return operand.param(1);
    }
    Error(at, "type '" + operand.ToString() + "' does not support field selection");
    return Type::Dyn();
  }

  Type VisitSelect(const Expr& e) {
    if (!e.test_only) {
      std::vector<std::string> parts;
      if (QualifiedName(e, &parts)) return VisitName(e, parts);
    }
    Type operand = Visit(*e.target);
    std::vector<std::string> root;
    if (e.test_only && QualifiedName(*e.target, &root) && root.size() == 1) {
      if (const ObjectShape* shape = ShapeOf(root[0])) {
        FindField(e, *shape, e.name);
        return Type::Bool();
      }
    }
    Type field = SelectType(e, operand, e.name);
    return e.test_only ? Type::Bool() : field;
  }

  // ---- Declared attributes and parameters (Shapes) ----------------------------------
  // The shape of the variable `root`, unless a local hides it.
  const ObjectShape* ShapeOf(const std::string& root) const {
    if (shapes_ == nullptr || FindLocal(root) != nullptr || !env_.FindVariable(root)) {
      return nullptr;
    }
    auto it = shapes_->find(root);
    return it == shapes_->end() ? nullptr : &it->second;
  }

  // The declared field, or null after reporting that there is none.
  const FieldShape* FindField(const Expr& at, const ObjectShape& shape, const std::string& field) {
    auto it = shape.fields.find(field);
    if (it != shape.fields.end()) return &it->second;
    if (shape.open) return nullptr;
    auto absent = shape.absent_from.find(field);
    std::vector<std::string> names;
    for (const auto& entry : shape.fields) names.push_back(entry.first);
    Error(at, "no " + shape.noun + " '" + field + "' on " +
                  (absent != shape.absent_from.end() ? absent->second : shape.owner) +
                  DidYouMean(field, names));
    return nullptr;
  }

  // The type of `root.field` read as a value: an optional field needs a
  // has() test that guards this read.
  Type ReadField(const Expr& at, const ObjectShape& shape, const std::string& root,
                 const std::string& field) {
    const FieldShape* f = FindField(at, shape, field);
    if (f == nullptr) return Type::Dyn();
    const std::string path = root + "." + field;
    if (f->optional && std::find(guards_.begin(), guards_.end(), path) == guards_.end()) {
      Error(at, shape.noun + " '" + field + "' of " + shape.owner + " is optional: test has(" +
                    path + ") first or use " + root + ".?" + field);
    }
    return f->type;
  }

  // A string literal compared with an enumerated field must be one of its values.
  void CheckEnumerated(const Expr& field, const Expr& literal) {
    std::vector<std::string> parts;
    if (literal.kind != Expr::Kind::kConstant || literal.constant.kind != Constant::Kind::kString ||
        !QualifiedName(field, &parts) || parts.size() != 2) {
      return;
    }
    const ObjectShape* shape = ShapeOf(parts[0]);
    if (shape == nullptr) return;
    auto it = shape->fields.find(parts[1]);
    if (it == shape->fields.end() || it->second.values.empty()) return;
    const std::vector<std::string>& values = it->second.values;
    const std::string& value = literal.constant.string_value;
    if (std::find(values.begin(), values.end(), value) != values.end()) return;
    std::string list;
    for (const auto& v : values) list += (list.empty() ? "" : ", ") + v;
    Error(literal, "'" + value + "' is not a value of " + shape->noun + " '" + parts[1] + "' of " +
                       shape->owner + " (expected one of: " + list + ")" +
                       DidYouMean(value, values));
  }

  // The operands of a chain of the same operator: a && b && c -> a, b, c.
  static void Chain(const Expr& e, const std::string& op, std::vector<const Expr*>* out) {
    if (e.kind == Expr::Kind::kCall && e.name == op && e.args.size() == 2) {
      Chain(*e.args[0], op, out);
      Chain(*e.args[1], op, out);
    } else {
      out->push_back(&e);
    }
  }

  // Appends the paths `has(a.b)` proves present when `e` evaluates to `value`.
  // CEL's && and || absorb errors in either operand, so a guard anywhere in
  // a chain covers every operand of it.
  static void Proven(const Expr& e, bool value, std::vector<std::string>* paths) {
    std::vector<const Expr*> items;
    Chain(e, value ? "_&&_" : "_||_", &items);
    for (const Expr* item : items) {
      std::vector<std::string> parts;
      if (value && item->kind == Expr::Kind::kSelect && item->test_only &&
          QualifiedName(*item->target, &parts)) {
        std::string path;
        for (const auto& p : parts) path += p + ".";
        paths->push_back(path + item->name);
      } else if (item->kind == Expr::Kind::kCall && item->name == "!_" && item->args.size() == 1) {
        Proven(*item->args[0], !value, paths);
      }
    }
  }

  Type VisitCall(const Expr& e) {
    const std::string& fn = e.name;
    if (fn == "_&&_" || fn == "_||_") {
      const size_t mark = guards_.size();
      Proven(e, fn == "_&&_", &guards_);
      for (const auto& a : e.args) ExpectBool(*a, Visit(*a), fn == "_&&_" ? "&&" : "||");
      guards_.resize(mark);
      return Type::Bool();
    }
    if (fn == "_?_:_") {
      ExpectBool(*e.args[0], Visit(*e.args[0]), "the condition of ?:");
      const size_t mark = guards_.size();
      Proven(*e.args[0], true, &guards_);
      Type t = Visit(*e.args[1]);
      guards_.resize(mark);
      Proven(*e.args[0], false, &guards_);
      Type f = Visit(*e.args[2]);
      guards_.resize(mark);
      Bindings b;
      if (t == f) return t;
      if (t.is_dyn() || f.is_dyn()) return Type::Dyn();
      if (t.kind() == Type::Kind::kNull || f.kind() == Type::Kind::kNull) return Type::Dyn();
      if (Assignable(t, f, b) && Assignable(f, t, b)) return Type::Dyn();
      Error(e, "the branches of ?: have different types: " + t.ToString() + " and " + f.ToString());
      return Type::Dyn();
    }

    Resolution resolution;
    resolution.kind = Resolution::Kind::kFunction;
    std::string& name = resolution.name;
    name = fn;
    bool receiver = e.target != nullptr;
    std::vector<Type> args;
    if (receiver) {
      // A receiver that is a bare namespace (email.domain(x)) names a function.
      std::vector<std::string> ns;
      if (QualifiedName(*e.target, &ns) && !FindLocal(ns[0]) && !env_.FindVariable(ns[0])) {
        std::string qualified;
        for (const auto& p : ns) qualified += p + ".";
        qualified += fn;
        if (env_.FindFunction(qualified) != nullptr) {
          name = qualified;
          receiver = false;
        }
      }
      if (receiver) args.push_back(Visit(*e.target));
    }
    for (const auto& a : e.args) args.push_back(Visit(*a));
    CheckDeclaredFields(e);

    const std::vector<Overload>* overloads = env_.FindFunction(name);
    resolution.receiver = receiver;
    if (overloads == nullptr) {
      Error(e, "unknown function '" + name + "'", "reference");
      resolutions_.Record(e.id, std::move(resolution));
      return Type::Dyn();
    }
    std::optional<Type> result;
    bool ambiguous = false;
    for (size_t index = 0; index < overloads->size(); ++index) {
      const Overload& o = (*overloads)[index];
      if (o.receiver != receiver || o.params.size() != args.size()) continue;
      Bindings b;
      bool ok = true;
      for (size_t i = 0; i < args.size() && ok; ++i) ok = Assignable(o.params[i], args[i], b);
      if (!ok) continue;
      Type r = Substitute(o.result, b);
      if (result && !(*result == r)) ambiguous = true;
      if (!result) result = r;
      resolution.overloads.push_back(index);
    }
    if (!result) {
      std::string shown;
      for (size_t i = 0; i < args.size(); ++i) shown += (i ? ", " : "") + args[i].ToString();
      Error(e, "no matching overload for '" + DisplayName(name) + "' applied to (" + shown + ")");
      resolutions_.Record(e.id, std::move(resolution));
      return Type::Dyn();
    }
    CheckPatterns(e, name, receiver);
    resolution.type = ambiguous ? Type::Dyn() : *result;
    const Type type = resolution.type;
    resolutions_.Record(e.id, std::move(resolution));
    return type;
  }

  // Comparisons with enumerated fields, and `x.?field` of a shaped variable.
  void CheckDeclaredFields(const Expr& e) {
    if (shapes_ == nullptr || e.target != nullptr || e.args.size() != 2) return;
    const Expr& a = *e.args[0];
    const Expr& b = *e.args[1];
    if (e.name == "_==_" || e.name == "_!=_") {
      CheckEnumerated(a, b);
      CheckEnumerated(b, a);
    } else if (e.name == "@in" && b.kind == Expr::Kind::kList) {
      for (const auto& item : b.args) CheckEnumerated(a, *item);
    } else if (e.name == "_?._" && a.kind == Expr::Kind::kIdent &&
               b.kind == Expr::Kind::kConstant && b.constant.kind == Constant::Kind::kString) {
      if (const ObjectShape* shape = ShapeOf(a.name)) FindField(e, *shape, b.constant.string_value);
    }
  }

  // A constant pattern the regex engine rejects would fail every evaluation.
  void CheckPatterns(const Expr& e, const std::string& name, bool receiver) {
    if (!env_.pattern_check()) return;
    std::vector<const Expr*> args;
    if (receiver) args.push_back(e.target.get());
    for (const auto& a : e.args) args.push_back(a.get());
    for (size_t i = 0; i < args.size(); ++i) {
      const Expr& a = *args[i];
      if (a.kind != Expr::Kind::kConstant || a.constant.kind != Constant::Kind::kString ||
          !env_.IsPattern(name, i)) {
        continue;
      }
      std::string problem = env_.pattern_check()(a.constant.string_value);
      if (!problem.empty()) {
        Error(a, "invalid regular expression '" + a.constant.string_value + "': " + problem,
              "pattern");
      }
    }
  }

  static std::string DisplayName(const std::string& fn) {
    if (fn == "@in") return "in";
    if (fn == "_[_]") return "[]";
    if (fn.size() > 2 && fn.front() == '_' && fn.back() == '_') return fn.substr(1, fn.size() - 2);
    if (fn == "!_" || fn == "-_") return fn.substr(0, 1);
    return fn;
  }

  void ExpectBool(const Expr& at, const Type& t, const std::string& where) {
    if (!t.is_dyn() && t.kind() != Type::Kind::kBool) {
      Error(at, where + " needs a bool, but this is " + t.ToString());
    }
  }

  Type VisitComprehension(const Expr& e) {
    Type range = Visit(*e.target);
    Type key = Type::Dyn(), elem = Type::Dyn();
    if (range.kind() == Type::Kind::kList) {
      key = Type::Int();
      elem = range.param(0);
    } else if (range.kind() == Type::Kind::kMap) {
      key = range.param(0);
      elem = range.param(1);
    } else if (!range.is_dyn()) {
      Error(*e.target,
            std::string(MacroName(e.macro)) + "() needs a list or a map, not " + range.ToString());
    }
    const bool two = !e.iter_var2.empty();
    const bool is_list = range.kind() == Type::Kind::kList;
    const size_t mark = locals_.size();
    const size_t limit = env_.max_comprehension_variables();
    if (limit != 0 && mark + (two ? 2 : 1) > limit && mark <= limit) {
      Error(e,
            "comprehensions are nested too deeply: evaluation supports at most " +
                std::to_string(limit) + " comprehension variables in scope at once",
            "limit");
    }
    if (two) {
      locals_.emplace_back(e.iter_var, key);
      locals_.emplace_back(e.iter_var2, elem);
    } else {
      locals_.emplace_back(e.iter_var, is_list ? elem : key);
    }
    const Type item = is_list ? elem : key;
    if (e.predicate) ExpectBool(*e.predicate, Visit(*e.predicate), MacroName(e.macro));
    Type transform = e.transform ? Visit(*e.transform) : Type::Dyn();
    locals_.resize(mark);
    switch (e.macro) {
      case Macro::kAll:
      case Macro::kExists:
      case Macro::kExistsOne:
        return Type::Bool();
      case Macro::kFilter:
        return Type::List(range.is_dyn() ? Type::Dyn() : item);
      case Macro::kMap:
      case Macro::kTransformList:
        return Type::List(transform);
      case Macro::kTransformMap:
        return Type::Map(key, transform);
    }
    return Type::Dyn();
  }

  const CheckEnvironment& env_;
  const std::string& file_;
  const Shapes* shapes_;  // may be null
  Diagnostics& diagnostics_;
  Resolutions& resolutions_;
  std::vector<std::pair<std::string, Type>> locals_;
  std::vector<std::string> guards_;  // paths a has() test around this node proves present
};

}  // namespace

const VariableDecl* CheckEnvironment::FindVariableDecl(std::string_view name) const {
  auto it = variables_.find(name);
  return it == variables_.end() ? nullptr : &it->second;
}

const Type* CheckEnvironment::FindVariable(std::string_view name) const {
  const VariableDecl* v = FindVariableDecl(name);
  return v ? &v->type : nullptr;
}

const FunctionDecl* CheckEnvironment::FindFunctionDecl(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

const std::vector<Overload>* CheckEnvironment::FindFunction(std::string_view name) const {
  const FunctionDecl* f = FindFunctionDecl(name);
  return f ? &f->overloads : nullptr;
}

void CheckEnvironment::DeclareNames(std::string_view function, std::vector<NameKind> arguments,
                                    NameKind result) {
  auto it = functions_.find(function);
  assert(it != functions_.end());
  it->second.argument_names = std::move(arguments);
  it->second.result_names = result;
}

void CheckEnvironment::DeclarePattern(std::string_view function, size_t argument) {
  patterns_.emplace(std::string(function), argument);
}

bool CheckEnvironment::IsPattern(std::string_view function, size_t argument) const {
  return patterns_.count(std::pair<std::string, size_t>(function, argument)) > 0;
}

void CheckEnvironment::DeclareFunction(std::string_view sig) {
  Overload o;
  o.signature = std::string(sig);
  if (!sig.empty() && sig[0] == '.') {
    o.receiver = true;
    sig.remove_prefix(1);
  }
  const size_t open = sig.find('(');
  const size_t arrow = sig.rfind("->");
  const size_t close = sig.rfind(')', arrow);
  assert(open != std::string_view::npos && arrow != std::string_view::npos);
  std::string name(sig.substr(0, open));
  std::string_view params = sig.substr(open + 1, close - open - 1);
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= params.size(); ++i) {
    if (i < params.size() && params[i] == '(') ++depth;
    if (i < params.size() && params[i] == ')') --depth;
    if (i == params.size() || (params[i] == ',' && depth == 0)) {
      std::string_view p = params.substr(start, i - start);
      if (p.find_first_not_of(' ') != std::string_view::npos) {
        auto t = ParseTypeName(p);
        assert(t.has_value());
        o.params.push_back(*t);
      }
      start = i + 1;
    }
  }
  auto r = ParseTypeName(sig.substr(arrow + 2));
  assert(r.has_value());
  o.result = *r;
  functions_[name].overloads.push_back(std::move(o));
}

CheckResult Check(const Expr& expr, const CheckEnvironment& env, const std::string& file,
                  const Shapes* shapes) {
  CheckResult result;
  Checker checker(env, file, shapes, result);
  result.type = checker.Visit(expr);
  return result;
}

}  // namespace castellan::dsl
