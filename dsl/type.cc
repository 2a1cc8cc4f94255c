#include "dsl/type.h"

namespace castellan::dsl {

Type Type::List(Type elem) {
  Type t(Kind::kList);
  t.params_ = {std::move(elem)};
  return t;
}
Type Type::Map(Type key, Type value) {
  Type t(Kind::kMap);
  t.params_ = {std::move(key), std::move(value)};
  return t;
}
Type Type::TypeOf(Type of) {
  Type t(Kind::kType);
  t.params_ = {std::move(of)};
  return t;
}
Type Type::Optional(Type value) {
  Type t(Kind::kOptional);
  t.params_ = {std::move(value)};
  return t;
}
Type Type::Param(std::string name) {
  Type t(Kind::kParam);
  t.name_ = std::move(name);
  return t;
}

std::string Type::ToString() const {
  switch (kind_) {
    case Kind::kDyn:
      return "dyn";
    case Kind::kNull:
      return "null_type";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kList:
      return "list(" + params_[0].ToString() + ")";
    case Kind::kMap:
      return "map(" + params_[0].ToString() + ", " + params_[1].ToString() + ")";
    case Kind::kTimestamp:
      return "google.protobuf.Timestamp";
    case Kind::kDuration:
      return "google.protobuf.Duration";
    case Kind::kType:
      return "type(" + params_[0].ToString() + ")";
    case Kind::kParam:
      return name_;
    case Kind::kOptional:
      return "optional_type(" + params_[0].ToString() + ")";
  }
  return "?";
}

namespace {

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits "a,map(b,c)" at top-level commas.
std::vector<std::string_view> SplitTop(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')') --depth;
    if (s[i] == ',' && depth == 0) {
      parts.push_back(TrimSpace(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(TrimSpace(s.substr(start)));
  return parts;
}

}  // namespace

std::optional<Type> ParseTypeName(std::string_view text) {
  text = TrimSpace(text);
  struct Simple {
    std::string_view name;
    Type (*make)();
  };
  static const Simple kSimple[] = {
      {"dyn", Type::Dyn},
      {"null_type", Type::Null},
      {"bool", Type::Bool},
      {"int", Type::Int},
      {"uint", Type::Uint},
      {"double", Type::Double},
      {"string", Type::String},
      {"bytes", Type::Bytes},
      {"timestamp", Type::Timestamp},
      {"google.protobuf.Timestamp", Type::Timestamp},
      {"duration", Type::Duration},
      {"google.protobuf.Duration", Type::Duration},
  };
  for (const auto& s : kSimple) {
    if (text == s.name) return s.make();
  }
  if (text.size() == 1 && text[0] >= 'A' && text[0] <= 'Z') return Type::Param(std::string(text));
  if (text == "list") return Type::List(Type::Dyn());
  if (text == "map") return Type::Map(Type::Dyn(), Type::Dyn());
  size_t open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')') return std::nullopt;
  std::string_view head = text.substr(0, open);
  auto args = SplitTop(text.substr(open + 1, text.size() - open - 2));
  std::vector<Type> types;
  for (auto a : args) {
    auto t = ParseTypeName(a);
    if (!t) return std::nullopt;
    types.push_back(*t);
  }
  if (head == "list" && types.size() == 1) return Type::List(types[0]);
  if (head == "map" && types.size() == 2) return Type::Map(types[0], types[1]);
  if (head == "type" && types.size() == 1) return Type::TypeOf(types[0]);
  if (head == "optional_type" && types.size() == 1) return Type::Optional(types[0]);
  return std::nullopt;
}

}  // namespace castellan::dsl
