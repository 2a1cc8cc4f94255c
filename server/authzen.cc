#include "server/authzen.h"

#include <optional>

#include "api/decision_json.h"
#include "api/json_value.h"

namespace castellan::server {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// AuthZEN subject/resource/action/context -> the native request.
bool FromAuthZen(const json& subject, const json& resource, const json& action, const json& context,
                 engine::DecisionRequest* out, std::string* error) {
  auto entity = [&](const json& e, const char* what, const char* type_key) -> std::optional<json> {
    if (!e.is_object()) {
      *error = std::string("'") + what + "' must be an object with string 'type' and 'id'";
      return std::nullopt;
    }
    for (const char* key : {"type", "id"}) {
      const auto it = e.find(key);
      if (it == e.end() || !it->is_string()) {
        *error = std::string("'") + what + "." + key + "' must be a string" +
                 (it == e.end()         ? ""
                  : it->is_null()       ? ", not null"
                  : it->is_structured() ? std::string(", not an ") + it->type_name()
                                        : std::string(", not a ") + it->type_name());
        return std::nullopt;
      }
    }
    json native = json::object();
    if (e.contains("properties")) {
      if (!e["properties"].is_object()) {
        *error = std::string("'") + what + ".properties' must be an object";
        return std::nullopt;
      }
      native = e["properties"];
    }
    native["id"] = e["id"];
    if (type_key) native[type_key] = e["type"];
    return native;
  };
  auto principal = entity(subject, "subject", nullptr);
  if (!principal) return false;
  auto res = entity(resource, "resource", "kind");
  if (!res) return false;
  if (!action.is_object() || !action.contains("name") || !action["name"].is_string()) {
    *error = "'action' must be an object with a string 'name'";
    return false;
  }
  if (!context.is_null() && !context.is_object()) {
    *error = "'context' must be an object";
    return false;
  }
  out->principal = api::FromJson(*principal);
  out->resource = api::FromJson(*res);
  out->context = api::FromJson(context);
  out->actions = {action["name"].get<std::string>()};
  return true;
}

ojson AuthZenDecision(const engine::ActionDecision& d, const std::string& revision,
                      size_t max_reasons) {
  ojson context = {{"policy_version", revision}};
  if (d.rule) context["rule"] = d.rule->decl->name;
  if (!d.allowed) api::AddReasons(d.reasons, max_reasons, &context);
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
