// The one file that calls yaml-cpp: YAML text to PolicySource, with every
// problem reported as a positioned Diagnostic (yaml-cpp's exceptions are
// caught here and never leave).
#include "dsl/policy_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "dsl/definitions.h"
#include "dsl/entity_schema.h"
#include "dsl/internal/yaml_keys.h"
#include "dsl/name_literals.h"
#include "dsl/parser.h"
#include "dsl/yaml_documents.h"

namespace castellan::dsl {
namespace {

namespace fs = std::filesystem;

// ---- Positions ------------------------------------------------------------------
class FileText {
 public:
  explicit FileText(const std::string& text) : text_(text) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }
  size_t Offset(int line0, int column0) const {
    if (line0 < 0 || static_cast<size_t>(line0) >= line_starts_.size()) return text_.size();
    return std::min(text_.size(), line_starts_[line0] + static_cast<size_t>(std::max(0, column0)));
  }
  SourcePosition PositionOf(size_t offset) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based
    return {static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1] + 1)};
  }
  const std::string& text() const { return text_; }

 private:
  const std::string& text_;
  std::vector<size_t> line_starts_;
};

bool Skippable(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '\\' ||
         c == '|' || c == '>' || c == '-' || c == '+';
}

// Maps each byte of a scalar's value back to the file. The value may differ
// from the raw text (quotes, escapes, block indentation, folded lines), so
// value bytes are aligned greedily with the text that follows the node's mark.
SourceMap AlignScalar(const FileText& file, const YAML::Mark& mark, const std::string& value) {
  std::vector<SourcePosition> positions;
  positions.reserve(value.size() + 1);
  const std::string& text = file.text();
  size_t pos = file.Offset(mark.line, mark.column);
  for (char c : value) {
    size_t probe = pos;
    while (probe < text.size() && text[probe] != c && Skippable(text[probe])) ++probe;
    if (probe < text.size() && text[probe] == c) {
      pos = probe;
    }
    positions.push_back(file.PositionOf(std::min(pos, text.size())));
    if (pos < text.size()) ++pos;
  }
  positions.push_back(file.PositionOf(std::min(pos, text.size())));
  return SourceMap(std::move(positions));
}

// ---- Reading documents ----------------------------------------------------------
const char kKinds[] =
    "Permissions, Role, Roles, CustomRoles, CustomerGroup, Policy, Definitions or EntityKind";

// The keys a role takes besides kind and name: those of a Role document, and
// of each entry of a Roles document.
const std::vector<std::string> kRoleKeys = {"level", "rank",     "grants", "customisable",
                                            "scope", "inherits", "tags",   "description"};

std::vector<std::string> Keys(std::vector<std::string> first,
                              const std::vector<std::string>& more) {
  first.insert(first.end(), more.begin(), more.end());
  return first;
}

class DocumentReader {
 public:
  DocumentReader(const PolicyFile& file, const PolicyEnvironments& env, Definitions& definitions,
                 Diagnostics& diagnostics, PolicySource& out)
      : file_(file),
        env_(env),
        lines_(file.text),
        definitions_(definitions),
        diagnostics_(diagnostics),
        out_(out) {}

  // First pass: parses the file and reads its Definitions documents, which
  // every expression of any file may use.
  void ReadDefinitions() {
    try {
      documents_ = LoadAllDocuments(file_.text);
    } catch (const YAML::Exception& e) {
      Error(e.mark, "invalid YAML: " + e.msg, "yaml");
      return;
    }
    for (const YAML::Node& doc : documents_) {
      if (doc.IsMap() && doc["kind"] && doc["kind"].IsScalar() &&
          doc["kind"].Scalar() == "Definitions") {
        ReadDefinitionsDocument(doc);
      }
    }
  }

  // Second pass, after Definitions::Resolve(): every other document.
  void Read() {
    for (const YAML::Node& doc : documents_) {
      if (!doc.IsDefined() || doc.IsNull()) continue;
      ReadDocument(doc);
    }
  }

 private:
  Location Loc(const YAML::Mark& m) const { return {file_.path, m.line + 1, m.column + 1}; }

