#include "dsl/ast.h"

#include <cstdio>

namespace castellan::dsl {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string ConstantString(const Constant& c) {
  switch (c.kind) {
    case Constant::Kind::kNull:
      return "null";
    case Constant::Kind::kBool:
      return c.bool_value ? "true" : "false";
    case Constant::Kind::kInt:
      return std::to_string(c.int_value);
    case Constant::Kind::kUint:
      return std::to_string(c.uint_value) + "u";
    case Constant::Kind::kDouble: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", c.double_value);
      std::string s = buf;
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case Constant::Kind::kString:
      return Quote(c.string_value);
    case Constant::Kind::kBytes: {
      // Not `"b" + Quote(...)`: GCC 12 warns falsely on that (-Wrestrict,
      // GCC bug 105651).
      std::string s = "b";
      s += Quote(c.string_value);
      return s;
    }
  }
  return "?";
}

}  // namespace

const char* MacroName(Macro macro) {
  switch (macro) {
    case Macro::kAll:
      return "all";
    case Macro::kExists:
      return "exists";
    case Macro::kExistsOne:
      return "exists_one";
    case Macro::kMap:
      return "map";
    case Macro::kFilter:
      return "filter";
    case Macro::kTransformList:
      return "transformList";
    case Macro::kTransformMap:
      return "transformMap";
  }
  return "?";
}

ExprPtr CopyNode(const Expr& e) {
  auto c = std::make_unique<Expr>();
  c->kind = e.kind;
  c->id = e.id;
  c->position = e.position;
  c->constant = e.constant;
  c->name = e.name;
  c->test_only = e.test_only;
  c->macro = e.macro;
  c->iter_var = e.iter_var;
  c->iter_var2 = e.iter_var2;
  c->source_text = e.source_text;
  return c;
}

ExprPtr MakeBind(std::string var, ExprPtr init, ExprPtr body,
                 const std::function<ExprPtr(Expr::Kind)>& make) {
  ExprPtr range = make(Expr::Kind::kList);
  range->args.push_back(std::move(init));
  ExprPtr map = make(Expr::Kind::kComprehension);
  map->macro = Macro::kMap;
  map->iter_var = std::move(var);
  map->target = std::move(range);
  map->transform = std::move(body);
  ExprPtr zero = make(Expr::Kind::kConstant);
  zero->constant.kind = Constant::Kind::kInt;
  zero->constant.int_value = 0;
  ExprPtr index = make(Expr::Kind::kCall);
  index->name = "_[_]";
  index->args.push_back(std::move(map));
  index->args.push_back(std::move(zero));
  return index;
}

bool IsBind(const Expr& e) {
  if (e.kind != Expr::Kind::kCall || e.name != "_[_]" || e.target || e.args.size() != 2) {
    return false;
  }
  const Expr& map = *e.args[0];
  const Expr& index = *e.args[1];
  return map.kind == Expr::Kind::kComprehension && map.macro == Macro::kMap &&
         map.iter_var2.empty() && !map.predicate && map.transform && map.target &&
         map.target->kind == Expr::Kind::kList && map.target->args.size() == 1 &&
         index.kind == Expr::Kind::kConstant && index.constant.kind == Constant::Kind::kInt &&
         index.constant.int_value == 0;
}

void VisitExpr(const Expr& e, const std::function<void(const Expr&)>& visit) {
  visit(e);
  if (e.target) VisitExpr(*e.target, visit);
  for (const auto& a : e.args) VisitExpr(*a, visit);
  if (e.predicate) VisitExpr(*e.predicate, visit);
  if (e.transform) VisitExpr(*e.transform, visit);
}

bool QualifiedName(const Expr& e, std::vector<std::string>* parts) {
  if (e.kind == Expr::Kind::kIdent) {
    parts->push_back(e.name);
    return true;
  }
  if (e.kind == Expr::Kind::kSelect && !e.test_only && QualifiedName(*e.target, parts)) {
    parts->push_back(e.name);
    return true;
  }
  return false;
}

std::vector<std::string> DottedPrefixes(const std::vector<std::string>& parts) {
  std::vector<std::string> prefixes;
  std::string name;
  for (size_t i = 0; i < parts.size(); ++i) {
    name += (i ? "." : "") + parts[i];
    prefixes.push_back(name);
  }
  return prefixes;
}

std::string Expr::DebugString() const {
  switch (kind) {
    case Kind::kConstant:
      return ConstantString(constant);
    case Kind::kIdent:
      return name;
    case Kind::kSelect:
      if (test_only) return "has(" + target->DebugString() + "." + name + ")";
      return target->DebugString() + "." + name;
    case Kind::kCall: {
      std::string out = target ? target->DebugString() + "." + name + "(" : name + "(";
      for (size_t i = 0; i < args.size(); ++i) {
        if (i) out += ", ";
        out += args[i]->DebugString();
      }
      return out + ")";
    }
    case Kind::kList: {
      std::string out = "[";
      for (size_t i = 0; i < args.size(); ++i) {
        if (i) out += ", ";
        out += args[i]->DebugString();
      }
      return out + "]";
    }
    case Kind::kMap: {
      std::string out = "{";
      for (size_t i = 0; i + 1 < args.size(); i += 2) {
        if (i) out += ", ";
        out += args[i]->DebugString() + ": " + args[i + 1]->DebugString();
      }
      return out + "}";
    }
    case Kind::kComprehension: {
      std::string out = target->DebugString() + "." + MacroName(macro) + "(" + iter_var;
      if (!iter_var2.empty()) out += ", " + iter_var2;
      if (predicate) out += ", " + predicate->DebugString();
      if (transform) out += ", " + transform->DebugString();
      return out + ")";
    }
  }
  return "?";
}

}  // namespace castellan::dsl
