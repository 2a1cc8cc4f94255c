// The connections of the HTTP edge (docs/http-edge.md). A connection is an
// object whose reads and writes are asynchronous on a few shared threads, so
// an idle or slow client costs memory, not a thread. Each request is parsed
// strictly (RFC 9112: ambiguous framing is refused and the connection closed),
// answered inline by DecisionApi, and logged.
//
// ConnectionHub is what all connections share; it is thread-safe.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "server/config.h"
#include "server/decision_api.h"
#include "server/metrics.h"
#include "server/tls_context.h"

namespace castellan::server {

// A connection that can be asked to finish and close (for the drain on SIGTERM).
class Drainable {
 public:
  virtual ~Drainable() = default;
  // Thread-safe. An idle connection, or one still reading headers, closes at
  // once; one answering a request closes after sending the answer.
  virtual void Drain() = 0;
};

class ConnectionHub {
 public:
  ConnectionHub(const ServerConfig& config, DecisionApi& api, Metrics& metrics)
      : config_(config), api_(api), metrics_(metrics) {}
  ConnectionHub(const ConnectionHub&) = delete;
  ConnectionHub& operator=(const ConnectionHub&) = delete;

  // Reserves a place for a new connection; false when max_connections are open.
  bool Admit();
  // A connection Admit() let in starts and ends.
  void Register(const std::shared_ptr<Drainable>& connection);
  void Unregister(Drainable* connection);
  // Asks every open connection to finish (Drainable::Drain).
  void DrainAll();
  // Waits until every connection has closed or `timeout` passed; true when all have.
  bool WaitUntilClosed(std::chrono::milliseconds timeout);
  size_t open() const { return open_.load(); }

  const ServerConfig& config() const { return config_; }
  DecisionApi& api() { return api_; }
  Metrics& metrics() { return metrics_; }

 private:
  const ServerConfig& config_;
  DecisionApi& api_;
  Metrics& metrics_;
  std::atomic<size_t> open_{0};
  std::mutex mutex_;
  std::condition_variable closed_;
  // Weak: a connection lives as long as its pending operations.
  std::unordered_map<Drainable*, std::weak_ptr<Drainable>> connections_;
};

// Serves HTTP (HTTPS when `tls` is set) on `socket` until the client leaves, a
// deadline passes or the hub drains. REQUIRES: hub.Admit() returned true for
// this socket, whose executor runs handlers one at a time (one thread's loop).
void ServeConnection(boost::asio::ip::tcp::socket socket, ConnectionHub& hub, TlsContext* tls);

}  // namespace castellan::server
