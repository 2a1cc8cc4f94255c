#include "server/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

namespace castellan::server {

const std::vector<SettingInfo>& Settings() {
  static const std::vector<SettingInfo> settings = {
      {"--config", "CASTELLAN_CONFIG", "", "a YAML file of the settings below (key: value)"},
      {"--listen", "CASTELLAN_LISTEN", "listen", "HOST:PORT to listen on (127.0.0.1:8181)"},
      {"--policies", "CASTELLAN_POLICIES", "policies", "the policy directory (policies)"},
      {"--entities", "CASTELLAN_ENTITIES", "entities",
       "file mode: entity files or directories, comma-separated or repeated, read-only "
       "(entity writes answer 409); without it entities come from the store"},
      {"--store", "CASTELLAN_STORE", "store",
       "the store: sqlite:PATH or postgresql://USER@HOST:PORT/DB (sqlite:DATA-DIR/castellan.db "
       "unless --entities is given; with --entities it holds only the decision log)"},
      {"--data-dir", "CASTELLAN_DATA_DIR", "data_dir",
       "the directory of the embedded SQLite store, created 0700 (castellan-data)"},
      {"--seed-entities", "CASTELLAN_SEED_ENTITIES", "seed_entities",
       "entity files or directories imported in one transaction when the store holds no "
       "entity (first start); not with --entities"},
      {"--store-poll-seconds", "CASTELLAN_STORE_POLL_SECONDS", "store_poll_seconds",
       "how often the store's data version is read to take in what other replicas wrote; "
       "0: never (1)"},
      {"--entities-token-file", "CASTELLAN_ENTITIES_TOKEN_FILE", "entities_token_file",
       "a file holding the bearer token for entity writes (PUT, PATCH, DELETE, import); "
       "entity reads take it or the admin token; none: writes are refused"},
      {"", "CASTELLAN_ENTITIES_TOKEN", "",
       "the entities bearer token itself (never on the command line)"},
      {"--decision-log", "CASTELLAN_DECISION_LOG", "decision_log",
       "on or off: one store row per action decision, read with GET /v1/decisions (on when "
       "a store is open)"},
      {"--decision-log-queue", "CASTELLAN_DECISION_LOG_QUEUE", "decision_log_queue",
       "decisions waiting to be written; past it they are dropped and counted (10000)"},
      {"--decision-log-retention-days", "CASTELLAN_DECISION_LOG_RETENTION_DAYS",
       "decision_log_retention_days",
       "days a logged decision is kept, pruned at start and hourly; 0 keeps them (30)"},
      {"--max-import-bytes", "CASTELLAN_MAX_IMPORT_BYTES", "max_import_bytes",
       "larger POST /v1/entities:import bodies get 413 (67108864)"},
      {"--admin-token-file", "CASTELLAN_ADMIN_TOKEN_FILE", "admin_token_file",
       "a file holding the bearer token for admin endpoints"},
      {"", "CASTELLAN_ADMIN_TOKEN", "",
       "the admin bearer token itself (never on the command line)"},
      {"--protect-decisions", "CASTELLAN_PROTECT_DECISIONS", "protect_decisions",
       "decision endpoints need the bearer token too (false)"},
      {"--max-body-bytes", "CASTELLAN_MAX_BODY_BYTES", "max_body_bytes",
       "larger request bodies get 413 (1048576)"},
      {"--max-batch", "CASTELLAN_MAX_BATCH", "max_batch", "checks per batch request (1000)"},
      {"--max-actions", "CASTELLAN_MAX_ACTIONS", "max_actions", "actions in one check (100)"},
      {"--max-decisions", "CASTELLAN_MAX_DECISIONS", "max_decisions",
       "action decisions in one request, checks x actions summed over a batch (5000)"},
      {"--max-reasons", "CASTELLAN_MAX_REASONS", "max_reasons",
       "reasons shown per denied action; the rest are counted in reasons_omitted (16)"},
      {"--max-response-reasons", "CASTELLAN_MAX_RESPONSE_REASONS", "max_response_reasons",
       "reasons shown in one response, over all its actions; the rest are counted in "
       "reasons_omitted (10000)"},
      {"--search-page-size", "CASTELLAN_SEARCH_PAGE_SIZE", "search_page_size",
       "results in one page of an AuthZEN search: the default and largest page.limit (100)"},
      {"--max-evaluation-cost", "CASTELLAN_MAX_EVALUATION_COST", "max_evaluation_cost",
       "cost units one rule condition may spend; past it the condition fails with "
       "evaluation_budget_exceeded (100000)"},
      {"--max-request-cost", "CASTELLAN_MAX_REQUEST_COST", "max_request_cost",
       "cost units all the decisions of one request may spend together; past it the rest "
       "deny with evaluation_budget_exceeded (1000000)"},
      {"--max-evaluation-bytes", "CASTELLAN_MAX_EVALUATION_BYTES", "max_evaluation_bytes",
       "bytes of strings, lists and maps one rule condition may build (4194304)"},
      {"--threads", "CASTELLAN_THREADS", "threads",
       "threads serving every connection (one per hardware thread)"},
      {"--max-connections", "CASTELLAN_MAX_CONNECTIONS", "max_connections",
       "open connections; above it a new one gets 503 overloaded and is closed (10000)"},
      {"--header-timeout", "CASTELLAN_HEADER_TIMEOUT", "header_timeout",
       "seconds to send a request's line and headers, else the connection is closed (10)"},
      {"--body-timeout", "CASTELLAN_BODY_TIMEOUT", "body_timeout",
       "seconds to send a request's body once its headers are in (30)"},
      {"--idle-timeout", "CASTELLAN_IDLE_TIMEOUT", "idle_timeout",
       "seconds a keep-alive connection may wait for its next request (60)"},
      {"--tls-cert", "CASTELLAN_TLS_CERT", "tls_cert",
       "PEM certificate chain; with --tls-key, serve HTTPS (TLS 1.2 and 1.3) only"},
      {"--tls-key", "CASTELLAN_TLS_KEY", "tls_key", "PEM private key of --tls-cert"},
      {"--watch", "CASTELLAN_WATCH", "watch", "reload when policy or entity files change (false)"},
      {"--issuer", "CASTELLAN_ISSUER", "issuer",
       "the AuthZEN issuer URL (http://HOST:PORT, https:// with TLS)"},
  };
  return settings;
}

namespace {

bool ParseUnsigned(const std::string& s, uint64_t max, uint64_t* out) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return false;
  *out = v;
  return true;
}

// "https://pdp.example.com/" and "https://pdp.example.com" name the same
// issuer; endpoints are the issuer plus "/access/v1/...".
std::string NormalizeIssuer(std::string issuer) {
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  return issuer;
}

bool ParseBool(const std::string& s, bool* out) {
  if (s == "true" || s == "1" || s == "yes") return *out = true, true;
  if (s == "false" || s == "0" || s == "no") return *out = false, true;
  return false;
}

// "a.yaml,dir" adds two paths.
void AddPaths(const std::string& value, std::vector<std::filesystem::path>* out) {
  std::stringstream in(value);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out->emplace_back(part);
  }
}