  void Error(const YAML::Mark& m, std::string message, const char* code = "schema") {
    diagnostics_.push_back({file_.path, m.line + 1, m.column + 1, std::move(message), code});
  }
  void Report(const Location& at, std::string message) {
    diagnostics_.push_back({at.file, at.line, at.column, std::move(message), "schema"});
  }

  // Checks that `node` is a map whose keys are all in `allowed`; reports
  // unknown and repeated keys.
  bool CheckMap(const YAML::Node& node, const std::string& what,
                const std::vector<std::string>& allowed) {
    return internal::CheckMapping(
        node, what, allowed, [&](const YAML::Mark& m, std::string message) { Error(m, message); });
  }

  std::optional<std::string> String(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar()) {
      Error(node.Mark(), what + " must be a string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::string RequiredName(const YAML::Node& doc, const std::string& kind) {
    const YAML::Node name = doc["name"];
    if (!name) {
      Error(doc.Mark(), kind + " needs a 'name'");
      return "";
    }
    auto s = String(name, "'name'");
    if (s && s->empty()) Error(name.Mark(), "'name' must not be empty");
    return s.value_or("");
  }

  bool Bool(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      if (s == "true") return true;
      if (s == "false") return false;
    }
    Error(node.Mark(), what + " must be true or false");
    return false;
  }

