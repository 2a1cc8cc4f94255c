#include "server/authzen.h"

#include <optional>

#include "api/decision_json.h"
#include "api/json_value.h"

namespace castellan::server {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// Whether `kind` declares `name` as an attribute the request may supply.
bool FromRequest(const dsl::EntityKindDecl* kind, const std::string& name) {
  if (!kind) return false;
  for (const dsl::AttributeDecl& a : kind->attributes) {
    if (a.name == name) return a.from != dsl::AttributeSource::kStore;
  }
  return false;
}

// An AuthZEN subject or resource -> the native entity: `properties` as
// attributes, `id`, and `type` under `type_key` (when not null). With
// `policies`, a member beside type, id and properties is an attribute too when
// the entity's EntityKind declares it `from: request` or `from: both` (the
// implementers' draft 00 wrote them there); any other member is ignored.
bool Entity(const json& e, const char* what, const char* type_key,
            const engine::PolicySet* policies, engine::Value* out, std::string* error) {
  if (!e.is_object()) {
    *error = std::string("'") + what + "' must be an object with string 'type' and 'id'";
    return false;
  }
  for (const char* key : {"type", "id"}) {
    const auto it = e.find(key);
    if (it == e.end() || !it->is_string()) {
      *error = std::string("'") + what + "." + key + "' must be a string" +
               (it == e.end()         ? ""
                : it->is_null()       ? ", not null"
                : it->is_structured() ? std::string(", not an ") + it->type_name()
                                      : std::string(", not a ") + it->type_name());
      return false;
    }
  }
  json native = json::object();
  if (e.contains("properties")) {
    if (!e["properties"].is_object()) {
      *error = std::string("'") + what + ".properties' must be an object";
      return false;
    }
    native = e["properties"];
  }
  const dsl::EntityKindDecl* kind =
      policies ? policies->FindEntityKind(e["type"].get<std::string>()) : nullptr;
  for (const auto& [key, value] : e.items()) {
    if (key == "type" || key == "id" || key == "properties" || !FromRequest(kind, key)) continue;
    if (native.contains(key)) {
      *error = std::string("'") + what + "." + key + "' is given both beside and in '" + what +
               ".properties'";
      return false;
    }
    native[key] = value;
  }
  native["id"] = e["id"];
  if (type_key) native[type_key] = e["type"];
  *out = api::FromJson(native);
  return true;
}

bool Context(const json& context, engine::Value* out, std::string* error) {
  if (!context.is_null() && !context.is_object()) {
    *error = "'context' must be an object";
    return false;
  }
  *out = api::FromJson(context);
  return true;
}

}  // namespace

AuthZenMember AuthZenMember::Subject(const json& subject) {
  AuthZenMember m;
  m.ok = Entity(subject, "subject", nullptr, nullptr, &m.value, &m.error);
  // The subject is the principal, and principals are users: another kind
  // would be decided as a user of the same id.
  if (m.ok && subject["type"] != kPrincipalKind && subject["type"] != kIdentitySubjectType) {
    m.ok = false;
    m.error = std::string("'subject.type' must be '") + kPrincipalKind +
              "' (the principal kind), not '" + subject["type"].get<std::string>() + "'";
  }
  return m;
}

AuthZenMember AuthZenMember::Resource(const json& resource, const engine::PolicySet& policies) {
  AuthZenMember m;
  m.ok = Entity(resource, "resource", "kind", &policies, &m.value, &m.error);
  return m;
}

AuthZenMember AuthZenMember::Context(const json& context) {
  AuthZenMember m;
  m.ok = castellan::server::Context(context, &m.value, &m.error);
  return m;
}

bool FromAuthZen(const AuthZenMember& subject, const AuthZenMember& resource, const json& action,
                 const AuthZenMember& context, engine::DecisionRequest* out, std::string* error) {
  for (const AuthZenMember* m : {&subject, &resource}) {
    if (!m->ok) {
      *error = m->error;
      return false;
    }
  }
  if (!action.is_object() || !action.contains("name") || !action["name"].is_string()) {
    *error = "'action' must be an object with a string 'name'";
    return false;
  }
  if (!context.ok) {
    *error = context.error;
    return false;
  }
  const auto properties = action.find("properties");
  if (properties != action.end() && !properties->is_null() && !properties->is_object()) {
    *error = "'action.properties' must be an object";
    return false;
  }
  out->params = properties != action.end() ? api::FromJson(*properties) : engine::Value();
  out->principal = subject.value;
  out->resource = resource.value;
  out->context = context.value;
  out->actions = {action["name"].get<std::string>()};
  return true;
}

bool FromAuthZen(const json& subject, const json& resource, const json& action, const json& context,
                 const engine::PolicySet& policies, engine::DecisionRequest* out,
                 std::string* error) {
  return FromAuthZen(AuthZenMember::Subject(subject), AuthZenMember::Resource(resource, policies),
                     action, AuthZenMember::Context(context), out, error);
}

ojson AuthZenDecision(const engine::ActionDecision& d, const std::string& revision,
                      uint64_t entity_version, api::ReasonQuota& reasons) {
  ojson context = {{"policy_version", revision}, {"entity_version", entity_version}};
  if (d.rule) context["rule"] = d.rule->decl->name;
  if (!d.allowed) api::AddReasons(d.reasons, reasons, &context);
  return {{"decision", d.allowed}, {"context", context}};
}

bool ParseEvaluationsSemantic(const json& body, EvaluationsSemantic* out, std::string* error) {
  *out = EvaluationsSemantic::kExecuteAll;
  if (!body.contains("options")) return true;
  const json& options = body["options"];
  if (!options.is_object()) {
    *error = "'options' must be an object";
    return false;
  }
  if (!options.contains("evaluations_semantic")) return true;
  const json& s = options["evaluations_semantic"];
  const std::string name = s.is_string() ? s.get<std::string>() : "";
  if (name == "execute_all") return true;
  if (name == "deny_on_first_deny") {
    *out = EvaluationsSemantic::kDenyOnFirstDeny;
    return true;
  }
  if (name == "permit_on_first_permit") {
    *out = EvaluationsSemantic::kPermitOnFirstPermit;
    return true;
  }
  *error =
      "options.evaluations_semantic must be execute_all, deny_on_first_deny or "
      "permit_on_first_permit";
  return false;
}

}  // namespace castellan::server
