// The HTTP edge of `castellan serve` (docs/http-edge.md), against the real
// binary: strict framing, deadlines, idle and slow clients, the connection
// cap, TLS and the drain on SIGTERM.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "server_process.h"

namespace {

using namespace castellan::testing;
using namespace std::chrono_literals;

const std::string kCheckBody = Check("uma@acme.example", "contoso", {"company.view"}).dump();

std::string Post(const std::string& extra_headers, const std::string& body) {
  return "POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
         extra_headers + "\r\n" + body;
}

// The JSON body of the first response in `text`.
json BodyOf(const std::string& text) {
  const size_t head = text.find("\r\n\r\n");
  if (head == std::string::npos) return json();
  return json::parse(text.substr(head + 4), nullptr, false, true);
}

// Runs a shell command; its exit status and what it printed.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, ""};
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class Framing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Server({"--max-body-bytes", "4096"});
    ASSERT_NE(server_->port(), 0) << server_->Log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // Sends `request` on a new connection; the answer must be `status` with
  // error `code`, and the server must close the connection.
  static void ExpectRefusedAndClosed(const std::string& request, int status,
                                     const std::string& code) {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(request));
    const auto r = c.ReadUntilClosed(5s);
    EXPECT_EQ(r.text.rfind("HTTP/1.1 " + std::to_string(status), 0), 0u) << r.text;
    EXPECT_EQ(BodyOf(r.text)["error"]["code"], code) << r.text;
    EXPECT_NE(r.text.find("Connection: close"), std::string::npos) << r.text;
    EXPECT_TRUE(r.closed) << "the connection stayed open: " << r.text;
  }

  static Server* server_;
};
Server* Framing::server_ = nullptr;

TEST_F(Framing, ContentLengthWithTransferEncodingIsRefusedEitherWayRound) {
  ExpectRefusedAndClosed(Post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                              "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
                         400, "conflicting_framing");
  ExpectRefusedAndClosed(Post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                              "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
                         400, "conflicting_framing");
}

TEST_F(Framing, DifferingContentLengthsAreRefused) {
  ExpectRefusedAndClosed(Post("Content-Length: 2\r\nContent-Length: 4\r\n", "{}{}"), 400,
                         "invalid_content_length");
  ExpectRefusedAndClosed(Post("Content-Length: 2, 4\r\n", "{}{}"), 400, "invalid_content_length");
}

TEST_F(Framing, InvalidContentLengthsAreRefusedAndLogged) {
  for (const char* length : {"-1", "abc", "18446744073709551617", "0x10", "+5", ""}) {
    SCOPED_TRACE(length);
    ExpectRefusedAndClosed(Post("Content-Length: " + std::string(length) + "\r\n", "{}"), 400,
                           "invalid_content_length");
  }
  std::this_thread::sleep_for(100ms);
  size_t logged = 0;
  std::istringstream log(server_->Log());
  for (std::string line; std::getline(log, line);) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("status", 0) == 400 && j.contains("error")) ++logged;
  }
  EXPECT_GE(logged, 6u) << server_->Log();
}

TEST_F(Framing, BadChunksAreRefused) {
  ExpectRefusedAndClosed(Post("Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n"), 400,
                         "invalid_chunk");
  ExpectRefusedAndClosed(Post("Transfer-Encoding: chunked\r\n", "2\r\n{}XX0\r\n\r\n"), 400,
                         "invalid_chunk");
}

TEST_F(Framing, ATransferCodingThatDoesNotEndInChunkedIsRefused) {
  ExpectRefusedAndClosed(Post("Transfer-Encoding: gzip\r\n", "{}"), 400,
                         "invalid_transfer_encoding");
  ExpectRefusedAndClosed(
      Post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400,
      "invalid_transfer_encoding");
}

TEST_F(Framing, OversizedHeadersAndBodiesAreRefused) {
  ExpectRefusedAndClosed(Post("X-Filler: " + std::string(20000, 'a') + "\r\n", ""), 431,
                         "headers_too_large");
  ExpectRefusedAndClosed(Post("Content-Length: 5000\r\n", std::string(5000, ' ')), 413,
                         "body_too_large");
  std::string chunked;
  for (int i = 0; i < 5; ++i) chunked += "3e8\r\n" + std::string(1000, ' ') + "\r\n";
  ExpectRefusedAndClosed(Post("Transfer-Encoding: chunked\r\n", chunked + "0\r\n\r\n"), 413,
                         "body_too_large");
}

