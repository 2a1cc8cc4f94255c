#include "dsl/parser.h"

#include <tao/pegtl/contrib/parse_tree.hpp>

#include <algorithm>
#include <utility>
#include <vector>

#include "dsl/internal/grammar.h"
#include "dsl/literal.h"

namespace castellan::dsl {
namespace {

namespace g = grammar;
namespace pegtl = tao::pegtl;
namespace pt = tao::pegtl::parse_tree;

template <typename Rule>
using Selector = pt::selector<
    Rule,
    pt::store_content::on<
        g::int_lit, g::uint_lit, g::double_lit, g::string_lit, g::bytes_lit, g::null_lit,
        g::true_lit, g::false_lit, g::identifier, g::leading_dot, g::field_name, g::call_args,
        g::ident_or_call, g::list_lit, g::map_lit, g::map_entry, g::optional_entry_marker,
        g::message_lit, g::optional_select, g::select_or_call, g::optional_index, g::index,
        g::not_expr, g::neg_expr, g::mul_op, g::add_op, g::rel_op, g::and_op, g::or_op>,
    pt::fold_one::on<g::member, g::multiplication, g::addition, g::relation, g::and_expr,
                     g::or_expr, g::conditional, g::expect_expr, g::expect_unary,
                     g::expect_multiplication, g::expect_addition, g::expect_relation,
                     g::expect_and, g::expect_or, g::expect_field>,
    // The rules that raise errors must be selected: parse_tree only forwards
    // failures of selected rules to the error-raising control. They add no
    // nodes of their own (folded or discarded).
    pt::discard_empty::on<g::expect_rparen, g::expect_rbracket, g::expect_rbrace, g::expect_colon,
                          g::expect_end, g::exponent_digits, g::unterminated_string_body>>;

using Node = pt::node;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r' || s.back() == '\f' || s.back() == '\v')) {
    s.remove_suffix(1);
  }
  return s;
}

// The CEL function name of a binary operator token.
std::string OperatorFunction(std::string_view op) {
  if (op == "in") return "@in";
  return "_" + std::string(op) + "_";
}

// Where a node's text ends. fold_one drops the content of nodes it keeps,
// so their end is their last child's.
size_t EndOffset(const Node& n) {
  if (n.has_content()) return n.end().byte;
  return n.children.empty() ? n.begin().byte : EndOffset(*n.children.back());
}

class Builder {
 public:
  Builder(std::string_view text, const std::string& file, const SourceMap& map,
          const ParseOptions& options, Diagnostics& diagnostics)
      : text_(text), file_(file), map_(map), options_(options), diagnostics_(diagnostics) {}

  ExprPtr Build(const Node& n) {
    if (n.is_type<g::int_lit>() || n.is_type<g::uint_lit>() || n.is_type<g::double_lit>() ||
        n.is_type<g::string_lit>() || n.is_type<g::bytes_lit>() || n.is_type<g::null_lit>() ||
        n.is_type<g::true_lit>() || n.is_type<g::false_lit>()) {
      return BuildLiteral(n);
    }
    if (n.is_type<g::ident_or_call>()) return BuildIdentOrCall(n);
    if (n.is_type<g::list_lit>()) return BuildList(n);
    if (n.is_type<g::map_lit>()) return BuildMap(n);
    if (n.is_type<g::message_lit>()) {
      Unsupported(n, "message construction (Type{field: value}) is not supported");
      return NewExpr(Expr::Kind::kConstant, n);
    }
    if (n.is_type<g::member>()) return BuildMember(n);
    if (n.is_type<g::not_expr>() || n.is_type<g::neg_expr>()) {
      auto e = NewExpr(Expr::Kind::kCall, n);
      e->name = n.is_type<g::not_expr>() ? "!_" : "-_";
      e->args.push_back(Build(*n.children.back()));
      return e;
    }
    if (n.is_type<g::multiplication>() || n.is_type<g::addition>() || n.is_type<g::relation>() ||
        n.is_type<g::and_expr>() || n.is_type<g::or_expr>()) {
      return BuildBinary(n);
    }
    if (n.is_type<g::conditional>()) {
      auto e = NewExpr(Expr::Kind::kCall, n);
      e->name = "_?_:_";
      for (const auto& c : n.children) e->args.push_back(Build(*c));
      return e;
    }
    Error(n, "internal error: unexpected syntax node " + std::string(n.type));
    return NewExpr(Expr::Kind::kConstant, n);
  }

