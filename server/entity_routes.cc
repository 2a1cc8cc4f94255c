// The entity routes (store mode): read, write, list and import the entities
// decisions read, with conditional writes (ETag / If-Match). The write path
// is server/entity_writer.h; shapes: docs/http-api.md, "Entities".
#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/json_value.h"
#include "api/strict_json.h"
#include "server/entity_writer.h"
#include "server/json_response.h"
#include "server/route.h"
#include "server/route_table.h"

namespace castellan::server {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr size_t kMaxNesting = 64;

bool IsResourceKind(const std::string& kind) {
  return kind != "organization" && kind != "user";
}

std::string ETag(uint64_t version) {
  return "\"" + std::to_string(version) + "\"";
}

// `"7"` or `W/"7"`; false for anything else.
bool ParseETag(std::string_view text, uint64_t* version) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.rfind("W/", 0) == 0) text.remove_prefix(2);
  if (text.size() < 3 || text.front() != '"' || text.back() != '"') return false;
  text = text.substr(1, text.size() - 2);
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *version);
  return ec == std::errc() && p == text.data() + text.size();
}

HttpResponse ReadOnly() {
  return ErrorResponse(409, "entities_read_only",
                       "entities come from entity files (--entities) and are read-only; serve "
                       "from a store to write them");
}

ojson ProblemsJson(const std::vector<engine::EntityProblem>& problems) {
  ojson list = ojson::array();
  for (const auto& p : problems) {
    list.push_back({{"path", p.path.empty() ? "/" : p.path},
                    {"code", p.code},
                    {"message", p.message},
                    {"entity", p.kind + "/" + p.id}});
  }
  return list;
}

HttpResponse OutcomeError(const EntityWriteOutcome& out) {
  ojson error = {{"code", out.code}, {"message", out.message}};
  if (!out.problems.empty()) error["problems"] = ProblemsJson(out.problems);
  return JsonResponse(out.status, {{"error", error}});
}

// The request's preconditions; `*error` set on a header it cannot read.
// `If-Match: *` becomes the stored entity's version (absent: 412).
std::optional<HttpResponse> ReadPreconditions(const RouteContext& c, storage::Precondition* out) {
  const HttpRequest& r = c.request;
  if (!r.if_none_match.empty()) {
    if (r.if_none_match != "*") {
      return ErrorResponse(400, "invalid_request", "If-None-Match takes only '*'");
    }
    out->if_none_match = true;
  }
  if (r.if_match.empty()) return std::nullopt;
  uint64_t version = 0;
  if (r.if_match == "*") {
    std::optional<storage::StoredEntity> stored;
    const storage::Status s = c.entities->Get(c.params.Get("kind"), c.params.Get("id"), &stored);
    if (!s.ok()) return StoreError(s);
    if (!stored) return ErrorResponse(412, "precondition_failed", "If-Match: * and no such entity");
    version = stored->version;
  } else if (!ParseETag(r.if_match, &version)) {
    return ErrorResponse(412, "precondition_failed",
                         "If-Match names no version this server gave (an ETag is \"N\")");
  }
  out->if_match = version;
  return std::nullopt;
}

HttpResponse Stored(int status, const engine::EntityRecord& record, uint64_t version) {
  HttpResponse r = JsonResponse(status, api::ToJson(record.attributes));
  r.headers["ETag"] = ETag(version);
  r.headers["X-Entity-Version"] = std::to_string(version);
  return r;
}

HttpResponse GetEntity(const RouteContext& c) {
  const std::string& kind = c.params.Get("kind");
  const std::string& id = c.params.Get("id");
  if (!c.entities) {
    // Entity files: what the serving snapshot holds, at version 0.
    if (!c.snapshot) return ErrorResponse(503, "not_ready", "no policy set is loaded");
    const engine::EntityStore& s = *c.snapshot->entities;
    const engine::Value* v = kind == "organization" ? s.FindOrganization(id)
                             : kind == "user"       ? s.FindUser(id)
                                                    : s.FindResource(kind, id);
    if (!v) return ErrorResponse(404, "not_found", "no entity " + kind + "/" + id);
    return Stored(200, engine::EntityRecord{kind, id, *v}, 0);
  }
  std::optional<storage::StoredEntity> stored;
  const storage::Status s = c.entities->Get(kind, id, &stored);
  if (!s.ok()) return StoreError(s);
  if (!stored) return ErrorResponse(404, "not_found", "no entity " + kind + "/" + id);
  return Stored(200, stored->record, stored->version);
}