TEST_F(Framing, WellFramedRequestsArePipelinedAndChunkedBodiesRead) {
  RawConnection c(server_->port());
  char size[16];
  std::snprintf(size, sizeof size, "%zx", kCheckBody.size());
  ASSERT_TRUE(
      c.Send(Post("Content-Length: " + std::to_string(kCheckBody.size()) + "\r\n", kCheckBody) +
             Post("Transfer-Encoding: chunked\r\n",
                  std::string(size) + "\r\n" + kCheckBody + "\r\n0\r\n\r\n") +
             "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string text = c.ReadResponses(3, 5s);
  size_t ok = 0;
  for (size_t at = text.find("HTTP/1.1 200"); at != std::string::npos;
       at = text.find("HTTP/1.1 200", at + 1)) {
    ++ok;
  }
  EXPECT_EQ(ok, 3u) << text;
  EXPECT_NE(text.find("\"allow\""), std::string::npos) << text;
}

TEST_F(Framing, RequestIdsAreEchoedExactlyWhenVisibleAscii) {
  auto id_of = [](const std::string& sent) {
    RawConnection c(server_->port());
    c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + sent + "\r\n\r\n");
    const std::string text = c.ReadResponses(1, 5s);
    const size_t at = text.find("X-Request-Id: ");
    return at == std::string::npos ? std::string()
                                   : text.substr(at + 14, text.find("\r\n", at) - at - 14);
  };
  EXPECT_EQ(id_of("trace 42/a:b=c"), "trace 42/a:b=c");
  const std::string longest(1024, 'x');
  EXPECT_EQ(id_of(longest), longest);
  const std::string too_long(1025, 'x');
  const std::string replaced = id_of(too_long);
  EXPECT_NE(replaced, too_long);
  EXPECT_EQ(replaced.size(), 16u);
  EXPECT_EQ(id_of("caf\xc3\xa9").size(), 16u);  // not ASCII: a new id
}

TEST(Deadlines, HeaderBodyAndIdleDeadlinesCloseTheConnection) {
  Server server({"--header-timeout", "1", "--body-timeout", "1", "--idle-timeout", "2"});
  ASSERT_NE(server.port(), 0) << server.Log();
  // A slowloris: a header byte every 200 ms never finishes within 1 s.
  RawConnection trickle(server.port());
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  ASSERT_TRUE(trickle.Send(head));
  bool closed_by_server = false;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 30 && !closed_by_server; ++i) {
    closed_by_server = !trickle.Send("a") || trickle.ReadUntilClosed(200ms).closed;
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed_by_server);
  EXPECT_LT(took, 4s);

  // Headers in, body never finished.
  RawConnection body(server.port());
  ASSERT_TRUE(body.Send(Post("Content-Length: 100\r\n", "{\"princ")));
  auto r = body.ReadUntilClosed(5s);
  EXPECT_TRUE(r.closed);
  EXPECT_GE(r.after, 500ms);

  // Idle after a complete request: open for a while, then closed.
  RawConnection idle(server.port());
  ASSERT_TRUE(idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(idle.ReadResponses(1, 5s).find("HTTP/1.1 200"), std::string::npos);
  r = idle.ReadUntilClosed(6s);
  EXPECT_TRUE(r.closed);
  EXPECT_GE(r.after, 1500ms) << "closed before the idle deadline";
  // Still answering.
  EXPECT_EQ(server.Call("GET", "/healthz").status, 200);
}

TEST(Load, IdleAndSlowConnectionsDoNotDelayOtherClients) {
  Server server;
  ASSERT_NE(server.port(), 0) << server.Log();
  std::vector<std::unique_ptr<RawConnection>> idle, slow;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(slow.back()->Send("POST /v1/check HTTP/1.1\r\nHost: x\r\n"));
  }
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    while (!stop) {
      for (auto& s : slow) s->Send("X-A: b\r\n");
      std::this_thread::sleep_for(100ms);
    }
  });
  int slowest_ms = 0, failures = 0;
  for (int i = 0; i < 50; ++i) {
    const auto start = std::chrono::steady_clock::now();
    Reply r = server.Post("/v1/check", Check("uma@acme.example", "contoso", {"company.view"}));
    const int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start)
                                        .count());
    slowest_ms = std::max(slowest_ms, ms);
    if (r.status != 200 || r.Json()["results"]["company.view"]["effect"] != "allow") ++failures;
    if (i % 10 == 0) {
      EXPECT_EQ(server.Call("GET", "/healthz").status, 200);
    }
  }
  stop = true;
  trickler.join();
  EXPECT_EQ(failures, 0);
  EXPECT_LE(slowest_ms, 100) << "a check waited behind idle or slow connections";
}

