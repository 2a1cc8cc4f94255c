#include "engine/trust_boundary.h"

#include <algorithm>

#include "engine/time_value.h"

namespace castellan::engine {
namespace {

using K = Value::Kind;
using T = dsl::Type::Kind;

// Keys that name an entity rather than describe it: always allowed.
bool NamesEntity(std::string_view key) {
  return key == "id" || key == "kind" || key == "type" || key == "new";
}

bool HasType(const Value& v, const dsl::Type& t) {
  switch (t.kind()) {
    case T::kNull:
      return v.kind() == K::kNull;
    case T::kBool:
      return v.kind() == K::kBool;
    case T::kInt:
      return v.kind() == K::kInt || (v.kind() == K::kUint && v.uint_value() <= uint64_t{INT64_MAX});
    case T::kUint:
      return v.kind() == K::kUint || (v.kind() == K::kInt && v.int_value() >= 0);
    case T::kDouble:
      return v.kind() == K::kDouble || v.kind() == K::kInt || v.kind() == K::kUint;
    case T::kString:
      return v.kind() == K::kString;
    case T::kBytes:  // JSON and YAML have no bytes: a string stands for them
      return v.kind() == K::kBytes || v.kind() == K::kString;
    case T::kTimestamp: {
      std::string error;
      return v.kind() == K::kTimestamp ||
             (v.kind() == K::kString && ParseTimestamp(v.string_value(), &error));
    }
    case T::kDuration: {
      std::string error;
      return v.kind() == K::kDuration ||
             (v.kind() == K::kString && ParseDuration(v.string_value(), &error));
    }
    case T::kList:
      if (v.kind() != K::kList) return false;
      return std::all_of(v.list_value().begin(), v.list_value().end(),
                         [&](const Value& item) { return HasType(item, t.param(0)); });
    case T::kMap:
      if (v.kind() != K::kMap) return false;
      return std::all_of(v.map_value().entries().begin(), v.map_value().entries().end(),
                         [&](const MapValue::Entry& e) {
                           return HasType(e.first, t.param(0)) && HasType(e.second, t.param(1));
                         });
    default:  // dyn, type parameters, optionals: anything
      return true;
  }
}

void Refuse(RefusalCode code, const std::string& label, std::string attribute, std::string message,
            std::vector<Refusal>* out) {
  out->push_back({code, label, std::move(attribute), std::move(message)});
}

}  // namespace

std::string_view RefusalCodeName(RefusalCode code) {
  return code == RefusalCode::kAttributeNotOverridable ? "attribute_not_overridable"
                                                       : "invalid_request";
}

std::string EntityLabel(const Value& entity, bool principal) {
  const Value* id = entity.kind() == K::kMap ? entity.map_value().FindString("id") : nullptr;
  const std::string id_text = id && id->kind() == K::kString ? id->string_value() : "";
  if (principal) return "principal '" + id_text + "'";
  const Value* kind = entity.kind() == K::kMap ? entity.map_value().FindString("kind") : nullptr;
  const std::string kind_text = kind && kind->kind() == K::kString ? kind->string_value() : "";
  return "resource " + kind_text + "/'" + id_text + "'";
}

const dsl::AttributeDecl* FindAttribute(const std::vector<dsl::AttributeDecl>& decls,
                                        std::string_view name) {
  for (const auto& d : decls) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string ValueProblem(const Value& value, const dsl::AttributeDecl& decl) {
  if (!HasType(value, decl.type)) {
    return "must be a " + decl.type.ToString() + ", not a " + std::string(value.TypeName());
  }
  if (!decl.values.empty() && value.kind() == K::kString &&
      std::find(decl.values.begin(), decl.values.end(), value.string_value()) ==
          decl.values.end()) {
    std::string allowed;
    for (const auto& v : decl.values) allowed += (allowed.empty() ? "" : ", ") + v;
    return "must be one of " + allowed + ", not '" + value.string_value() + "'";
  }
  return "";
}

void CheckStoredEntity(const Value& given, const Value& stored, const dsl::EntityKindDecl* kind,
                       Additions additions, bool principal, std::vector<Refusal>* out) {
  if (given.kind() != K::kMap) return;
  // Built only for a refusal: the usual request passes without one.
  auto label = [&] { return EntityLabel(given, principal); };
  for (const auto& [key, value] : given.map_value().entries()) {
    if (key.kind() != K::kString || NamesEntity(key.string_value())) continue;
    const std::string& name = key.string_value();
    if (!kind) {
      // No declaration: the store's value stands; repeating it is harmless.
      const Value* kept = stored.kind() == K::kMap ? stored.map_value().FindString(name) : nullptr;
      if (!kept && additions == Additions::kRefused) {
        Refuse(RefusalCode::kAttributeNotOverridable, label(), name,
               "the request gives attribute '" + name + "' of " + label() +
                   ", which the store does not hold; only the store says what it is",
               out);
        continue;
      }
      if (!kept || kept->is_error() || value.is_error() || Equal(*kept, value)) continue;
      Refuse(RefusalCode::kAttributeNotOverridable, label(), name,
             "the request gives attribute '" + name + "' of " + label() +
                 ", which differs from the stored value; only the store says what it is",
             out);
      continue;
    }
    const dsl::AttributeDecl* decl = FindAttribute(kind->attributes, name);
    if (!decl || decl->from == dsl::AttributeSource::kStore) {
      Refuse(RefusalCode::kAttributeNotOverridable, label(), name,
             "the request may not give attribute '" + name + "' of " + label() +
                 (decl ? ": EntityKind '" + kind->name + "' takes it from the store only"
                       : ": EntityKind '" + kind->name + "' declares no such attribute"),
             out);
      continue;
    }
    if (std::string problem = ValueProblem(value, *decl); !problem.empty()) {
      Refuse(RefusalCode::kInvalidRequest, label(), name,
             "attribute '" + name + "' of " + label() + " " + problem, out);
    }
  }
}

void CheckInlineEntity(const Value& given, const dsl::EntityKindDecl& kind, bool principal,
                       std::vector<Refusal>* out) {
  if (given.kind() != K::kMap) return;
  auto label = [&] { return EntityLabel(given, principal); };
  const MapValue& map = given.map_value();
  for (const auto& [key, value] : map.entries()) {
    if (key.kind() != K::kString) continue;
    const std::string& name = key.string_value();
    const dsl::AttributeDecl* decl = FindAttribute(kind.attributes, name);
    if (!decl) {
      if (NamesEntity(name)) continue;
      Refuse(RefusalCode::kInvalidRequest, label(), name,
             "unknown attribute '" + name + "' of " + label() + ": EntityKind '" + kind.name +
                 "' does not declare it",
             out);
    } else if (std::string problem = ValueProblem(value, *decl); !problem.empty()) {
      Refuse(RefusalCode::kInvalidRequest, label(), name,
             "attribute '" + name + "' of " + label() + " " + problem, out);
    }
  }
  for (const auto& decl : kind.attributes) {
    if (decl.optional || map.FindString(decl.name)) continue;
    Refuse(RefusalCode::kInvalidRequest, label(), decl.name,
           label() + " lacks the required attribute '" + decl.name + "' (EntityKind '" + kind.name +
               "')",
           out);
  }
}

}  // namespace castellan::engine
