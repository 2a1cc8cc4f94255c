#include "server/route_table.h"

#include <set>

#include "server/json_response.h"

namespace castellan::server {

const RouteTable& RouteTable::Service() {
  static const RouteTable table([] {
    std::vector<Route> routes;
    for (auto family : {&NativeRoutes, &AuthZenRoutes, &AdminRoutes}) {
      for (Route& r : family()) routes.push_back(r);
    }
    return routes;
  }());
  return table;
}

RouteTable::Match RouteTable::Resolve(std::string_view method, std::string_view path) const {
  Match match;
  match.metrics_name = kNotFound;
  for (const Route& route : routes_) {
    if (path != route.path) continue;
    match.metrics_name = route.path;
    if (method == route.method || (method == "HEAD" && std::string_view(route.method) == "GET")) {
      match.route = &route;
      match.allow.clear();
      return match;
    }
    match.allow += (match.allow.empty() ? "" : ", ") + std::string(route.method);
  }
  return match;
}

std::vector<std::string> RouteTable::MetricsNames() const {
  std::vector<std::string> names;
  std::set<std::string_view> seen;
  for (const Route& r : routes_) {
    if (seen.insert(r.path).second) names.emplace_back(r.path);
  }
  names.emplace_back(kNotFound);
  return names;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < b.size(); ++i) {
    diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ b[i]);
  }
  return diff == 0;
}

std::optional<HttpResponse> RefuseAccess(const Route& route, const HttpRequest& request,
                                         const ServerConfig& config) {
  using A = Route::Access;
  const bool needs_token = route.access == A::kAdmin ||
                           (route.access == A::kDecision && config.protect_decisions) ||
                           (route.access == A::kAdminWhenTokenSet && !config.admin_token.empty());
  if (!needs_token) return std::nullopt;
  const std::string prefix = "Bearer ";
  if (!config.admin_token.empty() && request.authorization.rfind(prefix, 0) == 0 &&
      ConstantTimeEquals(request.authorization.substr(prefix.size()), config.admin_token)) {
    return std::nullopt;
  }
  HttpResponse r = ErrorResponse(
      401, "unauthorized",
      config.admin_token.empty()
          ? "no admin token is configured (--admin-token-file or CASTELLAN_ADMIN_TOKEN)"
          : "this endpoint needs 'Authorization: Bearer <token>'");
  r.headers["WWW-Authenticate"] = "Bearer";
  return r;
}

}  // namespace castellan::server
