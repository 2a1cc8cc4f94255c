// Starts the real `castellan serve` on a free loopback port for a test and
// talks to it: HTTP through Poco's client, raw bytes through a socket.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace castellan::testing {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct Reply {
  int status = 0;
  std::string body;
  std::string request_id;
  std::string content_type;
  std::map<std::string, std::string> headers;  // every response header, by name as sent
  json Json() const { return json::parse(body, nullptr, false); }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// Store mode: entities in a SQLite store in the server's temporary directory,
// seeded from the pack's entities.yaml on first start, written with the
// entities token ("entities-token"); `policy_files` are added to the pack's
// copy (name -> YAML text) before the server starts.
struct StoreMode {
  std::map<std::string, std::string> policy_files;
  bool seed = true;
};

class Server {
 public:
  // Copies the default pack to a temporary directory (so tests can break it)
  // and starts `castellan serve` there with `extra` arguments.
  explicit Server(std::vector<std::string> extra = {})
      : Server(CASTELLAN_SOURCE_DIR "/policies", std::move(extra)) {}

  // The same on another pack: a policy directory with its entities.yaml.
  Server(const fs::path& pack, std::vector<std::string> extra) {
    Prepare(pack);
    std::vector<std::string> args = BaseArgs();
    args.insert(args.end(), {"--entities", (dir_ / "policies" / "entities.yaml").string()});
    args.insert(args.end(), extra.begin(), extra.end());
    Start(args);
  }

  Server(const fs::path& pack, std::vector<std::string> extra, const StoreMode& mode) {
    Prepare(pack);
    for (const auto& [name, text] : mode.policy_files)
      std::ofstream(dir_ / "policies" / name) << text;
    std::ofstream(dir_ / "entities-token") << "entities-token\n";
    // The entity files move out of the policy directory: the store holds them.
    fs::rename(dir_ / "policies" / "entities.yaml", dir_ / "seed-entities.yaml");
    args_ = BaseArgs();
    args_.insert(args_.end(), {"--data-dir", (dir_ / "data").string(), "--entities-token-file",
                               (dir_ / "entities-token").string()});
    if (mode.seed) {
      args_.insert(args_.end(), {"--seed-entities", (dir_ / "seed-entities.yaml").string()});
    }
    args_.insert(args_.end(), extra.begin(), extra.end());
    Start(args_);
  }

  // SIGKILL: the server gets no chance to flush or close anything. Restart()
  // then starts it again on the same data.
  void Kill() {
    if (stopped_) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    stopped_ = true;
  }

  // Stops (SIGTERM) and starts again with the same arguments and data.
  void Restart() {
    if (!stopped_) Stop();
    stopped_ = false;
    port_ = 0;
    Start(args_);
  }

  ~Server() {
    if (pid_ > 0 && !stopped_) Stop();
    fs::remove_all(dir_);
  }

