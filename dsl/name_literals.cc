#include "dsl/name_literals.h"

namespace castellan::dsl {
namespace {

bool IsString(const Expr& e) {
  return e.kind == Expr::Kind::kConstant && e.constant.kind == Constant::Kind::kString;
}

// What declared names `e`'s value holds: a variable declared to hold them, or
// a call of a function whose result does.
NameKind HeldNames(const Expr& e, const Resolutions& resolutions, const CheckEnvironment& env) {
  const Resolution* r = resolutions.Find(e.id);
  if (r == nullptr) return NameKind::kNone;
  if (r->kind == Resolution::Kind::kVariable && r->fields.empty()) {
    const VariableDecl* v = env.FindVariableDecl(r->name);
    return v ? v->names : NameKind::kNone;
  }
  if (r->kind == Resolution::Kind::kFunction && e.kind == Expr::Kind::kCall) {
    const FunctionDecl* f = env.FindFunctionDecl(r->name);
    return f ? f->result_names : NameKind::kNone;
  }
  return NameKind::kNone;
}

}  // namespace

std::vector<NameLiteral> NameLiterals(const Expr& expr, const Resolutions& resolutions,
                                      const CheckEnvironment& env) {
  std::vector<NameLiteral> out;
  auto literal = [&out](const Expr& e, NameKind kind) {
    if (kind != NameKind::kNone && IsString(e)) out.push_back({&e, kind});
  };
  VisitExpr(expr, [&](const Expr& e) {
    if (e.kind != Expr::Kind::kCall) return;
    if ((e.name == "_==_" || e.name == "_!=_") && e.args.size() == 2) {
      literal(*e.args[1], HeldNames(*e.args[0], resolutions, env));
      literal(*e.args[0], HeldNames(*e.args[1], resolutions, env));
      return;
    }
    if (e.name == "@in" && e.args.size() == 2) {
      literal(*e.args[0], HeldNames(*e.args[1], resolutions, env));
      // `action in ["a", "b"]`
      const NameKind kind = HeldNames(*e.args[0], resolutions, env);
      if (e.args[1]->kind == Expr::Kind::kList) {
        for (const auto& item : e.args[1]->args) literal(*item, kind);
      }
      return;
    }
    const Resolution* r = resolutions.Find(e.id);
    if (r == nullptr || r->kind != Resolution::Kind::kFunction) return;
    const FunctionDecl* f = env.FindFunctionDecl(r->name);
    if (f == nullptr || f->argument_names.empty()) return;
    std::vector<const Expr*> operands;
    if (r->receiver && e.target) operands.push_back(e.target.get());
    for (const auto& a : e.args) operands.push_back(a.get());
    for (size_t i = 0; i < operands.size() && i < f->argument_names.size(); ++i) {
      literal(*operands[i], f->argument_names[i]);
    }
  });
  return out;
}

bool WithinOneEdit(const std::string& a, const std::string& b) {
  if (a.size() > b.size()) return WithinOneEdit(b, a);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size())
    return i == a.size() || a.compare(i + 1, std::string::npos, b, i + 1) == 0;
  return a.compare(i, std::string::npos, b, i + 1) == 0;
}

}  // namespace castellan::dsl