 private:
  ExprPtr NewExpr(Expr::Kind kind, const Node& n) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->id = ++next_id_;
    e->position = map_.At(n.begin().byte);
    e->source_text = std::string(
        Trim(std::string_view(text_.data() + n.begin().byte, EndOffset(n) - n.begin().byte)));
    return e;
  }

  void Report(size_t offset, std::string message, const char* code) {
    SourcePosition p = map_.At(offset);
    diagnostics_.push_back({file_, p.line, p.column, std::move(message), code});
  }
  void Error(const Node& n, std::string message) {
    Report(n.begin().byte, std::move(message), "syntax");
  }
  void Unsupported(const Node& n, std::string message) {
    Report(n.begin().byte, std::move(message), "unsupported");
  }

  ExprPtr BuildLiteral(const Node& n) {
    auto e = NewExpr(Expr::Kind::kConstant, n);
    std::string_view token = Trim(n.string_view());
    Constant& c = e->constant;
    LiteralError err;
    bool ok = true;
    if (n.is_type<g::int_lit>()) {
      c.kind = Constant::Kind::kInt;
      ok = DecodeInt(token, &c.int_value, &err);
    } else if (n.is_type<g::uint_lit>()) {
      c.kind = Constant::Kind::kUint;
      ok = DecodeUint(token, &c.uint_value, &err);
    } else if (n.is_type<g::double_lit>()) {
      c.kind = Constant::Kind::kDouble;
      ok = DecodeDouble(token, &c.double_value, &err);
    } else if (n.is_type<g::string_lit>() || n.is_type<g::bytes_lit>()) {
      bool is_bytes = false;
      ok = DecodeQuoted(token, &c.string_value, &is_bytes, &err);
      c.kind = is_bytes ? Constant::Kind::kBytes : Constant::Kind::kString;
    } else if (n.is_type<g::null_lit>()) {
      c.kind = Constant::Kind::kNull;
    } else {
      c.kind = Constant::Kind::kBool;
      c.bool_value = n.is_type<g::true_lit>();
    }
    if (!ok) Report(n.begin().byte + err.offset, err.message, "syntax");
    return e;
  }

  ExprPtr BuildIdentOrCall(const Node& n) {
    const Node* ident = nullptr;
    const Node* args = nullptr;
    for (const auto& c : n.children) {
      if (c->is_type<g::identifier>()) ident = c.get();
      if (c->is_type<g::call_args>()) args = c.get();
    }
    std::string name(ident->string_view());
    if (args == nullptr) {
      auto e = NewExpr(Expr::Kind::kIdent, n);
      e->name = std::move(name);
      return e;
    }
    auto e = NewExpr(Expr::Kind::kCall, n);
    e->name = std::move(name);
    for (const auto& a : args->children) e->args.push_back(Build(*a));
    if (options_.enable_macros && e->name == "has") return ExpandHas(std::move(e), n);
    return e;
  }

  ExprPtr ExpandHas(ExprPtr call, const Node& n) {
    if (call->args.size() != 1 || call->args[0]->kind != Expr::Kind::kSelect ||
        call->args[0]->test_only) {
      Error(n, "has() takes one field selection, such as has(resource.owner)");
      return call;
    }
    ExprPtr select = std::move(call->args[0]);
    select->test_only = true;
    select->position = call->position;
    select->source_text = call->source_text;
    return select;
  }

  // Elements marked `?` are optionals, included only when they hold a value.
  ExprPtr BuildList(const Node& n) {
    auto e = NewExpr(Expr::Kind::kList, n);
    std::vector<bool> optional;
    bool marked = false;
    for (const auto& c : n.children) {
      if (c->is_type<g::optional_entry_marker>()) {
        marked = true;
        continue;
      }
      e->args.push_back(Build(*c));
      optional.push_back(marked);
      marked = false;
    }
    return WithOptionalEntries(std::move(e), optional);
  }

  ExprPtr BuildMap(const Node& n) {
    auto e = NewExpr(Expr::Kind::kMap, n);
    std::vector<bool> optional;
    for (const auto& entry : n.children) {
      size_t first = 0;
      if (!entry->children.empty() && entry->children[0]->is_type<g::optional_entry_marker>()) {
        first = 1;
      }
      optional.push_back(first == 1);
      for (size_t i = first; i < entry->children.size(); ++i) {
        e->args.push_back(Build(*entry->children[i]));
      }
    }
    return WithOptionalEntries(std::move(e), optional);
  }

  // A list or map literal with optional entries (`[?x]`, `{?k: v}`) becomes a
  // literal of optionals, every plain entry wrapped in optional.of(), filtered
  // and unwrapped by one comprehension:
  //   [a, ?b]      ->  [optional.of(a), b].transformList(@i, @v, @v.hasValue(), @v.value())
  //   {k: v, ?l: w} -> {k: optional.of(v), l: w}.transformMap(@k, @v, @v.hasValue(), @v.value())
  // The '@' names cannot clash with a rule's variables.
  ExprPtr WithOptionalEntries(ExprPtr literal, const std::vector<bool>& optional) {
    if (std::find(optional.begin(), optional.end(), true) == optional.end()) return literal;
    const bool is_map = literal->kind == Expr::Kind::kMap;
    const Expr& like = *literal;
    for (size_t i = 0; i < optional.size(); ++i) {
      if (optional[i]) continue;
      ExprPtr& value = literal->args[is_map ? 2 * i + 1 : i];
      value = OptionalCall("of", like, std::move(value));
    }
    auto loop = Synthetic(Expr::Kind::kComprehension, like);
    loop->macro = is_map ? Macro::kTransformMap : Macro::kTransformList;
    loop->iter_var = is_map ? "@k" : "@i";
    loop->iter_var2 = "@v";
    auto var = [&] {
      auto v = Synthetic(Expr::Kind::kIdent, like);
      v->name = "@v";
      return v;
    };
    loop->predicate = SyntheticCall("hasValue", like, {}, var());
    loop->transform = SyntheticCall("value", like, {}, var());
    loop->id = literal->id;
    literal->id = ++next_id_;
    loop->target = std::move(literal);
    return loop;
  }

  ExprPtr BuildMember(const Node& n) {
    ExprPtr current = Build(*n.children[0]);
    for (size_t i = 1; i < n.children.size(); ++i) {
      const Node& suffix = *n.children[i];
      if (suffix.is_type<g::optional_select>() || suffix.is_type<g::optional_index>()) {
        current = BuildOptionalAccess(n, suffix, std::move(current));
        continue;
      }
      if (suffix.is_type<g::index>()) {
        auto e = NewExpr(Expr::Kind::kCall, suffix);
        e->name = "_[_]";
        e->source_text = std::string(Trim(
            std::string_view(text_.data() + n.begin().byte, suffix.end().byte - n.begin().byte)));
        e->args.push_back(std::move(current));
        e->args.push_back(Build(*suffix.children[0]));
        current = std::move(e);
        continue;
      }
      // select_or_call: field_name [call_args]
      const Node& field = *suffix.children[0];
      std::string name(field.string_view());
      if (name.size() >= 2 && name.front() == '`') name = name.substr(1, name.size() - 2);
      const std::string source(Trim(
          std::string_view(text_.data() + n.begin().byte, suffix.end().byte - n.begin().byte)));
      if (suffix.children.size() == 1) {
        auto e = NewExpr(Expr::Kind::kSelect, field);
        e->name = std::move(name);
        e->source_text = source;
        e->target = std::move(current);
        current = std::move(e);
        continue;
      }
      auto e = NewExpr(Expr::Kind::kCall, field);
      e->name = std::move(name);
      e->source_text = source;
      e->target = std::move(current);
      for (const auto& a : suffix.children[1]->children) e->args.push_back(Build(*a));
      if (options_.enable_macros) {
        e = ExpandExtensionMacro(std::move(e), field);
        if (e->kind == Expr::Kind::kCall) e = ExpandReceiverMacro(std::move(e), field);
      }
      current = std::move(e);
    }
    return current;
  }

  // `a.?b` becomes `_?._(a, "b")` and `a[?b]` becomes `_[?_](a, b)`, cel-go's
  // names, so that the checker and the planner see ordinary calls.
  ExprPtr BuildOptionalAccess(const Node& member, const Node& suffix, ExprPtr operand) {
    const bool select = suffix.is_type<g::optional_select>();
    auto e = NewExpr(Expr::Kind::kCall, suffix);
    e->name = select ? "_?._" : "_[?_]";
    e->source_text = std::string(Trim(std::string_view(text_.data() + member.begin().byte,
                                                       suffix.end().byte - member.begin().byte)));
    e->args.push_back(std::move(operand));
    if (select) {
      const Node& field = *suffix.children[0];
      std::string name(field.string_view());
      if (name.size() >= 2 && name.front() == '`') name = name.substr(1, name.size() - 2);
      auto constant = NewExpr(Expr::Kind::kConstant, field);
      constant->constant.kind = Constant::Kind::kString;
      constant->constant.string_value = std::move(name);
      e->args.push_back(std::move(constant));
    } else {
      e->args.push_back(Build(*suffix.children[0]));
    }
    return e;
  }

  // A node the parser makes up while expanding a macro: it sits where `like` does.
  ExprPtr Synthetic(Expr::Kind kind, const Expr& like) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->id = ++next_id_;
    e->position = like.position;
    e->source_text = like.source_text;
    return e;
  }
  ExprPtr SyntheticCall(std::string name, const Expr& like, std::vector<ExprPtr> args,
                        ExprPtr target = nullptr) {
    auto e = Synthetic(Expr::Kind::kCall, like);
    e->name = std::move(name);
    e->target = std::move(target);
    e->args = std::move(args);
    return e;
  }
  // `optional.<function>(argument)`, or `optional.<function>()` for a null argument.
  ExprPtr OptionalCall(std::string function, const Expr& like, ExprPtr argument) {
    auto ns = Synthetic(Expr::Kind::kIdent, like);
    ns->name = "optional";
    std::vector<ExprPtr> args;
    if (argument) args.push_back(std::move(argument));
    return SyntheticCall(std::move(function), like, std::move(args), std::move(ns));
  }

  // A copy of `e` with fresh ids (the checker records what each id refers to).
  ExprPtr Clone(const Expr& e) {
    ExprPtr c = CopyNode(e);
    c->id = ++next_id_;
    if (e.target) c->target = Clone(*e.target);
    if (e.predicate) c->predicate = Clone(*e.predicate);
    if (e.transform) c->transform = Clone(*e.transform);
    for (const auto& a : e.args) c->args.push_back(Clone(*a));
    return c;
  }

  static bool IsIdent(const Expr* e, std::string_view name) {
    return e != nullptr && e->kind == Expr::Kind::kIdent && e->name == name;
  }

  // `cel.bind(x, init, body)`: `body` with `x` bound to `init`, evaluated
  // once (MakeBind, ast.h).
  ExprPtr Bind(const Expr& like, std::string var, ExprPtr init, ExprPtr body) {
    return MakeBind(std::move(var), std::move(init), std::move(body),
                    [&](Expr::Kind kind) { return Synthetic(kind, like); });
  }

  // The macros of cel-go's extension libraries: cel.bind, math.greatest and
  // math.least over several arguments, and the optionals' optMap/optFlatMap.
  ExprPtr ExpandExtensionMacro(ExprPtr call, const Node& at) {
    if (IsIdent(call->target.get(), "cel") && call->name == "bind" && call->args.size() == 3) {
      if (call->args[0]->kind != Expr::Kind::kIdent) {
        Error(at, "cel.bind() needs a variable name as argument 1");
        return call;
      }
      ExprPtr bound =
          Bind(*call, call->args[0]->name, std::move(call->args[1]), std::move(call->args[2]));
      bound->id = call->id;
      return bound;
    }
    if (IsIdent(call->target.get(), "math") &&
        (call->name == "greatest" || call->name == "least") && call->args.size() >= 2) {
      // Any number of arguments: math.greatest(a, b, c) is math.greatest([a, b, c]).
      auto list = Synthetic(Expr::Kind::kList, *call);
      list->args = std::move(call->args);
      call->args.clear();
      call->args.push_back(std::move(list));
      return call;
    }
    if ((call->name == "optMap" || call->name == "optFlatMap") && call->target &&
        call->args.size() == 2) {
      if (call->args[0]->kind != Expr::Kind::kIdent) {
        Error(at, call->name + "() needs a variable name as argument 1");
        return call;
      }
      // opt.optMap(x, t):
      //   opt.hasValue() ? optional.of(cel.bind(x, opt.value(), t)) : optional.none()
      // opt.optFlatMap(x, t): the same without optional.of (t is itself an optional).
      const Expr& like = *call;
      ExprPtr value = SyntheticCall("value", like, {}, Clone(*call->target));
      ExprPtr mapped = Bind(like, call->args[0]->name, std::move(value), std::move(call->args[1]));
      if (call->name == "optMap") mapped = OptionalCall("of", like, std::move(mapped));
      std::vector<ExprPtr> branches;
      branches.push_back(SyntheticCall("hasValue", like, {}, std::move(call->target)));
      branches.push_back(std::move(mapped));
      branches.push_back(OptionalCall("none", like, nullptr));
      ExprPtr e = SyntheticCall("_?_:_", like, std::move(branches));
      e->id = call->id;
      return e;
    }
    return call;
  }

  // Rewrites r.all(x, p) and friends into a Comprehension node.
  ExprPtr ExpandReceiverMacro(ExprPtr call, const Node& at) {
    struct Shape {
      const char* name;
      Macro macro;
      size_t vars;
      size_t min_args, max_args;
    };
    static const Shape kShapes[] = {
        {"all", Macro::kAll, 1, 2, 2},
        {"all", Macro::kAll, 2, 3, 3},
        {"exists", Macro::kExists, 1, 2, 2},
        {"exists", Macro::kExists, 2, 3, 3},
        {"exists_one", Macro::kExistsOne, 1, 2, 2},
        {"existsOne", Macro::kExistsOne, 1, 2, 2},
        {"exists_one", Macro::kExistsOne, 2, 3, 3},
        {"existsOne", Macro::kExistsOne, 2, 3, 3},
        {"map", Macro::kMap, 1, 2, 3},
        {"filter", Macro::kFilter, 1, 2, 2},
        {"transformList", Macro::kTransformList, 2, 3, 4},
        {"transformMap", Macro::kTransformMap, 2, 3, 4},
    };
    const Shape* shape = nullptr;
    for (const Shape& s : kShapes) {
      if (call->name == s.name && call->args.size() >= s.min_args &&
          call->args.size() <= s.max_args) {
        shape = &s;
        break;
      }
    }
    if (shape == nullptr) return call;
    for (size_t v = 0; v < shape->vars; ++v) {
      if (call->args[v]->kind != Expr::Kind::kIdent) {
        Error(at, std::string(shape->name) + "() needs a variable name as argument " +
                      std::to_string(v + 1));
        return call;
      }
    }
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kComprehension;
    e->id = call->id;
    e->position = call->position;
    e->source_text = std::move(call->source_text);
    e->macro = shape->macro;
    e->target = std::move(call->target);
    e->iter_var = call->args[0]->name;
    if (shape->vars == 2) e->iter_var2 = call->args[1]->name;
    const size_t rest = call->args.size() - shape->vars;
    const bool transforms = shape->macro == Macro::kMap || shape->macro == Macro::kTransformList ||
                            shape->macro == Macro::kTransformMap;
    if (transforms) {
      if (rest == 2) e->predicate = std::move(call->args[shape->vars]);
      e->transform = std::move(call->args.back());
    } else {
      e->predicate = std::move(call->args.back());
    }
    if (!e->iter_var2.empty() && e->iter_var == e->iter_var2) {
      Error(at, "the two variables of " + std::string(shape->name) + "() must differ");
    }
    return e;
  }

  ExprPtr BuildBinary(const Node& n) {
    ExprPtr left = Build(*n.children[0]);
    for (size_t i = 1; i + 1 < n.children.size(); i += 2) {
      const Node& op = *n.children[i];
      auto e = NewExpr(Expr::Kind::kCall, op);
      e->name = OperatorFunction(Trim(op.string_view()));
      e->source_text = std::string(Trim(std::string_view(
          text_.data() + n.begin().byte, EndOffset(*n.children[i + 1]) - n.begin().byte)));
      e->args.push_back(std::move(left));
      e->args.push_back(Build(*n.children[i + 1]));
      left = std::move(e);
    }
    return left;
  }

  std::string_view text_;
  const std::string& file_;
  const SourceMap& map_;
  const ParseOptions& options_;
  Diagnostics& diagnostics_;
  int64_t next_id_ = 0;
};

