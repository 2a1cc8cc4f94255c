#include "tests/reference/reference_model.h"

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "engine/catalogue.h"
#include "engine/function_registry.h"
#include "engine/policy_set.h"

namespace castellan::reference {
namespace {

using engine::ErrorKind;
using engine::Value;
using K = Value::Kind;
using Vars = std::map<std::string, Value, std::less<>>;

const Value* Get(const Value& map, std::string_view key) {
  return map.kind() == K::kMap ? map.map_value().FindString(key) : nullptr;
}

std::string Str(const Value& map, std::string_view key) {
  const Value* v = Get(map, key);
  return v && v->kind() == K::kString ? v->string_value() : std::string();
}

bool IsTrue(const Value& map, std::string_view key) {
  const Value* v = Get(map, key);
  return v && v->is_bool() && v->bool_value();
}

std::optional<engine::Timestamp> AsTime(const Value* v) {
  if (!v) return std::nullopt;
  if (v->kind() == K::kTimestamp) return v->timestamp_value();
  if (v->kind() != K::kString) return std::nullopt;
  std::string error;
  return engine::ParseTimestamp(v->string_value(), &error);
}

std::vector<std::string> Strings(const Value* list) {
  std::vector<std::string> out;
  if (!list || list->kind() != K::kList) return out;
  for (const Value& v : list->list_value()) {
    if (v.kind() == K::kString) out.push_back(v.string_value());
  }
  return out;
}

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  for (const auto& x : list) {
    if (x == s) return true;
  }
  return false;
}

Value MakeMap(std::vector<engine::MapValue::Entry> entries) {
  Value error;
  auto map = engine::MapValue::Make(std::move(entries), &error);
  return map ? Value::Map(std::move(map)) : error;
}

// The stored attributes, each replaced by the request's own when it has one.
Value Overlay(const Value& stored, const Value& given) {
  std::vector<engine::MapValue::Entry> entries;
  for (const auto& [k, v] : stored.map_value().entries()) {
    if (!given.map_value().Find(k)) entries.emplace_back(k, v);
  }
  for (const auto& e : given.map_value().entries()) entries.push_back(e);
  return MakeMap(std::move(entries));
}

Value Err(std::string message) {
  return Value::Error(ErrorKind::kInvalidArgument, "reference: " + std::move(message));
}

// Walks dsl::Expr trees; leaf functions come from the registry.
class Evaluator {
 public:
  Evaluator(const dsl::PolicySource& source, const engine::EntityStore& store,
            const engine::FunctionRegistry& functions, const Value& now)
      : source_(source), store_(store), functions_(functions), now_(now) {}

  Value Eval(const dsl::Expr& e, const Vars& vars) const {
    switch (e.kind) {
      case dsl::Expr::Kind::kConstant:
        return ConstantValue(e.constant);
      case dsl::Expr::Kind::kIdent: {
        auto it = vars.find(e.name);
        if (it == vars.end()) return Err("no variable " + e.name);
        return it->second;
      }
      case dsl::Expr::Kind::kSelect: {
        Value operand = Eval(*e.target, vars);
        if (operand.is_error()) return operand;
        if (operand.kind() != K::kMap) return Err("select on a " + std::string(operand.TypeName()));
        const Value* field = operand.map_value().FindString(e.name);
        if (e.test_only) return Value::Bool(field != nullptr);
        return field ? *field : Err("no key " + e.name);
      }
      case dsl::Expr::Kind::kList: {
        engine::ValueList items;
        for (const auto& a : e.args) {
          items.push_back(Eval(*a, vars));
          if (items.back().is_error()) return items.back();
        }
        return Value::List(std::move(items));
      }
      case dsl::Expr::Kind::kMap: {
        std::vector<engine::MapValue::Entry> entries;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          Value k = Eval(*e.args[i], vars);
          if (k.is_error()) return k;
          Value v = Eval(*e.args[i + 1], vars);
          if (v.is_error()) return v;
          entries.emplace_back(std::move(k), std::move(v));
        }
        return MakeMap(std::move(entries));
      }
      case dsl::Expr::Kind::kCall:
        return Call(e, vars);
      case dsl::Expr::Kind::kComprehension:
        return Comprehension(e, vars);
    }
    return Err("unknown expression kind");
  }

