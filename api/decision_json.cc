#include "api/decision_json.h"

#include "api/json_value.h"

namespace castellan::api {

bool ParseDecisionRequest(const nlohmann::json& body, bool require_actions,
                          engine::DecisionRequest* out, std::string* error) {
  if (!body.is_object()) {
    *error = "the request body must be a JSON object";
    return false;
  }
  for (const char* field : {"principal", "resource"}) {
    if (!body.contains(field) || !body[field].is_object()) {
      *error = std::string("'") + field + "' must be an object (with at least an \"id\")";
      return false;
    }
  }
  if (body.contains("actions")) {
    const auto& actions = body["actions"];
    if (!actions.is_array() || (require_actions && actions.empty())) {
      *error = "'actions' must be a non-empty array of action names";
      return false;
    }
    for (const auto& a : actions) {
      if (!a.is_string()) {
        *error = "'actions' must contain strings";
        return false;
      }
      out->actions.push_back(a.get<std::string>());
    }
  } else if (require_actions) {
    *error = "'actions' is required: an array of action names";
    return false;
  }
  if (body.contains("context") && !body["context"].is_object() && !body["context"].is_null()) {
    *error = "'context' must be an object";
    return false;
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "principal" && key != "resource" && key != "actions" && key != "context") {
      *error = "unknown field '" + key + "' (expected principal, resource, actions, context)";
      return false;
    }
  }
  out->principal = FromJson(body["principal"]);
  out->resource = FromJson(body["resource"]);
  out->context = body.contains("context") ? FromJson(body["context"]) : engine::Value();
  return true;
}

nlohmann::ordered_json ReasonToJson(const engine::Reason& r) {
  nlohmann::ordered_json j;
  j["code"] = r.code;
  if (!r.permission.empty()) j["permission"] = r.permission;
  if (!r.required_by.empty()) j["required_by"] = r.required_by;
  if (!r.organization.empty()) j["organization"] = r.organization;
  if (r.rule) {
    j["rule"] = r.rule->decl->name;
    j["location"] = engine::RuleLocation(*r.rule);
  }
  if (!r.condition.empty()) j["condition"] = r.condition;
  j["message"] = r.message;
  return j;
}

nlohmann::ordered_json ActionDecisionToJson(const engine::ActionDecision& d) {
  nlohmann::ordered_json j;
  j["effect"] = d.allowed ? "allow" : "deny";
  if (d.rule) {
    j["rule"] = {{"name", d.rule->decl->name},
                 {"policy", d.rule->policy},
                 {"location", engine::RuleLocation(*d.rule)}};
  } else {
    j["rule"] = nullptr;
  }
  j["reasons"] = nlohmann::ordered_json::array();
  for (const auto& r : d.reasons) j["reasons"].push_back(ReasonToJson(r));
  return j;
}

nlohmann::ordered_json ResultsToJson(const engine::Decision& decision) {
  nlohmann::ordered_json results = nlohmann::ordered_json::object();
  for (const auto& d : decision.results) results[d.action] = ActionDecisionToJson(d);
  return results;
}

nlohmann::ordered_json DecisionToJson(const engine::Decision& decision) {
  nlohmann::ordered_json j;
  j["policy_version"] = decision.revision;
  j["results"] = ResultsToJson(decision);
  return j;
}

}  // namespace castellan::api