  std::vector<Reference> Names(const YAML::Node& node, const std::string& what) {
    std::vector<Reference> out;
    if (!node || node.IsNull()) return out;
    if (!node.IsSequence()) {
      Error(node.Mark(), what + " must be a list of names");
      return out;
    }
    for (const YAML::Node& item : node) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        Error(item.Mark(), what + " must contain names (strings)");
        continue;
      }
      out.push_back({item.Scalar(), Loc(item.Mark())});
    }
    return out;
  }

  std::vector<std::string> Tags(const YAML::Node& node) {
    std::vector<std::string> out;
    for (const auto& t : Names(node, "'tags'")) out.push_back(t.name);
    return out;
  }

  // `scope: organization | none` of an action.
  std::optional<ScopeMode> ScopeModeOf(const YAML::Node& node) {
    const std::string s = node.IsScalar() ? node.Scalar() : "";
    if (s == "organization") return ScopeMode::kOrganization;
    if (s == "none") return ScopeMode::kNone;
    Error(node.Mark(), "'scope' must be organization or none");
    return std::nullopt;
  }

  std::optional<Condition> Expression(const YAML::Node& node, const std::string& what,
                                      const CheckEnvironment& env) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      Error(node.Mark(), what + " must be an expression (a string)");
      return std::nullopt;
    }
    const std::string& text = node.Scalar();
    SourceMap map = AlignScalar(lines_, node.Mark(), text);
    ParseResult parsed = ParseExpression(text, file_.path, map);
    diagnostics_.insert(diagnostics_.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    if (!parsed.expr) return std::nullopt;
    Definitions::Checked expanded = definitions_.Check(*parsed.expr, env, file_.path);
    CheckResult& checked = expanded.result;
    diagnostics_.insert(diagnostics_.end(), checked.diagnostics.begin(), checked.diagnostics.end());
    if (!checked.diagnostics.empty()) return std::nullopt;
    if (!checked.type.is_dyn() && checked.type.kind() != Type::Kind::kBool) {
      Error(node.Mark(), what + " must be a bool expression, but it is " + checked.type.ToString(),
            "type");
      return std::nullopt;
    }
    return Condition{std::shared_ptr<const Expr>(std::move(expanded.expr)),
                     std::make_shared<const Resolutions>(std::move(checked.resolutions)), text,
                     Loc(node.Mark())};
  }

  void ReadDocument(const YAML::Node& doc) {
    if (!doc.IsMap()) {
      Error(doc.Mark(), "a policy document must be a mapping with a 'kind'");
      return;
    }
    const YAML::Node kind_node = doc["kind"];
    if (!kind_node) {
      Error(doc.Mark(), std::string("document has no 'kind' (expected ") + kKinds + ")");
      return;
    }
    const std::string kind = kind_node.IsScalar() ? kind_node.Scalar() : "";
    if (kind == "Permissions") {
      ReadPermissions(doc);
    } else if (kind == "Role") {
      ReadRole(doc);
    } else if (kind == "Roles") {
      ReadRoles(doc);
    } else if (kind == "CustomRoles") {
      ReadCustomRoles(doc);
    } else if (kind == "CustomerGroup") {
      ReadGroup(doc);
    } else if (kind == "Policy") {
      ReadPolicy(doc);
    } else if (kind == "Definitions") {
      // read by ReadDefinitions()
    } else if (kind == "EntityKind") {
      ReadEntityKind(doc, file_.path, diagnostics_, out_);
    } else {
      Error(kind_node.Mark(), "unknown kind '" + kind + "' (expected " + kKinds + ")");
    }
  }

  PositionedText Positioned(const YAML::Node& node) const {
    return {node.Scalar(), AlignScalar(lines_, node.Mark(), node.Scalar())};
  }

  void ReadDefinitionsDocument(const YAML::Node& doc) {
    if (!CheckMap(doc, "a Definitions document", {"kind", "description", "constants", "functions"}))
      return;
    if (const YAML::Node constants = doc["constants"]) {
      if (!constants.IsMap()) {
        Error(constants.Mark(), "'constants' must map names to expressions or lists of strings");
      } else {
        for (auto it = constants.begin(); it != constants.end(); ++it) {
          const std::string name = it->first.Scalar();
          const YAML::Node value = it->second;
          if (value.IsSequence()) {
            std::vector<std::pair<std::string, SourcePosition>> items;
            for (const YAML::Node& item : value) {
              if (!item.IsScalar()) {
                Error(item.Mark(), "the list of constant '" + name + "' must hold strings");
                continue;
              }
              items.push_back({item.Scalar(), {item.Mark().line + 1, item.Mark().column + 1}});
            }
            definitions_.AddStringList(name, Loc(it->first.Mark()), items);
          } else if (value.IsScalar() && !value.Scalar().empty()) {
            definitions_.AddConstant(name, Loc(it->first.Mark()), Positioned(value), diagnostics_);
          } else {
            Error(value.Mark(),
                  "constant '" + name + "' must be an expression (a string) or a list of strings");
          }
        }
      }
    }
    if (const YAML::Node functions = doc["functions"]) {
      if (!functions.IsMap()) {
        Error(functions.Mark(), "'functions' must map name(parameters) to expressions");
        return;
      }
      for (auto it = functions.begin(); it != functions.end(); ++it) {
        if (!it->first.IsScalar() || !it->second.IsScalar() || it->second.Scalar().empty()) {
          Error(it->second.Mark(), "a function is written name(parameter, ...): expression");
          continue;
        }
        definitions_.AddFunction(Positioned(it->first), Loc(it->first.Mark()),
                                 Positioned(it->second), diagnostics_);
      }
    }
  }

  void ReadPermissions(const YAML::Node& doc) {
    if (!CheckMap(doc, "a Permissions document", {"kind", "permissions", "actions"})) return;
    if (const YAML::Node perms = doc["permissions"]) {
      if (!perms.IsMap()) {
        Error(perms.Mark(), "'permissions' must map permission names to their settings");
      } else {
        for (auto it = perms.begin(); it != perms.end(); ++it) {
          PermissionDecl p;
          p.name = it->first.Scalar();
          p.location = Loc(it->first.Mark());
          const YAML::Node body = it->second;
          if (body && !body.IsNull()) {
            if (!CheckMap(body, "permission '" + p.name + "'",
                          {"requires", "company_level", "levels", "tags", "description"})) {
              continue;
            }
            p.requires_ = Names(body["requires"], "'requires'");
            if (body["company_level"])
              p.company_level = Bool(body["company_level"], "'company_level'");
            for (const auto& l : Names(body["levels"], "'levels'")) p.levels.push_back(l.name);
            p.tags = Tags(body["tags"]);
            if (body["description"])
              p.description = String(body["description"], "'description'").value_or("");
          }
          out_.permissions.push_back(std::move(p));
        }
      }
    }
    if (const YAML::Node actions = doc["actions"]) {
      if (!actions.IsMap()) {
        Error(actions.Mark(), "'actions' must map action names to their settings");
        return;
      }
      for (auto it = actions.begin(); it != actions.end(); ++it) {
        ActionDecl a;
        a.name = it->first.Scalar();
        a.location = Loc(it->first.Mark());
        const YAML::Node body = it->second;
        if (body && !body.IsNull()) {
          if (!CheckMap(body, "action '" + a.name + "'",
                        {"requires", "requires_any", "step_up", "on", "scope", "params",
                         "description"})) {
            continue;
          }
          for (const auto& kind : Names(body["on"], "'on'")) a.on.push_back(kind.name);
          a.requires_ = Names(body["requires"], "'requires'");
          a.requires_any = Names(body["requires_any"], "'requires_any'");
          if (body["scope"]) a.scope = ScopeModeOf(body["scope"]);
          if (body["step_up"]) a.step_up = Bool(body["step_up"], "'step_up'");
          a.params =
              ReadAttributes(body["params"], AttributeUse::kParameter, file_.path, diagnostics_);
          if (body["description"])
            a.description = String(body["description"], "'description'").value_or("");
        }
        out_.actions.push_back(std::move(a));
      }
    }
  }

  void ReadRole(const YAML::Node& doc) {
    if (!CheckMap(doc, "a Role document", Keys({"kind", "name"}, kRoleKeys))) return;
    RoleDecl r;
    r.name = RequiredName(doc, "a Role");
    r.location = Loc(doc["name"] ? doc["name"].Mark() : doc.Mark());
    if (!doc["level"]) Error(doc.Mark(), "a Role needs a 'level' (e.g. partner or company)");
    ReadRoleKeys(doc, r);
    out_.roles.push_back(std::move(r));
  }

  // `kind: Roles`: many roles in one map, name to the keys of a Role. The
  // document's `level` and `scope` are every entry's defaults; an entry's own
  // key wins. Each role is located at its name in the map.
  void ReadRoles(const YAML::Node& doc) {
    if (!CheckMap(doc, "a Roles document", {"kind", "level", "scope", "roles"})) return;
    RoleDecl defaults;
    ReadRoleKeys(doc, defaults);
    const YAML::Node roles = doc["roles"];
    if (!roles || !roles.IsMap()) {
      Error(roles ? roles.Mark() : doc.Mark(),
            "a Roles document needs 'roles': a map of role names to their settings");
      return;
    }
    for (auto it = roles.begin(); it != roles.end(); ++it) {
      RoleDecl r = defaults;
      r.name = String(it->first, "a role's name").value_or("");
      if (it->first.IsScalar() && r.name.empty())
        Error(it->first.Mark(), "a role's name must not be empty");
      r.location = Loc(it->first.Mark());
      const YAML::Node body = it->second;
      const bool has_body = body && !body.IsNull();
      if (has_body && !CheckMap(body, "role '" + r.name + "'", kRoleKeys)) continue;
      if (!doc["level"] && !(has_body && body["level"])) {
        Error(it->first.Mark(), "role '" + r.name +
                                    "' needs a 'level' (e.g. partner or company), its own or "
                                    "the Roles document's");
      }
      if (has_body) ReadRoleKeys(body, r);
      out_.roles.push_back(std::move(r));
    }
  }

  // Reads into `r` the role keys (kRoleKeys) that `node` has; a key it lacks
  // leaves `r`'s value, the default, as it is.
  void ReadRoleKeys(const YAML::Node& node, RoleDecl& r) {
    if (const YAML::Node level = node["level"]) r.level = String(level, "'level'").value_or("");
    if (const YAML::Node rank = node["rank"]) {
      try {
        r.rank = rank.as<int64_t>();
      } catch (const YAML::Exception&) {
        Error(rank.Mark(), "'rank' must be an integer");
      }
    }
    if (node["grants"]) r.grants = Names(node["grants"], "'grants'");
    if (node["customisable"]) r.customisable = Names(node["customisable"], "'customisable'");
    if (node["inherits"]) r.inherits = Names(node["inherits"], "'inherits'");
    if (node["tags"]) r.tags = Tags(node["tags"]);
    if (const YAML::Node scope = node["scope"]) r.scope = ScopeTerms(scope);
    if (node["description"])
      r.description = String(node["description"], "'description'").value_or("");
  }

  // A role's `scope`: organization terms.
  std::vector<std::string> ScopeTerms(const YAML::Node& scope) {
    std::vector<std::string> out;
    for (const auto& term : Names(scope, "'scope'")) {
      static const std::set<std::string> kTerms = {"own", "assigned_customers", "customers", "any"};
      if (!kTerms.count(term.name)) {
        Report(term.location, "unknown scope term '" + term.name +
                                  "' (expected own, assigned_customers, customers or any)");
      }
      out.push_back(term.name);
    }
    return out;
  }

  // `kind: CustomRoles`: the scope and permission ceiling of the custom roles
  // tenants store for one level.
  void ReadCustomRoles(const YAML::Node& doc) {
    if (!CheckMap(doc, "a CustomRoles document",
                  {"kind", "level", "scope", "permissions", "description"})) {
      return;
    }
    CustomRolesDecl c;
    c.location = Loc(doc["level"] ? doc["level"].Mark() : doc.Mark());
    if (const YAML::Node level = doc["level"]) {
      c.level = String(level, "'level'").value_or("");
      if (level.IsScalar() && c.level.empty()) Error(level.Mark(), "'level' must not be empty");
    } else {
      Error(doc.Mark(), "a CustomRoles document needs a 'level' (e.g. partner or company)");
    }
    if (const YAML::Node scope = doc["scope"]) c.scope = ScopeTerms(scope);
    if (const YAML::Node permissions = doc["permissions"]) {
      c.permissions = Names(permissions, "'permissions'");
    } else {
      Error(doc.Mark(),
            "a CustomRoles document needs 'permissions': the most a custom role may hold");
    }
    if (doc["description"])
      c.description = String(doc["description"], "'description'").value_or("");
    out_.custom_roles.push_back(std::move(c));
  }

  void ReadGroup(const YAML::Node& doc) {
    if (!CheckMap(doc, "a CustomerGroup document",
                  {"kind", "name", "members", "match", "owner", "description"})) {
      return;
    }
    CustomerGroupDecl g;
    g.name = RequiredName(doc, "a CustomerGroup");
    g.location = Loc(doc["name"] ? doc["name"].Mark() : doc.Mark());
    const YAML::Node members = doc["members"];
    const YAML::Node match = doc["match"];
    if (members && match) {
      Error(match.Mark(),
            "a CustomerGroup has either 'members' (static) or 'match' (dynamic), not both");
    } else if (!members && !match) {
      Error(doc.Mark(), "a CustomerGroup needs 'members' (static) or 'match' (dynamic)");
    }
    if (members) {
      std::vector<std::string> names;
      for (const auto& m : Names(members, "'members'")) names.push_back(m.name);
      g.members = std::move(names);
    }
    if (match) g.match = Expression(match, "'match'", env_.group);
    if (const YAML::Node owner = doc["owner"]) {
      g.owner = String(owner, "'owner'").value_or("");
      if (g.owner.empty()) Error(owner.Mark(), "'owner' must name a partner organization");
    }
    if (doc["description"])
      g.description = String(doc["description"], "'description'").value_or("");
    out_.groups.push_back(std::move(g));
  }

  void ReadPolicy(const YAML::Node& doc) {
    if (!CheckMap(doc, "a Policy document", {"kind", "name", "description", "rules"})) return;
    PolicyDecl p;
    p.name = RequiredName(doc, "a Policy");
    p.location = Loc(doc["name"] ? doc["name"].Mark() : doc.Mark());
    if (doc["description"])
      p.description = String(doc["description"], "'description'").value_or("");
    const YAML::Node rules = doc["rules"];
    if (!rules || !rules.IsSequence()) {
      Error(rules ? rules.Mark() : doc.Mark(), "a Policy needs 'rules', a list of rules");
    } else {
      for (const YAML::Node& rule : rules) ReadRule(rule, p);
    }
    out_.policies.push_back(std::move(p));
  }

  void ReadRule(const YAML::Node& node, PolicyDecl& policy) {
    if (!CheckMap(node, "a rule",
                  {"name", "effect", "actions", "except", "when", "unless", "reason", "message"})) {
      return;
    }
    RuleDecl r;
    r.location = Loc(node.Mark());
    r.name = RequiredName(node, "a rule");
    if (const YAML::Node effect = node["effect"]) {
      const std::string e = effect.IsScalar() ? effect.Scalar() : "";
      if (e == "allow") {
        r.effect = Effect::kAllow;
      } else if (e == "deny") {
        r.effect = Effect::kDeny;
      } else {
        Error(effect.Mark(), "'effect' must be allow or deny");
      }
    } else {
      Error(node.Mark(), "a rule needs an 'effect' (allow or deny)");
    }
    const YAML::Node actions = node["actions"];
    if (!actions) {
      Error(node.Mark(), "a rule needs 'actions', the actions it decides");
    } else {
      r.actions = Names(actions, "'actions'");
      if (actions.IsSequence() && actions.size() == 0) Error(actions.Mark(), "'actions' is empty");
    }
    r.except = Names(node["except"], "'except'");
    if (node["when"]) r.when = Expression(node["when"], "'when'", env_.rule);
    if (node["unless"]) r.unless = Expression(node["unless"], "'unless'", env_.rule);
    if (node["reason"]) r.reason = String(node["reason"], "'reason'").value_or("");
    if (node["message"]) r.message = String(node["message"], "'message'").value_or("");
    policy.rules.push_back(std::move(r));
  }

  const PolicyFile& file_;
  const PolicyEnvironments& env_;
  const FileText lines_;  // line index of the file, built once
  Definitions& definitions_;
  Diagnostics& diagnostics_;
  PolicySource& out_;
  std::vector<YAML::Node> documents_;  // parsed by ReadDefinitions()
};