  // Membership as group.contains() and customer access see it: errors are "not a member".
  bool InGroup(const std::string& group, const std::string& org_id) const {
    for (const auto& g : source_.groups) {
      if (g.name != group) continue;
      if (g.members) return Contains(*g.members, org_id);
      const Value* org = store_.FindOrganization(org_id);
      if (!org || !g.match) return false;
      Value v = Eval(*g.match->expr, Vars{{"customer", *org}, {"now", now_}});
      return v.is_bool() && v.bool_value();
    }
    return false;
  }

 private:
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

  // CEL's macros: all/exists absorb errors when an element decides, the
  // others fail on the first error; over a map, one-variable forms see keys.
  Value Comprehension(const dsl::Expr& e, const Vars& vars) const {
    Value range = Eval(*e.target, vars);
    if (range.is_error()) return range;
    if (range.kind() != K::kList && range.kind() != K::kMap) {
      return Err("a macro over a " + std::string(range.TypeName()));
    }
    std::vector<std::pair<Value, Value>> elements;  // (index or key, element or value)
    if (range.kind() == K::kList) {
      for (size_t i = 0; i < range.list_value().size(); ++i) {
        elements.emplace_back(Value::Int(static_cast<int64_t>(i)), range.list_value()[i]);
      }
    } else {
      for (const auto& [k, v] : range.map_value().entries()) elements.emplace_back(k, v);
    }
    const bool two = !e.iter_var2.empty();
    Vars inner = vars;
    std::optional<Value> error;
    int64_t count = 0;
    engine::ValueList list;
    std::vector<engine::MapValue::Entry> map;
    for (const auto& [key, elem] : elements) {
      const Value& item = range.kind() == K::kList ? elem : key;
      if (two) {
        inner.insert_or_assign(e.iter_var, key);
        inner.insert_or_assign(e.iter_var2, elem);
      } else {
        inner.insert_or_assign(e.iter_var, item);
      }
      auto predicate = [&]() -> Value {
        Value p = Eval(*e.predicate, inner);
        return p.is_bool() || p.is_error() ? p : Err("a predicate that is no bool");
      };
      switch (e.macro) {
        case dsl::Macro::kAll:
        case dsl::Macro::kExists: {
          const bool decisive = e.macro == dsl::Macro::kExists;
          Value p = predicate();
          if (p.is_bool() && p.bool_value() == decisive) return p;
          if (p.is_error() && !error) error = p;
          break;
        }
        case dsl::Macro::kExistsOne:
        case dsl::Macro::kFilter: {
          Value p = predicate();
          if (p.is_error()) return p;
          count += p.bool_value();
          if (p.bool_value()) list.push_back(item);
          break;
        }
        case dsl::Macro::kMap:
        case dsl::Macro::kTransformList:
        case dsl::Macro::kTransformMap: {
          if (e.predicate) {
            Value p = predicate();
            if (p.is_error()) return p;
            if (!p.bool_value()) break;
          }
          Value t = Eval(*e.transform, inner);
          if (t.is_error()) return t;
          if (e.macro == dsl::Macro::kTransformMap) {
            map.emplace_back(key, std::move(t));
          } else {
            list.push_back(std::move(t));
          }
          break;
        }
      }
    }
    switch (e.macro) {
      case dsl::Macro::kAll:
        return error ? *error : Value::Bool(true);
      case dsl::Macro::kExists:
        return error ? *error : Value::Bool(false);
      case dsl::Macro::kExistsOne:
        return Value::Bool(count == 1);
      case dsl::Macro::kTransformMap:
        return MakeMap(std::move(map));
      default:
        return Value::List(std::move(list));
    }
  }

