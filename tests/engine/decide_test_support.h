// Helpers shared by the decision tests.
#pragma once

#include <string>

#include "api/json_value.h"
#include "engine/entity_store.h"

namespace castellan::engine::test_support {

// Adds the organizations and users of an entity file in JSON
// ({"organizations": [...], "users": [...]}) to `store`.
inline void AddJsonEntities(InMemoryEntityStore& store, const char* json) {
  Value entities = api::FromJson(nlohmann::json::parse(json));
  for (const auto& [kind, list] : entities.map_value().entries()) {
    for (const Value& e : list.list_value()) {
      const std::string id = e.map_value().FindString("id")->string_value();
      if (kind.string_value() == "organizations") store.AddOrganization(id, e);
      if (kind.string_value() == "users") store.AddUser(id, e);
    }
  }
}

}  // namespace castellan::engine::test_support