// ---- Cross-document checks -----------------------------------------------------------
class Linker {
 public:
  Linker(const PolicySource& s, const PolicyEnvironments& env, const Definitions& definitions,
         Diagnostics& d)
      : s_(s), env_(env), definitions_(definitions), d_(d) {}

  void Run() {
    std::map<std::string, const Location*> permissions, actions, roles, groups, policies;
    for (const auto& p : s_.permissions) Unique("permission", p.name, p.location, permissions);
    for (const auto& a : s_.actions) Unique("action", a.name, a.location, actions);
    for (const auto& r : s_.roles) Unique("role", r.name, r.location, roles);
    for (const auto& g : s_.groups) Unique("customer group", g.name, g.location, groups);
    for (const auto& p : s_.policies) Unique("policy", p.name, p.location, policies);

    auto require = [&](const Reference& ref, const char* what) {
      if (!permissions.count(ref.name)) {
        Report(ref.location, std::string(what) + " refers to undefined permission '" + ref.name +
                                 "'" + Nearest(ref.name, permissions));
      }
    };
    for (const auto& p : s_.permissions) {
      for (const auto& r : p.requires_) require(r, "'requires'");
    }
    for (const auto& a : s_.actions) {
      for (const auto& r : a.requires_) require(r, "'requires'");
      for (const auto& r : a.requires_any) require(r, "'requires_any'");
    }
    for (const auto& role : s_.roles) {
      for (const auto& r : role.grants) require(r, "'grants'");
      for (const auto& r : role.customisable) require(r, "'customisable'");
    }
    std::map<std::string, const Location*> custom_levels;
    for (const auto& c : s_.custom_roles) {
      Unique("CustomRoles level", c.level, c.location, custom_levels);
      for (const auto& r : c.permissions) require(r, "'permissions'");
    }
    CheckInheritance(roles);
    for (const auto& policy : s_.policies) {
      std::set<std::string> rule_names;
      for (const auto& rule : policy.rules) {
        if (!rule.name.empty() && !rule_names.insert(rule.name).second) {
          Report(rule.location,
                 "duplicate rule name '" + rule.name + "' in policy '" + policy.name + "'",
                 "duplicate");
        }
        for (const auto& a : rule.actions) CheckActionPattern(a, actions);
        for (const auto& a : rule.except) CheckActionPattern(a, actions);
      }
    }
    FindCyclesIn<PermissionDecl>(s_.permissions, &PermissionDecl::requires_,
                                 "permission dependency cycle: ");
    CheckNameLiterals({{NameKind::kRole, &roles},
                       {NameKind::kPermission, &permissions},
                       {NameKind::kAction, &actions},
                       {NameKind::kGroup, &groups}});
  }