  Value Call(const dsl::Expr& e, const Vars& vars) const {
    if ((e.name == "_&&_" || e.name == "_||_") && e.args.size() == 2) {
      // Commutative, error-absorbing: the deciding value on either side wins.
      const bool decisive = e.name == "_||_";
      Value a = Eval(*e.args[0], vars);
      if (a.is_bool() && a.bool_value() == decisive) return a;
      Value b = Eval(*e.args[1], vars);
      if (b.is_bool() && b.bool_value() == decisive) return b;
      if (a.is_bool() && b.is_bool()) return Value::Bool(!decisive);
      if (a.is_error()) return a;
      if (b.is_error()) return b;
      return Err(e.name + " on non-bools");
    }
    if (e.name == "_?_:_" && e.args.size() == 3) {
      Value c = Eval(*e.args[0], vars);
      if (c.is_error()) return c;
      if (!c.is_bool()) return Err("?: on a non-bool");
      return Eval(*e.args[c.bool_value() ? 1 : 2], vars);
    }
    // `ns.f(x)` where `ns` is no variable names the function "ns.f".
    std::string name = e.name;
    bool receiver = e.target != nullptr;
    std::vector<std::string> parts;
    if (e.target && dsl::QualifiedName(*e.target, &parts) && !vars.count(parts[0])) {
      std::string qualified;
      for (const auto& p : parts) qualified += p + ".";
      qualified += e.name;
      if (qualified == "group.contains" || functions_.Find(qualified) ||
          functions_.FindContextual(qualified)) {
        name = qualified;
        receiver = false;
      }
    }
    std::vector<Value> args;
    if (receiver) args.push_back(Eval(*e.target, vars));
    if (!args.empty() && args.back().is_error()) return args.back();
    for (const auto& a : e.args) {
      args.push_back(Eval(*a, vars));
      if (args.back().is_error()) return args.back();
    }
    auto strings = [&](size_t n) {
      if (args.size() != n) return false;
      for (const Value& a : args) {
        if (a.kind() != K::kString) return false;
      }
      return true;
    };
    if (!receiver && name == "group.contains") {
      if (!strings(2)) return Err("group.contains(string, string)");
      bool declared = false;
      for (const auto& g : source_.groups) declared = declared || g.name == args[0].string_value();
      if (!declared) return Err("no group " + args[0].string_value());
      return Value::Bool(InGroup(args[0].string_value(), args[1].string_value()));
    }
    if (!receiver && (name == "org" || name == "user")) {
      if (!strings(1)) return Err(name + "(string)");
      const Value* found = name == "org" ? store_.FindOrganization(args[0].string_value())
                                         : store_.FindUser(args[0].string_value());
      return found ? *found : Err("unknown " + name);
    }
    if (!receiver && name == "lookup") {
      if (!strings(2)) return Err("lookup(string, string)");
      const std::string &kind = args[0].string_value(), &id = args[1].string_value();
      const Value* found = kind == "organization" ? store_.FindOrganization(id)
                           : kind == "user"       ? store_.FindUser(id)
                                                  : store_.FindResource(kind, id);
      return found ? *found : Err("unknown " + kind);
    }
    if (const auto* contextual = functions_.FindContextual(name)) {
      return (*contextual)(args, engine::MapActivation());
    }
    const engine::FunctionImpl* impl = functions_.Find(name);
    if (!impl) return Err("no function " + name);
    return (*impl)(args);
  }

  const dsl::PolicySource& source_;
  const engine::EntityStore& store_;
  const engine::FunctionRegistry& functions_;
  const Value& now_;
};

