// Definitions: the named constants and functions of `kind: Definitions`
// documents, and their expansion into the expressions that use them.
//
//   constants:
//     admin_roles: '["partner.owner", "partner.admin"]'   # an expression
//     backup: [products, collections]                     # a list of strings
//   functions:
//     manages(actor, target): actor.org == target.parent
//
// The loader (the one file that reads YAML) hands each entry over with its
// positions; Resolve() then checks them all at once: names (a definition may
// not share its name with a variable, a catalogue function or another
// definition), cycles (printed `a -> b -> a`) and each body on its own, its
// parameters dyn, so a body's errors are reported once, at the body.
//
// Check() replaces every use in an expression before the checker sees it, at
// the AST level: a constant becomes its body and a call `f(x, y)` becomes
//   cel.bind(@f.a, x, cel.bind(@f.b, y, <body of f>))
// in the parser's cel.bind nodes (MakeBind, ast.h), so arguments are
// evaluated once and cannot be captured: the parameter names start with '@',
// which no one can write. An argument that is a name or a literal is written
// in place instead (as by hand), unless a comprehension variable of the body
// would capture it. Expanded nodes keep the positions of the
// definition; a problem the checker finds in them is reported in the
// definition's file and names the use (" (in 'f', used at rules.yaml:4:11)").
//
// Not thread-safe while being filled; Check() records where expanded nodes
// came from, so it is not const either. One Definitions per load.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/ast.h"
#include "dsl/checker.h"
#include "dsl/diagnostic.h"
#include "dsl/parser.h"
#include "dsl/policy.h"

namespace castellan::dsl {

// Text read from YAML, with where each of its bytes sits in the file.
struct PositionedText {
  std::string text;
  SourceMap map;
};

class Definitions {
 public:
  // `name: <expression>` under `constants`.
  void AddConstant(const std::string& name, const Location& at, const PositionedText& body,
                   Diagnostics& out);
  // `name: [a, b]` under `constants`: the list literal ["a", "b"].
  void AddStringList(const std::string& name, const Location& at,
                     const std::vector<std::pair<std::string, SourcePosition>>& items);
  // `name(a, b): <expression>` under `functions`; `header` is the key as written.
  void AddFunction(const PositionedText& header, const Location& at, const PositionedText& body,
                   Diagnostics& out);

  // Checks every definition against the rule and group environments.
  // REQUIRES: called once, after every Add and before Check().
  void Resolve(const CheckEnvironment& rule, const CheckEnvironment& group, Diagnostics& out);

  struct Checked {
    ExprPtr expr;  // the expression with every definition expanded (null on failure)
    CheckResult result;
  };
  // Expands `written` (an expression of `file`) and checks it in `env`.
  // `params`: names used as they are (a body checked on its own).
  Checked Check(const Expr& written, const CheckEnvironment& env, const std::string& file,
                const std::vector<std::string>& params = {});

  // Re-attributes a diagnostic about `node`, a node of an expression Check()
  // returned (`root`), to the definition it came from, if any.
  void Attribute(const Expr& root, const Expr& node, Diagnostic& d) const;

  // The definitions as the policy source lists them, in file order.
  std::vector<DefinitionDecl> Declarations() const;

  struct Entry;
  struct Origin {
    int definition = -1;      // index into entries_, or -1 for the written expression
    SourcePosition used_at;   // the outermost use in the written expression
    SourcePosition position;  // the node's own position
  };

 private:
  friend class Expander;

  const Entry* Find(std::string_view name) const;
  void Add(std::shared_ptr<Entry> entry);
  void Relabel(const Entry& e, const Origin& o, const std::string& file, Diagnostic& d) const;
  void CheckNames(const CheckEnvironment& rule, const CheckEnvironment& group, Diagnostics& out);
  void FindCycles(Diagnostics& out);
  void CheckBodies(const CheckEnvironment& rule, const CheckEnvironment& group, Diagnostics& out);
  // Rewrites diagnostics about expanded nodes (see Attribute) and drops the
  // ones the expansion already reported or that broken definitions caused.
  void Remap(const std::vector<Origin>& origins, const std::string& file,
             const std::vector<SourcePosition>& reported, Diagnostics& diagnostics) const;

  std::vector<std::shared_ptr<Entry>> entries_;
  std::map<std::string, size_t, std::less<>> index_;
  // What Check() expanded, by the root it returned: the origin of each node id.
  std::map<const Expr*, std::vector<Origin>> origins_;
  std::set<std::string, std::less<>> known_names_;      // variables, namespaces, types
  std::set<std::string, std::less<>> known_functions_;  // global catalogue functions
  bool resolved_ = false;
};

}  // namespace castellan::dsl