 private:
  void Report(const Location& at, std::string message, const char* code = "reference") {
    d_.push_back({at.file, at.line, at.column, std::move(message), code});
  }

  void Unique(const char* what, const std::string& name, const Location& at,
              std::map<std::string, const Location*>& seen) {
    if (name.empty()) return;
    auto [it, inserted] = seen.emplace(name, &at);
    if (!inserted) {
      Report(at,
             std::string("duplicate ") + what + " '" + name + "' (first declared at " +
                 it->second->file + ":" + std::to_string(it->second->line) + ")",
             "duplicate");
    }
  }

  static std::string Nearest(const std::string& name,
                             const std::map<std::string, const Location*>& known) {
    std::vector<std::string> names;
    for (const auto& entry : known) names.push_back(entry.first);
    return DidYouMean(name, names);
  }

  void CheckActionPattern(const Reference& a,
                          const std::map<std::string, const Location*>& actions) {
    if (a.name == "*") return;
    if (a.name.size() > 2 && a.name.compare(a.name.size() - 2, 2, ".*") == 0) {
      const std::string prefix = a.name.substr(0, a.name.size() - 1);  // keep the dot
      for (const auto& [name, loc] : actions) {
        if (name.compare(0, prefix.size(), prefix) == 0) return;
      }
      Report(a.location, "action pattern '" + a.name + "' matches no declared action");
      return;
    }
    if (!actions.count(a.name)) {
      Report(a.location,
             "rule refers to undefined action '" + a.name + "'" + Nearest(a.name, actions));
    }
  }

