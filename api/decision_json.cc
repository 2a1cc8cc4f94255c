#include "api/decision_json.h"

#include <algorithm>
#include <utility>

#include "api/json_value.h"

namespace castellan::api {
namespace {

// `text` cut to kMaxReasonTextBytes on a UTF-8 character boundary.
std::string Clip(const std::string& text) {
  if (text.size() <= kMaxReasonTextBytes) return text;
  size_t end = kMaxReasonTextBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

// principal.id, resource.id and resource.kind name an entity: when present
// they must be strings, or the request would be read as naming no entity.
bool CheckNameFields(const nlohmann::json& body, std::string* error) {
  const std::pair<const char*, const char*> fields[] = {
      {"principal", "id"}, {"resource", "id"}, {"resource", "kind"}};
  for (const auto& [entity, key] : fields) {
    const nlohmann::json& e = body[entity];
    const auto it = e.find(key);
    if (it != e.end() && !it->is_string()) {
      const std::string type = it->type_name();
      const char* article = it->is_null() ? "" : (it->is_object() || it->is_array()) ? "an " : "a ";
      *error = std::string("'") + entity + "." + key + "' must be a string, not " + article + type;
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseDecisionRequest(const nlohmann::json& body, bool require_actions,
                          engine::DecisionRequest* out, std::string* error) {
  if (!body.is_object()) {
    *error = "a request must be a JSON object";
    return false;
  }
  for (const char* field : {"principal", "resource"}) {
    if (!body.contains(field) || !body[field].is_object()) {
      *error = std::string("'") + field + "' must be an object (with at least an \"id\")";
      return false;
    }
  }
  if (!CheckNameFields(body, error)) return false;
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
  for (const char* field : {"context", "params"}) {
    if (body.contains(field) && !body[field].is_object() && !body[field].is_null()) {
      *error = std::string("'") + field + "' must be an object";
      return false;
    }
  }
  if (const auto it = body["resource"].find("new");
      it != body["resource"].end() && !it->is_boolean()) {
    *error = "'resource.new' must be true or false";
    return false;
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "principal" && key != "resource" && key != "actions" && key != "context" &&
        key != "params") {
      *error =
          "unknown field '" + key + "' (expected principal, resource, actions, context, params)";
      return false;
    }
  }
  out->principal = FromJson(body["principal"]);
  out->resource = FromJson(body["resource"]);
  out->context = body.contains("context") ? FromJson(body["context"]) : engine::Value();
  out->params = body.contains("params") ? FromJson(body["params"]) : engine::Value();
  return true;
}

nlohmann::ordered_json RefusalToJson(const std::vector<engine::Refusal>& refusals,
                                     const std::string& where) {
  nlohmann::ordered_json j;
  if (refusals.empty()) return j;
  const engine::Refusal& first = refusals.front();
  j["code"] = engine::RefusalCodeName(first.code);
  std::string message;
  nlohmann::ordered_json problems = nlohmann::ordered_json::array();
  for (const engine::Refusal& r : refusals) {
    message += (message.empty() ? where : "; ") + r.message;
    nlohmann::ordered_json p = {{"code", engine::RefusalCodeName(r.code)}};
    if (!r.entity.empty()) p["entity"] = Clip(r.entity);
    p["attribute"] = Clip(r.attribute);
    p["message"] = Clip(r.message);
    problems.push_back(std::move(p));
  }
  j["message"] = Clip(message);
  if (!first.entity.empty()) j["entity"] = Clip(first.entity);
  j["attribute"] = Clip(first.attribute);
  j["problems"] = std::move(problems);
  return j;
}

nlohmann::ordered_json ReasonToJson(const engine::Reason& r) {
  nlohmann::ordered_json j;
  j["code"] = r.Code();
  if (!r.permission.empty()) j["permission"] = r.permission;
  if (!r.required_by.empty()) j["required_by"] = r.required_by;
  if (!r.organization.empty()) j["organization"] = Clip(r.organization);
  if (r.rule) {
    j["rule"] = r.rule->decl->name;
    j["location"] = engine::RuleLocation(*r.rule);
  }
  if (!r.condition.empty()) j["condition"] = r.condition;
  j["message"] = Clip(r.message);
  return j;
}

void AddReasons(const std::vector<engine::Reason>& reasons, ReasonQuota& quota,
                nlohmann::ordered_json* out) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  const size_t shown = quota.Take(reasons.size());
  for (size_t i = 0; i < shown; ++i) list.push_back(ReasonToJson(reasons[i]));
  (*out)["reasons"] = std::move(list);
  if (shown < reasons.size()) (*out)["reasons_omitted"] = reasons.size() - shown;
}

nlohmann::ordered_json ActionDecisionToJson(const engine::ActionDecision& d, ReasonQuota& quota) {
  nlohmann::ordered_json j;
  j["effect"] = d.allowed ? "allow" : "deny";
  if (d.rule) {
    j["rule"] = {{"name", d.rule->decl->name},
                 {"policy", d.rule->policy},
                 {"location", engine::RuleLocation(*d.rule)}};
  } else {
    j["rule"] = nullptr;
  }
  AddReasons(d.reasons, quota, &j);
  return j;
}

nlohmann::ordered_json ResultsToJson(const engine::Decision& decision, ReasonQuota& quota) {
  nlohmann::ordered_json results = nlohmann::ordered_json::object();
  for (const auto& d : decision.results) results[d.action] = ActionDecisionToJson(d, quota);
  return results;
}

nlohmann::ordered_json DecisionToJson(const engine::Decision& decision, ReasonQuota& quota,
                                      std::optional<uint64_t> entity_version) {
  nlohmann::ordered_json j;
  j["policy_version"] = decision.revision;
  if (entity_version) j["entity_version"] = *entity_version;
  j["results"] = ResultsToJson(decision, quota);
  return j;
}

nlohmann::ordered_json DecisionToJson(const engine::Decision& decision) {
  ReasonQuota all = ReasonQuota::All();
  return DecisionToJson(decision, all);
}

void AppendJsonString(std::string_view text, std::string* out) {
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7F || c == '"' || c == '\\') {
      // Escapes and UTF-8 (valid or not) as nlohmann writes them.
      out->append(nlohmann::json(std::string(text))
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
    }
  }
  out->push_back('"');
  out->append(text);
  out->push_back('"');
}

namespace {

// `text` as ReasonToJson writes Clip(text).
void AppendClipped(const std::string& text, std::string* out) {
  if (text.size() <= kMaxReasonTextBytes) {
    AppendJsonString(text, out);
  } else {
    AppendJsonString(Clip(text), out);
  }
}

// ,"key": (the key needs no escaping)
void AppendKey(std::string_view key, std::string* out) {
  out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

}  // namespace

const std::string& DecisionWriter::Rule(const engine::CompiledRule& rule) {
  for (const auto& [r, text] : rules_) {
    if (r == &rule) return text;
  }
  std::string text = "{\"name\":";
  AppendJsonString(rule.decl->name, &text);
  AppendKey("policy", &text);
  AppendJsonString(rule.policy, &text);
  AppendKey("location", &text);
  AppendJsonString(engine::RuleLocation(rule), &text);
  text.push_back('}');
  return rules_.emplace_back(&rule, std::move(text)).second;
}

void DecisionWriter::Reason(const engine::Reason& r, std::string* out) {
  out->append("{\"code\":");
  AppendJsonString(r.Code(), out);
  if (!r.permission.empty()) {
    AppendKey("permission", out);
    AppendJsonString(r.permission, out);
  }
  if (!r.required_by.empty()) {
    AppendKey("required_by", out);
    AppendJsonString(r.required_by, out);
  }
  if (!r.organization.empty()) {
    AppendKey("organization", out);
    AppendClipped(r.organization, out);
  }
  if (r.rule) {
    AppendKey("rule", out);
    AppendJsonString(r.rule->decl->name, out);
    AppendKey("location", out);
    AppendJsonString(engine::RuleLocation(*r.rule), out);
  }
  if (!r.condition.empty()) {
    AppendKey("condition", out);
    AppendJsonString(r.condition, out);
  }
  AppendKey("message", out);
  AppendClipped(r.message, out);
  out->push_back('}');
}

void DecisionWriter::Action(const engine::ActionDecision& d, std::string* out) {
  out->append(d.allowed ? "{\"effect\":\"allow\",\"rule\":" : "{\"effect\":\"deny\",\"rule\":");
  if (d.rule) {
    out->append(Rule(*d.rule));
  } else {
    out->append("null");
  }
  out->append(",\"reasons\":[");
  const size_t shown = quota_.Take(d.reasons.size());
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out->push_back(',');
    Reason(d.reasons[i], out);
  }
  out->push_back(']');
  if (shown < d.reasons.size()) {
    AppendKey("reasons_omitted", out);
    out->append(std::to_string(d.reasons.size() - shown));
  }
  out->push_back('}');
}

void DecisionWriter::Results(const engine::Decision& decision, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const engine::ActionDecision& d : decision.results) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(d.action, out);
    out->push_back(':');
    Action(d, out);
  }
  out->push_back('}');
}

}  // namespace castellan::api
