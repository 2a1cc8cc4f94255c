// DecisionApi requests in tests, without HTTP: one JSON request, and one
// posted with its status checked and its answer parsed.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "server/decision_api.h"

namespace castellan::server {

inline HttpRequest Request(std::string method, std::string path, std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.content_type = "application/json";
  r.request_id = "t-1";
  r.body = std::move(body);
  return r;
}

// `body` posted to `path` on `api`, its status checked, its answer parsed.
inline nlohmann::json PostJson(const DecisionApi& api, const std::string& path,
                               const nlohmann::json& body, int status) {
  const HttpResponse r = api.Handle(Request("POST", path, body.dump()));
  EXPECT_EQ(r.status, status) << r.body;
  return nlohmann::json::parse(r.body);
}

}  // namespace castellan::server
