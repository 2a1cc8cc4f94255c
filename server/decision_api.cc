#include "server/decision_api.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>

#include "api/strict_json.h"
#include "engine/time_value.h"
#include "server/openapi.h"

namespace castellan::server {
namespace {

constexpr size_t kMaxNesting = 64;

void WriteToStandardError(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace

DecisionApi::DecisionApi(ServiceState& state, Metrics& metrics, const ServerConfig& config,
                         const RouteTable& routes, ErrorLog error_log)
    : state_(state),
      metrics_(metrics),
      config_(config),
      routes_(routes),
      error_log_(error_log ? std::move(error_log) : ErrorLog(&WriteToStandardError)) {}

std::string DecisionApi::RouteName(const std::string& path) {
  return std::string(RouteTable::Service().Resolve("", path).metrics_name);
}

bool DecisionApi::TakesLargeBody(std::string_view method, std::string_view path) {
  const RouteTable::Match match = RouteTable::Service().Resolve(method, path);
  return match.route && match.route->body == Route::Body::kImport;
}

const std::string& DecisionApi::OpenApiDocument() {
  return ServiceOpenApiDocument();
}

HttpResponse DecisionApi::Handle(const HttpRequest& request) const {
  const RouteTable::Match match = routes_.Resolve(request.method, request.path);
  HttpResponse response;
  std::string cause;
  try {
    response = Serve(match, request);
  } catch (const std::exception& e) {
    cause = e.what();
  } catch (...) {
    cause = "an exception that is not a std::exception";
  }
  if (!cause.empty()) {
    // Never a stack trace to the client; the log has the cause under the request id.
    nlohmann::ordered_json line = {
        {"time", engine::FormatTimestamp(engine::FromSystemClock(
                     std::chrono::time_point_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now())))},
        {"event", "internal_error"},
        {"method", request.method},
        {"path", request.path},
        {"request_id", request.request_id},
        {"error", cause}};
    error_log_(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    response = ErrorResponse(
        500, "internal",
        "internal error (request " + request.request_id + "; the service log has the cause)");
  }
  response.route = std::string(match.metrics_name);
  response.headers["X-Request-Id"] = request.request_id;
  return response;
}

HttpResponse DecisionApi::Serve(const RouteTable::Match& match, const HttpRequest& request) const {
  if (!match.route) {
    if (match.allow.empty()) return ErrorResponse(404, "not_found", "no route " + request.path);
    HttpResponse r = ErrorResponse(
        405, "method_not_allowed",
        request.method + " is not allowed on " + request.path + " (use " + match.allow + ")");
    r.headers["Allow"] = match.allow;
    return r;
  }
  const Route& route = *match.route;
  if (auto refused = RefuseAccess(route, request, config_)) return std::move(*refused);
  const size_t limit =
      route.body == Route::Body::kImport ? config_.max_import_bytes : config_.max_body_bytes;
  if (request.body.size() > limit) {
    return ErrorResponse(413, "body_too_large",
                         "the body exceeds " + std::to_string(limit) + " bytes" +
                             (route.body == Route::Body::kImport ? " (--max-import-bytes)" : ""));
  }
  RouteContext context{request,
                       state_,
                       metrics_,
                       config_,
                       match.params,
                       backends_.entities,
                       backends_.decision_log,
                       state_.current()};
  nlohmann::json body;
  if (route.body == Route::Body::kJsonObject) {
    if (!IsJsonMediaType(request.content_type)) {
      return ErrorResponse(415, "unsupported_media_type",
                           "send the body as Content-Type: application/json");
    }
    if (route.fast && context.snapshot) {
      if (std::optional<HttpResponse> answer = route.fast(context)) return std::move(*answer);
    }
    api::JsonParseError parse_error;
    if (!api::ParseStrictJson(request.body, &body, &parse_error, kMaxNesting)) {
      return ErrorResponse(400, parse_error.code, parse_error.Describe());
    }
    if (!body.is_object()) {
      return ErrorResponse(400, "invalid_request", "the body must be an object");
    }
    if (!context.snapshot) return ErrorResponse(503, "not_ready", "no policy set is loaded");
    context.body = &body;
  }
  return route.handler(context);
}

}  // namespace castellan::server
