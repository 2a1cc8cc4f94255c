#include "server/http_server.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl/context.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/http_connection.h"

namespace castellan::server {

namespace net = boost::asio;
using net::ip::tcp;

namespace {

// What a connection above --max-connections is told before it is closed.
// Written without reading the request: the answer must cost almost nothing.
const std::string& OverloadedAnswer() {
  static const std::string answer = [] {
    const std::string body =
        R"({"error":{"code":"overloaded","message":"too many open connections; retry in a moment"}})";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: castellan\r\n"
           "Content-Type: application/json\r\nConnection: close\r\nRetry-After: 1\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return answer;
}

int ThreadCount(const ServerConfig& config) {
  if (config.threads > 0) return config.threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

struct HttpServer::Impl {
  Impl(const ServerConfig& c, DecisionApi& api, Metrics& metrics, std::shared_ptr<TlsContext> t)
      : config(c), tls(std::move(t)), hub(c, api, metrics) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(io),
                          [this](boost::system::error_code ec, tcp::socket socket) {
                            if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
                            if (ec) {
                              // Out of descriptors, most likely: retrying at once would spin.
                              retry.expires_after(std::chrono::milliseconds(50));
                              retry.async_wait([this](boost::system::error_code e) {
                                if (!e && acceptor.is_open()) Accept();
                              });
                              return;
                            }
                            boost::system::error_code ignored;
                            socket.set_option(tcp::no_delay(true), ignored);
                            if (hub.Admit()) {
                              ServeConnection(std::move(socket), hub, tls.get());
                            } else {
                              Refuse(socket);
                            }
                            Accept();
                          });
  }

  // Above the cap: a plain connection gets the 503 in one non-blocking write;
  // a TLS one cannot be answered without a handshake, so it is just closed.
  void Refuse(tcp::socket& socket) {
    boost::system::error_code ignored;
    if (!tls) {
      socket.non_blocking(true, ignored);
      socket.write_some(net::buffer(OverloadedAnswer()), ignored);
      socket.shutdown(tcp::socket::shutdown_send, ignored);
    }
    socket.close(ignored);
    ++refused;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log >= std::chrono::seconds(1)) {  // one line a second at most
      last_refusal_log = now;
      WriteLogLine(nlohmann::ordered_json{
          {"event", "overloaded"}, {"open_connections", hub.open()}, {"refused_total", refused}}
                       .dump());
    }
  }

  const ServerConfig& config;
  std::shared_ptr<TlsContext> tls;
  ConnectionHub hub;  // outlives `io`, whose handlers hold connections
  net::io_context io;
  tcp::acceptor acceptor{io};
  net::steady_timer retry{io};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint64_t refused = 0;  // only the accepting handler touches these two
  std::chrono::steady_clock::time_point last_refusal_log;
  uint16_t port = 0;
};

HttpServer::HttpServer(const ServerConfig& config, DecisionApi& api, Metrics& metrics,
                       std::shared_ptr<TlsContext> tls)
    : impl_(std::make_unique<Impl>(config, api, metrics, std::move(tls))) {}

HttpServer::~HttpServer() {
  Stop();
}

uint16_t HttpServer::Bind() {
  const ServerConfig& c = impl_->config;
  try {
    tcp::resolver resolver(impl_->io);
    const tcp::endpoint endpoint =
        *resolver.resolve(c.host, std::to_string(c.port), tcp::resolver::passive).begin();
    tcp::acceptor& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    impl_->port = acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    impl_->acceptor.close();
    throw std::runtime_error("cannot listen on " + c.host + ":" + std::to_string(c.port) + ": " +
                             e.code().message());
  }
  return impl_->port;
}

void HttpServer::Start() {
  if (!impl_->acceptor.is_open()) Bind();
  impl_->work.emplace(impl_->io.get_executor());
  impl_->Accept();
  for (int i = 0; i < ThreadCount(impl_->config); ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

void HttpServer::Stop() {
  if (impl_->threads.empty()) return;
  // The acceptor belongs to the I/O threads; close it on one of them.
  std::promise<void> closed;
  net::post(impl_->io, [&] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->retry.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  impl_->hub.DrainAll();
  impl_->hub.WaitUntilClosed(std::chrono::seconds(impl_->config.body_timeout_seconds + 1));
  impl_->work.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

uint16_t HttpServer::port() const {
  return impl_->port;
}

}  // namespace castellan::server
