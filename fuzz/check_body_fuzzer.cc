// Fuzz target: api::ReadCheckBody, the /v1/check fast path, against the
// general path it stands in for.
//
// The input is a request body. Whenever ReadCheckBody accepts it, the general
// path (ParseStrictJson, then ParseDecisionRequest for the check or for each
// of the batch's checks) must accept it too and build the same requests:
// equal principal, resource, context and params, the same actions in order.
// A body the fast path accepts that the general path refuses, or reads
// differently, would answer a caller differently by route, so it aborts.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/check_body.h"
#include "api/decision_json.h"
#include "api/strict_json.h"

namespace castellan::api {
namespace {

constexpr size_t kMaxInputBytes = 64 * 1024;

void Require(bool condition) {
  if (!condition) std::abort();
}

void RequireSame(const engine::DecisionRequest& fast, const nlohmann::json& body) {
  engine::DecisionRequest general;
  std::string error;
  Require(ParseDecisionRequest(body, /*require_actions=*/true, &general, &error));
  Require(engine::Equal(fast.principal, general.principal));
  Require(engine::Equal(fast.resource, general.resource));
  Require(engine::Equal(fast.context, general.context));
  Require(engine::Equal(fast.params, general.params));
  Require(fast.actions == general.actions);
}

}  // namespace
}  // namespace castellan::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace castellan::api;
  if (size > kMaxInputBytes) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckBody fast;
  if (!ReadCheckBody(text, &fast)) return 0;
  nlohmann::json body;
  JsonParseError error;
  Require(ParseStrictJson(text, &body, &error));
  Require(body.is_object());
  Require(fast.batch == body.contains("checks"));
  if (!fast.batch) {
    Require(fast.checks.size() == 1);
    RequireSame(fast.checks[0], body);
    return 0;
  }
  const nlohmann::json& checks = body["checks"];
  Require(checks.is_array() && checks.size() == fast.checks.size());
  for (size_t i = 0; i < checks.size(); ++i) RequireSame(fast.checks[i], checks[i]);
  return 0;
}
