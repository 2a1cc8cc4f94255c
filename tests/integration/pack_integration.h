// Helpers for the integration tests: a sample pack's entity file as the JSON
// that `POST /v1/entities:import` takes, the entity-API calls with the
// entities token, and a fixture case as the /v1/check request that names
// stored entities by id only.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "../server/server_process.h"
#include "api/json_value.h"
#include "api/yaml_value.h"
#include "engine/entity_store.h"
#include "fixtures/suite.h"

namespace castellan::testing {

// The token StoreMode servers take for entity writes (server_process.h).
inline const std::map<std::string, std::string> kEntityWriter = {
    {"Authorization", "Bearer entities-token"}};

// A store-mode server with an empty store (its entities are imported over HTTP).
inline StoreMode EmptyStore() {
  StoreMode mode;
  mode.seed = false;
  return mode;
}

// An entity file (YAML or JSON) as JSON, typed as the entity loader types it.
inline json EntityFileJson(const fs::path& file) {
  try {
    return json::parse(api::ToJson(api::FromYaml(YAML::LoadFile(file.string()))).dump());
  } catch (const YAML::Exception& e) {
    return json::object({{"unreadable", e.what()}});
  }
}

// How many entities an entity-file JSON holds.
inline size_t EntityCount(const json& file) {
  size_t n = 0;
  for (const char* key : {"organizations", "users", "resources"}) {
    if (file.contains(key)) n += file[key].size();
  }
  return n;
}

// PUT/PATCH/DELETE/GET /v1/entities/{kind}/{id} with the entities token
// (ids here need no percent-encoding but '@', which is allowed in a path).
inline Reply EntityCall(Server& server, const std::string& method, const std::string& kind,
                        const std::string& id, const std::string& body = "",
                        std::map<std::string, std::string> headers = {},
                        const std::string& content_type = "application/json") {
  headers.insert(kEntityWriter.begin(), kEntityWriter.end());
  return server.Call(method, "/v1/entities/" + kind + "/" + id, body, headers, content_type);
}

// The `entity_version` a body names; 0 when none.
inline uint64_t EntityVersion(const Reply& r) {
  const json body = r.Json();
  if (body.is_object() && body.contains("entity_version") &&
      body["entity_version"].is_number_unsigned()) {
    return body["entity_version"].get<uint64_t>();
  }
  return 0;
}

// The version in an `ETag: "<v>"` header; 0 when there is none.
inline uint64_t ETagVersion(const Reply& r) {
  const std::string etag = r.Header("ETag");
  if (etag.size() < 3 || etag.front() != '"' || etag.back() != '"') return 0;
  return std::stoull(etag.substr(1, etag.size() - 2));
}

// Whether `entity` (a fixture's principal or resource, as JSON) is one the
// entity files hold: then a request names it by id only.
inline bool IsStored(const engine::EntityStore& store, const json& entity, bool principal) {
  if (!entity.is_object() || !entity.contains("id") || !entity["id"].is_string()) return false;
  if (entity.value("new", false)) return false;
  const std::string id = entity["id"];
  if (principal) return store.FindUser(id) != nullptr;
  const std::string kind = entity.value("kind", "");
  if (kind == "organization") return store.FindOrganization(id) != nullptr;
  if (kind == "user") return store.FindUser(id) != nullptr;
  return store.FindResource(kind, id) != nullptr;
}

// A case as a native check of `actions`: a stored principal or resource by id
// (and kind) only, anything else (a request-sourced kind, `new: true`) with
// what the fixture gives. `inlined` counts the stored entities for which the
// fixture gave more than the id (and they were left out).
inline json CheckRequest(const fixtures::Case& c, const engine::EntityStore& store,
                         const json& actions, int* inlined) {
  json principal = json::parse(api::ToJson(c.principal).dump());
  json resource = json::parse(api::ToJson(c.resource).dump());
  if (IsStored(store, principal, true)) {
    if (principal.size() > 1) ++*inlined;
    principal = {{"id", principal["id"]}};
  }
  if (IsStored(store, resource, false)) {
    if (resource.size() > 2) ++*inlined;
    resource = {{"kind", resource["kind"]}, {"id", resource["id"]}};
  }
  json request = {{"principal", principal}, {"resource", resource}, {"actions", actions}};
  if (c.context.kind() == engine::Value::Kind::kMap) {
    request["context"] = json::parse(api::ToJson(c.context).dump());
  }
  if (c.params.kind() == engine::Value::Kind::kMap) {
    request["params"] = json::parse(api::ToJson(c.params).dump());
  }
  return request;
}

}  // namespace castellan::testing