bool MatchesPattern(const std::string& pattern, const std::string& action) {
  if (pattern == "*") return true;
  if (pattern.size() > 2 && pattern.ends_with(".*")) {
    return action.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return pattern == action;
}

void FlattenAnd(const dsl::Expr& e, std::vector<const dsl::Expr*>& out) {
  if (e.kind == dsl::Expr::Kind::kCall && e.name == "_&&_" && !e.target && e.args.size() == 2) {
    FlattenAnd(*e.args[0], out);
    FlattenAnd(*e.args[1], out);
  } else {
    out.push_back(&e);
  }
}

struct Binding {
  const dsl::RoleDecl* role;
  const Value* access;
  std::set<std::string> permissions;
};

class Decider {
 public:
  Decider(const dsl::PolicySource& source, const engine::EntityStore& store,
          const engine::DecisionRequest& request)
      : src_(source), store_(store), req_(request) {
    // role.* and permission.* as the engine implements them, over these declarations.
    set_ = engine::PolicySet::Compile(source).set;
    functions_ = engine::Catalogue::Default().Registry(set_.get());
  }

  std::vector<RefActionDecision> Run() {
    ReadRequest();
    if (errors_.empty()) ReadRoles();
    if (errors_.empty()) ComputeScope();
    std::vector<std::string> names = req_.actions;
    if (names.empty()) {
      for (const auto& a : src_.actions) names.push_back(a.name);
    }
    std::vector<RefActionDecision> out;
    for (const auto& name : names) {
      RefActionDecision d;
      d.action = name;
      if (!errors_.empty()) {
        d.reasons = errors_;
      } else {
        DecideAction(name, d);
      }
      out.push_back(std::move(d));
    }
    return out;
  }

 private:
  void Error(const char* code) { errors_.push_back(RefReason{code, "", "", "", "", ""}); }
  int refusals_ = 0;

  // Stored attributes under the request's (docs/decisions.md, "Trust
  // boundary", without EntityKinds): each request attribute that differs
  // from a stored one is a refusal, and for a principal (`may_add` false) so
  // is one the store lacks. False when the store does not know the entity.
  bool Resolve(const Value& given, const Value* stored, bool may_add, Value* out) {
    if (!stored) return false;
    for (const auto& [k, v] : given.map_value().entries()) {
      const std::string name = k.kind() == K::kString ? k.string_value() : "";
      if (name == "id" || name == "kind" || name == "type" || name == "new") continue;
      const Value* kept = Get(*stored, name);
      if (kept ? !engine::Equal(*kept, v) : !may_add) ++refusals_;
    }
    if (refusals_ == 0) *out = Overlay(*stored, given);
    return true;
  }

  void ReadRequest() {
    ReadEntitiesAndContext();
    // A refused request denies every action with invalid_request, after the other problems.
    for (int i = 0; i < refusals_; ++i) Error("invalid_request");
  }

  void ReadEntitiesAndContext() {
    const Value& p = req_.principal;
    if (p.kind() != K::kMap || Str(p, "id").empty()) {
      Error("unknown_principal");
    } else if (!Resolve(p, store_.FindUser(Str(p, "id")), /*may_add=*/false, &principal_)) {
      Error("unknown_principal");
    }
    const Value& r = req_.resource;
    if (r.kind() != K::kMap) {
      Error("invalid_request");
    } else if (const Value* proposed = Get(r, "new"); proposed && !proposed->is_bool()) {
      ++refusals_;
    } else if (IsTrue(r, "new")) {
      resource_ = r;  // proposed: taken as given
    } else if (const std::string id = Str(r, "id"), kind = Str(r, "kind"); id.empty()) {
      Error("invalid_request");  // neither stored nor proposed
    } else {
      const Value* stored = kind == "organization" ? store_.FindOrganization(id)
                            : kind == "user"       ? store_.FindUser(id)
                                                   : store_.FindResource(kind, id);
      if (!Resolve(r, stored, /*may_add=*/true, &resource_)) {
        Error("unknown_resource");
      } else if (kind == "organization" && resource_.kind() == K::kMap && !Get(resource_, "org")) {
        resource_ = Overlay(resource_, MakeMap({{Value::String("org"), Value::String(id)}}));
      }
    }
    const Value& c = req_.context;
    if (c.kind() != K::kMap && c.kind() != K::kNull) Error("invalid_request");
    if (const Value* now = Get(c, "now")) {
      if (auto t = AsTime(now)) {
        now_ = Value::Time(*t);
      } else {
        Error("invalid_request");
      }
    } else {
      now_ = Value::Time(engine::FromSystemClock(std::chrono::system_clock::now()));
    }
  }

  const dsl::RoleDecl* FindRole(const std::string& name) const {
    for (const auto& r : src_.roles) {
      if (r.name == name) return &r;
    }
    return nullptr;
  }
  const dsl::PermissionDecl* FindPermission(const std::string& name) const {
    for (const auto& p : src_.permissions) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }

  void ReadRoles() {
    const Value* roles = Get(principal_, "roles");
    if (!roles) return;
    if (roles->kind() != K::kList) {
      Error("invalid_request");
      return;
    }
    for (const Value& entry : roles->list_value()) {
      const Value* name = entry.kind() == K::kString ? &entry : Get(entry, "role");
      if (!name || name->kind() != K::kString) {
        Error("invalid_request");
        continue;
      }
      const dsl::RoleDecl* role = FindRole(name->string_value());
      if (!role) {
        Error("unknown_role");
        continue;
      }
      Binding b{role, Get(principal_, "customer_access"), {}};
      if (const Value* access = Get(entry, "access")) b.access = access;
      const Value* chosen = Get(entry, "permissions");
      if (!chosen) chosen = Get(principal_, "permissions");
      std::set<std::string> candidates;
      if (chosen) {
        // A customised set: what it names, within grants + customisable.
        for (const auto& n : Strings(chosen)) {
          bool allowed = false;
          for (const auto& g : role->grants) allowed = allowed || g.name == n;
          for (const auto& g : role->customisable) allowed = allowed || g.name == n;
          if (allowed) candidates.insert(n);
        }
      } else {
        for (const auto& g : role->grants) candidates.insert(g.name);
      }
      for (const auto& n : candidates) {
        const dsl::PermissionDecl* decl = FindPermission(n);
        if (decl && (decl->levels.empty() || Contains(decl->levels, role->level))) {
          b.permissions.insert(n);
        }
      }
      bindings_.push_back(std::move(b));
    }
  }

  bool CustomerOfPartner() const {
    if (!resource_org_entity_ || principal_org_.empty()) return false;
    std::string partner = principal_org_;
    if (const Value* own = store_.FindOrganization(principal_org_)) {
      if (std::string parent = Str(*own, "parent"); !parent.empty()) partner = parent;
    }
    return Str(*resource_org_entity_, "parent") == partner;
  }

  bool AccessCovers(const Value& access, const Evaluator& eval) const {
    if (IsTrue(access, "all")) return true;
    if (Contains(Strings(Get(access, "customers")), resource_org_)) return true;
    for (const auto& g : Strings(Get(access, "groups"))) {
      if (eval.InGroup(g, resource_org_)) return true;
    }
    if (IsTrue(access, "auto_assign_new_companies")) {
      auto assigned = AsTime(Get(access, "assigned_at"));
      auto added = AsTime(Get(*resource_org_entity_, "added_at"));
      if (assigned && added && *added > *assigned) return true;
    }
    return false;
  }

  bool Covers(const Binding& b, const Evaluator& eval) const {
    for (const auto& term : b.role->scope) {
      if (term == "any") return true;
      if (term == "own" && !principal_org_.empty() && principal_org_ == resource_org_) return true;
      if (term == "customers" && CustomerOfPartner()) return true;
      if (term == "assigned_customers" && CustomerOfPartner() && b.access &&
          AccessCovers(*b.access, eval)) {
        return true;
      }
    }
    return false;
  }

  void ComputeScope() {
    principal_org_ = Str(principal_, "org");
    resource_org_ = Str(resource_, "org");
    if (resource_org_.empty()) return;  // nothing is in scope of no organization
    resource_org_entity_ = store_.FindOrganization(resource_org_);
    Evaluator eval(src_, store_, functions_, now_);
    for (const Binding& b : bindings_) {
      if (!Covers(b, eval)) continue;
      in_scope_ = true;
      held_.insert(b.permissions.begin(), b.permissions.end());
    }
    if (!principal_org_.empty() && principal_org_ == resource_org_) in_scope_ = true;
    std::vector<std::string> enabled;
    if (const Value* org = store_.FindOrganization(principal_org_)) {
      enabled = Strings(Get(*org, "enabled_permissions"));
    }
    for (const auto& p : src_.permissions) {
      if (p.company_level && !Contains(enabled, p.name)) held_.erase(p.name);
    }
  }

  enum class Outcome { kHolds, kDoesNotHold, kError };

  Outcome Applies(const dsl::RuleDecl& rule, const Evaluator& eval, const Vars& vars,
                  std::string* condition) const {
    if (rule.when) {
      Value v = eval.Eval(*rule.when->expr, vars);
      *condition = rule.when->text;
      if (!v.is_bool()) return Outcome::kError;
      if (!v.bool_value()) {
        // Name the first operand of `a && b && ...` that is false.
        std::vector<const dsl::Expr*> conjuncts;
        FlattenAnd(*rule.when->expr, conjuncts);
        for (size_t i = 0; conjuncts.size() > 1 && i < conjuncts.size(); ++i) {
          Value c = eval.Eval(*conjuncts[i], vars);
          if (c.is_bool() && !c.bool_value()) {
            *condition = conjuncts[i]->source_text;
            break;
          }
        }
        return Outcome::kDoesNotHold;
      }
    }
    if (rule.unless) {
      Value v = eval.Eval(*rule.unless->expr, vars);
      *condition = rule.unless->text;
      if (!v.is_bool()) return Outcome::kError;
      if (v.bool_value()) {
        *condition = "!(" + rule.unless->text + ")";
        return Outcome::kDoesNotHold;
      }
    }
    return Outcome::kHolds;
  }

  void DecideAction(const std::string& name, RefActionDecision& d) {
    const dsl::ActionDecl* action = nullptr;
    for (const auto& a : src_.actions) {
      if (a.name == name) action = &a;
    }
    auto reason = [&](std::string code) {
      d.reasons.push_back(RefReason{std::move(code), "", "", "", "", ""});
      return &d.reasons.back();
    };
    if (!action) {
      reason("unknown_action");
      return;
    }
    if (!action->on.empty() && !Contains(action->on, Str(resource_, "kind"))) {
      reason("wrong_resource_kind");
      return;
    }
    if (!in_scope_) {
      reason("out_of_scope")->organization = resource_org_;
    } else {
      // The requires closure, breadth first: what pulled a permission in is
      // the nearest action or permission that requires it.
      std::set<std::string> seen;
      std::deque<std::pair<std::string, std::string>> queue;
      for (const auto& r : action->requires_) queue.emplace_back(r.name, action->name);
      while (!queue.empty()) {
        auto [perm, by] = queue.front();
        queue.pop_front();
        if (!seen.insert(perm).second) continue;
        if (!held_.count(perm)) {
          RefReason* r = reason("missing_permission");
          r->permission = perm;
          r->required_by = by;
        }
        for (const auto& dep : FindPermission(perm)->requires_) queue.emplace_back(dep.name, perm);
      }
    }
    if (action->step_up && !IsTrue(req_.context, "otp_fresh")) reason("step_up_required");

    engine::ValueList held_names;
    for (const auto& p : src_.permissions) {
      if (held_.count(p.name)) held_names.push_back(Value::String(p.name));
    }
    const Vars vars{{"principal", principal_},
                    {"resource", resource_},
                    {"context", req_.context.kind() == K::kNull ? MakeMap({}) : req_.context},
                    {"params", req_.params.kind() == K::kNull ? MakeMap({}) : req_.params},
                    {"action", Value::String(name)},
                    {"now", now_},
                    {"permissions", Value::List(std::move(held_names))}};
    Evaluator eval(src_, store_, functions_, now_);
    std::vector<std::pair<const dsl::PolicyDecl*, const dsl::RuleDecl*>> deny, allow;
    for (const auto& policy : src_.policies) {
      for (const auto& rule : policy.rules) {
        bool named = false;
        for (const auto& a : rule.actions) named = named || MatchesPattern(a.name, name);
        if (named) (rule.effect == dsl::Effect::kDeny ? deny : allow).emplace_back(&policy, &rule);
      }
    }
    for (const auto& [policy, rule] : deny) {
      std::string condition;
      Outcome o = Applies(*rule, eval, vars, &condition);
      if (o == Outcome::kDoesNotHold) continue;
      const std::string id = policy->name + "/" + rule->name;
      if (d.rule.empty()) d.rule = id;
      RefReason* r = reason(o == Outcome::kError   ? "evaluation_error"
                            : rule->reason.empty() ? "denied_by_rule"
                                                   : rule->reason);
      r->rule = id;
      if (o == Outcome::kError) r->condition = condition;
    }
    if (!d.reasons.empty()) return;
    for (const auto& [policy, rule] : allow) {
      std::string condition;
      Outcome o = Applies(*rule, eval, vars, &condition);
      const std::string id = policy->name + "/" + rule->name;
      if (o == Outcome::kHolds) {
        d.allowed = true;
        d.rule = id;
        d.reasons.clear();
        return;
      }
      RefReason* r = reason(o == Outcome::kError ? "evaluation_error" : "condition_false");
      r->rule = id;
      r->condition = condition;
    }
    if (allow.empty()) reason("no_rule_matched");
  }

  const dsl::PolicySource& src_;
  const engine::EntityStore& store_;
  const engine::DecisionRequest& req_;
  std::shared_ptr<const engine::PolicySet> set_;
  engine::FunctionRegistry functions_;
  std::vector<RefReason> errors_;
  Value principal_, resource_, now_;
  std::vector<Binding> bindings_;
  std::string principal_org_, resource_org_;
  const Value* resource_org_entity_ = nullptr;
  std::set<std::string> held_;
  bool in_scope_ = false;
};

}  // namespace

