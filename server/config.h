// ServerConfig: everything `castellan serve` can be told, from flags,
// environment variables and an optional config file (flags win over the
// environment, which wins over the file). serve --help lists every setting.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/evaluation_budget.h"

namespace castellan::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8181;
  std::filesystem::path policies = "policies";
  // Entity files: file mode, read-only, no store for entities. Empty: store mode.
  std::vector<std::filesystem::path> entities;
  // The store (docs/storage.md): "sqlite:PATH" or "postgresql://...". Empty:
  // sqlite:<data_dir>/castellan.db in store mode, none in file mode.
  std::string store;
  std::filesystem::path data_dir = "castellan-data";
  // Imported in one transaction when the store holds no entity (first start).
  std::vector<std::filesystem::path> seed_entities;
  std::string admin_token;     // empty: admin endpoints refuse every request
  std::string entities_token;  // empty: entity writes are refused to everyone
  // The decision log; unset: on when a store is open (store mode or --store).
  std::optional<bool> decision_log;
  size_t decision_log_queue = 10000;
  int decision_log_retention_days = 30;  // 0 keeps entries forever
  // Store mode: seconds between reads of the store's data version, to take in
  // other replicas' writes (EntityWriter::Refresh); 0 never.
  int store_poll_seconds = 1;
  size_t max_import_bytes = 64 << 20;  // POST /v1/entities:import
  bool protect_decisions = false;      // decision endpoints need the token too
  size_t max_body_bytes = 1 << 20;
  size_t max_batch = 1000;
  size_t max_actions = 100;             // actions in one check
  size_t max_decisions = 5000;          // action decisions in one request, summed over a batch
  size_t max_reasons = 16;              // reasons shown per action; the rest are counted
  size_t max_response_reasons = 10000;  // reasons shown in one response; the rest are counted
  size_t search_page_size = 100;        // AuthZEN search: the default and largest page.limit
  // What conditions may cost (engine/evaluation_budget.h); each HTTP request
  // gets one budget of request_cost units shared by all its decisions.
  engine::EvaluationLimits evaluation;

  // The HTTP edge (docs/http-edge.md): a few threads serve every connection,
  // so these bound what idle and slow clients may hold.
  int threads = 0;                  // I/O threads; 0: one per hardware thread
  size_t max_connections = 10000;   // above it a new connection gets 503 and is closed
  int header_timeout_seconds = 10;  // from a request's first byte to its last header line
  int body_timeout_seconds = 30;    // from the end of the headers to the end of the body
  int idle_timeout_seconds = 60;    // between keep-alive requests
  std::filesystem::path tls_cert;   // PEM; with tls_key, serve HTTPS only
  std::filesystem::path tls_key;
  bool watch = false;  // reload when policy or entity files change
  // AuthZEN metadata; default http(s)://HOST:PORT. Never ends with '/', so that
  // the endpoints derived from it have one slash.
  std::string issuer;

  bool tls() const { return !tls_cert.empty(); }
  // Entities come from the store and may be written.
  bool store_mode() const { return entities.empty(); }
  // The store to open, or "" for none (file mode without --store).
  std::string StoreUrl() const;
  bool decision_log_on() const { return decision_log.value_or(true) && !StoreUrl().empty(); }
};

// One setting: its flag, environment variable, config-file key and help.
struct SettingInfo {
  const char* flag;
  const char* env;
  const char* key;
  const char* help;
};
const std::vector<SettingInfo>& Settings();

// Reads `args` (after "serve"), then `getenv` for the variables, then the
// file named by --config / CASTELLAN_CONFIG (YAML "key: value" lines).
// On a mistake returns false with `error` naming the setting.
bool ParseServerConfig(const std::vector<std::string>& args,
                       const std::function<const char*(const char*)>& getenv, ServerConfig* config,
                       std::string* error);

}  // namespace castellan::server