// Applies one setting by its config-file key.
bool Apply(const std::string& key, const std::string& value, const std::string& source,
           ServerConfig* c, std::string* error) {
  auto fail = [&](const std::string& what) {
    *error = source + ": " + what + ", got '" + value + "'";
    return false;
  };
  uint64_t n = 0;
  if (key == "listen") {
    const size_t colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0 ||
        !ParseUnsigned(value.substr(colon + 1), 65535, &n)) {
      return fail("expected HOST:PORT");
    }
    c->host = value.substr(0, colon);
    c->port = static_cast<uint16_t>(n);
  } else if (key == "policies") {
    c->policies = value;
  } else if (key == "entities") {
    AddPaths(value, &c->entities);
  } else if (key == "admin_token_file" || key == "entities_token_file") {
    std::string* token = key == "admin_token_file" ? &c->admin_token : &c->entities_token;
    std::ifstream in(value);
    if (!in) return fail("cannot read the token file");
    std::getline(in, *token);
    if (token->empty()) return fail("the token file is empty");
  } else if (key == "admin_token") {
    c->admin_token = value;
  } else if (key == "entities_token") {
    c->entities_token = value;
  } else if (key == "store") {
    if (value.empty()) return fail("expected sqlite:PATH or postgresql://...");
    c->store = value;
  } else if (key == "data_dir") {
    if (value.empty()) return fail("expected a directory");
    c->data_dir = value;
  } else if (key == "seed_entities") {
    AddPaths(value, &c->seed_entities);
  } else if (key == "decision_log") {
    bool on = false;
    if (value == "on" || value == "off") {
      on = value == "on";
    } else if (!ParseBool(value, &on)) {
      return fail("expected on or off");
    }
    c->decision_log = on;
  } else if (key == "decision_log_queue") {
    if (!ParseUnsigned(value, 10000000, &n) || n == 0) return fail("expected 1 to 10000000");
    c->decision_log_queue = n;
  } else if (key == "decision_log_retention_days") {
    if (!ParseUnsigned(value, 36500, &n)) return fail("expected 0 to 36500 days");
    c->decision_log_retention_days = static_cast<int>(n);
  } else if (key == "store_poll_seconds") {
    if (!ParseUnsigned(value, 86400, &n)) return fail("expected 0 to 86400 seconds");
    c->store_poll_seconds = static_cast<int>(n);
  } else if (key == "max_import_bytes") {
    if (!ParseUnsigned(value, 1ull << 32, &n) || n == 0) return fail("expected 1 to 2^32 bytes");
    c->max_import_bytes = n;
  } else if (key == "protect_decisions") {
    if (!ParseBool(value, &c->protect_decisions)) return fail("expected true or false");
  } else if (key == "watch") {
    if (!ParseBool(value, &c->watch)) return fail("expected true or false");
  } else if (key == "max_body_bytes") {
    if (!ParseUnsigned(value, 1ull << 30, &n) || n == 0) return fail("expected 1 to 2^30 bytes");
    c->max_body_bytes = n;
  } else if (key == "max_batch") {
    if (!ParseUnsigned(value, 100000, &n) || n == 0) return fail("expected 1 to 100000");
    c->max_batch = n;
  } else if (key == "max_actions") {
    if (!ParseUnsigned(value, 100000, &n) || n == 0) return fail("expected 1 to 100000");
    c->max_actions = n;
  } else if (key == "max_decisions") {
    if (!ParseUnsigned(value, 10000000, &n) || n == 0) return fail("expected 1 to 10000000");
    c->max_decisions = n;
  } else if (key == "max_reasons") {
    if (!ParseUnsigned(value, 100000, &n) || n == 0) return fail("expected 1 to 100000");
    c->max_reasons = n;
  } else if (key == "max_response_reasons") {
    if (!ParseUnsigned(value, 10000000, &n) || n == 0) return fail("expected 1 to 10000000");
    c->max_response_reasons = n;
  } else if (key == "search_page_size") {
    if (!ParseUnsigned(value, 10000, &n) || n == 0) return fail("expected 1 to 10000");
    c->search_page_size = n;
  } else if (key == "max_evaluation_cost") {
    if (!ParseUnsigned(value, 1ull << 40, &n) || n == 0) return fail("expected 1 to 2^40 units");
    c->evaluation.evaluation_cost = static_cast<int64_t>(n);
  } else if (key == "max_request_cost") {
    if (!ParseUnsigned(value, 1ull << 40, &n) || n == 0) return fail("expected 1 to 2^40 units");
    c->evaluation.request_cost = static_cast<int64_t>(n);
  } else if (key == "max_evaluation_bytes") {
    if (!ParseUnsigned(value, 1ull << 40, &n) || n == 0) return fail("expected 1 to 2^40 bytes");
    c->evaluation.evaluation_bytes = static_cast<int64_t>(n);
  } else if (key == "threads") {
    if (!ParseUnsigned(value, 1024, &n)) return fail("expected 0 to 1024");
    c->threads = static_cast<int>(n);
  } else if (key == "max_connections") {
    if (!ParseUnsigned(value, 1000000, &n) || n == 0) return fail("expected 1 to 1000000");
    c->max_connections = n;
  } else if (key == "header_timeout" || key == "body_timeout" || key == "idle_timeout") {
    if (!ParseUnsigned(value, 3600, &n) || n == 0) return fail("expected 1 to 3600 seconds");
    int* field = key == "header_timeout" ? &c->header_timeout_seconds
                 : key == "body_timeout" ? &c->body_timeout_seconds
                                         : &c->idle_timeout_seconds;
    *field = static_cast<int>(n);
  } else if (key == "tls_cert") {
    c->tls_cert = value;
  } else if (key == "tls_key") {
    c->tls_key = value;
  } else if (key == "issuer") {
    c->issuer = NormalizeIssuer(value);
  } else {
    *error = source + ": unknown setting '" + key + "'";
    return false;
  }
  return true;
}

