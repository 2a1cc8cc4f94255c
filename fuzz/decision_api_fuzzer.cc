// Fuzz target: server::DecisionApi::Handle on every route, without sockets.
//
// Input layout (fuzz/README.md):
//   byte 0   the path: one of DecisionApi::Routes() in order, then a few that
//            match none ("/", "/v1/check/", "/V1/CHECK")
//   byte 1   the method: 0 the route's own, then GET POST HEAD PUT DELETE
//            OPTIONS and ""
//   byte 2   bits 0-1 Content-Type (application/json, with "; charset=utf-8",
//            text/plain, none); bits 2-3 Authorization (none, the right
//            bearer token, a wrong one, Basic); bit 4 the service protects
//            decision routes with the token; bit 5 the service has no policy
//            set loaded yet
//   the rest the body
// The service serves policies/ with policies/entities.yaml. A 500 is a crash
// (Handle's last catch answered: something threw that should have been a 4xx
// or a decision), and so is any other status outside 200-599 or a JSON
// response that is not JSON.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/decision_api.h"

namespace castellan::server {
namespace {

constexpr size_t kMaxInputBytes = 64 * 1024;
constexpr const char* kToken = "fuzz-token";

// One service: its state, metrics, config and the API over them.
struct Service {
  Service(const std::string& policies, const std::string& entities, bool protect)
      : state(policies, {entities}), metrics(DecisionApi::RouteNames()) {
    config.admin_token = kToken;
    config.protect_decisions = protect;
    config.issuer = "http://fuzz.example";
  }
  ServiceState state;
  Metrics metrics;
  ServerConfig config;
  DecisionApi api{state, metrics, config};
};

struct Services {
  std::unique_ptr<Service> open, protect, not_ready;
};

const Services& TheServices() {
  static const Services* services = [] {
    const std::string pack = std::string(CASTELLAN_SOURCE_DIR) + "/policies";
    auto* s = new Services;
    s->open = std::make_unique<Service>(pack, pack + "/entities.yaml", false);
    s->protect = std::make_unique<Service>(pack, pack + "/entities.yaml", true);
    s->not_ready = std::make_unique<Service>("/nonexistent/castellan-fuzz", "", false);
    for (Service* loaded : {s->open.get(), s->protect.get()}) {
      ReloadResult r = loaded->state.Reload();
      if (!r.ok) {
        std::fprintf(stderr, "fuzz fixture: policies/ does not load:\n%s\n", r.formatted.c_str());
        std::abort();
      }
    }
    return s;
  }();
  return *services;
}

std::string PathFor(uint8_t selector) {
  static const char* const kNoRoute[] = {"/", "/v1/check/", "/V1/CHECK"};
  const auto& routes = DecisionApi::Routes();
  const size_t choice = selector % (routes.size() + std::size(kNoRoute));
  return choice < routes.size() ? routes[choice].path : kNoRoute[choice - routes.size()];
}

std::string MethodFor(uint8_t selector, const std::string& path) {
  static const char* const kMethods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", ""};
  const size_t choice = selector % (std::size(kMethods) + 1);
  if (choice > 0) return kMethods[choice - 1];
  for (const auto& route : DecisionApi::Routes()) {
    if (path == route.path) return route.method;
  }
  return "GET";
}

}  // namespace
}  // namespace castellan::server

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace castellan::server;
  if (size < 3 || size > kMaxInputBytes) return -1;
  const Services& services = TheServices();
  const uint8_t flags = data[2];

  HttpRequest request;
  request.path = PathFor(data[0]);
  request.method = MethodFor(data[1], request.path);
  static const char* const kContentTypes[] = {"application/json", "application/json; charset=utf-8",
                                              "text/plain", ""};
  request.content_type = kContentTypes[flags & 3];
  static const char* const kAuthorizations[] = {"", "Bearer fuzz-token", "Bearer fuzz-tokem",
                                                "Basic ZnV6ejp0b2tlbg=="};
  request.authorization = kAuthorizations[(flags >> 2) & 3];
  request.request_id = "fuzz-1";
  request.body.assign(reinterpret_cast<const char*>(data) + 3, size - 3);

  Service& service = *(flags & 0x20   ? services.not_ready
                       : flags & 0x10 ? services.protect
                                      : services.open);
  const HttpResponse response = service.api.Handle(request);
  const bool json = response.content_type.rfind("application/json", 0) == 0;
  if (response.status == 500 || response.status < 200 || response.status > 599 ||
      (json && !nlohmann::json::accept(response.body))) {
    std::fprintf(stderr, "%s %s (%s, %s) answered %d %s:\n%s\n", request.method.c_str(),
                 request.path.c_str(), request.content_type.c_str(), request.authorization.c_str(),
                 response.status, response.content_type.c_str(), response.body.c_str());
    std::abort();
  }
  return 0;
}