// The checker, the compiler, the evaluator and Expr's destructor recurse over
// the tree. The grammar's guard bounds nesting in brackets, but a chain
// (`a[0][0]...`, `1 + 1 + ...`) builds a tree as deep as it is long, which
// overflowed the checker's stack (found by fuzz/, see fuzz/regressions/). A
// tree deeper than this is rejected: far beyond what anyone writes, and well
// within a thread's stack for all of those walks.
constexpr size_t kMaxTreeDepth = 1000;

std::vector<Expr*> Children(Expr& e) {
  std::vector<Expr*> children{e.target.get(), e.predicate.get(), e.transform.get()};
  for (auto& arg : e.args) children.push_back(arg.get());
  std::erase(children, nullptr);
  return children;
}

size_t TreeDepth(Expr& root) {
  size_t deepest = 0;
  std::vector<std::pair<Expr*, size_t>> pending{{&root, 1}};
  while (!pending.empty()) {
    auto [e, depth] = pending.back();
    pending.pop_back();
    deepest = std::max(deepest, depth);
    for (Expr* child : Children(*e)) pending.push_back({child, depth + 1});
  }
  return deepest;
}

// Frees a tree too deep for Expr's recursive destructor, one node at a time.
void DestroyIteratively(ExprPtr root) {
  std::vector<ExprPtr> pending;
  pending.push_back(std::move(root));
  while (!pending.empty()) {
    ExprPtr e = std::move(pending.back());
    pending.pop_back();
    if (e->target) pending.push_back(std::move(e->target));
    if (e->predicate) pending.push_back(std::move(e->predicate));
    if (e->transform) pending.push_back(std::move(e->transform));
    for (auto& arg : e->args) pending.push_back(std::move(arg));
  }
}

}  // namespace

