// DecisionApi: the service's HTTP routes (server/route_table.h) answered as
// plain functions from an HttpRequest to an HttpResponse (docs/http-api.md,
// and /v1/openapi.json).
//
// Handle() resolves the route once, then checks access, the body limit and,
// for JSON routes, the media type and the JSON before the route's handler
// runs. It never throws: wrong input is a 4xx with {"error": {"code",
// "message"}}, anything unexpected a 500 of the same shape whose cause goes to
// the error log. Every response carries the request's X-Request-Id and the
// route's metrics label. Each request reads the one snapshot that is current
// when it starts. Thread-safe: handlers share only the ServiceState and
// Metrics, which are.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.h"
#include "server/http_types.h"
#include "server/json_response.h"
#include "server/metrics.h"
#include "server/route_table.h"
#include "server/service_state.h"

namespace castellan::server {

class DecisionApi {
 public:
  // Where the cause of a 500 goes: one JSON line. Standard error by default.
  using ErrorLog = std::function<void(const std::string& line)>;

  DecisionApi(ServiceState& state, Metrics& metrics, const ServerConfig& config,
              const RouteTable& routes = RouteTable::Service(), ErrorLog error_log = nullptr);

  HttpResponse Handle(const HttpRequest& request) const;

  // What the entity and decision-log routes use; none by default (their
  // routes then answer 409 entities_read_only or 404 decision_log_off).
  struct Backends {
    EntityWriter* entities = nullptr;
    DecisionLog* decision_log = nullptr;
  };
  // REQUIRES: called before the first Handle().
  void SetBackends(Backends backends) { backends_ = backends; }

  // The service's routes, for the OpenAPI test and the fuzzer.
  static std::span<const Route> Routes() { return RouteTable::Service().routes(); }
  // The metrics label of a request for `path` that Handle() did not answer
  // (the transport refused it first); Handle() sets HttpResponse::route itself.
  static std::string RouteName(const std::string& path);
  // Whether the route for this request reads bodies up to --max-import-bytes.
  static bool TakesLargeBody(std::string_view method, std::string_view path);
  // Every label a response may carry, for Metrics.
  static std::vector<std::string> RouteNames() { return RouteTable::Service().MetricsNames(); }
  // The OpenAPI 3 document describing Routes().
  static const std::string& OpenApiDocument();

 private:
  HttpResponse Serve(const RouteTable::Match& match, const HttpRequest& request) const;

  ServiceState& state_;
  Metrics& metrics_;
  const ServerConfig& config_;
  const RouteTable& routes_;
  ErrorLog error_log_;
  Backends backends_;
};

}  // namespace castellan::server
