// The HTTP exchange as the service sees it, apart from any HTTP library: the
// transport (http_server.cc, http_connection.cc on Boost.Beast) fills an
// HttpRequest and sends the HttpResponse back, so routing and handlers are
// plain functions that tests call directly.
#pragma once

#include <map>
#include <string>

namespace castellan::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", "PUT", "PATCH", "DELETE", ...
  std::string path;    // without the query string, not yet percent-decoded
  std::string query;   // after '?', as sent ("" when none)
  std::string content_type;
  std::string authorization;  // the Authorization header, as sent
  std::string request_id;     // X-Request-Id, or one made up by the adapter
  std::string if_match;       // If-Match, as sent
  std::string if_none_match;  // If-None-Match, as sent
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;  // beyond Content-Type
  std::string effect;  // for the access log: "allow", "deny", "mixed" or empty
  // The metrics label of the route that answered (DecisionApi::Handle sets it;
  // empty for a response the transport made itself).
  std::string route;
};

}  // namespace castellan::server
