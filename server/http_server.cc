#include "server/http_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>

#include "engine/time_value.h"

namespace castellan::server {
namespace {

// Requests and answers larger than this hand their memory back to the system.
constexpr size_t kReleaseMemoryAfterBytes = 256 << 10;

std::string NewRequestId() {
  thread_local std::mt19937_64 random(std::random_device{}() ^
                                      std::hash<std::thread::id>{}(std::this_thread::get_id()));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(random()));
  return buf;
}

// A client's X-Request-Id is echoed only when it is short and printable.
bool UsableRequestId(const std::string& id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return c > 32 && c < 127; });
}

std::string NowIso8601Millis() {
  return engine::FormatTimestamp(engine::FromSystemClock(
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())));
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(DecisionApi& api, Metrics& metrics, const ServerConfig& config)
      : api_(api), metrics_(metrics), config_(config) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    const auto start = std::chrono::steady_clock::now();
    HttpRequest request;
    request.method = in.getMethod();
    const std::string& uri = in.getURI();
    request.path = uri.substr(0, uri.find('?'));
    request.content_type = in.get("Content-Type", "");
    request.authorization = in.get("Authorization", "");
    const std::string given_id = in.get("X-Request-Id", "");
    request.request_id = UsableRequestId(given_id) ? given_id : NewRequestId();

    HttpResponse response;
    bool close = false;
    if (in.hasContentLength() &&
        in.getContentLength64() > static_cast<int64_t>(config_.max_body_bytes)) {
      // Refuse before reading; the unread body makes the connection unusable.
      response =
          ErrorResponse(413, "body_too_large",
                        "the body exceeds " + std::to_string(config_.max_body_bytes) + " bytes");
      close = true;
    } else if (!ReadBody(in, &request.body)) {
      response =
          ErrorResponse(413, "body_too_large",
                        "the body exceeds " + std::to_string(config_.max_body_bytes) + " bytes");
      close = true;
    } else {
      response = api_.Handle(request);
    }
    response.headers["X-Request-Id"] = request.request_id;

    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.content_type);
    for (const auto& [k, v] : response.headers) out.set(k, v);
    if (close) out.setKeepAlive(false);
    const bool head = request.method == "HEAD";
    out.setContentLength64(static_cast<int64_t>(response.body.size()));
    std::ostream& body = out.send();
    if (!head) body.write(response.body.data(), static_cast<std::streamsize>(response.body.size()));

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_.RecordRequest(DecisionApi::RouteName(request.path), response.status, seconds);
    nlohmann::ordered_json log = {{"time", NowIso8601Millis()},
                                  {"method", request.method},
                                  {"path", request.path},
                                  {"status", response.status},
                                  {"duration_ms", std::round(seconds * 1e6) / 1000},
                                  {"request_id", request.request_id}};
    if (!response.effect.empty()) log["effect"] = response.effect;
    WriteLogLine(log.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));

    // A large request's decisions and JSON are freed by now, but glibc keeps
    // the memory in this thread's arena: a burst of big batches on many
    // threads pinned 270 MB. Only requests this large pay for handing it back.
    if (request.body.size() + response.body.size() > kReleaseMemoryAfterBytes) {
      std::string().swap(request.body);
      std::string().swap(response.body);
      malloc_trim(0);
    }
  }

 private:
  // Reads at most max_body_bytes; false when the body is longer.
  bool ReadBody(Poco::Net::HTTPServerRequest& in, std::string* body) {
    // A request with neither Content-Length nor chunked encoding has no body
    // (RFC 9112, 6.3); reading it to EOF would wait for the client's timeout.
    if (!in.hasContentLength() && !in.getChunkedTransferEncoding()) return true;
    std::istream& stream = in.stream();
    const size_t limit = config_.max_body_bytes;
    char buf[16384];
    while (stream) {
      stream.read(buf, sizeof buf);
      const auto n = static_cast<size_t>(stream.gcount());
      if (n == 0) break;
      if (body->size() + n > limit) return false;
      body->append(buf, n);
    }
    return true;
  }

  DecisionApi& api_;
  Metrics& metrics_;
  const ServerConfig& config_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(DecisionApi& api, Metrics& metrics, const ServerConfig& config)
      : api_(api), metrics_(metrics), config_(config) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(api_, metrics_, config_);
  }

 private:
  DecisionApi& api_;
  Metrics& metrics_;
  const ServerConfig& config_;
};

int ThreadCount(const ServerConfig& config) {
  if (config.threads > 0) return config.threads;
  return std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

void WriteLogLine(const std::string& line) {
  std::string text = line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

struct HttpServer::Impl {
  const ServerConfig& config;
  DecisionApi& api;
  Metrics& metrics;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  Poco::Net::ServerSocket socket;
  bool bound = false;
  uint16_t port = 0;
};

HttpServer::HttpServer(const ServerConfig& config, DecisionApi& api, Metrics& metrics)
    : impl_(new Impl{config, api, metrics, nullptr, nullptr, {}, false, 0}) {}

HttpServer::~HttpServer() {
  Stop();
}

uint16_t HttpServer::Bind() {
  const ServerConfig& c = impl_->config;
  try {
    impl_->socket.bind(Poco::Net::SocketAddress(c.host, c.port), true);
    impl_->socket.listen(c.max_queued);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot listen on " + c.host + ":" + std::to_string(c.port) + ": " +
                             e.displayText());
  }
  impl_->bound = true;
  impl_->port = impl_->socket.address().port();
  return impl_->port;
}

void HttpServer::Start() {
  const ServerConfig& c = impl_->config;
  if (!impl_->bound) Bind();
  Poco::Net::ServerSocket& socket = impl_->socket;
  const int threads = ThreadCount(c);
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, threads);
  auto* params = new Poco::Net::HTTPServerParams();
  params->setMaxThreads(threads);
  params->setMaxQueued(c.max_queued);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(1000);
  params->setKeepAliveTimeout(Poco::Timespan(c.timeout_seconds, 0));
  params->setTimeout(Poco::Timespan(c.timeout_seconds, 0));
  params->setServerName("castellan");
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(
      new Factory(impl_->api, impl_->metrics, c), *impl_->pool, socket, params);
  impl_->server->start();
}

void HttpServer::Stop() {
  if (!impl_->server) return;
  impl_->server->stopAll(false);  // stop accepting; connections in flight finish
  impl_->pool->joinAll();
  impl_->server.reset();
  impl_->pool.reset();
}

uint16_t HttpServer::port() const {
  return impl_->port;
}

}  // namespace castellan::server
