#include "server/http_connection.h"

#include <malloc.h>

#include <algorithm>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "engine/time_value.h"
#include "server/log_line.h"
#include "server/route_table.h"

namespace castellan::server {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {

// The request line and headers together; larger heads get 431.
constexpr uint32_t kHeaderLimit = 16 << 10;
// Requests and answers larger than this hand their memory back to the system.
constexpr size_t kReleaseMemoryAfterBytes = 256 << 10;
// A client's X-Request-Id is echoed when it is at most this long and printable.
constexpr size_t kMaxRequestIdBytes = 1024;
// How long a closing connection reads and discards what the client still
// sends, so that its answer is not lost to a reset (a "lingering close").
constexpr auto kLinger = std::chrono::seconds(1);
// What a waiting keep-alive connection reads first; its buffer is freed between requests.
constexpr size_t kFirstRead = 1024;

std::string NewRequestId() {
  thread_local std::mt19937_64 random(std::random_device{}() ^
                                      std::hash<std::thread::id>{}(std::this_thread::get_id()));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(random()));
  return buf;
}

// Visible ASCII with spaces inside, as a header value can carry it back
// unchanged (the parser has already dropped spaces around it).
bool UsableRequestId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdBytes && id.front() != ' ' && id.back() != ' ' &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
}

std::string NowIso8601Millis() {
  return engine::FormatTimestamp(engine::FromSystemClock(
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())));
}

