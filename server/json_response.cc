#include "server/json_response.h"

#include <algorithm>
#include <cctype>

#include "server/log_line.h"

namespace castellan::server {

HttpResponse JsonResponse(int status, const nlohmann::ordered_json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}});
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!type.empty() && space(type.front())) type.remove_prefix(1);
  while (!type.empty() && space(type.back())) type.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  return type.size() == kJson.size() &&
         std::equal(type.begin(), type.end(), kJson.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

std::string LogStoreFailure(const storage::Status& status) {
  WriteLogLine(nlohmann::json{{"event", "store_error"}, {"message", status.message()}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace));
  return "the store failed; the server log says why (event store_error)";
}

HttpResponse StoreError(const storage::Status& status) {
  return ErrorResponse(500, "store_error", LogStoreFailure(status));
}

}  // namespace castellan::server
