#include "dsl/definitions.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "dsl/name_literals.h"

namespace castellan::dsl {

struct Definitions::Entry {
  std::string name;
  bool is_function = false;
  std::vector<std::string> params;
  std::vector<SourcePosition> param_positions;
  Location location;  // the name
  std::string text;   // the body as written
  Location body_location;
  std::shared_ptr<const Expr> body;      // as parsed; null when it did not parse
  bool broken = false;                   // its own problems are reported: uses say nothing more
  Condition checked;                     // the body expanded and checked on its own
  std::set<std::string> free_variables;  // the variables it reads, through other definitions too
  size_t index = 0;                      // in entries_
};

namespace {

// Expanded trees stay within what the checker and the evaluator walk
// recursively (the parser's own limit is 1000 levels) and what a load may
// allocate: definitions that use each other twice over grow exponentially.
constexpr size_t kMaxDepth = 1000;
constexpr size_t kMaxNodes = 100000;

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool Reserved(std::string_view s) {
  static const std::set<std::string, std::less<>> kWords = {
      "true",   "false",    "null",  "in",     "as",  "break", "const",     "continue",  "else",
      "for",    "function", "if",    "import", "let", "loop",  "package",   "namespace", "return",
      "var",    "void",     "while", "has",    "cel", "dyn",   "bool",      "int",       "uint",
      "double", "string",   "bytes", "list",   "map", "type",  "null_type", "google"};
  return kWords.count(s) > 0;
}

std::string Key(SourcePosition p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

}  // namespace

// Copies an expression, replacing uses of definitions (see definitions.h).
// One per expanded expression; records where each node it makes came from.
class Expander {
 public:
  Expander(const Definitions& defs, std::string file) : defs_(defs), file_(std::move(file)) {}

  // `params`: names the expression may use as they are (a definition's own
  // parameters, when its body is checked on its own).
  ExprPtr Run(const Expr& written, const std::vector<std::string>& params = {}) {
    Context top;
    top.locals = params;
    ExprPtr e = Expand(written, top);
    if (overflow_) {
      Report(written.position,
             "expanding the definitions this expression uses makes it too " +
                 std::string(depth_exceeded_ ? "deep" : "large") + " (at most " +
                 std::to_string(kMaxNodes) + " nodes, " + std::to_string(kMaxDepth) + " levels)",
             "limit");
      return nullptr;
    }
    return e;
  }

  std::vector<Definitions::Origin> origins;  // by node id
  std::vector<SourcePosition> reported;      // where reference errors were reported
  Diagnostics diagnostics;

 private:
  using Entry = Definitions::Entry;
  struct Context {
    int definition = -1;  // whose body is being copied; -1: the written expression
    std::map<std::string, std::string> renames;  // parameters to their '@' names
    // Parameters whose argument is a name or a literal: written in place.
    std::map<std::string, const Expr*> substitutes;
    const Context* caller = nullptr;  // where substitutes come from
    std::vector<std::string> locals;  // comprehension variables in scope
    SourcePosition used_at;
  };

  void Report(SourcePosition at, std::string message, const char* code) {
    diagnostics.push_back({file_, at.line, at.column, std::move(message), code});
    if (std::string_view(code) == "reference") reported.push_back(at);
  }

  ExprPtr Node(const Expr& like, const Context& ctx) {
    ExprPtr e = CopyNode(like);
    e->id = static_cast<int64_t>(origins.size());
    origins.push_back({ctx.definition, ctx.used_at, like.position});
    if (origins.size() > kMaxNodes) overflow_ = true;
    return e;
  }

  ExprPtr Expand(const Expr& e, Context& ctx) {
    if (depth_ >= kMaxDepth) depth_exceeded_ = overflow_ = true;
    if (overflow_) return Node(e, ctx);
    ++depth_;
    ExprPtr out = ExpandNode(e, ctx);
    --depth_;
    return out;
  }

  bool IsLocal(const Context& ctx, const std::string& name) const {
    return std::find(ctx.locals.begin(), ctx.locals.end(), name) != ctx.locals.end();
  }

