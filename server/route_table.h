// RouteTable: the service's routes, resolved once per request. It owns the
// list (Route values with plain function handlers); resolution is a linear
// scan of a few dozen paths, cheaper than hashing the path. Exact paths are
// tried before templates ("/v1/entities/{kind}/{id}"), whose parameters are
// percent-decoded into the match. Immutable after construction, so shared by
// every thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/route.h"

namespace castellan::server {

class RouteTable {
 public:
  explicit RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {}

  // Native, AuthZEN and admin routes: what `castellan serve` answers.
  static const RouteTable& Service();

  std::span<const Route> routes() const { return routes_; }

  struct Match {
    const Route* route = nullptr;   // null: 404 when `allow` is empty, else 405
    std::string allow;              // the path's methods, when the method was wrong
    std::string_view metrics_name;  // the route's path (template), or "not_found"
    PathParams params;              // the template's parameters, decoded
  };
  // HEAD is served by the GET route of the same path.
  Match Resolve(std::string_view method, std::string_view path) const;

  // Every label Resolve() may give, for Metrics.
  std::vector<std::string> MetricsNames() const;

  static constexpr std::string_view kNotFound = "not_found";

 private:
  std::vector<Route> routes_;
};

// Decodes %XX escapes (and nothing else: '+' stays); false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

// A query string ("a=1&b=x%20y") as decoded pairs in order ('+' is a space);
// false with `error` on a malformed escape or a key given twice.
bool ParseQuery(std::string_view query, std::vector<std::pair<std::string, std::string>>* out,
                std::string* error);

// Compares in time independent of where the strings differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

// Whether an Authorization header value is "Bearer <token>" (never when
// `token` is empty), compared in constant time.
bool BearsToken(std::string_view authorization, const std::string& token);

// Null when `request` may use `route`, else the 401 to answer.
std::optional<HttpResponse> RefuseAccess(const Route& route, const HttpRequest& request,
                                         const ServerConfig& config);

}  // namespace castellan::server