  // A string literal where the environment says a declared name belongs
  // (role.rank("x"), "x" in permissions, action == "x") must be one.
  void CheckNameLiterals(
      const std::map<NameKind, const std::map<std::string, const Location*>*>& declared) {
    static const std::map<NameKind, const char*> kWhat = {{NameKind::kRole, "role"},
                                                          {NameKind::kPermission, "permission"},
                                                          {NameKind::kAction, "action"},
                                                          {NameKind::kGroup, "customer group"}};
    auto check = [&](const std::optional<Condition>& c, const CheckEnvironment& env) {
      if (!c || !c->expr || !c->resolutions) return;
      for (const NameLiteral& n : NameLiterals(*c->expr, *c->resolutions, env)) {
        const std::map<std::string, const Location*>& known = *declared.at(n.kind);
        const std::string& name = n.literal->constant.string_value;
        if (known.count(name)) continue;
        Diagnostic d{
            c->location.file, n.literal->position.line, n.literal->position.column,
            std::string("undefined ") + kWhat.at(n.kind) + " '" + name + "'" + Nearest(name, known),
            "reference"};
        definitions_.Attribute(*c->expr, *n.literal, d);  // a literal a definition wrote
        d_.push_back(std::move(d));
      }
    };
    for (const auto& g : s_.groups) check(g.match, env_.group);
    for (const auto& p : s_.policies) {
      for (const auto& r : p.rules) {
        check(r.when, env_.rule);
        check(r.unless, env_.rule);
      }
    }
  }

