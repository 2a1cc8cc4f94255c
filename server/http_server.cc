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

// Connections accepted at once when the listening socket is ready.
constexpr int kAcceptBurst = 256;

int ThreadCount(const ServerConfig& config) {
  if (config.threads > 0) return config.threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

struct HttpServer::Impl {
  Impl(const ServerConfig& c, DecisionApi& api, Metrics& metrics, std::shared_ptr<TlsContext> t)
      : config(c), tls(std::move(t)), hub(c, api, metrics), loops(MakeLoops(ThreadCount(c))) {}

  // One event loop per thread, each run by that thread alone: a connection
  // lives on one loop, so its handlers never run concurrently without a
  // strand, and the loops share no lock.
  static std::vector<std::unique_ptr<net::io_context>> MakeLoops(int n) {
    std::vector<std::unique_ptr<net::io_context>> loops;
    for (int i = 0; i < n; ++i) loops.push_back(std::make_unique<net::io_context>(1));
    return loops;
  }

  void Accept() {
    acceptor.async_accept(NextLoop(), [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {
        // Out of descriptors, most likely: retrying at once would spin.
        retry.expires_after(std::chrono::milliseconds(50));
        retry.async_wait([this](boost::system::error_code e) {
          if (!e && acceptor.is_open()) Accept();
        });
        return;
      }
      Admit(std::move(socket));
      // Take every connection already waiting: one accept per turn of the
      // loop, behind every ready request, let 1,000 new connections wait
      // seconds in the backlog (measured with wrk -c1000).
      for (int i = 0; i < kAcceptBurst; ++i) {
        tcp::socket next(NextLoop());
        acceptor.accept(next, ec);  // non-blocking: would_block when none is waiting
        if (ec) break;
        Admit(std::move(next));
      }
      Accept();
    });
  }

  // New connections go to the loops in turn.
  net::io_context& NextLoop() { return *loops[next_loop++ % loops.size()]; }

  void Admit(tcp::socket socket) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (hub.Admit()) {
      ServeConnection(std::move(socket), hub, tls.get());
    } else {
      Refuse(socket);
    }
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
  ConnectionHub hub;  // outlives the loops, whose handlers hold connections
  std::vector<std::unique_ptr<net::io_context>> loops;
  tcp::acceptor acceptor{*loops[0]};  // accepts on the first loop
  net::steady_timer retry{*loops[0]};
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  size_t next_loop = 0;  // only the accepting handler touches these three
  uint64_t refused = 0;
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
    tcp::resolver resolver(*impl_->loops[0]);
    const tcp::endpoint endpoint =
        *resolver.resolve(c.host, std::to_string(c.port), tcp::resolver::passive).begin();
    tcp::acceptor& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    acceptor.non_blocking(true);
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
  impl_->Accept();
  for (auto& loop : impl_->loops) {
    impl_->work.push_back(net::make_work_guard(*loop));
    impl_->threads.emplace_back([&loop = *loop] { loop.run(); });
  }
}

void HttpServer::Stop() {
  if (impl_->threads.empty()) return;
  // The acceptor belongs to the I/O threads; close it on one of them.
  std::promise<void> closed;
  net::post(*impl_->loops[0], [&] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->retry.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  impl_->hub.DrainAll();
  impl_->hub.WaitUntilClosed(std::chrono::seconds(impl_->config.body_timeout_seconds + 1));
  impl_->work.clear();
  for (auto& loop : impl_->loops) loop->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

uint16_t HttpServer::port() const {
  return impl_->port;
}

}  // namespace castellan::server
