// The trust boundary: what a decision request may say about its entities and
// parameters, checked against the store and the policy set's declarations
// (`EntityKind` documents, actions' `params`).
//
//  - an entity the store knows keeps its stored attributes. Without an
//    EntityKind, the request may repeat a stored value, and for a resource
//    add an attribute the store lacks; a value that differs is refused, and
//    so is any attribute a stored principal lacks (a principal's roles,
//    permissions and access are what the engine grants on: they come from
//    the store alone). With an EntityKind, the request may give only the
//    attributes declared `from: request` or `from: both`;
//  - an entity taken inline (a `source: request` kind, a proposed `new: true`
//    resource) is validated against its EntityKind: no undeclared attribute,
//    each of its declared type and values, none required missing;
//  - `id`, `kind`, `type` and `new` name the entity and are always allowed.
// A problem is a Refusal: the request as a whole is refused (HTTP 400), never
// decided with what it supplied. Plain functions over immutable values:
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsl/policy.h"
#include "engine/value.h"

namespace castellan::engine {

enum class RefusalCode {
  kAttributeNotOverridable,  // the request gives an attribute only the store may give
  kInvalidRequest,           // an attribute or parameter the declarations do not allow
};

// "attribute_not_overridable", "invalid_request": the HTTP error codes.
std::string_view RefusalCodeName(RefusalCode code);

// Why a request was refused as a whole.
struct Refusal {
  RefusalCode code = RefusalCode::kInvalidRequest;
  std::string entity;     // "principal 'u-nina'", "resource todo/'1'"; empty for params
  std::string attribute;  // the attribute or parameter at fault
  std::string message;    // for people, naming both
};

// "principal 'id'" or "resource kind/'id'", for messages.
std::string EntityLabel(const Value& entity, bool principal);

// Without an EntityKind, whether the request may add attributes the store lacks.
enum class Additions { kAllowed, kRefused };

// Checks the request's attributes `given` for an entity the store holds as
// `stored`. `kind` is the entity's EntityKind, or nullptr when none is
// declared; `additions` applies only then. `principal` says which entity it is
// (for messages, built only when something is refused).
void CheckStoredEntity(const Value& given, const Value& stored, const dsl::EntityKindDecl* kind,
                       Additions additions, bool principal, std::vector<Refusal>* out);

// Validates an entity taken inline from the request against its EntityKind.
void CheckInlineEntity(const Value& given, const dsl::EntityKindDecl& kind, bool principal,
                       std::vector<Refusal>* out);

// What is wrong with `value` as declared by `decl` (its type, its `values`);
// empty when nothing is. JSON forms count: an RFC 3339 string is a timestamp.
std::string ValueProblem(const Value& value, const dsl::AttributeDecl& decl);

// The declaration of `name` in `decls`, or nullptr.
const dsl::AttributeDecl* FindAttribute(const std::vector<dsl::AttributeDecl>& decls,
                                        std::string_view name);

}  // namespace castellan::engine