  // `inherits` names declared roles of the same level, without cycles.
  void CheckInheritance(const std::map<std::string, const Location*>& names) {
    std::map<std::string, const RoleDecl*> by_name;
    for (const auto& r : s_.roles) by_name.emplace(r.name, &r);
    for (const auto& role : s_.roles) {
      for (const auto& ref : role.inherits) {
        auto it = by_name.find(ref.name);
        if (it == by_name.end()) {
          Report(ref.location, "'inherits' refers to undefined role '" + ref.name + "'" +
                                   Nearest(ref.name, names));
        } else if (it->second->level != role.level) {
          Report(ref.location, "role '" + role.name + "' (level " + role.level +
                                   ") cannot inherit role '" + ref.name + "' of level " +
                                   it->second->level);
        }
      }
    }
    FindCyclesIn<RoleDecl>(s_.roles, &RoleDecl::inherits, "role inheritance cycle: ");
  }

  // Reports each cycle in a graph of declarations (edges: the references in
  // `edges`, e.g. a permission's `requires`) once, printed as "a -> b -> a".
  template <typename Decl>
  void FindCyclesIn(const std::vector<Decl>& decls, std::vector<Reference> Decl::*edges,
                    const std::string& what) {
    std::map<std::string, const Decl*> by_name;
    for (const auto& p : decls) by_name.emplace(p.name, &p);
    std::map<std::string, int> state;  // 0 new, 1 on stack, 2 done
    std::vector<std::string> stack;
    std::function<void(const Decl&)> visit = [&](const Decl& p) {
      state[p.name] = 1;
      stack.push_back(p.name);
      for (const auto& r : p.*edges) {
        auto it = by_name.find(r.name);
        if (it == by_name.end()) continue;
        if (state[r.name] == 1) {
          auto from = std::find(stack.begin(), stack.end(), r.name);
          std::string cycle;
          for (auto s = from; s != stack.end(); ++s) cycle += *s + " -> ";
          Report(r.location, what + cycle + r.name, "cycle");
        } else if (state[r.name] == 0) {
          visit(*it->second);
        }
      }
      stack.pop_back();
      state[p.name] = 2;
    };
    for (const auto& p : decls) {
      if (state[p.name] == 0) visit(p);
    }
  }

