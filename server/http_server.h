// HttpServer: Poco Net's HTTPServer in front of DecisionApi. This is the only
// file that knows Poco; it turns Poco requests into HttpRequest, enforces the
// body limit before reading, writes one JSON access-log line per request and
// records metrics.
#pragma once

#include <memory>

#include "server/config.h"
#include "server/decision_api.h"
#include "server/metrics.h"

namespace castellan::server {

class HttpServer {
 public:
  HttpServer(const ServerConfig& config, DecisionApi& api, Metrics& metrics);
  ~HttpServer();

  // Binds the listening socket and returns its port (useful with port 0);
  // throws std::runtime_error when it cannot bind.
  uint16_t Bind();
  // Starts accepting on the bound socket (binding first if Bind() was not called).
  void Start();
  // Stops accepting, lets requests in flight finish, then returns.
  void Stop();
  // The bound port (useful with port 0).
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes one line to standard output in a single write (lines do not interleave).
void WriteLogLine(const std::string& line);

}  // namespace castellan::server
