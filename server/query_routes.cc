// The native query routes: /v1/allowed-resources (which resources of a kind
// may a principal act on) and /v1/allowed-subjects (who may act on a
// resource), answered by engine/query.h. Shapes: docs/queries.md.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/decision_json.h"
#include "api/json_value.h"
#include "engine/entity_snapshot.h"
#include "engine/query.h"
#include "server/authzen.h"
#include "server/decision_run.h"
#include "server/json_response.h"
#include "server/query_page.h"
#include "server/route.h"

namespace castellan::server {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

HttpResponse Invalid(const std::string& message) {
  return ErrorResponse(400, "invalid_request", message);
}

// The fields every query shares: the action, its params, the context, the page.
struct Common {
  std::string action;
  engine::Value params, context;
  engine::QueryPage page;
};

// Checks the fields every query shares: only `allowed` keys (and `params`), a
// declared `action`, objects `params` and `context`, the `page`. Empty when
// they are good.
std::string CheckCommon(const RouteContext& c, std::initializer_list<const char*> allowed,
                        Common* out) {
  const json& body = *c.body;
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* a : allowed) known |= key == a;
    if (!known && key != "params") return "unknown field '" + key + "'";
  }
  const auto it = body.find("action");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return "'action' must be an action name";
  }
  out->action = it->get<std::string>();
  if (!c.snapshot->policies->FindAction(out->action)) {
    return "unknown action '" + out->action + "'";
  }
  if (const auto ctx = body.find("context"); ctx != body.end()) {
    if (!ctx->is_object() && !ctx->is_null()) return "'context' must be an object";
    out->context = api::FromJson(*ctx);
  }
  if (const auto params = body.find("params"); params != body.end()) {
    if (!params->is_object() && !params->is_null()) return "'params' must be an object";
    out->params = api::FromJson(*params);
  }
  return ParseQueryPage(body, &out->page);
}

std::shared_ptr<const engine::EntitySnapshot> Entities(const RouteContext& c) {
  return std::dynamic_pointer_cast<const engine::EntitySnapshot>(c.snapshot->entities);
}

// The 400 of a query the trust boundary refused, as for a check.
HttpResponse RefusedQuery(const engine::QueryResult& r) {
  engine::Decision d;
  d.refusals = r.refusals;
  return Refused(d);
}

// Counts a query's decisions in the decision metrics, as a check's are
// counted (a refused query counts none, as a refused check), and gives the
// response its effect for the access log.
HttpResponse Counted(const RouteContext& c, uint64_t allowed, uint64_t denied,
                     HttpResponse response) {
  c.metrics.RecordDecisions(allowed, denied);
  response.effect = allowed && denied ? "mixed" : allowed ? "allow" : denied ? "deny" : "";
  return response;
}

HttpResponse Counted(const RouteContext& c, const engine::QueryResult& r, HttpResponse response) {
  return Counted(c, r.ids.size(), r.examined - r.ids.size(), std::move(response));
}

HttpResponse Answer(const RouteContext& c, const engine::QueryResult& r, const char* list_name,
                    ojson list) {
  if (!r.refusals.empty()) return RefusedQuery(r);
  ojson body = {{"policy_version", c.snapshot->revision},
                {"entity_version", c.snapshot->entity_version},
                {"request_id", c.request.request_id},
                {list_name, std::move(list)}};
  if (!r.next_after_id.empty()) body["next_page_token"] = r.next_after_id;
  body["examined"] = r.examined;
  return Counted(c, r, JsonResponse(200, body));
}

HttpResponse AllowedResources(const RouteContext& c) {
  const json& body = *c.body;
  Common q;
  std::string error =
      CheckCommon(c, {"principal", "resource_kind", "resource", "action", "context", "page"}, &q);
  if (!error.empty()) return Invalid(error);
  const auto principal = body.find("principal");
  if (principal == body.end() || !principal->is_object() || !principal->contains("id") ||
      !(*principal)["id"].is_string()) {
    return Invalid("'principal' must be an object with a string \"id\"");
  }
  std::string kind;
  const bool by_kind = body.contains("resource_kind"), by_resource = body.contains("resource");
  if (by_kind == by_resource) {
    return Invalid("give the kind as 'resource_kind' or as 'resource': {\"kind\"}, once");
  }
  const json& k = by_kind ? body["resource_kind"] : body["resource"];
  if (by_kind && k.is_string()) {
    kind = k.get<std::string>();
  } else if (by_resource && k.is_object() && k.size() == 1 && k.contains("kind") &&
             k["kind"].is_string()) {
    kind = k["kind"].get<std::string>();
  }
  if (kind.empty()) {
    return Invalid(by_kind ? "'resource_kind' must be a kind name"
                           : "'resource' must be {\"kind\": <kind name>} only");
  }
  const auto entities = Entities(c);
  if (!entities) return ErrorResponse(503, "not_ready", "no entity snapshot is loaded");
  const engine::QueryResult r = engine::AllowedResources(*entities, api::FromJson(*principal), kind,
                                                         q.action, q.context, q.page, q.params);
  ojson list = ojson::array();
  for (const std::string& id : r.ids) list.push_back({{"kind", kind}, {"id", id}});
  return Answer(c, r, "resources", std::move(list));
}