// Settings that are each valid alone but not in this combination.
bool CheckTogether(const ServerConfig& c, std::string* error) {
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    *error = "--tls-cert and --tls-key go together: give both or neither";
    return false;
  }
  if (!c.entities.empty() && !c.seed_entities.empty()) {
    *error =
        "--entities (read-only entity files) and --seed-entities (seed the store) exclude each "
        "other: give one";
    return false;
  }
  if (c.decision_log.value_or(false) && c.StoreUrl().empty()) {
    *error = "--decision-log on needs a store: with --entities give --store too";
    return false;
  }
  if (c.tls() && c.issuer.rfind("http://", 0) == 0) {
    *error = "--issuer: with TLS on the issuer is an https URL, got '" + c.issuer + "'";
    return false;
  }
  return true;
}

}  // namespace

std::string ServerConfig::StoreUrl() const {
  if (!store.empty()) return store;
  if (!store_mode()) return "";
  return "sqlite:" + (data_dir / "castellan.db").string();
}

bool ParseServerConfig(const std::vector<std::string>& args,
                       const std::function<const char*(const char*)>& getenv, ServerConfig* config,
                       std::string* error) {
  // Collect each layer as key -> value, then apply file, environment, flags in order.
  struct Flag {
    std::string key, value, name;
  };
  std::vector<Flag> flags;
  std::string config_file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const SettingInfo* setting = nullptr;
    for (const auto& s : Settings()) {
      if (*s.flag && a == s.flag) setting = &s;
    }
    if (!setting) {
      *error = "unknown option '" + a + "'";
      return false;
    }
    const std::string key = setting->key;
    const bool boolean = key == "watch" || key == "protect_decisions";
    std::string value = "true";
    if (!boolean) {
      if (i + 1 == args.size()) {
        *error = a + " needs a value";
        return false;
      }
      value = args[++i];
    }
    if (a == "--config") {
      config_file = value;
    } else {
      flags.push_back({key, value, a});
    }
  }
  if (config_file.empty()) {
    if (const char* f = getenv("CASTELLAN_CONFIG")) config_file = f;
  }
  if (!config_file.empty()) {
    YAML::Node doc;
    try {
      doc = YAML::LoadFile(config_file);
    } catch (const YAML::Exception& e) {
      *error = config_file + ": " + e.what();
      return false;
    }
    if (doc && !doc.IsNull() && !doc.IsMap()) {
      *error = config_file + ": expected key: value lines";
      return false;
    }
    for (auto it = doc.begin(); doc.IsMap() && it != doc.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node node = it->second;
      std::string value;
      if (node.IsSequence()) {
        for (const YAML::Node& v : node) value += (value.empty() ? "" : ",") + v.Scalar();
      } else {
        value = node.Scalar();
      }
      if (key == "admin_token" || key == "entities_token" ||
          !Apply(key, value, config_file + ": " + key, config, error)) {
        if (key == "admin_token" || key == "entities_token") {
          *error = config_file + ": put the token in " + key + "_file";
        }
        return false;
      }
    }
  }
  for (const auto& s : Settings()) {
    const char* v = getenv(s.env);
    if (!v || std::string(s.env) == "CASTELLAN_CONFIG") continue;
    const std::string env = s.env;
    const std::string key = env == "CASTELLAN_ADMIN_TOKEN"      ? "admin_token"
                            : env == "CASTELLAN_ENTITIES_TOKEN" ? "entities_token"
                                                                : s.key;
    if (!Apply(key, v, s.env, config, error)) return false;
  }
  bool entities_from_flags = false, seeds_from_flags = false;
  for (const auto& f : flags) {
    if (f.key == "entities" && !entities_from_flags) {
      config->entities.clear();  // flags replace, and repeat, rather than add to the file's
      entities_from_flags = true;
    }
    if (f.key == "seed_entities" && !seeds_from_flags) {
      config->seed_entities.clear();
      seeds_from_flags = true;
    }
    if (!Apply(f.key, f.value, f.name, config, error)) return false;
  }
  return CheckTogether(*config, error);
}

}  // namespace castellan::server