TEST(ConnectionCap, AboveTheCapANewConnectionGetsOverloadedAndIsClosed) {
  Server server({"--max-connections", "4"});
  ASSERT_NE(server.port(), 0) << server.Log();
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(held.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_NE(held.back()->ReadResponses(1, 5s).find("HTTP/1.1 200"), std::string::npos);
  }
  RawConnection extra(server.port());
  const auto r = extra.ReadUntilClosed(5s);
  EXPECT_EQ(r.text.rfind("HTTP/1.1 503", 0), 0u) << r.text;
  EXPECT_EQ(BodyOf(r.text)["error"]["code"], "overloaded") << r.text;
  EXPECT_TRUE(r.closed);
  // Once one leaves, a new connection is served.
  held.pop_back();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server.Call("GET", "/healthz").status, 200);
  EXPECT_NE(server.Log().find("\"event\":\"overloaded\""), std::string::npos) << server.Log();
}

TEST(Drain, SigtermClosesIdleConnectionsAndExitsAtOnce) {
  Server server;  // idle timeout 60 s: the drain must not wait for it
  ASSERT_NE(server.port(), 0) << server.Log();
  RawConnection idle(server.port());
  ASSERT_TRUE(idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(idle.ReadResponses(1, 5s).find("HTTP/1.1 200"), std::string::npos);
  RawConnection half(server.port());
  ASSERT_TRUE(half.Send("GET /healthz HTTP/1.1\r\n"));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.Stop(), 0) << server.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(idle.ReadUntilClosed(1s).closed);
  EXPECT_NE(server.Log().find("\"event\":\"stopped\""), std::string::npos);
}

// A self-signed certificate for 127.0.0.1, made with the openssl CLI.
class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("castellan_tls_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const auto [status, out] = Shell(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string());
    ASSERT_EQ(status, 0) << out;
    server_ = new Server(
        {"--tls-cert", (dir_ / "cert.pem").string(), "--tls-key", (dir_ / "key.pem").string()});
    ASSERT_NE(server_->port(), 0) << server_->Log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    fs::remove_all(dir_);
  }
  static std::string Url(const std::string& path) {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  static std::string Curl(const std::string& args) {
    return "curl -sS --max-time 10 --cacert " + (dir_ / "cert.pem").string() + " " + args;
  }
  static std::string OpenSslClient(const std::string& version) {
    return "openssl s_client -connect 127.0.0.1:" + std::to_string(server_->port()) + " " +
           version + " -cipher DEFAULT@SECLEVEL=0 < /dev/null";
  }

  static inline fs::path dir_;
  static inline Server* server_ = nullptr;
};

TEST_F(Tls, ACheckOverTlsWithCurl) {
  const auto [status, out] = Shell(
      Curl("-H 'Content-Type: application/json' --data '" + kCheckBody + "' " + Url("/v1/check")));
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(json::parse(out, nullptr, false)["results"]["company.view"]["effect"], "allow") << out;
  const auto [meta_status, meta] = Shell(Curl(Url("/.well-known/authzen-configuration")));
  ASSERT_EQ(meta_status, 0) << meta;
  const json j = json::parse(meta, nullptr, false);
  EXPECT_EQ(j["policy_decision_point"], "https://127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(j["access_evaluation_endpoint"], Url("/access/v1/evaluation"));
}

TEST_F(Tls, PlainHttpOnTheTlsPortIsNotServed) {
  const auto [status, out] = Shell(
      "curl -sS --max-time 5 http://127.0.0.1:" + std::to_string(server_->port()) + "/healthz");
  EXPECT_NE(status, 0) << out;
}

TEST_F(Tls, OnlyTls12And13AreAccepted) {
  EXPECT_EQ(Shell(OpenSslClient("-tls1_2")).first, 0);
  EXPECT_EQ(Shell(OpenSslClient("-tls1_3")).first, 0);
  EXPECT_NE(Shell(OpenSslClient("-tls1_1")).first, 0);
  EXPECT_NE(Shell(OpenSslClient("-tls1")).first, 0);
}

TEST_F(Tls, MissingOrBadFilesStopTheServerAtStartWithExit2) {
  const std::string serve = std::string(CASTELLAN_BINARY) + " serve --listen 127.0.0.1:0 " +
                            "--policies " CASTELLAN_SOURCE_DIR "/policies ";
  const std::string cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
  auto [status, out] = Shell(serve + "--tls-cert " + cert + " --tls-key /nonexistent.pem");
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("--tls-key: cannot read /nonexistent.pem"), std::string::npos) << out;
  std::tie(status, out) = Shell(serve + "--tls-cert " + key + " --tls-key " + key);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("--tls-cert:"), std::string::npos) << out;
  std::tie(status, out) = Shell(serve + "--tls-cert " + cert);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("go together"), std::string::npos) << out;
}

}  // namespace