  ExprPtr ExpandNode(const Expr& e, Context& ctx) {
    if (e.kind == Expr::Kind::kIdent && !IsLocal(ctx, e.name)) {
      if (auto it = ctx.substitutes.find(e.name); it != ctx.substitutes.end()) {
        return Node(*it->second, *ctx.caller);  // a name or a literal: no children
      }
      if (auto it = ctx.renames.find(e.name); it != ctx.renames.end()) {
        ExprPtr ident = Node(e, ctx);
        ident->name = it->second;
        return ident;
      }
      if (const Entry* d = defs_.Find(e.name)) {
        if (!d->is_function) return Use(*d, e, ctx);
        if (ctx.definition < 0) {
          Report(e.position, "'" + d->name + "' is a function: call it with " + Arguments(*d),
                 "reference");
        }
      } else if (ctx.definition < 0 && !defs_.known_names_.count(e.name)) {
        Suggest(e, "undeclared reference to '" + e.name + "'");
      }
    }
    if (e.kind == Expr::Kind::kCall && !e.target) {
      if (const Entry* d = defs_.Find(e.name)) {
        if (d->is_function && d->params.size() == e.args.size()) return Use(*d, e, ctx);
        if (ctx.definition < 0) {
          Report(e.position,
                 d->is_function ? "'" + d->name + "' takes " + Arguments(*d) + ", not " +
                                      std::to_string(e.args.size())
                                : "'" + d->name + "' is a constant: use it without parentheses",
                 "reference");
        }
      } else if (ctx.definition < 0 && !defs_.known_functions_.count(e.name)) {
        Suggest(e, "unknown function '" + e.name + "'");
      }
    }
    ExprPtr copy = Node(e, ctx);
    if (e.target) copy->target = Expand(*e.target, ctx);
    for (const auto& a : e.args) copy->args.push_back(Expand(*a, ctx));
    if (e.kind == Expr::Kind::kComprehension) {
      const size_t mark = ctx.locals.size();
      ctx.locals.push_back(e.iter_var);
      if (!e.iter_var2.empty()) ctx.locals.push_back(e.iter_var2);
      if (e.predicate) copy->predicate = Expand(*e.predicate, ctx);
      if (e.transform) copy->transform = Expand(*e.transform, ctx);
      ctx.locals.resize(mark);
    }
    return copy;
  }

  static std::string Arguments(const Entry& d) {
    std::string list;
    for (const auto& p : d.params) list += (list.empty() ? "" : ", ") + p;
    const size_t n = d.params.size();
    return std::to_string(n) + (n == 1 ? " argument" : " arguments") + " (" + list + ")";
  }

  void Suggest(const Expr& e, const std::string& message) {
    // A plain copy of the names: clang 14 (the fuzz build) cannot take
    // std::views::keys over libstdc++ 12's map.
    std::vector<std::string> names;
    for (const auto& [name, index] : defs_.index_) names.push_back(name);
    std::string hint = DidYouMean(e.name, names);
    if (!hint.empty()) Report(e.position, message + hint, "reference");
  }

