// Route: one HTTP endpoint declared once, with everything the dispatcher,
// the OpenAPI document and metrics need to know of it, and its handler.
//
// The dispatcher (RouteTable, DecisionApi::Handle) resolves the route, checks
// access, the body limit and, for JSON routes, the media type and the JSON
// before the handler runs; a handler only does its own route's work. The
// routes themselves live by family in native_routes.cc, authzen_routes.cc and
// admin_routes.cc. Handlers see plain values (server/http_types.h), never an
// HTTP library.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/config.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/service_state.h"

namespace castellan::server {

class DecisionLog;
class EntityWriter;

// The values of a path template's `{name}` segments, percent-decoded.
class PathParams {
 public:
  void Add(std::string name, std::string value) {
    values_.emplace_back(std::move(name), std::move(value));
  }
  // "" when the route's path has no such parameter.
  const std::string& Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return values_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// What a handler reads. Valid for the call only.
struct RouteContext {
  const HttpRequest& request;
  ServiceState& state;
  Metrics& metrics;
  const ServerConfig& config;
  const PathParams& params;
  // The entity write path (store mode; null in file mode) and the decision
  // log (null when off).
  EntityWriter* entities;
  DecisionLog* decision_log;
  // The snapshot current when the request started (null before the first
  // load); non-null for routes with Body::kJsonObject.
  std::shared_ptr<const Snapshot> snapshot;
  // The request body as a JSON object, for routes with Body::kJsonObject.
  const nlohmann::json* body = nullptr;
};

using RouteHandler = HttpResponse (*)(const RouteContext& context);
// A Body::kJsonObject route's hot path: called with the body's bytes
// (context.body null) once access, the body limit and the media type are
// checked and a snapshot is serving. It answers requests of the common,
// valid kind straight from the bytes, or returns nullopt to leave the
// request (every error included) to the parsed path and `handler`.
using FastHandler = std::optional<HttpResponse> (*)(const RouteContext& context);

struct Route {
  enum class Access {
    kOpen,
    kDecision,           // open, or the admin token with --protect-decisions
    kAdmin,              // the admin token; refused to all when none is configured
    kAdminWhenTokenSet,  // the admin token when one is configured, else open
    kEntityRead,         // the entities token or the admin token
    kEntityWrite,        // the entities token only; refused to all when none is configured
  };
  enum class Body {
    kNone,        // any body is ignored
    kJsonObject,  // application/json, strict JSON, an object; 503 until a policy set loads
    kOwn,         // the handler reads the body itself (at most --max-body-bytes)
    kImport,      // the handler reads the body itself (at most --max-import-bytes)
  };

  const char* method;  // GET routes answer HEAD too
  // Exact, or a template whose `{name}` segments match one non-empty segment
  // each ("/v1/entities/{kind}/{id}"); also the route's metrics label.
  const char* path;
  const char* name;  // the OpenAPI operationId
  Access access;
  Body body;
  const char* summary;
  // The OpenAPI operation object beyond summary, operationId and security,
  // as JSON text; the responses every route of its kind may give (401, 400,
  // 413, 415, 503) are added from `access` and `body` (openapi.cc).
  const char* openapi;
  RouteHandler handler;
  FastHandler fast = nullptr;  // none: every request goes to `handler`
};

// The route families, in the order the document lists them.
std::vector<Route> NativeRoutes();
std::vector<Route> QueryRoutes();  // query_routes.cc
std::vector<Route> AuthZenRoutes();
std::vector<Route> AdminRoutes();
std::vector<Route> EntityRoutes();
std::vector<Route> DecisionLogRoutes();

}  // namespace castellan::server
