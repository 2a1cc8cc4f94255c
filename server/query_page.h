// The `page` object of the query routes and /v1/allowed-actions:
// {"limit": 1..1000 (default 100), "token": the next_page_token of the page before}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/query.h"

namespace castellan::server {

constexpr size_t kDefaultPageLimit = 100;
constexpr size_t kMaxPageLimit = 1000;

// Reads body["page"] (absent: the first page of the default limit) into
// `page`; the error message, or "" when it is good.
inline std::string ParseQueryPage(const nlohmann::json& body, engine::QueryPage* page) {
  page->limit = kDefaultPageLimit;
  page->after_id.clear();
  const auto it = body.find("page");
  if (it == body.end()) return "";
  if (!it->is_object()) return "'page' must be an object: {limit?, token?}";
  for (const auto& [key, value] : it->items()) {
    if (key == "limit") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > static_cast<int64_t>(kMaxPageLimit)) {
        return "'page.limit' must be an integer from 1 to 1000";
      }
      page->limit = value.get<size_t>();
    } else if (key == "token") {
      if (!value.is_string()) return "'page.token' must be a string (a next_page_token)";
      page->after_id = value.get<std::string>();
    } else {
      return "unknown field 'page." + key + "' (limit, token)";
    }
  }
  return "";
}

}  // namespace castellan::server