  // A use of `d` at `use` (an identifier or a call).
  ExprPtr Use(const Entry& d, const Expr& use, Context& ctx) {
    bool usable = !d.broken && d.checked.expr;
    for (const std::string& local : ctx.locals) {
      if (usable && d.free_variables.count(local)) {
        usable = false;
        if (ctx.definition >= 0) continue;  // reported where that body is checked
        Report(use.position,
               "'" + d.name + "' reads the variable '" + local +
                   "', which the comprehension variable '" + local +
                   "' hides here: rename the comprehension variable",
               "reference");
      }
    }
    if (!usable) {
      reported.push_back(use.position);  // what is wrong is reported already
      ExprPtr copy = Node(use, ctx);
      for (const auto& a : use.args) copy->args.push_back(Expand(*a, ctx));
      return copy;
    }
    Context inner;
    inner.definition = static_cast<int>(d.index);
    inner.used_at = ctx.definition < 0 ? use.position : ctx.used_at;
    inner.caller = &ctx;
    // An argument that is a name or a literal is written where the parameter
    // is (as by hand: no binding to pay for), unless one of the body's own
    // comprehension variables would capture the name; any other is bound once.
    std::set<std::string> body_locals;
    VisitExpr(*d.body, [&](const Expr& e) {
      if (e.kind != Expr::Kind::kComprehension) return;
      body_locals.insert(e.iter_var);
      body_locals.insert(e.iter_var2);
    });
    std::vector<ExprPtr> args;
    for (size_t i = 0; i < d.params.size(); ++i) {
      args.push_back(Expand(*use.args[i], ctx));
      const Expr& a = *args.back();
      if (a.kind == Expr::Kind::kConstant ||
          (a.kind == Expr::Kind::kIdent && !body_locals.count(a.name))) {
        inner.substitutes[d.params[i]] = &a;
      } else {
        inner.renames[d.params[i]] = "@" + d.name + "." + d.params[i];
      }
    }
    ExprPtr body = Expand(*d.body, inner);
    if (!d.is_function) {
      body->source_text = use.source_text;
      return body;
    }
    for (size_t i = d.params.size(); i-- > 0;) {
      auto it = inner.renames.find(d.params[i]);
      if (it != inner.renames.end()) {
        body = Bind(use, ctx, it->second, std::move(args[i]), std::move(body));
      }
    }
    return body;
  }

  // `cel.bind(var, init, body)`, in the nodes the parser makes for it.
  ExprPtr Bind(const Expr& use, const Context& ctx, const std::string& var, ExprPtr init,
               ExprPtr body) {
    return MakeBind(var, std::move(init), std::move(body), [&](Expr::Kind kind) {
      Expr like;
      like.kind = kind;
      like.position = use.position;
      like.source_text = use.source_text;
      return Node(like, ctx);
    });
  }

