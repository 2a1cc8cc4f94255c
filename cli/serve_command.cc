#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "server/config.h"
#include "server/decision_api.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/service_state.h"
#include "server/tls_context.h"

namespace castellan::cli {
namespace {

std::string ServeHelp() {
  std::string help = R"(Usage: castellan serve [OPTIONS]

Serves decisions over HTTP: the native API (/v1/check, /v1/allowed-actions),
the OpenID AuthZEN 1.0 API (/access/v1/evaluation[s]), policy status and
reload, health, readiness, Prometheus metrics and the OpenAPI document
(/v1/openapi.json). Writes one JSON access-log line per request to stdout.

Signals: SIGHUP reloads policies and entities (a broken set is rejected and
the old one keeps serving); SIGTERM and SIGINT stop accepting, finish the
requests in flight and exit 0.

Settings (flag, environment variable, config-file key; flags win over the
environment, which wins over the config file):
)";
  for (const auto& s : server::Settings()) {
    std::string flag = *s.flag ? s.flag : "";
    if (*s.flag && std::string(s.key) != "watch" && std::string(s.key) != "protect_decisions") {
      flag += " VALUE";
    }
    std::string env = s.env;
    if (*s.key) env += std::string(env.size() < 28 ? 28 - env.size() : 1, ' ') + s.key + ":";
    help += "  " + flag + std::string(flag.size() < 26 ? 26 - flag.size() : 1, ' ') + env +
            "\n      " + s.help + "\n";
  }
  help += R"(  -h, --help

Connections: a few threads serve them all; each request must arrive within
the header and body timeouts and a keep-alive connection may wait the idle
timeout; above --max-connections a new connection gets 503 "overloaded" and
is closed (docs/http-edge.md).

Exit status: 0 after a clean shutdown, 1 when the policies or entities cannot
be loaded at start or the address cannot be bound, 2 on usage errors
(including a TLS certificate or key that cannot be loaded).
)";
  return help;
}

void LogEvent(nlohmann::ordered_json event) {
  server::WriteLogLine(event.dump());
}

void LogReload(const server::ReloadResult& r, const char* trigger) {
  nlohmann::ordered_json event = {
      {"event", "reload"}, {"trigger", trigger}, {"ok", r.ok}, {"serving_revision", r.revision}};
  if (!r.ok) {
    event["diagnostics"] = nlohmann::ordered_json::array();
    for (const auto& d : r.diagnostics) {
      event["diagnostics"].push_back(d.file + ":" + std::to_string(d.line) + ":" +
                                     std::to_string(d.column) + ": " + d.message);
    }
  }
  LogEvent(event);
}

}  // namespace

int ServeCommand(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") {
      std::cout << ServeHelp();
      return kExitOk;
    }
  }
  server::ServerConfig config;
  std::string error;
  if (!server::ParseServerConfig(
          args, [](const char* name) { return std::getenv(name); }, &config, &error)) {
    std::cerr << "castellan serve: " << error << "\n(see castellan serve --help)\n";
    return kExitUsage;
  }

  std::shared_ptr<server::TlsContext> tls;
  if (config.tls()) {
    tls = server::LoadTlsContext(config.tls_cert, config.tls_key, &error);
    if (!tls) {
      std::cerr << "castellan serve: " << error << "\n";
      return kExitUsage;
    }
  }

  // Signals are taken synchronously by this thread; block them before any
  // other thread starts so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  server::ServiceState state(config.policies, config.entities);
  server::ReloadResult first = state.Reload();
  std::cerr << first.warnings;
  if (!first.ok) {
    std::cerr << first.formatted << "castellan serve: the policies or entities have errors; "
              << "not starting\n";
    return kExitFailure;
  }
  server::Metrics metrics(server::DecisionApi::RouteNames());
  server::DecisionApi api(state, metrics, config);
  server::HttpServer http(config, api, metrics, tls);
  try {
    const uint16_t port = http.Bind();
    if (config.issuer.empty()) {
      config.issuer = (tls ? "https://" : "http://") + config.host + ":" + std::to_string(port);
    }
    http.Start();
  } catch (const std::exception& e) {
    std::cerr << "castellan serve: " << e.what() << "\n";
    return kExitFailure;
  }
  LogEvent({{"event", "listening"},
            {"address", config.host + ":" + std::to_string(http.port())},
            {"tls", tls != nullptr},
            {"policy_version", first.revision},
            {"policies", config.policies.string()},
            {"admin_token", config.admin_token.empty() ? "none" : "set"}});

  std::string fingerprint = config.watch ? state.FilesFingerprint() : "";
  while (true) {
    timespec tick{1, 0};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGHUP) {
      LogReload(state.Reload(), "SIGHUP");
    } else if (sig == SIGTERM || sig == SIGINT) {
      break;
    } else if (config.watch) {
      std::string now = state.FilesFingerprint();
      if (now != fingerprint) {
        fingerprint = now;
        LogReload(state.Reload(), "watch");
      }
    }
  }
  LogEvent({{"event", "stopping"}});
  http.Stop();
  LogEvent({{"event", "stopped"}});
  return kExitOk;
}

}  // namespace castellan::cli