HttpResponse PutEntity(const RouteContext& c) {
  if (!c.entities) return ReadOnly();
  const std::string& kind = c.params.Get("kind");
  const std::string& id = c.params.Get("id");
  if (!IsJsonMediaType(c.request.content_type)) {
    return ErrorResponse(415, "unsupported_media_type",
                         "send the body as Content-Type: application/json");
  }
  json body;
  api::JsonParseError parse_error;
  if (!api::ParseStrictJson(c.request.body, &body, &parse_error, kMaxNesting)) {
    return ErrorResponse(400, parse_error.code, parse_error.Describe());
  }
  if (!body.is_object()) {
    return ErrorResponse(400, "invalid_request", "the body is the entity's attributes: an object");
  }
  if (body.contains("id") && body["id"] != id) {
    return ErrorResponse(400, "invalid_request", "'id' in the body differs from the path's");
  }
  // An organization's `kind` is its own attribute (partner, customer); a
  // resource's names its kind.
  if (IsResourceKind(kind) && body.contains("kind") && body["kind"] != kind) {
    return ErrorResponse(400, "invalid_request", "'kind' in the body differs from the path's");
  }
  body["id"] = id;
  if (IsResourceKind(kind)) body["kind"] = kind;
  storage::Precondition precondition;
  if (auto refused = ReadPreconditions(c, &precondition)) return std::move(*refused);
  EntityWriteOutcome out =
      c.entities->Put(engine::EntityRecord{kind, id, api::FromJson(body)}, precondition);
  if (!out.stored) return OutcomeError(out);
  return Stored(out.status, *out.stored, out.data_version);
}

HttpResponse PatchEntity(const RouteContext& c) {
  if (!c.entities) return ReadOnly();
  const std::string type = [&] {
    std::string t = c.request.content_type.substr(0, c.request.content_type.find(';'));
    for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t;
  }();
  if (type != "application/merge-patch+json" && !IsJsonMediaType(c.request.content_type)) {
    return ErrorResponse(415, "unsupported_media_type",
                         "send a merge patch as application/merge-patch+json or application/json");
  }
  storage::Precondition precondition;
  if (auto refused = ReadPreconditions(c, &precondition)) return std::move(*refused);
  EntityWriteOutcome out =
      c.entities->Patch(c.params.Get("kind"), c.params.Get("id"), c.request.body, precondition);
  if (!out.stored) return OutcomeError(out);
  return Stored(out.status, *out.stored, out.data_version);
}

HttpResponse DeleteEntity(const RouteContext& c) {
  if (!c.entities) return ReadOnly();
  storage::Precondition precondition;
  if (auto refused = ReadPreconditions(c, &precondition)) return std::move(*refused);
  EntityWriteOutcome out =
      c.entities->Delete(c.params.Get("kind"), c.params.Get("id"), precondition);
  if (out.status != 204) return OutcomeError(out);
  HttpResponse r;
  r.status = 204;
  r.content_type = "application/json";
  r.headers["X-Entity-Version"] = std::to_string(out.data_version);
  return r;
}

HttpResponse ListEntities(const RouteContext& c) {
  if (!c.entities) return ReadOnly();
  storage::EntityFilter filter;
  filter.kind = c.params.Get("kind");
  std::string error;
  std::vector<std::pair<std::string, std::string>> query;
  if (!ParseQuery(c.request.query, &query, &error)) {
    return ErrorResponse(400, "invalid_request", error);
  }
  for (const auto& [key, value] : query) {
    if (key == "org") {
      filter.org = value;
    } else if (key == "prefix") {
      filter.id_prefix = value;
    } else if (key == "page_token") {
      filter.after_id = value;
    } else if (key == "limit") {
      size_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || n < 1 || n > 1000) {
        return ErrorResponse(400, "invalid_request", "limit is 1 to 1000");
      }
      filter.limit = n;
    } else {
      return ErrorResponse(400, "invalid_request",
                           "unknown parameter '" + key + "' (org, prefix, limit, page_token)");
    }
  }
  std::vector<storage::StoredEntity> page;
  std::string next;
  const storage::Status s = c.entities->List(filter, &page, &next);
  if (!s.ok()) return StoreError(s);
  ojson list = ojson::array();
  for (const auto& e : page) list.push_back(api::ToJson(e.record.attributes));
  ojson body = {{"entities", list}};
  if (!next.empty()) body["next_page_token"] = next;
  return JsonResponse(200, body);
}