  const Definitions& defs_;
  std::string file_;
  size_t depth_ = 0;
  bool overflow_ = false;
  bool depth_exceeded_ = false;
};

// ---- Reading ----------------------------------------------------------------------------
namespace {}  // namespace

const Definitions::Entry* Definitions::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : entries_[it->second].get();
}

static std::shared_ptr<Definitions::Entry> NewEntry(std::string name, bool is_function,
                                                    const Location& at) {
  auto e = std::make_shared<Definitions::Entry>();
  e->name = std::move(name);
  e->is_function = is_function;
  e->location = at;
  return e;
}

void Definitions::AddConstant(const std::string& name, const Location& at,
                              const PositionedText& body, Diagnostics& out) {
  auto e = NewEntry(name, false, at);
  e->text = body.text;
  ParseResult parsed = ParseExpression(body.text, at.file, body.map);
  out.insert(out.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
  e->body = std::move(parsed.expr);
  e->broken = e->body == nullptr;
  Add(std::move(e));
}

void Definitions::AddStringList(const std::string& name, const Location& at,
                                const std::vector<std::pair<std::string, SourcePosition>>& items) {
  auto e = NewEntry(name, false, at);
  auto list = std::make_unique<Expr>();
  list->kind = Expr::Kind::kList;
  list->position = items.empty() ? SourcePosition{at.line, at.column} : items[0].second;
  for (const auto& [value, position] : items) {
    auto item = std::make_unique<Expr>();
    item->position = position;
    item->constant.kind = Constant::Kind::kString;
    item->constant.string_value = value;
    item->source_text = "'" + value + "'";
    e->text += (e->text.empty() ? "" : ", ") + item->source_text;
    list->args.push_back(std::move(item));
  }
  e->text = "[" + e->text + "]";
  list->source_text = e->text;
  e->body = std::move(list);
  Add(std::move(e));
}

void Definitions::AddFunction(const PositionedText& header, const Location& at,
                              const PositionedText& body, Diagnostics& out) {
  // name(a, b): an identifier, then identifiers in parentheses.
  const std::string& h = header.text;
  size_t i = 0;
  auto skip = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  auto word = [&] {
    const size_t start = i;
    while (i < h.size() && (std::isalnum(static_cast<unsigned char>(h[i])) || h[i] == '_')) ++i;
    return h.substr(start, i - start);
  };
  auto fail = [&](const std::string& what) {
    SourcePosition p = header.map.At(i);
    out.push_back({at.file, p.line, p.column,
                   "expected " + what + ": a function is written name(parameter, ...)", "schema"});
  };
  skip();
  auto e = NewEntry(word(), true, at);
  skip();
  bool ok = IsIdentifier(e->name);
  if (!ok) {
    fail("a name");
  } else if (i >= h.size() || h[i] != '(') {
    fail("'('");
    ok = false;
  } else {
    ++i;
    skip();
    while (ok && i < h.size() && h[i] != ')') {
      const size_t start = i;
      std::string param = word();
      if (!IsIdentifier(param)) {
        fail("a parameter name");
        ok = false;
        break;
      }
      e->params.push_back(param);
      e->param_positions.push_back(header.map.At(start));
      skip();
      if (i < h.size() && h[i] == ',') {
        ++i;
        skip();
      } else if (i >= h.size() || h[i] != ')') {
        fail("',' or ')'");
        ok = false;
      }
    }
    if (ok && i >= h.size()) {
      fail("')'");
      ok = false;
    } else if (ok) {
      ++i;
      skip();
      if (i < h.size()) {
        fail("':' after the parameters");
        ok = false;
      }
    }
  }
  e->text = body.text;
  if (ok) {
    ParseResult parsed = ParseExpression(body.text, at.file, body.map);
    out.insert(out.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    e->body = std::move(parsed.expr);
  }
  e->broken = e->body == nullptr;
  if (!e->name.empty()) Add(std::move(e));
}

void Definitions::Add(std::shared_ptr<Entry> e) {
  e->index = entries_.size();
  index_.emplace(e->name, e->index);  // the first wins; Resolve() reports the rest
  entries_.push_back(std::move(e));
}

// ---- Resolving -------------------------------------------------------------------------
void Definitions::Resolve(const CheckEnvironment& rule, const CheckEnvironment& group,
                          Diagnostics& out) {
  for (const CheckEnvironment* env : {&rule, &group}) {
    for (const auto& [name, decl] : env->variables()) known_names_.insert(name);
    for (const auto& [name, decl] : env->functions()) {
      const size_t dot = name.find('.');
      if (dot == std::string::npos) {
        known_functions_.insert(name);
      } else {
        known_names_.insert(name.substr(0, dot));  // a namespace: email.domain
      }
    }
  }
  for (const char* type : {"bool", "int", "uint", "double", "string", "bytes", "null_type",
                           "google", "list", "map", "type", "dyn", "cel"}) {
    known_names_.insert(type);
  }
  CheckNames(rule, group, out);
  FindCycles(out);
  CheckBodies(rule, group, out);
  resolved_ = true;
}

void Definitions::CheckNames(const CheckEnvironment& rule, const CheckEnvironment& group,
                             Diagnostics& out) {
  auto report = [&](const Location& at, std::string message) {
    out.push_back({at.file, at.line, at.column, std::move(message), "duplicate"});
  };
  auto clash = [&](const std::string& name) -> std::string {
    if (rule.FindVariable(name) || group.FindVariable(name)) return "the variable '" + name + "'";
    if (known_functions_.count(name)) return "the catalogue function '" + name + "'";
    if (known_names_.count(name) || Reserved(name)) return "the reserved name '" + name + "'";
    return "";
  };
  for (const auto& e : entries_) {
    const Entry& first = *entries_[index_.at(e->name)];
    if (&first != e.get()) {
      report(e->location, "duplicate definition '" + e->name + "' (first declared at " +
                              first.location.ToString() + ")");
      e->broken = true;
      continue;
    }
    if (!IsIdentifier(e->name)) {
      report(e->location, "a definition's name must be an identifier, not '" + e->name + "'");
      e->broken = true;
    } else if (std::string with = clash(e->name); !with.empty()) {
      report(e->location, "definition '" + e->name + "' clashes with " + with);
      e->broken = true;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < e->params.size(); ++i) {
      const std::string& p = e->params[i];
      const Location at{e->location.file, e->param_positions[i].line, e->param_positions[i].column};
      std::string problem;
      if (!seen.insert(p).second) {
        problem = "parameter '" + p + "' appears twice in '" + e->name + "'";
      } else if (std::string with = clash(p); !with.empty() && with.find("function") == with.npos) {
        problem = "parameter '" + p + "' of '" + e->name + "' would hide " + with;
      } else if (Find(p)) {
        problem =
            "parameter '" + p + "' of '" + e->name + "' would hide the definition '" + p + "'";
      }
      if (!problem.empty()) {
        report(at, problem);
        e->broken = true;
      }
    }
  }
}

namespace {

// The definitions `body` uses (written names not hidden by its parameters or
// its own comprehension variables), each with where it is used.
void References(const Expr& e, std::vector<std::string>& locals,
                const std::function<void(const std::string&, const Expr&)>& use) {
  const bool local = std::find(locals.begin(), locals.end(), e.name) != locals.end();
  if ((e.kind == Expr::Kind::kIdent && !local) || (e.kind == Expr::Kind::kCall && !e.target)) {
    use(e.name, e);
  }
  if (e.target) References(*e.target, locals, use);
  for (const auto& a : e.args) References(*a, locals, use);
  if (e.kind == Expr::Kind::kComprehension) {
    const size_t mark = locals.size();
    locals.push_back(e.iter_var);
    if (!e.iter_var2.empty()) locals.push_back(e.iter_var2);
    if (e.predicate) References(*e.predicate, locals, use);
    if (e.transform) References(*e.transform, locals, use);
    locals.resize(mark);
  }
}

}  // namespace

void Definitions::FindCycles(Diagnostics& out) {
  std::vector<int> state(entries_.size(), 0);  // 0 new, 1 on the stack, 2 done
  std::vector<size_t> stack;
  std::function<void(size_t)> visit = [&](size_t i) {
    state[i] = 1;
    stack.push_back(i);
    const Entry& e = *entries_[i];
    std::vector<std::string> locals = e.params;
    if (e.body) {
      References(*e.body, locals, [&](const std::string& name, const Expr&) {
        auto it = index_.find(name);
        if (it == index_.end()) return;
        const size_t j = it->second;
        if (state[j] == 1) {
          auto from = std::find(stack.begin(), stack.end(), j);
          std::string cycle;
          for (auto s = from; s != stack.end(); ++s) {
            cycle += entries_[*s]->name + " -> ";
            entries_[*s]->broken = true;
          }
          const Location& at = entries_[j]->location;
          out.push_back({at.file, at.line, at.column,
                         "definition cycle: " + cycle + entries_[j]->name, "cycle"});
        } else if (state[j] == 0) {
          visit(j);
        }
      });
    }
    stack.pop_back();
    state[i] = 2;
  };
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (state[i] == 0) visit(i);
  }
}

void Definitions::CheckBodies(const CheckEnvironment& rule, const CheckEnvironment& group,
                              Diagnostics& out) {
  // A body may be used from rules and from group matches: it is checked with
  // the variables of both, and each use checks it again where it is used.
  CheckEnvironment both = rule;
  for (const auto& [name, decl] : group.variables()) {
    if (!both.FindVariable(name)) both.DeclareVariable(name, decl.type, decl.names);
  }
  std::vector<int> state(entries_.size(), 0);
  std::function<void(size_t)> check = [&](size_t i) {
    state[i] = 1;
    Entry& e = *entries_[i];
    if (!e.body) return;
    std::vector<std::string> locals = e.params;
    References(*e.body, locals, [&](const std::string& name, const Expr&) {
      auto it = index_.find(name);
      if (it != index_.end() && state[it->second] == 0) check(it->second);
    });
    if (e.broken) return;
    CheckEnvironment env = both;
    for (const auto& p : e.params) env.DeclareVariable(p, Type::Dyn());
    Checked checked = Check(*e.body, env, e.location.file, e.params);
    out.insert(out.end(), checked.result.diagnostics.begin(), checked.result.diagnostics.end());
    if (!checked.result.diagnostics.empty() || !checked.expr) {
      e.broken = true;
      return;
    }
    VisitExpr(*checked.expr, [&](const Expr& node) {
      const Resolution* r = checked.result.resolutions.Find(node.id);
      if (r && r->kind == Resolution::Kind::kVariable &&
          std::find(e.params.begin(), e.params.end(), r->name) == e.params.end()) {
        e.free_variables.insert(r->name);
      }
    });
    e.checked =
        Condition{std::shared_ptr<const Expr>(std::move(checked.expr)),
                  std::make_shared<const Resolutions>(std::move(checked.result.resolutions)),
                  e.text, e.location};
  };
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (state[i] == 0) check(i);
  }
}

// ---- Expanding -------------------------------------------------------------------------
Definitions::Checked Definitions::Check(const Expr& written, const CheckEnvironment& env,
                                        const std::string& file,
                                        const std::vector<std::string>& params) {
  Checked out;
  Expander expander(*this, file);
  out.expr = expander.Run(written, params);
  if (out.expr) {
    out.result = dsl::Check(*out.expr, env, file);
    Remap(expander.origins, file, expander.reported, out.result.diagnostics);
  }
  out.result.diagnostics.insert(out.result.diagnostics.begin(), expander.diagnostics.begin(),
                                expander.diagnostics.end());
  if (out.expr) origins_[out.expr.get()] = std::move(expander.origins);
  return out;
}

void Definitions::Remap(const std::vector<Origin>& origins, const std::string& file,
                        const std::vector<SourcePosition>& reported,
                        Diagnostics& diagnostics) const {
  std::set<std::string> written, already;
  std::map<std::string, const Origin*> expanded;
  for (const Origin& o : origins) {
    if (o.definition < 0) {
      written.insert(Key(o.position));
    } else {
      expanded.emplace(Key(o.position), &o);
    }
  }
  for (SourcePosition p : reported) already.insert(Key(p));
  Diagnostics kept;
  for (Diagnostic& d : diagnostics) {
    const std::string key = Key({d.line, d.column});
    if (d.code == "reference" && already.count(key)) continue;
    if (!written.count(key)) {
      if (auto it = expanded.find(key); it != expanded.end()) {
        const Entry& e = *entries_[static_cast<size_t>(it->second->definition)];
        if (e.broken) continue;
        Relabel(e, *it->second, file, d);
      }
    }
    kept.push_back(std::move(d));
  }
  diagnostics = std::move(kept);
}

void Definitions::Relabel(const Entry& e, const Origin& o, const std::string& file,
                          Diagnostic& d) const {
  d.file = e.location.file;
  d.message += " (in '" + e.name + "', used at " + file + ":" + Key(o.used_at) + ")";
}

void Definitions::Attribute(const Expr& root, const Expr& node, Diagnostic& d) const {
  auto it = origins_.find(&root);
  if (it == origins_.end() || node.id < 0 || static_cast<size_t>(node.id) >= it->second.size()) {
    return;
  }
  const Origin& o = it->second[static_cast<size_t>(node.id)];
  if (o.definition >= 0) Relabel(*entries_[static_cast<size_t>(o.definition)], o, d.file, d);
}

std::vector<DefinitionDecl> Definitions::Declarations() const {
  std::vector<DefinitionDecl> out;
  for (const auto& e : entries_) {
    if (!e->checked.expr) continue;
    out.push_back({e->name, e->is_function, e->params, e->checked, e->location});
  }
  return out;
}

}  // namespace castellan::dsl
