// HttpServer: the HTTP edge in front of DecisionApi (docs/http-edge.md). A
// fixed pool of threads, each running its own event loop, serves every
// connection asynchronously (Boost.Beast on Boost.Asio); requests are
// answered inline on those threads. This and
// http_connection.cc are the only files that know the HTTP library.
//
// Start() and Stop() are called from one thread.
#pragma once

#include <cstdint>
#include <memory>

#include "server/config.h"
#include "server/decision_api.h"
#include "server/log_line.h"
#include "server/metrics.h"
#include "server/tls_context.h"

namespace castellan::server {

class HttpServer {
 public:
  // `tls`: serve HTTPS with it (LoadTlsContext), or null for plain HTTP.
  HttpServer(const ServerConfig& config, DecisionApi& api, Metrics& metrics,
             std::shared_ptr<TlsContext> tls = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket and returns its port (useful with port 0);
  // throws std::runtime_error when it cannot bind.
  uint16_t Bind();
  // Starts accepting on the bound socket (binding first if Bind() was not called).
  void Start();
  // Stops accepting, closes idle connections, lets requests in flight finish
  // (waiting at most the body timeout), then returns.
  void Stop();
  // The bound port (useful with port 0).
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace castellan::server
