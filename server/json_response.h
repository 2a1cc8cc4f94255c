// The JSON answers every route gives: a body, or {"error": {"code",
// "message"}} with its status. Plain functions over server/http_types.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/http_types.h"

namespace castellan::server {

// `body` with `status`; invalid UTF-8 echoed back (a path, an action name) is
// replaced rather than refused.
HttpResponse JsonResponse(int status, const nlohmann::ordered_json& body);

// {"error": {"code": ..., "message": ...}} with `status`.
HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message);

// Whether a Content-Type names JSON: the media type application/json exactly
// (any case), parameters allowed ("application/json; charset=utf-8").
bool IsJsonMediaType(std::string_view content_type);

}  // namespace castellan::server
