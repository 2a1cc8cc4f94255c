#include "server/route_table.h"

#include <algorithm>
#include <set>

#include "server/json_response.h"

namespace castellan::server {

const RouteTable& RouteTable::Service() {
  static const RouteTable table([] {
    std::vector<Route> routes;
    for (auto family : {&NativeRoutes, &QueryRoutes, &AuthZenRoutes, &EntityRoutes,
                        &DecisionLogRoutes, &AdminRoutes}) {
      for (Route& r : family()) routes.push_back(r);
    }
    return routes;
  }());
  return table;
}

namespace {

bool IsTemplate(std::string_view path) {
  return path.find('{') != std::string_view::npos;
}

// Whether `path` fits the template `pattern`; fills `params` when it does.
bool MatchTemplate(std::string_view pattern, std::string_view path, PathParams* params) {
  PathParams found;
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const std::string_view got = path.substr(0, path.find('/'));
    pattern.remove_prefix(want.size());
    path.remove_prefix(got.size());
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      std::string value;
      if (got.empty() || !PercentDecode(got, &value)) return false;
      found.Add(std::string(want.substr(1, want.size() - 2)), std::move(value));
    } else if (want != got) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const std::string& PathParams::Get(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return kEmpty;
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int high = HexDigit(in[i + 1]);
    const int low = HexDigit(in[i + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

bool ParseQuery(std::string_view query, std::vector<std::pair<std::string, std::string>>* out,
                std::string* error) {
  out->clear();
  while (!query.empty()) {
    std::string part(query.substr(0, query.find('&')));
    query.remove_prefix(std::min(query.size(), part.size() + 1));
    if (part.empty()) continue;
    for (char& c : part) {
      if (c == '+') c = ' ';
    }
    const size_t eq = part.find('=');
    std::string key, value;
    if (!PercentDecode(std::string_view(part).substr(0, eq), &key) ||
        (eq != std::string::npos &&
         !PercentDecode(std::string_view(part).substr(eq + 1), &value))) {
      *error = "a malformed %-escape in the query string";
      return false;
    }
    for (const auto& [seen, unused] : *out) {
      if (seen == key) {
        *error = "the query parameter '" + key + "' is given twice";
        return false;
      }
    }
    out->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

RouteTable::Match RouteTable::Resolve(std::string_view method, std::string_view path) const {
  Match match;
  match.metrics_name = kNotFound;
  // Exact paths first, so that "/v1/entities/import" is not a kind's list.
  for (const bool templates : {false, true}) {
    for (const Route& route : routes_) {
      if (IsTemplate(route.path) != templates) continue;
      PathParams params;
      if (templates ? !MatchTemplate(route.path, path, &params) : path != route.path) continue;
      if (match.metrics_name == kNotFound) match.metrics_name = route.path;
      if (method == route.method || (method == "HEAD" && std::string_view(route.method) == "GET")) {
        match.route = &route;
        match.metrics_name = route.path;
        match.params = std::move(params);
        match.allow.clear();
        return match;
      }
      match.allow += (match.allow.empty() ? "" : ", ") + std::string(route.method);
    }
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

bool BearsToken(std::string_view authorization, const std::string& token) {
  constexpr std::string_view prefix = "Bearer ";
  return !token.empty() && authorization.starts_with(prefix) &&
         ConstantTimeEquals(std::string(authorization.substr(prefix.size())), token);
}

namespace {

bool Bears(const HttpRequest& request, const std::string& token) {
  return BearsToken(request.authorization, token);
}

HttpResponse Unauthorized(const std::string& message) {
  HttpResponse r = ErrorResponse(401, "unauthorized", message);
  r.headers["WWW-Authenticate"] = "Bearer";
  return r;
}

std::optional<HttpResponse> RefuseEntityAccess(const Route& route, const HttpRequest& request,
                                               const ServerConfig& config) {
  if (Bears(request, config.entities_token)) return std::nullopt;
  if (route.access == Route::Access::kEntityRead) {
    if (Bears(request, config.admin_token)) return std::nullopt;
    if (config.entities_token.empty() && config.admin_token.empty()) {
      return Unauthorized(
          "no entities or admin token is configured (--entities-token-file, "
          "--admin-token-file)");
    }
    return Unauthorized("this endpoint needs 'Authorization: Bearer <entities or admin token>'");
  }
  if (Bears(request, config.admin_token)) {
    return ErrorResponse(403, "forbidden",
                         "the admin token does not grant entity writes; use the entities token");
  }
  if (config.entities_token.empty()) {
    return Unauthorized(
        "no entities token is configured (--entities-token-file or CASTELLAN_ENTITIES_TOKEN)");
  }
  return Unauthorized("this endpoint needs 'Authorization: Bearer <entities token>'");
}

}  // namespace

std::optional<HttpResponse> RefuseAccess(const Route& route, const HttpRequest& request,
                                         const ServerConfig& config) {
  using A = Route::Access;
  if (route.access == A::kEntityRead || route.access == A::kEntityWrite) {
    return RefuseEntityAccess(route, request, config);
  }
  const bool needs_token = route.access == A::kAdmin ||
                           (route.access == A::kDecision && config.protect_decisions) ||
                           (route.access == A::kAdminWhenTokenSet && !config.admin_token.empty());
  if (!needs_token) return std::nullopt;
  if (Bears(request, config.admin_token)) return std::nullopt;
  return Unauthorized(config.admin_token.empty()
                          ? "no admin token is configured (--admin-token-file or "
                            "CASTELLAN_ADMIN_TOKEN)"
                          : "this endpoint needs 'Authorization: Bearer <token>'");
}

}  // namespace castellan::server