std::vector<RefActionDecision> ReferenceDecide(const dsl::PolicySource& source,
                                               const engine::EntityStore& entities,
                                               const engine::DecisionRequest& request) {
  return Decider(source, entities, request).Run();
}

std::vector<RefActionDecision> Reduce(const engine::Decision& decision) {
  auto rule_id = [](const engine::CompiledRule* r) {
    return r ? r->policy + "/" + r->decl->name : std::string();
  };
  std::vector<RefActionDecision> out;
  for (const auto& a : decision.results) {
    RefActionDecision d{a.action, a.allowed, rule_id(a.rule), {}};
    for (const auto& r : a.reasons) {
      d.reasons.push_back(RefReason{std::string(r.Code()), r.permission, r.required_by,
                                    r.organization, r.condition, rule_id(r.rule)});
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::string ToString(const std::vector<RefActionDecision>& decisions) {
  std::string out;
  for (const auto& d : decisions) {
    out += "  " + d.action + ": " + (d.allowed ? "allow" : "deny");
    if (!d.rule.empty()) out += " by " + d.rule;
    out += " [";
    for (size_t i = 0; i < d.reasons.size(); ++i) {
      const RefReason& r = d.reasons[i];
      out += (i ? ", " : "") + r.code;
      std::string detail;
      auto add = [&](const char* key, const std::string& v) {
        if (!v.empty()) detail += std::string(detail.empty() ? "" : " ") + key + "=" + v;
      };
      add("permission", r.permission);
      add("by", r.required_by);
      add("org", r.organization);
      add("rule", r.rule);
      add("condition", r.condition);
      if (!detail.empty()) out += "(" + detail + ")";
    }
    out += "]\n";
  }
  return out;
}

}  // namespace castellan::reference
