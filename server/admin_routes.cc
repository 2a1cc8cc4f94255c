// The operational routes: liveness, readiness, metrics, this API's OpenAPI
// document, and the policy status and reload.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/time_value.h"
#include "server/decision_log.h"
#include "server/json_response.h"
#include "server/openapi.h"
#include "server/route.h"

namespace castellan::server {
namespace {

using ojson = nlohmann::ordered_json;

std::string Iso8601(std::chrono::system_clock::time_point t) {
  return engine::FormatTimestamp(
      engine::FromSystemClock(std::chrono::time_point_cast<std::chrono::seconds>(t)));
}

// A file as /v1/policies shows it: relative to the policy directory when it
// is inside it, else its name alone, so that the answer tells nothing of the
// server's file system layout.
std::string Shown(const std::filesystem::path& file, const std::filesystem::path& policy_dir) {
  std::error_code ignored;  // absolute() only reads the working directory
  const std::filesystem::path relative =
      std::filesystem::absolute(file, ignored)
          .lexically_normal()
          .lexically_relative(std::filesystem::absolute(policy_dir, ignored).lexically_normal());
  if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  return file.filename().string();
}

// A diagnostic names a policy file relative to the directory, as the loader
// does, and an entity file by the path it was given (or found under).
std::string ShownDiagnosticFile(const std::string& file, const ServiceState& state) {
  for (const auto& entities : state.entity_paths()) {
    if (file.rfind(entities.string(), 0) == 0) return Shown(file, state.policy_dir());
  }
  return std::filesystem::path(file).is_absolute() ? Shown(file, state.policy_dir()) : file;
}

ojson ReloadJson(const ReloadResult& r, const ServiceState& state) {
  ojson diagnostics = ojson::array();
  for (const auto& d : r.diagnostics) {
    diagnostics.push_back({{"file", ShownDiagnosticFile(d.file, state)},
                           {"line", d.line},
                           {"column", d.column},
                           {"message", d.message}});
  }
  return {{"ok", r.ok},
          {"at", Iso8601(r.at)},
          {"serving_revision", r.revision},
          {"diagnostics", diagnostics}};
}

HttpResponse Healthz(const RouteContext&) {
  return JsonResponse(200, {{"status", "ok"}});
}

HttpResponse Readyz(const RouteContext& c) {
  if (!c.snapshot) return ErrorResponse(503, "not_ready", "no policy set is loaded");
  return JsonResponse(200, {{"status", "ready"}, {"policy_version", c.snapshot->revision}});
}

HttpResponse MetricsText(const RouteContext& c) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  StoreFigures store;
  if (c.snapshot) store.entity_version = c.snapshot->entity_version;
  if (c.decision_log) {
    store.decisions_written = c.decision_log->written();
    store.decisions_dropped = c.decision_log->dropped();
    store.decision_queue_depth = c.decision_log->depth();
  }
  r.body = c.metrics.Render(c.state.reload_count(), c.state.reload_failures(),
                            c.snapshot ? c.snapshot->revision : "", store);
  return r;
}

HttpResponse OpenApi(const RouteContext&) {
  HttpResponse r;
  r.body = ServiceOpenApiDocument();
  return r;
}

HttpResponse Policies(const RouteContext& c) {
  const auto& snapshot = c.snapshot;
  const std::filesystem::path& dir = c.state.policy_dir();
  ojson body;
  body["revision"] = snapshot ? ojson(snapshot->revision) : ojson(nullptr);
  body["loaded_at"] = snapshot ? ojson(Iso8601(snapshot->loaded_at)) : ojson(nullptr);
  body["files"] = ojson::array();
  body["entity_files"] = ojson::array();
  for (const auto& f : c.state.entity_paths()) body["entity_files"].push_back(Shown(f, dir));
  if (snapshot) {
    for (const auto& f : snapshot->policies->source().files) body["files"].push_back(f.path);
    body["summary"] = snapshot->policies->source().Summary();
  }
  body["last_reload"] = ReloadJson(c.state.last_reload(), c.state);
  return JsonResponse(200, body);
}

HttpResponse Reload(const RouteContext& c) {
  const ReloadResult r = c.state.Reload();
  ojson body = ReloadJson(r, c.state);
  if (r.ok) return JsonResponse(200, body);
  body["error"] = {{"code", "reload_failed"},
                   {"message", "the policy or entity files have errors; revision " + r.revision +
                                   " keeps serving"}};
  return JsonResponse(422, body);
}

}  // namespace

std::vector<Route> AdminRoutes() {
  using A = Route::Access;
  using B = Route::Body;
  return {
      {"GET", "/v1/policies", "policies", A::kAdminWhenTokenSet, B::kNone,
       "The policy revision serving, its files and the last reload result",
       R"json({"description": "Files are shown relative to the policy directory (an entity file outside it by its name alone). Needs the admin token when one is configured.",
        "responses": {"200": {"description": "Policy status", "content": {"application/json": {"schema": {"type": "object"}}}}}})json",
       &Policies},
      {"POST", "/v1/policies/reload", "reload_policies", A::kAdmin, B::kNone,
       "Reload policies and entities; on errors the old set keeps serving",
       R"json({"responses": {
          "200": {"description": "Reloaded", "content": {"application/json": {"schema": {"type": "object"}}}},
          "422": {"description": "Rejected with diagnostics (file:line:column); the old revision keeps serving", "content": {"application/json": {"schema": {"type": "object"}}}}
        }})json",
       &Reload},
      {"GET", "/healthz", "healthz", A::kOpen, B::kNone, "Liveness",
       R"json({"responses": {"200": {"description": "Alive"}}})json", &Healthz},
      {"GET", "/readyz", "readyz", A::kOpen, B::kNone, "Readiness: a policy set is loaded",
       R"json({"responses": {"200": {"description": "Ready"}, "503": {"$ref": "#/components/responses/Error"}}})json",
       &Readyz},
      {"GET", "/metrics", "metrics", A::kOpen, B::kNone, "Prometheus metrics",
       R"json({"responses": {"200": {"description": "Text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}}}})json",
       &MetricsText},
      {"GET", "/v1/openapi.json", "openapi", A::kOpen, B::kNone,
       "This API as an OpenAPI 3 document",
       R"json({"responses": {"200": {"description": "This document"}}})json", &OpenApi},
  };
}

}  // namespace castellan::server