// The Date header (RFC 9110 IMF-fixdate), formatted once a second per thread.
const char* HttpDate() {
  thread_local std::time_t second = 0;
  thread_local char text[40];
  const std::time_t now = std::time(nullptr);
  if (now != second) {
    second = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return text;
}

// The answer to a request the parser refused, and why (for the log).
HttpResponse FramingError(const beast::error_code& ec,
                          const http::request<http::string_body>& so_far, size_t max_body_bytes) {
  const bool has_cl = so_far.find(http::field::content_length) != so_far.end();
  const bool has_te = so_far.find(http::field::transfer_encoding) != so_far.end();
  if (ec == http::error::body_limit) {
    return ErrorResponse(413, "body_too_large",
                         "the body exceeds " + std::to_string(max_body_bytes) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return ErrorResponse(
        431, "headers_too_large",
        "the request line and headers exceed " + std::to_string(kHeaderLimit) + " bytes");
  }
  if ((ec == http::error::bad_content_length && has_te) ||
      (ec == http::error::bad_transfer_encoding && has_cl)) {
    return ErrorResponse(400, "conflicting_framing",
                         "Content-Length and Transfer-Encoding together are ambiguous");
  }
  if (ec == http::error::bad_content_length || ec == http::error::multiple_content_length) {
    return ErrorResponse(400, "invalid_content_length",
                         "Content-Length must be one decimal number below 2^64");
  }
  if (ec == http::error::bad_transfer_encoding) {
    return ErrorResponse(400, "invalid_transfer_encoding",
                         "Transfer-Encoding may be given once and must end with chunked");
  }
  if (ec == http::error::bad_chunk || ec == http::error::bad_chunk_extension) {
    return ErrorResponse(400, "invalid_chunk", "a chunk of the body is malformed");
  }
  return ErrorResponse(400, "malformed_request", "not an HTTP/1.1 request: " + ec.message());
}

// Errors that mean the client left or was too slow: nothing to answer.
bool ClientGone(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == beast::error::timeout || ec == net::error::operation_aborted ||
         &ec.category() != &http::make_error_code(http::error::end_of_stream).category();
}

template <class Stream>
class Connection final : public Drainable, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  template <class... Args>
  Connection(ConnectionHub& hub, Args&&... stream_args)
      : hub_(hub), config_(hub.config()), stream_(std::forward<Args>(stream_args)...) {}

  ~Connection() override { hub_.Unregister(this); }

  void Start() {
    hub_.Register(this->shared_from_this());
    if constexpr (kTls) {
      Deadline(config_.header_timeout_seconds);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close(false);
                                self->ReadHeaders();
                              });
    } else {
      ReadHeaders();
    }
  }

  void Drain() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->OnDrain(); });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class Phase { kWaiting, kHeaders, kBody, kAnswering, kClosing };

  void Deadline(int seconds) {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(seconds));
  }

  // Between keep-alive requests: wait for the next one's first bytes with the
  // idle deadline, holding no buffer while waiting.
  void WaitForRequest() {
    if (buffer_.size() > 0) return ReadHeaders();  // pipelined
    phase_ = Phase::kWaiting;
    buffer_.shrink_to_fit();
    Deadline(config_.idle_timeout_seconds);
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close(false);
                              self->buffer_.commit(n);
                              self->ReadHeaders();
                            });
  }

  void ReadHeaders() {
    phase_ = Phase::kHeaders;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // The bulk import route takes larger bodies (--max-import-bytes); every
    // other route's limit is set once its path is known (OnHeaders).
    parser_->body_limit(std::max(config_.max_body_bytes, config_.max_import_bytes));
    Deadline(config_.header_timeout_seconds);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeaders(ec); });
  }

  void OnHeaders(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    start_ = std::chrono::steady_clock::now();
    const auto& head = parser_->get();
    // RFC 9112 6.3: a request whose transfer coding does not end in chunked
    // has no knowable length.
    if (head.find(http::field::transfer_encoding) != head.end() && !parser_->chunked()) {
      return Refuse(ErrorResponse(400, "invalid_transfer_encoding",
                                  "Transfer-Encoding may be given once and must end with chunked"),
                    "transfer coding without chunked");
    }
    const std::string_view target = head.target();
    // Only a caller that shows the entities token may send an import's large
    // body: anyone else is held to the ordinary limit before a byte is read.
    const auto authorization = head.find(http::field::authorization);
    const bool may_send_large =
        authorization != head.end() &&
        BearsToken(std::string_view(authorization->value().data(), authorization->value().size()),
                   config_.entities_token) &&
        DecisionApi::TakesLargeBody(head.method_string(), target.substr(0, target.find('?')));
    if (!may_send_large) {
      const auto length = parser_->content_length();
      if (length && *length > config_.max_body_bytes) {
        return Refuse(FramingError(http::error::body_limit, head, config_.max_body_bytes),
                      "body limit exceeded");
      }
      parser_->body_limit(config_.max_body_bytes);
    }
    phase_ = Phase::kBody;
    if (parser_->is_done()) return Answer();
    Deadline(config_.body_timeout_seconds);
    if (beast::iequals(head[http::field::expect], "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return net::async_write(stream_, net::buffer(kContinue),
                              [self = this->shared_from_this()](beast::error_code ec, size_t) {
                                if (ec) return self->Close(false);
                                self->ReadBody();
                              });
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->Answer();
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (ClientGone(ec)) return Close(false);
    if (start_ == std::chrono::steady_clock::time_point())
      start_ = std::chrono::steady_clock::now();
    Refuse(FramingError(ec, parser_->get(), config_.max_body_bytes), ec.message());
  }

  // The method and the path without its query, for routing and the access log.
  void TakeRequestLine(const http::request_header<>& head) {
    request_.method = std::string(head.method_string());
    const std::string_view target = head.target();
    const size_t question = target.find('?');
    request_.path = std::string(target.substr(0, question));
    request_.query =
        question == std::string_view::npos ? "" : std::string(target.substr(question + 1));
  }

  // Answers a request that cannot be read to its end, then closes: the rest
  // of its bytes cannot be told from a next request.
  void Refuse(HttpResponse response, const std::string& why) {
    TakeRequestLine(parser_->get());
    request_.request_id = NewRequestId();
    error_ = why;
    Send(std::move(response), true);
  }

  void Answer() {
    auto& in = parser_->get();
    TakeRequestLine(in);
    request_.content_type = std::string(in[http::field::content_type]);
    request_.authorization = std::string(in[http::field::authorization]);
    request_.if_match = std::string(in[http::field::if_match]);
    request_.if_none_match = std::string(in[http::field::if_none_match]);
    const std::string_view given_id = in["X-Request-Id"];
    request_.request_id = UsableRequestId(given_id) ? std::string(given_id) : NewRequestId();
    request_.body = std::move(in.body());
    HttpResponse response;
    try {
      response = hub_.api().Handle(request_);
    } catch (const std::exception& e) {
      error_ = e.what();
      response = ErrorResponse(500, "internal", "the server failed to answer");
    }
    Send(std::move(response), !in.keep_alive());
  }

  void Send(HttpResponse response, bool close) {
    phase_ = Phase::kAnswering;
    close_after_ = close || draining_;
    status_ = response.status;
    effect_ = std::move(response.effect);
    route_ = response.route.empty() ? DecisionApi::RouteName(request_.path) : response.route;
    out_ = {};
    out_.version(parser_->get().version() == 10 ? 10 : 11);
    out_.result(static_cast<unsigned>(response.status));
    out_.set(http::field::server, "castellan");
    out_.set(http::field::date, HttpDate());
    out_.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) out_.set(name, value);
    out_.set("X-Request-Id", request_.request_id);
    out_.content_length(response.body.size());
    if (request_.method != "HEAD") out_.body() = std::move(response.body);
    out_.keep_alive(!close_after_);
    Deadline(config_.body_timeout_seconds);
    http::async_write(
        stream_, out_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnSent(ec); });
  }

  void OnSent(beast::error_code ec) {
    Log();
    const size_t size = request_.body.size() + out_.body().size();
    request_ = {};
    out_ = {};
    parser_.reset();
    start_ = {};
    error_.clear();
    // A large request's decisions and JSON are freed by now, but glibc keeps
    // the memory in this thread's arena. Only requests this large pay for
    // handing it back.
    if (size > kReleaseMemoryAfterBytes) malloc_trim(0);
    if (ec) return Close(false);
    if (close_after_ || draining_) return Close(true);
    WaitForRequest();
  }

  void Log() {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    hub_.metrics().RecordRequest(route_, status_, seconds);
    nlohmann::ordered_json log = {{"time", NowIso8601Millis()},
                                  {"method", request_.method},
                                  {"path", request_.path},
                                  {"status", status_},
                                  {"duration_ms", std::round(seconds * 1e6) / 1000},
                                  {"request_id", request_.request_id}};
    if (!effect_.empty()) log["effect"] = effect_;
    if (!error_.empty()) log["error"] = error_;
    WriteLogLine(log.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  void OnDrain() {
    draining_ = true;
    // Waiting for a request, or still reading its headers: nothing is in flight.
    if (phase_ == Phase::kWaiting || phase_ == Phase::kHeaders) {
      beast::get_lowest_layer(stream_).cancel();
    }
  }

  // `graceful`: after an answer, say goodbye (TLS close_notify, or a FIN and
  // a short linger); otherwise the client is gone or too slow: just close.
  void Close(bool graceful) {
    if (phase_ == Phase::kClosing) return;
    phase_ = Phase::kClosing;
    auto& tcp = beast::get_lowest_layer(stream_);
    if (!graceful) {
      beast::error_code ignored;
      tcp.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
      tcp.close();
      return;
    }
    tcp.expires_after(kLinger);
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::get_lowest_layer(self->stream_).close();
      });
    } else {
      beast::error_code ignored;
      tcp.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
      Linger();
    }
  }

  void Linger() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return beast::get_lowest_layer(self->stream_).close();
                              self->Linger();
                            });
  }

  ConnectionHub& hub_;
  const ServerConfig& config_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> out_;
  Phase phase_ = Phase::kHeaders;
  bool draining_ = false;
  bool close_after_ = false;
  // The request being answered, for the handler and the access log.
  HttpRequest request_;
  int status_ = 0;
  std::string effect_;
  std::string route_;  // the metrics label
  std::string error_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

bool ConnectionHub::Admit() {
  size_t now = open_.load();
  do {
    if (now >= config_.max_connections) return false;
  } while (!open_.compare_exchange_weak(now, now + 1));
  return true;
}

void ConnectionHub::Register(const std::shared_ptr<Drainable>& connection) {
  std::lock_guard lock(mutex_);
  connections_.emplace(connection.get(), connection);
}

void ConnectionHub::Unregister(Drainable* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
  open_.fetch_sub(1);
  closed_.notify_all();
}

void ConnectionHub::DrainAll() {
  // Drained outside the lock: the last reference to a connection may be
  // dropped here, and its destructor unregisters.
  std::vector<std::shared_ptr<Drainable>> open;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [raw, weak] : connections_) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  for (const auto& c : open) c->Drain();
}

bool ConnectionHub::WaitUntilClosed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return closed_.wait_for(lock, timeout, [this] { return open_.load() == 0; });
}

void ServeConnection(net::ip::tcp::socket socket, ConnectionHub& hub, TlsContext* tls) {
  if (tls) {
    std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(hub, std::move(socket), *tls)
        ->Start();
  } else {
    std::make_shared<Connection<beast::tcp_stream>>(hub, std::move(socket))->Start();
  }
}

}  // namespace castellan::server