// An entity-file document as records, each with its place ("/users/3").
bool ImportRecords(const json& body, std::vector<engine::EntityRecord>* records,
                   std::vector<std::string>* paths, std::vector<engine::EntityProblem>* problems) {
  for (const auto& [section, items] : body.items()) {
    if (section != "organizations" && section != "users" && section != "resources") {
      problems->push_back({"", "", "/" + section, "invalid_entity",
                           "unknown key: an entity file has organizations, users and resources"});
      continue;
    }
    if (!items.is_array()) {
      problems->push_back({"", "", "/" + section, "invalid_entity", "must be an array"});
      continue;
    }
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string path = "/" + section + "/" + std::to_string(i);
      const json& item = items[i];
      if (!item.is_object() || !item.contains("id") || !item["id"].is_string()) {
        problems->push_back(
            {"", "", path, "invalid_entity", "an entity is an object with a string 'id'"});
        continue;
      }
      std::string kind = section == "organizations" ? "organization"
                         : section == "users"       ? "user"
                                                    : "";
      if (kind.empty()) {
        if (!item.contains("kind") || !item["kind"].is_string()) {
          problems->push_back({"", item["id"].get<std::string>(), path + "/kind", "invalid_entity",
                               "a resource names its 'kind'"});
          continue;
        }
        kind = item["kind"].get<std::string>();
      }
      records->push_back({kind, item["id"].get<std::string>(), api::FromJson(item)});
      paths->push_back(path);
    }
  }
  return problems->empty();
}

HttpResponse Import(const RouteContext& c) {
  if (!c.entities) return ReadOnly();
  if (!IsJsonMediaType(c.request.content_type)) {
    return ErrorResponse(415, "unsupported_media_type",
                         "send the entity file as Content-Type: application/json");
  }
  bool replace = false;
  std::string error;
  std::vector<std::pair<std::string, std::string>> query;
  if (!ParseQuery(c.request.query, &query, &error)) {
    return ErrorResponse(400, "invalid_request", error);
  }
  for (const auto& [key, value] : query) {
    if (key != "replace" || (value != "true" && value != "false")) {
      return ErrorResponse(400, "invalid_request", "the only parameter is replace=true|false");
    }
    replace = value == "true";
  }
  json body;
  api::JsonParseError parse_error;
  if (!api::ParseStrictJson(c.request.body, &body, &parse_error, kMaxNesting)) {
    return ErrorResponse(400, parse_error.code, parse_error.Describe());
  }
  if (!body.is_object()) {
    return ErrorResponse(400, "invalid_request",
                         "the body is an entity file: {organizations, users, resources}");
  }
  std::vector<engine::EntityRecord> records;
  std::vector<std::string> paths;
  std::vector<engine::EntityProblem> problems;
  if (!ImportRecords(body, &records, &paths, &problems)) {
    EntityWriteOutcome out;
    out.status = 400;
    out.code = "invalid_entity";
    out.message = "the entity file is not valid: see problems";
    out.problems = std::move(problems);
    c.metrics.RecordEntityWrite(out.result());
    return OutcomeError(out);
  }
  EntityWriteOutcome out = c.entities->Import(std::move(records), paths, replace);
  if (out.status != 200) return OutcomeError(out);
  return JsonResponse(200, {{"imported", out.imported}, {"entity_version", out.data_version}});
}

}  // namespace