 private:
  void Prepare(const fs::path& pack) {
    dir_ = fs::temp_directory_path() /
           ("castellan_serve_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "policies");
    fs::copy(pack, dir_ / "policies", fs::copy_options::recursive);
    std::ofstream(dir_ / "token") << "s3cret-token\n";
  }

  std::vector<std::string> BaseArgs() const {
    return {CASTELLAN_BINARY,     "serve",
            "--listen",           "127.0.0.1:0",
            "--policies",         (dir_ / "policies").string(),
            "--admin-token-file", (dir_ / "token").string()};
  }

  void Start(std::vector<std::string> args) {
    log_path_ = dir_ / "log";
    // A restart must not read the last run's "listening" line (its port).
    fs::remove(log_path_);
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      // A test that aborts (a failed ASSERT in a fixture, a crash, ctest's
      // timeout) must not leave a server running: it dies with the test.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      FILE* log = std::fopen(log_path_.c_str(), "w");
      dup2(fileno(log), STDOUT_FILENO);
      dup2(fileno(log), STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    // The first log line says where it listens.
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      std::ifstream in(log_path_);
      std::string line;
      while (std::getline(in, line)) {
        json j = json::parse(line, nullptr, false);
        if (j.is_object() && j.value("event", "") == "listening") {
          const std::string address = j["address"];
          port_ = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
        }
      }
      // An exit before listening (a usage error) ends the wait.
      int status = 0;
      if (port_ == 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
        stopped_ = true;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return;
      }
    }
  }

 public:
  // The exit status when the server ended before it listened, else -1.
  int exit_status() const { return exit_status_; }

  // SIGTERM, then the exit status.
  int Stop() {
    if (stopped_) return exit_status_;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    stopped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::map<std::string, std::string>& headers = {},
             const std::string& content_type = "application/json") {
    Reply reply;
    try {
      Poco::Net::HTTPClientSession session("127.0.0.1", port_);
      session.setTimeout(Poco::Timespan(10, 0));
      Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
      for (const auto& [k, v] : headers) request.set(k, v);
      if (!body.empty() || method == "POST") {
        request.setContentType(content_type);
        request.setContentLength64(static_cast<int64_t>(body.size()));
      }
      session.sendRequest(request) << body;
      Poco::Net::HTTPResponse response;
      std::istream& in = session.receiveResponse(response);
      std::stringstream text;
      text << in.rdbuf();
      reply.status = response.getStatus();
      reply.body = text.str();
      reply.request_id = response.get("X-Request-Id", "");
      reply.content_type = response.getContentType();
      for (const auto& [name, value] : response) reply.headers[name] = value;
    } catch (const Poco::Exception& e) {
      reply.body = e.displayText();
    }
    return reply;
  }

  Reply Post(const std::string& path, const json& body,
             const std::map<std::string, std::string>& headers = {}) {
    return Call("POST", path, body.dump(), headers);
  }

  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const fs::path& dir() const { return dir_; }

 private:
  static inline int counter_ = 0;
  fs::path dir_, log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  bool stopped_ = false;
  int exit_status_ = -1;
  std::vector<std::string> args_;
};

const json kNow = {{"now", "2026-11-02T12:00:00Z"}};

// A native check of the default pack.
inline json Check(const std::string& principal, const std::string& org,
                  std::vector<std::string> actions) {
  return {{"principal", {{"id", principal}}},
          {"resource", {{"kind", "organization"}, {"id", org}}},
          {"actions", actions},
          {"context", kNow}};
}

// A raw TCP connection to the server, for what an HTTP client library would
// not send. Closed when destroyed.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool Send(const std::string& bytes) {
    return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                           static_cast<ssize_t>(bytes.size());
  }

  // Reads until the server closes the connection or `timeout` passes.
  struct Received {
    std::string text;
    bool closed = false;  // the server closed (or reset) the connection
    std::chrono::milliseconds after{0};
  };
  Received ReadUntilClosed(std::chrono::milliseconds timeout) {
    Received r;
    const auto start = std::chrono::steady_clock::now();
    Read(start + timeout, &r, [] { return false; });
    r.after = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return r;
  }

  // Reads until `count` complete responses (by Content-Length) are in, or
  // the server closes, or `timeout` passes.
  std::string ReadResponses(size_t count, std::chrono::milliseconds timeout) {
    Received r;
    Read(std::chrono::steady_clock::now() + timeout, &r, [&] {
      size_t seen = 0, at = 0;
      while (seen < count) {
        const size_t head = r.text.find("\r\n\r\n", at);
        if (head == std::string::npos) return false;
        const size_t cl = r.text.find("Content-Length: ", at);
        size_t length = 0;
        if (cl != std::string::npos && cl < head) length = std::stoul(r.text.substr(cl + 16));
        if (r.text.size() < head + 4 + length) return false;
        at = head + 4 + length;
        ++seen;
      }
      return true;
    });
    return r.text;
  }

 private:
  // Appends what arrives to r->text until `done()`, a close or `deadline`.
  template <class Done>
  void Read(std::chrono::steady_clock::time_point deadline, Received* r, Done done) {
    while (fd_ >= 0 && !done()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        r->closed = true;
        return;
      }
      r->text.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
};

}  // namespace castellan::testing
