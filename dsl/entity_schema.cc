#include "dsl/entity_schema.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "dsl/internal/yaml_keys.h"
#include "dsl/name_literals.h"
#include "dsl/parser.h"

namespace castellan::dsl {
namespace {

// Positions and messages for one file's nodes.
class Reporter {
 public:
  Reporter(const std::string& file, Diagnostics& diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  Location Loc(const YAML::Mark& m) const { return {file_, m.line + 1, m.column + 1}; }
  void Error(const YAML::Mark& m, std::string message, const char* code = "schema") {
    diagnostics_.push_back({file_, m.line + 1, m.column + 1, std::move(message), code});
  }
  bool Map(const YAML::Node& node, const std::string& what,
           const std::vector<std::string>& allowed) {
    return internal::CheckMapping(
        node, what, allowed, [&](const YAML::Mark& m, std::string message) { Error(m, message); });
  }
  std::string String(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar()) return node.Scalar();
    Error(node.Mark(), what + " must be a string");
    return "";
  }
  // One of `choices` (the first is what an absent key means).
  size_t Choice(const YAML::Node& node, const std::string& what,
                const std::vector<std::string>& choices) {
    if (!node) return 0;
    const std::string s = node.IsScalar() ? node.Scalar() : "";
    auto it = std::find(choices.begin(), choices.end(), s);
    if (it != choices.end()) return static_cast<size_t>(it - choices.begin());
    std::string list;
    for (size_t i = 0; i < choices.size(); ++i) {
      list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    }
    Error(node.Mark(), what + " must be " + list);
    return 0;
  }

