// The expression AST: what the parser produces and the checker annotates.
//
// A tree of Expr nodes owned through unique_ptr; each node records where it
// starts in the policy file. Macros (has, all, exists, exists_one, map,
// filter, ...) are expanded by the parser into Comprehension nodes or
// test-only Select nodes, so later stages see a small, closed set of kinds.
// An Expr is immutable once the parser returns it, except for the checker's
// type annotations (see checker.h). Not thread-safe while being built.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dsl/diagnostic.h"

namespace castellan::dsl {

// A literal as written in the source.
struct Constant {
  enum class Kind { kNull, kBool, kInt, kUint, kDouble, kString, kBytes };
  Kind kind = Kind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double double_value = 0;
  std::string string_value;  // kString (UTF-8) and kBytes (raw bytes)
};

// The comprehension macros CEL defines, each evaluated by its own loop.
enum class Macro {
  kAll,            // r.all(x, p)         r.all(i, v, p)
  kExists,         // r.exists(x, p)      r.exists(i, v, p)
  kExistsOne,      // r.exists_one(x, p)  r.existsOne(i, v, p)
  kMap,            // r.map(x, t)  r.map(x, p, t)
  kFilter,         // r.filter(x, p)
  kTransformList,  // r.transformList(i, v, [p,] t)
  kTransformMap,   // r.transformMap(k, v, [p,] t)
};

const char* MacroName(Macro macro);

struct Expr {
  enum class Kind { kConstant, kIdent, kSelect, kCall, kList, kMap, kComprehension };

  Kind kind = Kind::kConstant;
  int64_t id = 0;           // unique within one parse
  SourcePosition position;  // where the node's text starts in the policy file

  Constant constant;  // kConstant
  // kIdent: the name. kSelect: the field. kCall: the function name, using
  // CEL's operator names (_+_, _&&_, _?_:_, _[_], !_, -_, @in, ...).
  std::string name;
  bool test_only = false;                   // kSelect produced by has()
  std::unique_ptr<Expr> target;             // kSelect operand, kCall receiver, kComprehension range
  std::vector<std::unique_ptr<Expr>> args;  // kCall arguments, kList elements
  // kMap: keys at even indices of `args`, values at odd ones.

  // kComprehension
  Macro macro = Macro::kAll;
  std::string iter_var;             // x, or the index/key variable of two-variable forms
  std::string iter_var2;            // the value variable of two-variable forms, or empty
  std::unique_ptr<Expr> predicate;  // all/exists/exists_one/filter, optional for map forms
  std::unique_ptr<Expr> transform;  // map/transformList/transformMap

  // Source text of the whole node, as written (for reasons and messages).
  std::string source_text;

  // A compact, deterministic rendering, e.g. `_&&_(a, b.c)`; golden tests use it.
  std::string DebugString() const;
};

using ExprPtr = std::unique_ptr<Expr>;

// A copy of `e` without its children (target, args, predicate, transform).
ExprPtr CopyNode(const Expr& e);

// `cel.bind(var, init, body)` as the AST holds it: `[init].map(var, body)[0]`,
// a one-element comprehension that the checker needs nothing new for (the
// planner evaluates it as a bound slot). `make` makes each new node of a kind.
ExprPtr MakeBind(std::string var, ExprPtr init, ExprPtr body,
                 const std::function<ExprPtr(Expr::Kind)>& make);
// Whether `e` has that form.
bool IsBind(const Expr& e);

// Calls `visit` on `e` and every node below it, parents first.
void VisitExpr(const Expr& e, const std::function<void(const Expr&)>& visit);

// Appends the parts of a dotted name (`a.b.c` -> a, b, c) and returns true
// when `e` is an identifier followed only by field selections.
bool QualifiedName(const Expr& e, std::vector<std::string>* parts);

// The dotted prefixes of a name's parts: {a, b, c} -> {"a", "a.b", "a.b.c"}.
std::vector<std::string> DottedPrefixes(const std::vector<std::string>& parts);

}  // namespace castellan::dsl