HttpResponse AllowedSubjects(const RouteContext& c) {
  const json& body = *c.body;
  Common q;
  std::string error = CheckCommon(c, {"resource", "action", "context", "page"}, &q);
  if (!error.empty()) return Invalid(error);
  const auto resource = body.find("resource");
  if (resource == body.end() || !resource->is_object() || !resource->contains("kind") ||
      !(*resource)["kind"].is_string() || !resource->contains("id") ||
      !(*resource)["id"].is_string()) {
    return Invalid("'resource' must be an object with a string \"kind\" and \"id\"");
  }
  const auto entities = Entities(c);
  if (!entities) return ErrorResponse(503, "not_ready", "no entity snapshot is loaded");
  const engine::QueryResult r = engine::AllowedSubjects(*entities, api::FromJson(*resource),
                                                        q.action, q.context, q.page, q.params);
  ojson list = ojson::array();
  for (const std::string& id : r.ids) list.push_back({{"id", id}});
  return Answer(c, r, "subjects", std::move(list));
}

// ---- AuthZEN 1.0 Search (docs/search-contract.md) ----------------------------------

// FNV-1a: a hash that names the same request in every build of the server.
uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(const std::string& in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kBase64Url[(n >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    for (int shift : {18, 12}) out += kBase64Url[(n >> shift) & 63];
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += kBase64Url[(n >> shift) & 63];
  }
  return out;
}

bool Base64UrlDecode(const std::string& in, std::string* out) {
  out->clear();
  uint32_t bits = 0;
  int count = 0;
  for (char ch : in) {
    const char* p = std::strchr(kBase64Url, ch);
    if (ch == '\0' || !p) return false;
    bits = (bits << 6) | uint32_t(p - kBase64Url);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out->push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return count < 6;
}

// A search's `page`: the limit, and from a token the position after which to go on.
struct SearchPage {
  size_t limit = 0;
  std::string after;
  uint64_t request_hash = 0;  // the request without its page
};

// Reads body["page"] for a server whose page size (the default and largest
// limit) is `size`; "" when good, else the 400's message.
std::string ParseSearchPage(const json& body, size_t size, SearchPage* page) {
  json rest = body;
  rest.erase("page");
  page->request_hash = Fnv1a(rest.dump());
  page->limit = size;
  const auto it = body.find("page");
  if (it == body.end() || it->is_null()) return "";
  if (!it->is_object()) return "'page' must be an object";
  std::optional<size_t> limit;
  if (const auto l = it->find("limit"); l != it->end() && !l->is_null()) {
    if (!l->is_number_integer() || l->get<int64_t>() < 0) {
      return "'page.limit' must be a non-negative integer";
    }
    limit = std::min<size_t>(l->get<uint64_t>(), size);
  }
  page->limit = limit.value_or(size);
  const auto t = it->find("token");
  if (t == it->end() || t->is_null() || (t->is_string() && t->get<std::string>().empty())) {
    return "";
  }
  std::string decoded;
  if (!t->is_string() || !Base64UrlDecode(t->get<std::string>(), &decoded)) {
    return "'page.token' is not a next_token of this server";
  }
  // "<limit>\n<hash>\n<position>"
  const size_t a = decoded.find('\n'), b = decoded.find('\n', a == std::string::npos ? a : a + 1);
  if (a == std::string::npos || b == std::string::npos) {
    return "'page.token' is not a next_token of this server";
  }
  const std::string token_limit = decoded.substr(0, a), hash = decoded.substr(a + 1, b - a - 1);
  if (hash != std::to_string(page->request_hash)) {
    return "'page.token' belongs to another request: every member but page.token must stay "
           "the same between pages";
  }
  if (limit && std::to_string(*limit) != token_limit) {
    return "'page.limit' differs from the request the token came from";
  }
  page->limit = std::strtoull(token_limit.c_str(), nullptr, 10);
  page->after = decoded.substr(b + 1);
  return "";
}

std::string NextToken(const SearchPage& page, const std::string& position) {
  if (position.empty()) return "";
  return Base64UrlEncode(std::to_string(page.limit) + "\n" + std::to_string(page.request_hash) +
                         "\n" + position);
}

HttpResponse SearchAnswer(const RouteContext& c, ojson results, const std::string& next_token) {
  ojson body;  // page first, as the spec recommends
  body["page"] = {{"next_token", next_token}, {"count", results.size()}};
  body["context"] = {{"policy_version", c.snapshot->revision},
                     {"entity_version", c.snapshot->entity_version}};
  body["results"] = std::move(results);
  return JsonResponse(200, body);
}

// Entity query results as AuthZEN items; limit 0 answers nothing.
HttpResponse EntitySearch(const RouteContext& c, const SearchPage& page, const std::string& type,
                          const std::function<engine::QueryResult(const engine::QueryPage&)>& run) {
  ojson results = ojson::array();
  if (page.limit == 0) return SearchAnswer(c, std::move(results), "");
  const engine::QueryResult r = run(engine::QueryPage{page.after, page.limit});
  if (!r.refusals.empty()) return RefusedQuery(r);
  for (const std::string& id : r.ids) {
    ojson item;
    item["type"] = type;
    item["id"] = id;
    results.push_back(std::move(item));
  }
  return Counted(c, r, SearchAnswer(c, std::move(results), NextToken(page, r.next_after_id)));
}

const json& MemberOf(const json& body, const char* key) {
  static const json null_value;
  const auto it = body.find(key);
  return it == body.end() ? null_value : *it;
}

HttpResponse SearchSubject(const RouteContext& c) {
  const json& body = *c.body;
  SearchPage page;
  std::string error = ParseSearchPage(body, c.config.search_page_size, &page);
  if (!error.empty()) return Invalid(error);
  const json& subject = MemberOf(body, "subject");
  if (!subject.is_object() || !subject.contains("type") || !subject["type"].is_string()) {
    return Invalid("'subject' must be an object with a string 'type'");
  }
  if (subject["type"] != "user") return Invalid("'subject.type' must be \"user\"");
  // The subject's id is ignored: a placeholder lets FromAuthZen check the rest.
  engine::DecisionRequest req;
  if (!FromAuthZen(json{{"type", "user"}, {"id", "-"}}, MemberOf(body, "resource"),
                   MemberOf(body, "action"), MemberOf(body, "context"), *c.snapshot->policies, &req,
                   &error)) {
    return Invalid(error);
  }
  const auto entities = Entities(c);
  if (!entities) return ErrorResponse(503, "not_ready", "no entity snapshot is loaded");
  return EntitySearch(c, page, "user", [&](const engine::QueryPage& p) {
    return engine::AllowedSubjects(*entities, req.resource, req.actions.at(0), req.context, p,
                                   req.params);
  });
}

HttpResponse SearchResource(const RouteContext& c) {
  const json& body = *c.body;
  SearchPage page;
  std::string error = ParseSearchPage(body, c.config.search_page_size, &page);
  if (!error.empty()) return Invalid(error);
  const json& resource = MemberOf(body, "resource");
  if (!resource.is_object() || !resource.contains("type") || !resource["type"].is_string() ||
      resource["type"].get<std::string>().empty()) {
    return Invalid("'resource' must be an object with a string 'type'");
  }
  const std::string kind = resource["type"].get<std::string>();
  // The resource's id is ignored: a placeholder lets FromAuthZen check the rest.
  engine::DecisionRequest req;
  if (!FromAuthZen(MemberOf(body, "subject"), json{{"type", kind}, {"id", "-"}},
                   MemberOf(body, "action"), MemberOf(body, "context"), *c.snapshot->policies, &req,
                   &error)) {
    return Invalid(error);
  }
  const auto entities = Entities(c);
  if (!entities) return ErrorResponse(503, "not_ready", "no entity snapshot is loaded");
  return EntitySearch(c, page, kind, [&](const engine::QueryPage& p) {
    return engine::AllowedResources(*entities, req.principal, kind, req.actions.at(0), req.context,
                                    p, req.params);
  });
}

HttpResponse SearchAction(const RouteContext& c) {
  const json& body = *c.body;
  SearchPage page;
  std::string error = ParseSearchPage(body, c.config.search_page_size, &page);
  if (!error.empty()) return Invalid(error);
  engine::DecisionRequest req;
  // `action` is no member of an action search: any sent is ignored.
  if (!FromAuthZen(MemberOf(body, "subject"), MemberOf(body, "resource"), json{{"name", "-"}},
                   MemberOf(body, "context"), *c.snapshot->policies, &req, &error)) {
    return Invalid(error);
  }
  req.actions.clear();
  for (const auto& a : c.snapshot->policies->actions()) {
    if (a.name.string_value() > page.after) req.actions.push_back(a.name.string_value());
  }
  std::sort(req.actions.begin(), req.actions.end());
  ojson results = ojson::array();
  std::string last;
  uint64_t allowed = 0, denied = 0;
  if (page.limit > 0 && !req.actions.empty()) {
    DecisionRun run(c);
    const engine::Decision d = run.Decide(req);
    if (!d.refusals.empty()) return Refused(d);
    for (const auto& r : d.results) {
      (r.allowed ? allowed : denied)++;
      if (!r.allowed || !last.empty()) continue;
      if (results.size() == page.limit) {
        last = results.back()["name"].get<std::string>();
        continue;
      }
      results.push_back({{"name", r.action}});
    }
  }
  return Counted(c, allowed, denied, SearchAnswer(c, std::move(results), NextToken(page, last)));
}

}  // namespace

std::vector<Route> QueryRoutes() {
  using A = Route::Access;
  using B = Route::Body;
  return {
      {"POST", "/v1/allowed-resources", "allowed_resources", A::kDecision, B::kJsonObject,
       "The resources of a kind a principal may do an action on, complete and paged",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
          "required": ["principal", "action"],
          "properties": {"principal": {"type": "object"}, "resource_kind": {"type": "string"},
            "resource": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "action": {"type": "string"}, "context": {"type": "object"},
            "page": {"type": "object", "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "token": {"type": "string"}}}}}}}},
        "responses": {
          "200": {"description": "{policy_version, entity_version, request_id, resources: [{kind, id}], next_page_token?, examined}: ids in order; the token is absent on the last page", "content": {"application/json": {"schema": {"type": "object"}}}}
        }})json",
       &AllowedResources},
      {"POST", "/v1/allowed-subjects", "allowed_subjects", A::kDecision, B::kJsonObject,
       "The users who may do an action on a resource, complete and paged",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
          "required": ["resource", "action"],
          "properties": {"resource": {"type": "object"}, "action": {"type": "string"},
            "context": {"type": "object"}, "page": {"type": "object", "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "token": {"type": "string"}}}}}}}},
        "responses": {
          "200": {"description": "{policy_version, entity_version, request_id, subjects: [{id}], next_page_token?, examined}: ids in order; the token is absent on the last page", "content": {"application/json": {"schema": {"type": "object"}}}}
        }})json",
       &AllowedSubjects},
      {"POST", "/access/v1/search/subject", "authzen_search_subject", A::kDecision, B::kJsonObject,
       "AuthZEN 1.0 Subject Search: the users who may do the action on the resource",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["subject", "action", "resource"]}}}},
        "responses": {
          "200": {"description": "{page: {next_token, count}, context: {policy_version, entity_version}, results: [{type, id}]}", "content": {"application/json": {"schema": {"type": "object"}}}}
        }})json",
       &SearchSubject},
      {"POST", "/access/v1/search/resource", "authzen_search_resource", A::kDecision,
       B::kJsonObject,
       "AuthZEN 1.0 Resource Search: the resources of a type the subject may do the action on",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["subject", "action", "resource"]}}}},
        "responses": {
          "200": {"description": "{page: {next_token, count}, context: {policy_version, entity_version}, results: [{type, id}]}", "content": {"application/json": {"schema": {"type": "object"}}}}
        }})json",
       &SearchResource},
      {"POST", "/access/v1/search/action", "authzen_search_action", A::kDecision, B::kJsonObject,
       "AuthZEN 1.0 Action Search: the actions the subject may do on the resource",
       R"json({
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["subject", "resource"]}}}},
        "responses": {
          "200": {"description": "{page: {next_token, count}, context: {policy_version, entity_version}, results: [{name}]}", "content": {"application/json": {"schema": {"type": "object"}}}}
        }})json",
       &SearchAction},
  };
}

}  // namespace castellan::server