 private:
  const std::string& file_;
  Diagnostics& diagnostics_;
};

bool ValidAttributeType(const Type& t) {
  switch (t.kind()) {
    case Type::Kind::kDyn:
    case Type::Kind::kBool:
    case Type::Kind::kInt:
    case Type::Kind::kUint:
    case Type::Kind::kDouble:
    case Type::Kind::kString:
    case Type::Kind::kBytes:
    case Type::Kind::kTimestamp:
    case Type::Kind::kDuration:
      return true;
    case Type::Kind::kList:
      return ValidAttributeType(t.param(0));
    case Type::Kind::kMap:
      return (t.param(0).is_dyn() || t.param(0).kind() == Type::Kind::kString) &&
             ValidAttributeType(t.param(1));
    default:
      return false;
  }
}

AttributeDecl ReadAttribute(const std::string& name, const YAML::Node& body, AttributeUse use,
                            Reporter& r) {
  AttributeDecl a;
  a.name = name;
  const bool entity = use == AttributeUse::kEntity;
  const std::string what = std::string(entity ? "attribute" : "parameter") + " '" + name + "'";
  if (!body || body.IsNull()) return a;
  if (!(entity ? r.Map(body, what, {"type", "optional", "values", "from", "description"})
               : r.Map(body, what, {"type", "optional", "values", "description"}))) {
    return a;
  }
  if (const YAML::Node type = body["type"]) {
    const std::string text = r.String(type, "'type'");
    std::optional<Type> t = ParseAttributeType(text);
    if (t) {
      a.type = *t;
    } else if (type.IsScalar()) {
      static const std::vector<std::string> kNames = {"string", "int",   "uint",      "double",
                                                      "bool",   "bytes", "timestamp", "duration",
                                                      "list",   "map",   "dyn"};
      r.Error(type.Mark(), "unknown type '" + text + "' for " + what +
                               " (expected string, int, uint, double, bool, bytes, timestamp, "
                               "duration, list, list(T), map, map(string, T) or dyn)" +
                               DidYouMean(text, kNames));
    }
  }
  if (const YAML::Node optional = body["optional"]) {
    if (optional.IsScalar() && (optional.Scalar() == "true" || optional.Scalar() == "false")) {
      a.optional = optional.Scalar() == "true";
    } else {
      r.Error(optional.Mark(), "'optional' must be true or false");
    }
  }
  if (const YAML::Node values = body["values"]) {
    if (!values.IsSequence() || values.size() == 0) {
      r.Error(values.Mark(), "'values' must be a non-empty list of strings");
    } else {
      for (const YAML::Node& v : values) {
        if (!v.IsScalar()) {
          r.Error(v.Mark(), "'values' must contain strings");
        } else if (std::find(a.values.begin(), a.values.end(), v.Scalar()) != a.values.end()) {
          r.Error(v.Mark(), "value '" + v.Scalar() + "' is listed twice", "duplicate");
        } else {
          a.values.push_back(v.Scalar());
        }
      }
    }
    if (a.type.kind() != Type::Kind::kString) {
      r.Error(values.Mark(),
              "'values' needs 'type: string' (" + what + " is " + a.type.ToString() + ")");
    }
  }
  if (entity) {
    static const std::vector<std::string> kFrom = {"store", "request", "both"};
    static const AttributeSource kSources[] = {AttributeSource::kStore, AttributeSource::kRequest,
                                               AttributeSource::kBoth};
    a.from = kSources[r.Choice(body["from"], "'from'", kFrom)];
  }
  if (const YAML::Node d = body["description"]) a.description = r.String(d, "'description'");
  return a;
}

std::vector<AttributeDecl> ReadAttributeMap(const YAML::Node& node, AttributeUse use, Reporter& r) {
  std::vector<AttributeDecl> out;
  if (!node || node.IsNull()) return out;
  const char* noun = use == AttributeUse::kEntity ? "attribute" : "parameter";
  if (!node.IsMap()) {
    r.Error(node.Mark(), std::string("'") +
                             (use == AttributeUse::kEntity ? "attributes" : "params") +
                             "' must map " + noun + " names to their declarations");
    return out;
  }
  std::map<std::string, Location> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.IsScalar() ? it->first.Scalar() : "";
    if (name.empty()) {
      r.Error(it->first.Mark(), std::string("a ") + noun + " needs a name");
      continue;
    }
    const Location at = r.Loc(it->first.Mark());
    auto [first, inserted] = seen.emplace(name, at);
    if (!inserted) {
      r.Error(it->first.Mark(),
              std::string("duplicate ") + noun + " '" + name + "' (first declared at " +
                  first->second.file + ":" + std::to_string(first->second.line) + ")",
              "duplicate");
      continue;
    }
    AttributeDecl a = ReadAttribute(name, it->second, use, r);
    a.location = at;
    out.push_back(std::move(a));
  }
  return out;
}

// ---- Shapes ------------------------------------------------------------------------
FieldShape FieldOf(const AttributeDecl& a) {
  return {a.type, a.optional, a.values};
}

// Every entity has its id and kind, declared or not.
ObjectShape EntityShape(const EntityKindDecl& kind) {
  ObjectShape shape;
  shape.owner = kind.name;
  shape.fields["id"] = {Type::String(), false, {}};
  shape.fields["kind"] = {Type::String(), false, {}};
  for (const auto& a : kind.attributes) shape.fields[a.name] = FieldOf(a);
  return shape;
}

// One field that may be any of several declarations: the type they agree
// on (else dyn), optional if any is, values only if each lists some.
void Merge(FieldShape& into, const FieldShape& other) {
  if (!(into.type == other.type)) into.type = Type::Dyn();
  into.optional = into.optional || other.optional;
  if (into.values.empty() || other.values.empty()) {
    into.values.clear();
  } else {
    for (const auto& v : other.values) {
      if (std::find(into.values.begin(), into.values.end(), v) == into.values.end()) {
        into.values.push_back(v);
      }
    }
  }
}

std::string JoinOr(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  return out;
}

bool Matches(const std::string& pattern, const std::string& action) {
  if (pattern == "*") return true;
  if (pattern.size() > 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0) {
    return action.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  return pattern == action;
}

// The declared actions a rule decides: its `actions` minus its `except`.
std::vector<const ActionDecl*> RuleActions(const PolicySource& s, const RuleDecl& rule) {
  auto any = [](const std::vector<Reference>& refs, const std::string& name) {
    return std::any_of(refs.begin(), refs.end(),
                       [&](const Reference& r) { return Matches(r.name, name); });
  };
  std::vector<const ActionDecl*> out;
  for (const auto& a : s.actions) {
    if (any(rule.actions, a.name) && !any(rule.except, a.name)) out.push_back(&a);
  }
  return out;
}

const EntityKindDecl* FindKind(const PolicySource& s, const std::string& name) {
  for (const auto& k : s.entity_kinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

// `resource` for a rule: the kinds its actions apply to when every one names
// some and each is declared; with an action on any kind, the declared kinds'
// attributes keep their types and anything else is dyn.
std::optional<ObjectShape> ResourceShape(const PolicySource& s,
                                         const std::vector<const ActionDecl*>& actions) {
  if (s.entity_kinds.empty()) return std::nullopt;
  std::vector<std::string> kinds;
  bool every_action_names_kinds = !actions.empty();
  for (const ActionDecl* a : actions) {
    if (a->on.empty()) every_action_names_kinds = false;
    for (const auto& k : a->on) {
      if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
    }
  }
  ObjectShape shape;
  if (!every_action_names_kinds) {
    shape.owner = "any entity kind";
    shape.open = true;
    for (const auto& k : s.entity_kinds) {
      for (auto& [name, field] : EntityShape(k).fields) {
        field.optional = false;  // another kind may always have it
        field.values.clear();
        auto [it, inserted] = shape.fields.emplace(name, field);
        if (!inserted) Merge(it->second, field);
      }
    }
    return shape;
  }
  std::vector<ObjectShape> shapes;
  for (const auto& k : kinds) {
    const EntityKindDecl* decl = FindKind(s, k);
    if (decl == nullptr) return std::nullopt;  // an undeclared kind: dyn
    shapes.push_back(EntityShape(*decl));
  }
  shape.owner = JoinOr(kinds);
  for (const ObjectShape& one : shapes) {
    for (const auto& [name, field] : one.fields) {
      auto [it, inserted] = shape.fields.emplace(name, field);
      if (!inserted) Merge(it->second, field);
    }
  }
  for (auto it = shape.fields.begin(); it != shape.fields.end();) {
    auto lacking = std::find_if(shapes.begin(), shapes.end(), [&](const ObjectShape& one) {
      return one.fields.count(it->first) == 0;
    });
    if (lacking == shapes.end()) {
      ++it;
    } else {
      shape.absent_from[it->first] = lacking->owner;
      it = shape.fields.erase(it);
    }
  }
  return shape;
}

// `params` for a rule: what its actions declare; a parameter that some of
// them do not declare, or declare optional, is optional.
ObjectShape ParamsShape(const std::vector<const ActionDecl*>& actions) {
  ObjectShape shape;
  shape.noun = "parameter";
  std::vector<std::string> names;
  for (const ActionDecl* a : actions) names.push_back(a->name);
  shape.owner = names.empty() || names.size() > 3 ? "the actions of this rule" : JoinOr(names);
  for (const ActionDecl* a : actions) {
    for (const auto& p : a->params) {
      auto [it, inserted] = shape.fields.emplace(p.name, FieldOf(p));
      if (!inserted) Merge(it->second, FieldOf(p));
    }
  }
  for (auto& entry : shape.fields) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const std::string& name = entry.first;
    for (const ActionDecl* a : actions) {
      if (std::none_of(a->params.begin(), a->params.end(),
                       [&](const AttributeDecl& p) { return p.name == name; })) {
        entry.second.optional = true;
      }
    }
  }
  return shape;
}

bool DeclaresParams(const PolicySource& s) {
  return std::any_of(s.actions.begin(), s.actions.end(),
                     [](const ActionDecl& a) { return !a.params.empty(); });
}

}  // namespace

std::optional<Type> ParseAttributeType(std::string_view text) {
  if (text.find("google.") != std::string_view::npos) return std::nullopt;
  std::optional<Type> t = ParseTypeName(text);
  if (!t || !ValidAttributeType(*t)) return std::nullopt;
  return t;
}

std::vector<AttributeDecl> ReadAttributes(const YAML::Node& node, AttributeUse use,
                                          const std::string& file, Diagnostics& diagnostics) {
  Reporter r(file, diagnostics);
  try {
    return ReadAttributeMap(node, use, r);
  } catch (const YAML::Exception& e) {
    r.Error(e.mark, "invalid YAML: " + e.msg, "yaml");
    return {};
  }
}

void ReadEntityKind(const YAML::Node& doc, const std::string& file, Diagnostics& diagnostics,
                    PolicySource& out) {
  Reporter r(file, diagnostics);
  try {
    if (!r.Map(doc, "an EntityKind document",
               {"kind", "name", "source", "scope", "attributes", "description"})) {
      return;
    }
    EntityKindDecl k;
    const YAML::Node name = doc["name"];
    if (!name) {
      r.Error(doc.Mark(), "an EntityKind needs a 'name' (e.g. user, organization, todo)");
    } else {
      k.name = r.String(name, "'name'");
      if (name.IsScalar() && k.name.empty()) r.Error(name.Mark(), "'name' must not be empty");
    }
    k.location = r.Loc(name ? name.Mark() : doc.Mark());
    k.source = r.Choice(doc["source"], "'source'", {"store", "request"}) == 0
                   ? EntitySource::kStore
                   : EntitySource::kRequest;
    k.scope = r.Choice(doc["scope"], "'scope'", {"organization", "none"}) == 0
                  ? ScopeMode::kOrganization
                  : ScopeMode::kNone;
    k.attributes = ReadAttributeMap(doc["attributes"], AttributeUse::kEntity, r);
    if (const YAML::Node d = doc["description"]) k.description = r.String(d, "'description'");
    out.entity_kinds.push_back(std::move(k));
  } catch (const YAML::Exception& e) {
    r.Error(e.mark, "invalid YAML: " + e.msg, "yaml");
  }
}

Shapes RuleShapes(const PolicySource& source, const RuleDecl& rule) {
  Shapes shapes;
  if (const EntityKindDecl* user = FindKind(source, "user")) {
    shapes["principal"] = EntityShape(*user);
  }
  const std::vector<const ActionDecl*> actions = RuleActions(source, rule);
  if (auto resource = ResourceShape(source, actions)) shapes["resource"] = std::move(*resource);
  if (DeclaresParams(source)) shapes["params"] = ParamsShape(actions);
  return shapes;
}

Shapes GroupShapes(const PolicySource& source) {
  Shapes shapes;
  if (const EntityKindDecl* org = FindKind(source, "organization")) {
    shapes["customer"] = EntityShape(*org);
  }
  return shapes;
}

std::optional<Condition> CheckStoredMatch(const std::string& text, const PolicySource& source,
                                          const CheckEnvironment& env, Diagnostics& diagnostics) {
  if (text.empty()) {
    diagnostics.push_back({"", 1, 1, "the match must be an expression", "schema"});
    return std::nullopt;
  }
  ParseResult parsed = ParseExpression(text, "", SourceMap::Contiguous(text));
  diagnostics.insert(diagnostics.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
  if (!parsed.expr) return std::nullopt;
  const Shapes shapes = GroupShapes(source);
  CheckResult checked = Check(*parsed.expr, env, "", shapes.empty() ? nullptr : &shapes);
  diagnostics.insert(diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
  if (!checked.diagnostics.empty()) return std::nullopt;
  if (!checked.type.is_dyn() && checked.type.kind() != Type::Kind::kBool) {
    diagnostics.push_back(
        {"", 1, 1, "the match must be a bool expression, but it is " + checked.type.ToString(),
         "type"});
    return std::nullopt;
  }
  return Condition{std::shared_ptr<const Expr>(std::move(parsed.expr)),
                   std::make_shared<const Resolutions>(std::move(checked.resolutions)), text,
                   Location{"", 1, 1}};
}

void CheckEntitySchema(PolicySource& source, const PolicyEnvironments& env,
                       Diagnostics& diagnostics) {
  std::map<std::string, const Location*> kinds;
  for (const auto& k : source.entity_kinds) {
    if (k.name.empty()) continue;
    auto [it, inserted] = kinds.emplace(k.name, &k.location);
    if (!inserted) {
      diagnostics.push_back({k.location.file, k.location.line, k.location.column,
                             "duplicate entity kind '" + k.name + "' (first declared at " +
                                 it->second->file + ":" + std::to_string(it->second->line) + ")",
                             "duplicate"});
    }
  }
  if (source.entity_kinds.empty() && !DeclaresParams(source)) return;
  auto recheck = [&](std::optional<Condition>& c, const CheckEnvironment& in,
                     const Shapes& shapes) {
    if (!c || !c->expr || shapes.empty()) return;
    CheckResult checked = Check(*c->expr, in, c->location.file, &shapes);
    if (!checked.diagnostics.empty()) {
      diagnostics.insert(diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
      return;
    }
    c->resolutions = std::make_shared<const Resolutions>(std::move(checked.resolutions));
  };
  const Shapes group_shapes = GroupShapes(source);
  for (auto& g : source.groups) recheck(g.match, env.group, group_shapes);
  for (auto& p : source.policies) {
    for (auto& rule : p.rules) {
      const Shapes shapes = RuleShapes(source, rule);
      recheck(rule.when, env.rule, shapes);
      recheck(rule.unless, env.rule, shapes);
    }
  }
}

}  // namespace castellan::dsl