  const PolicySource& s_;
  const PolicyEnvironments& env_;
  const Definitions& definitions_;
  Diagnostics& d_;
};

std::string Revision(const std::vector<PolicyFile>& files) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  for (const auto& f : files) {
    mix(f.path);
    mix(f.text);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool IsPolicyFile(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext != ".yaml" && ext != ".yml") return false;
  const std::string stem = p.stem().string();
  auto ends_with = [&](std::string_view suffix) {
    return stem.size() >= suffix.size() &&
           stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  // Decision fixtures and entity data live beside the policies but are not policies.
  return !ends_with("_test") && !ends_with("entities");
}

}  // namespace

std::string PolicySource::Summary() const {
  size_t rules = 0;
  for (const auto& p : policies) rules += p.rules.size();
  auto n = [](size_t count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
  };
  return n(files.size(), "file", "files") + ", " +
         n(permissions.size(), "permission", "permissions") + ", " +
         n(actions.size(), "action", "actions") + ", " + n(roles.size(), "role", "roles") + ", " +
         n(groups.size(), "group", "groups") + ", " + n(policies.size(), "policy", "policies") +
         " (" + n(rules, "rule", "rules") + ")";
}

std::string LoadResult::FormattedDiagnostics() const {
  return FormatDiagnostics(diagnostics, [this](const std::string& path) -> const std::string* {
    for (const auto& f : files) {
      if (f.path == path) return &f.text;
    }
    return nullptr;
  });
}

LoadResult LoadPolicyFiles(std::vector<PolicyFile> files, const PolicyEnvironments& env) {
  LoadResult result;
  PolicySource source;
  // Definitions first: any expression of any file may use them.
  Definitions definitions;
  std::vector<std::unique_ptr<DocumentReader>> readers;
  for (const auto& file : files) {
    readers.push_back(
        std::make_unique<DocumentReader>(file, env, definitions, result.diagnostics, source));
    readers.back()->ReadDefinitions();
  }
  definitions.Resolve(env.rule, env.group, result.diagnostics);
  for (auto& reader : readers) reader->Read();
  source.definitions = definitions.Declarations();
  Linker(source, env, definitions, result.diagnostics).Run();
  CheckEntitySchema(source, env, result.diagnostics);
  SortDiagnostics(result.diagnostics);
  source.revision = Revision(files);
  result.files = files;
  source.files = std::move(files);
  if (result.diagnostics.empty()) result.source = std::move(source);
  return result;
}

LoadResult LoadPolicyDirectory(const fs::path& directory, const PolicyEnvironments& env) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    LoadResult r;
    r.diagnostics.push_back({directory.string(), 0, 0, "not a directory", "io"});
    return r;
  }
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(directory, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && IsPolicyFile(it->path())) paths.push_back(it->path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<PolicyFile> files;
  Diagnostics io_errors;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string rel = fs::relative(p, directory, ec).generic_string();
    if (!in) {
      io_errors.push_back({rel, 0, 0, "cannot read file", "io"});
      continue;
    }
    files.push_back({rel, text.str()});
  }
  LoadResult result = LoadPolicyFiles(std::move(files), env);
  if (!io_errors.empty()) {
    result.diagnostics.insert(result.diagnostics.begin(), io_errors.begin(), io_errors.end());
    result.source.reset();
  }
  if (paths.empty()) {
    result.diagnostics.push_back(
        {directory.string(), 0, 0, "no policy files (*.yaml, *.yml) found", "io"});
    result.source.reset();
  }
  return result;
}

}  // namespace castellan::dsl
