#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "server/config.h"
#include "server/decision_api.h"
#include "server/decision_log.h"
#include "server/entity_writer.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/service_state.h"
#include "server/store_start.h"
#include "server/tls_context.h"

namespace castellan::cli {
namespace {

std::string ServeHelp() {
  std::string help = R"(Usage: castellan serve [OPTIONS]

Serves decisions over HTTP: the native API (/v1/check, /v1/allowed-actions),
the OpenID AuthZEN 1.0 API (/access/v1/evaluation[s]), the entity API
(/v1/entities/...), the decision log (/v1/decisions), policy status and
reload, health, readiness, Prometheus metrics and the OpenAPI document
(/v1/openapi.json). Writes one JSON access-log line per request to stdout.

Entities: by default from the store, sqlite:castellan-data/castellan.db
(--data-dir, --store), migrated at start, seeded from --seed-entities on the
first start, written through the entity API with the entities token. With
--entities they come from files instead, read-only. Every decision response
names the entity data version it read (entity_version; 0 for files).

Signals: SIGHUP reloads policies and entities (a broken set is rejected and
the old one keeps serving); SIGTERM and SIGINT stop accepting, finish the
requests in flight and exit 0.

Settings (flag, environment variable, config-file key; flags win over the
environment, which wins over the config file):
)";
  for (const auto& s : server::Settings()) {
    std::string flag = *s.flag ? s.flag : "";
    const std::string key = s.key;
    if (key == "decision_log") {
      flag += " on|off";
    } else if (*s.flag && key != "watch" && key != "protect_decisions") {
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
be loaded at start (seed entities with problems included) or the address
cannot be bound, 2 on usage errors (including a TLS certificate or key that
cannot be loaded, a store that cannot be opened or migrated, and --entities
with --seed-entities).
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

  // The store: entities (store mode) and the decision log.
  server::StoreStart store;
  if (!config.StoreUrl().empty()) {
    bool usage = true;
    if (!server::StartStore(config, &store, &error, &usage)) {
      std::cerr << "castellan serve: " << error << "\n";
      return usage ? kExitUsage : kExitFailure;
    }
  }
  std::unique_ptr<server::ServiceState> state =
      config.store_mode()
          ? std::make_unique<server::ServiceState>(config.policies, std::move(store.records),
                                                   store.data_version)
          : std::make_unique<server::ServiceState>(config.policies, config.entities);
  server::ReloadResult first = state->Reload();
  std::cerr << first.warnings;
  if (!first.ok) {
    std::cerr << first.formatted << "castellan serve: the policies or entities have errors; "
              << "not starting\n";
    return kExitFailure;
  }
  server::Metrics metrics(server::DecisionApi::RouteNames());
  std::unique_ptr<server::DecisionLog> decision_log;
  if (config.decision_log_on()) {
    // The writer thread and the readers each get their own Store.
    auto writer = server::OpenMigratedStore(config.StoreUrl(), &error);
    auto reader = writer ? server::OpenMigratedStore(config.StoreUrl(), &error) : nullptr;
    if (!reader) {
      std::cerr << "castellan serve: " << error << "\n";
      return kExitUsage;
    }
    server::DecisionLog::Options options;
    options.queue = config.decision_log_queue;
    options.retention_days = config.decision_log_retention_days;
    decision_log =
        std::make_unique<server::DecisionLog>(std::move(writer), std::move(reader), options);
  }
  std::unique_ptr<server::EntityWriter> writer;
  if (config.store_mode()) {
    writer = std::make_unique<server::EntityWriter>(*state, metrics, std::move(store.store));
  }
  server::DecisionApi api(*state, metrics, config);
  api.SetBackends({writer.get(), decision_log.get()});
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
            {"entities", config.store_mode() ? "store" : "files"},
            {"entity_version", state->current()->entity_version},
            {"seeded", store.seeded},
            {"decision_log", decision_log != nullptr},
            {"admin_token", config.admin_token.empty() ? "none" : "set"}});

  std::string fingerprint = config.watch ? state->FilesFingerprint() : "";
  auto next_poll = std::chrono::steady_clock::now();
  while (true) {
    timespec tick{1, 0};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (writer && config.store_poll_seconds > 0 && std::chrono::steady_clock::now() >= next_poll) {
      next_poll =
          std::chrono::steady_clock::now() + std::chrono::seconds(config.store_poll_seconds);
      if (const uint64_t version = writer->Refresh()) {
        LogEvent({{"event", "entities_refreshed"}, {"entity_version", version}});
      }
    }
    if (sig == SIGHUP) {
      LogReload(state->Reload(), "SIGHUP");
      // And what the store holds now (another replica's or an import's writes).
      if (writer) {
        if (const uint64_t version = writer->Refresh()) {
          LogEvent({{"event", "entities_refreshed"}, {"entity_version", version}});
        }
      }
    } else if (sig == SIGTERM || sig == SIGINT) {
      break;
    } else if (config.watch) {
      std::string now = state->FilesFingerprint();
      if (now != fingerprint) {
        fingerprint = now;
        LogReload(state->Reload(), "watch");
      }
    }
  }
  LogEvent({{"event", "stopping"}});
  http.Stop();
  if (decision_log) decision_log->Stop();  // writes what is queued
  LogEvent({{"event", "stopped"}});
  return kExitOk;
}

}  // namespace castellan::cli
