// The OpenAPI 3 document of the HTTP API, built once from a route table:
// each route's own operation text, its summary and operationId, the bearer
// security and the responses its access and body kind imply, and the reason
// codes of engine/reason_code.h. Thread-safe (built on first use).
#pragma once

#include <string>

#include "server/route_table.h"

namespace castellan::server {

// The document for `table`.
std::string BuildOpenApiDocument(const RouteTable& table);

// The document for RouteTable::Service(), built once.
const std::string& ServiceOpenApiDocument();

}  // namespace castellan::server