std::vector<Route> EntityRoutes() {
  using A = Route::Access;
  using B = Route::Body;
  // openapi.cc adds each template's path parameters.
  return {
      {"GET", "/v1/entities/{kind}/{id}", "get_entity", A::kEntityRead, B::kNone,
       "One entity's attributes, with its version as ETag",
       R"json({"responses": {
          "200": {"description": "The attributes; ETag: \"<version>\"", "content": {"application/json": {"schema": {"type": "object"}}}},
          "404": {"$ref": "#/components/responses/Error"}}})json",
       &GetEntity},
      {"PUT", "/v1/entities/{kind}/{id}", "put_entity", A::kEntityWrite, B::kOwn,
       "Create or replace one entity (If-Match: \"<version>\" or If-None-Match: * to be safe)",
       R"json({"requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
          "200": {"description": "Replaced: the stored attributes; ETag and X-Entity-Version: the data version", "content": {"application/json": {"schema": {"type": "object"}}}},
          "201": {"description": "Created", "content": {"application/json": {"schema": {"type": "object"}}}},
          "400": {"description": "invalid_entity with problems [{path, code, message}] (a group's bad match names line:column within the expression), or invalid_request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "403": {"$ref": "#/components/responses/Error"},
          "409": {"description": "entities_read_only (entity files) or conflict (an alias another user holds)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "412": {"description": "precondition_failed: the entity changed since the If-Match version, or exists under If-None-Match: *", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "413": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"}}})json",
       &PutEntity},
      {"PATCH", "/v1/entities/{kind}/{id}", "patch_entity", A::kEntityWrite, B::kOwn,
       "Change one entity with an RFC 7396 merge patch",
       R"json({"requestBody": {"required": true, "content": {"application/merge-patch+json": {"schema": {"type": "object"}}, "application/json": {"schema": {"type": "object"}}}},
        "responses": {
          "200": {"description": "The stored attributes; ETag", "content": {"application/json": {"schema": {"type": "object"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
          "412": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"}}})json",
       &PatchEntity},
      {"DELETE", "/v1/entities/{kind}/{id}", "delete_entity", A::kEntityWrite, B::kNone,
       "Delete one entity (decisions naming it then fail closed)",
       R"json({"responses": {
          "204": {"description": "Deleted; X-Entity-Version: the data version"},
          "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"}, "412": {"$ref": "#/components/responses/Error"}}})json",
       &DeleteEntity},
      {"GET", "/v1/entities/{kind}", "list_entities", A::kEntityRead, B::kNone,
       "One page of a kind's entities, by id",
       R"json({"parameters": [
          {"name": "kind", "in": "path", "required": true, "schema": {"type": "string"}},
          {"name": "org", "in": "query", "schema": {"type": "string"}, "description": "An organization's parent, else the entity's org"},
          {"name": "prefix", "in": "query", "schema": {"type": "string"}, "description": "Ids starting with this"},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
          {"name": "page_token", "in": "query", "schema": {"type": "string"}, "description": "next_page_token of the page before"}],
        "responses": {
          "200": {"description": "{entities: [...], next_page_token?}: the token is absent on the last page", "content": {"application/json": {"schema": {"type": "object"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}})json",
       &ListEntities},
      {"POST", "/v1/entities:import", "import_entities", A::kEntityWrite, B::kImport,
       "Import an entity file (JSON) in one transaction: all or nothing",
       R"json({"parameters": [{"name": "replace", "in": "query", "schema": {"type": "boolean"}, "description": "Delete every stored entity the file does not name"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"organizations": {"type": "array"}, "users": {"type": "array"}, "resources": {"type": "array"}}}}}},
        "responses": {
          "200": {"description": "{imported, entity_version}", "content": {"application/json": {"schema": {"type": "object"}}}},
          "400": {"description": "invalid_entity with every problem, each with its path (/users/3/roles/0)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "403": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
          "413": {"description": "body_too_large: over --max-import-bytes", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "415": {"$ref": "#/components/responses/Error"}}})json",
       &Import},
      {"POST", "/v1/entities/import", "import_entities_alias", A::kEntityWrite, B::kImport,
       "The same as POST /v1/entities:import",
       R"json({"parameters": [{"name": "replace", "in": "query", "schema": {"type": "boolean"}}],
        "responses": {"200": {"description": "{imported, entity_version}"}}})json",
       &Import},
  };
}

}  // namespace castellan::server
