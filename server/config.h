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
  std::vector<std::filesystem::path> entities;
  std::string admin_token;         // empty: admin endpoints refuse every request
  bool protect_decisions = false;  // decision endpoints need the token too
  size_t max_body_bytes = 1 << 20;
  size_t max_batch = 1000;
  size_t max_actions = 100;             // actions in one check
  size_t max_decisions = 5000;          // action decisions in one request, summed over a batch
  size_t max_reasons = 16;              // reasons shown per action; the rest are counted
  size_t max_response_reasons = 10000;  // reasons shown in one response; the rest are counted
  // What conditions may cost (engine/evaluation_budget.h); each HTTP request
  // gets one budget of request_cost units shared by all its decisions.
  engine::EvaluationLimits evaluation;

  int threads = 0;           // 0: twice the cores, at least 4
  int max_queued = 256;      // connections waiting for a thread
  int timeout_seconds = 10;  // a client silent this long is dropped
  bool watch = false;        // reload when policy or entity files change
  std::string issuer;        // AuthZEN metadata; default http://HOST:PORT
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
