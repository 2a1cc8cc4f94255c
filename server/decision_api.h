// DecisionApi: every HTTP route of the service, as plain functions from an
// HttpRequest to an HttpResponse (docs/http-api.md, and /v1/openapi.json).
//
// Handle() never throws: wrong input is a 4xx with {"error": {"code",
// "message"}}, and anything unexpected a 500 of the same shape. Each request
// reads the one snapshot that is current when it starts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/config.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/service_state.h"

namespace castellan::server {

struct Route {
  const char* method;
  const char* path;
  enum class Access { kOpen, kDecision, kAdmin } access;
  const char* summary;
};

class DecisionApi {
 public:
  DecisionApi(ServiceState& state, Metrics& metrics, const ServerConfig& config)
      : state_(state), metrics_(metrics), config_(config) {}

  HttpResponse Handle(const HttpRequest& request);

  // Every route, for routing, the OpenAPI test and metrics.
  static const std::vector<Route>& Routes();
  // The route's path when the request names one, else "not_found" (metrics label).
  static std::string RouteName(const std::string& path);
  // Every name RouteName() returns, for Metrics.
  static std::vector<std::string> RouteNames();
  // The OpenAPI 3 document describing Routes().
  static const std::string& OpenApiDocument();

 private:
  HttpResponse Dispatch(const Route& route, const HttpRequest& request);

  ServiceState& state_;
  Metrics& metrics_;
  const ServerConfig& config_;
};

// {"error": {"code": ..., "message": ...}} with `status`.
HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message);

// Whether a Content-Type names JSON: the media type application/json exactly
// (any case), parameters allowed ("application/json; charset=utf-8").
bool IsJsonMediaType(std::string_view content_type);

// Compares in time independent of where the strings differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace castellan::server