SourceMap SourceMap::Contiguous(std::string_view text, SourcePosition start) {
  std::vector<SourcePosition> positions;
  positions.reserve(text.size() + 1);
  SourcePosition p = start;
  for (char c : text) {
    positions.push_back(p);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  positions.push_back(p);
  return SourceMap(std::move(positions));
}

SourcePosition SourceMap::At(size_t offset) const {
  if (positions_.empty()) return {};
  return offset < positions_.size() ? positions_[offset] : positions_.back();
}

ParseResult ParseExpression(std::string_view text, const std::string& file, const SourceMap& map,
                            const ParseOptions& options) {
  ParseResult result;
  // The parse tree's nodes keep pointers into the input (its source name
  // included), so the input must outlive them: it is declared outside the try.
  pegtl::memory_input<> in(text.data(), text.data() + text.size(), file);
  std::unique_ptr<Node> root;
  try {
    root = pt::parse<g::expression, Node, Selector, pegtl::nothing, g::control>(in);
  } catch (const pegtl::parse_error& e) {
    const auto& pos = e.positions().front();
    SourcePosition p = map.At(pos.byte);
    result.diagnostics.push_back({file, p.line, p.column, std::string(e.message()), "syntax"});
    return result;
  }
  if (!root || root->children.empty()) {
    SourcePosition p = map.At(0);
    result.diagnostics.push_back({file, p.line, p.column, "expected an expression", "syntax"});
    return result;
  }
  Builder builder(text, file, map, options, result.diagnostics);
  ExprPtr expr = builder.Build(*root->children.front());
  if (expr && TreeDepth(*expr) > kMaxTreeDepth) {
    SourcePosition p = map.At(0);
    result.diagnostics.push_back({file, p.line, p.column,
                                  "expression is nested too deeply (the limit is " +
                                      std::to_string(kMaxTreeDepth) + " levels of operators)",
                                  "syntax"});
  }
  if (result.diagnostics.empty()) {
    result.expr = std::move(expr);
  } else if (expr) {
    DestroyIteratively(std::move(expr));
  }
  return result;
}

ParseResult ParseExpression(std::string_view text, const std::string& file) {
  return ParseExpression(text, file, SourceMap::Contiguous(text));
}

}  // namespace castellan::dsl
