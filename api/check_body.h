// ReadCheckBody: the plain /v1/check body read straight from its bytes into
// decision requests, without building a JSON document first (the batch
// route's hot path; bench/README.md, "Issue 14: decisions over HTTP").
//
// It reads only what the general path (ParseStrictJson, then
// ParseDecisionRequest) would accept and build the very same requests from:
// one check {"principal", "resource", "actions", "context"?, "params"?} or a
// batch {"checks": [check, ...]}, strict JSON with ASCII or well-formed
// UTF-8 strings. Anything else, an error of any kind included, and a few
// legal but rare things (a \u escape, nesting past 32 levels, an action
// named twice in one check) make it return false without a word: the caller
// then takes the general path, which gives every answer and every error
// message as before. Thread-safe (no shared state).
#pragma once

#include <string_view>
#include <vector>

#include "engine/decision.h"

namespace castellan::api {

struct CheckBody {
  bool batch = false;  // {"checks": [...]}; else one check
  std::vector<engine::DecisionRequest> checks;
};

// Fills `out` from `text` and returns true, or returns false (then `out` is
// unspecified) when the body is not of the plain kind.
bool ReadCheckBody(std::string_view text, CheckBody* out);

}  // namespace castellan::api
