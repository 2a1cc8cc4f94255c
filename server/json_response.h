// The JSON answers every route gives: a body, or {"error": {"code",
// "message"}} with its status. Plain functions over server/http_types.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/http_types.h"
#include "storage/status.h"

namespace castellan::server {

// `body` with `status`; invalid UTF-8 echoed back (a path, an action name) is
// replaced rather than refused.
HttpResponse JsonResponse(int status, const nlohmann::ordered_json& body);

// {"error": {"code": ..., "message": ...}} with `status`.
HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message);

// A store failure: the details (which may name tables, parameters or the
// database's own words) go to the log as a `store_error` event; the caller
// gets this message, which says only where to look.
std::string LogStoreFailure(const storage::Status& status);
// 500 store_error with LogStoreFailure's message.
HttpResponse StoreError(const storage::Status& status);

// Whether a Content-Type names JSON: the media type application/json exactly
// (any case), parameters allowed ("application/json; charset=utf-8").
bool IsJsonMediaType(std::string_view content_type);

}  // namespace castellan::server
