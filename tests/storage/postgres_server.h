// PostgresServer: a PostgreSQL server of the tests' own, for the storage
// tests on the PostgreSQL backend (and any other test that needs one).
//
// Started once per test process on first use: `pg_config --bindir` finds the
// binaries, initdb makes a cluster in a fresh temporary directory (as the
// `postgres` user through `runuser` when the tests run as root, since initdb
// refuses root), the server listens on a free loopback port with its socket
// in that directory, and it is stopped and the directory removed when the
// process exits. Missing binaries are an error the caller must turn into a
// failure: CI installs `postgresql`, and a storage test never skips.
//
// Each test asks for a fresh database (CreateDatabase) so tests never see
// each other's rows. Not thread-safe: tests call it from the main thread.
#pragma once

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace castellan::testing {

class PostgresServer {
 public:
  // The shared server, started on the first call; check error() first.
  static PostgresServer& Shared() {
    static PostgresServer server;
    return server;
  }

  // Why the server is not running; "" when it is.
  const std::string& error() const { return error_; }

  // A new empty database and its URL for Store::Open; "" with error() set
  // when it could not be made.
  std::string CreateDatabase() {
    if (!error_.empty()) return "";
    const std::string name = "castellan_test_" + std::to_string(++databases_);
    PGconn* conn = PQconnectdb(Url("postgres").c_str());
    std::string failure;
    if (PQstatus(conn) != CONNECTION_OK) {
      failure = PQerrorMessage(conn);
    } else {
      PGresult* result = PQexec(conn, ("CREATE DATABASE " + name).c_str());
      if (PQresultStatus(result) != PGRES_COMMAND_OK) failure = PQerrorMessage(conn);
      PQclear(result);
    }
    PQfinish(conn);
    if (!failure.empty()) {
      error_ = "CREATE DATABASE failed: " + failure;
      return "";
    }
    return Url(name);
  }

  std::string Url(const std::string& database) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  ~PostgresServer() {
    if (started_) {
      Shell(as_ + bindir_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop >/dev/null 2>&1");
    }
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

 private:
  PostgresServer() { error_ = Start(); }

  static int Shell(const std::string& command) { return std::system(command.c_str()); }

  static std::string Output(const std::string& command) {
    std::string out;
    if (FILE* pipe = popen(command.c_str(), "r")) {
      char buffer[512];
      while (fgets(buffer, sizeof buffer, pipe)) out += buffer;
      pclose(pipe);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
    }
    close(fd);
    return port;
  }

  std::string Start() {
    bindir_ = Output("pg_config --bindir 2>/dev/null");
    if (bindir_.empty() || !std::filesystem::exists(bindir_ + "/initdb") ||
        !std::filesystem::exists(bindir_ + "/pg_ctl")) {
      return "PostgreSQL server binaries not found (pg_config --bindir gave '" + bindir_ +
             "'): install the Debian package `postgresql`";
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "castellan-pg-XXXXXX").string();
    if (!mkdtemp(pattern.data())) return "mkdtemp failed";
    dir_ = pattern;
    if (geteuid() == 0) {
      const passwd* postgres = getpwnam("postgres");
      if (!postgres) return "running as root and there is no `postgres` user to run initdb";
      if (chown(dir_.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) return "chown failed";
      as_ = "runuser -u postgres -- ";
    }
    port_ = FreePort();
    if (port_ == 0) return "no free loopback port";
    // Trust on loopback and the private socket only; C locale so ids sort
    // byte by byte; no fsync: the test cluster is thrown away.
    if (Shell(as_ + bindir_ + "/initdb -D " + dir_ + "/data -U postgres --auth=trust" +
              " --encoding=UTF8 --locale=C --no-sync >" + dir_ + "/initdb.log 2>&1") != 0) {
      return "initdb failed: " + Slurp(dir_ + "/initdb.log");
    }
    const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                                " -k " + dir_ + " -c fsync=off -c full_page_writes=off";
    if (Shell(as_ + bindir_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60" +
              " -o '" + options + "' start >/dev/null 2>&1") != 0) {
      return "pg_ctl start failed: " + Slurp(dir_ + "/server.log");
    }
    started_ = true;
    return "";
  }

  std::string bindir_, dir_, as_, error_;
  int port_ = 0;
  int databases_ = 0;
  bool started_ = false;
};

}  // namespace castellan::testing
