#include "server/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace castellan::server {
namespace {

struct Env {
  std::map<std::string, std::string> values;
  std::function<const char*(const char*)> get() const {
    return [this](const char* name) -> const char* {
      auto it = values.find(name);
      return it == values.end() ? nullptr : it->second.c_str();
    };
  }
};

TEST(ServerConfig, DefaultsWork) {
  ServerConfig c;
  std::string error;
  ASSERT_TRUE(ParseServerConfig({}, Env{}.get(), &c, &error)) << error;
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 8181);
  EXPECT_EQ(c.policies, "policies");
  EXPECT_EQ(c.max_body_bytes, 1u << 20);
  EXPECT_EQ(c.max_batch, 1000u);
  EXPECT_EQ(c.issuer, "");  // the server fills it in with the port it bound
}

TEST(ServerConfig, FlagsWinOverEnvironmentWhichWinsOverTheFile) {
  const auto file = std::filesystem::temp_directory_path() / "castellan_config_test.yaml";
  std::ofstream(file) << "listen: 0.0.0.0:9000\npolicies: from-file\nmax_batch: 5\n"
                         "entities: [a.yaml, b.yaml]\n";
  Env env;
  env.values["CASTELLAN_CONFIG"] = file.string();
  env.values["CASTELLAN_POLICIES"] = "from-env";
  env.values["CASTELLAN_MAX_BATCH"] = "7";
  env.values["CASTELLAN_ADMIN_TOKEN"] = "t0ken";
  ServerConfig c;
  std::string error;
  ASSERT_TRUE(ParseServerConfig({"--max-batch", "9", "--watch"}, env.get(), &c, &error)) << error;
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.policies, "from-env");
  EXPECT_EQ(c.max_batch, 9u);
  EXPECT_TRUE(c.watch);
  EXPECT_EQ(c.admin_token, "t0ken");
  ASSERT_EQ(c.entities.size(), 2u);
  std::filesystem::remove(file);
}

TEST(ServerConfig, MistakesNameTheSetting) {
  auto fails = [](std::vector<std::string> args, Env env, const std::string& expected) {
    ServerConfig c;
    std::string error;
    EXPECT_FALSE(ParseServerConfig(args, env.get(), &c, &error));
    EXPECT_NE(error.find(expected), std::string::npos) << error;
  };
  fails({"--listen", "nowhere"}, {}, "--listen: expected HOST:PORT");
  fails({"--listen"}, {}, "--listen needs a value");
  fails({"--frobnicate"}, {}, "unknown option '--frobnicate'");
  fails({"--max-body-bytes", "0"}, {}, "--max-body-bytes");
  fails({"--admin-token-file", "/nonexistent/token"}, {}, "cannot read the token file");
  Env env;
  env.values["CASTELLAN_THREADS"] = "many";
  fails({}, env, "CASTELLAN_THREADS: expected 0 to 1024");
}

TEST(ServerConfig, EvaluationBudgetsHaveSafeDefaultsAndCanBeSet) {
  ServerConfig c;
  std::string error;
  ASSERT_TRUE(ParseServerConfig({}, Env{}.get(), &c, &error)) << error;
  EXPECT_EQ(c.evaluation.evaluation_cost, engine::EvaluationLimits::kDefaultEvaluationCost);
  EXPECT_EQ(c.evaluation.request_cost, engine::EvaluationLimits::kDefaultRequestCost);
  EXPECT_EQ(c.evaluation.evaluation_bytes, engine::EvaluationLimits::kDefaultEvaluationBytes);

  Env env;
  env.values["CASTELLAN_MAX_REQUEST_COST"] = "5000";
  ASSERT_TRUE(ParseServerConfig({"--max-evaluation-cost", "200", "--max-evaluation-bytes", "4096"},
                                env.get(), &c, &error))
      << error;
  EXPECT_EQ(c.evaluation.evaluation_cost, 200);
  EXPECT_EQ(c.evaluation.request_cost, 5000);
  EXPECT_EQ(c.evaluation.evaluation_bytes, 4096);

  ServerConfig bad;
  EXPECT_FALSE(ParseServerConfig({"--max-evaluation-cost", "0"}, Env{}.get(), &bad, &error));
  EXPECT_NE(error.find("--max-evaluation-cost"), std::string::npos) << error;
  EXPECT_FALSE(ParseServerConfig({"--max-request-cost", "-1"}, Env{}.get(), &bad, &error));
  EXPECT_NE(error.find("--max-request-cost"), std::string::npos) << error;
}

TEST(ServerConfig, ConnectionLimitsAndDeadlinesHaveSafeDefaultsAndCanBeSet) {
  ServerConfig c;
  std::string error;
  ASSERT_TRUE(ParseServerConfig({}, Env{}.get(), &c, &error)) << error;
  EXPECT_EQ(c.max_connections, 10000u);
  EXPECT_EQ(c.header_timeout_seconds, 10);
  EXPECT_EQ(c.body_timeout_seconds, 30);
  EXPECT_EQ(c.idle_timeout_seconds, 60);
  EXPECT_FALSE(c.tls());
  ASSERT_TRUE(ParseServerConfig({"--max-connections", "50", "--header-timeout", "2",
                                 "--body-timeout", "3", "--idle-timeout", "4"},
                                Env{}.get(), &c, &error))
      << error;
  EXPECT_EQ(c.max_connections, 50u);
  EXPECT_EQ(c.header_timeout_seconds, 2);
  EXPECT_EQ(c.body_timeout_seconds, 3);
  EXPECT_EQ(c.idle_timeout_seconds, 4);
  ServerConfig bad;
  EXPECT_FALSE(ParseServerConfig({"--idle-timeout", "0"}, Env{}.get(), &bad, &error));
  EXPECT_NE(error.find("--idle-timeout: expected 1 to 3600 seconds"), std::string::npos) << error;
  EXPECT_FALSE(ParseServerConfig({"--max-connections", "0"}, Env{}.get(), &bad, &error));
  EXPECT_NE(error.find("--max-connections"), std::string::npos) << error;
}

TEST(ServerConfig, TheIssuerLosesItsTrailingSlash) {
  ServerConfig c;
  std::string error;
  ASSERT_TRUE(ParseServerConfig({"--issuer", "https://pdp.example.com/"}, Env{}.get(), &c, &error))
      << error;
  EXPECT_EQ(c.issuer, "https://pdp.example.com");
  Env env;
  env.values["CASTELLAN_ISSUER"] = "https://pdp.example.com/authz//";
  ASSERT_TRUE(ParseServerConfig({}, env.get(), &c, &error)) << error;
  EXPECT_EQ(c.issuer, "https://pdp.example.com/authz");
}

TEST(ServerConfig, TlsNeedsCertificateAndKeyAndAnHttpsIssuer) {
  ServerConfig c;
  std::string error;
  ASSERT_TRUE(
      ParseServerConfig({"--tls-cert", "c.pem", "--tls-key", "k.pem"}, Env{}.get(), &c, &error))
      << error;
  EXPECT_TRUE(c.tls());
  ServerConfig half;
  EXPECT_FALSE(ParseServerConfig({"--tls-cert", "c.pem"}, Env{}.get(), &half, &error));
  EXPECT_NE(error.find("--tls-cert and --tls-key go together"), std::string::npos) << error;
  ServerConfig plain_issuer;
  EXPECT_FALSE(ParseServerConfig(
      {"--tls-cert", "c.pem", "--tls-key", "k.pem", "--issuer", "http://pdp.example.com"},
      Env{}.get(), &plain_issuer, &error));
  EXPECT_NE(error.find("https URL"), std::string::npos) << error;
}

TEST(ServerConfig, StoreModeIsTheDefaultAndEntityFilesAreReadOnlyWithoutALog) {
  ServerConfig c;
  std::string error;
  ASSERT_TRUE(ParseServerConfig({}, Env{}.get(), &c, &error)) << error;
  EXPECT_TRUE(c.store_mode());
  EXPECT_EQ(c.StoreUrl(), "sqlite:castellan-data/castellan.db");
  EXPECT_TRUE(c.decision_log_on());
  EXPECT_EQ(c.decision_log_queue, 10000u);
  EXPECT_EQ(c.decision_log_retention_days, 30);
  EXPECT_EQ(c.max_import_bytes, 64u << 20);

  ServerConfig files;
  ASSERT_TRUE(ParseServerConfig({"--entities", "e.yaml"}, Env{}.get(), &files, &error)) << error;
  EXPECT_FALSE(files.store_mode());
  EXPECT_EQ(files.StoreUrl(), "");
  EXPECT_FALSE(files.decision_log_on());

  ServerConfig both;
  ASSERT_TRUE(ParseServerConfig({"--entities", "e.yaml", "--store", "sqlite:/tmp/x.db"},
                                Env{}.get(), &both, &error))
      << error;
  EXPECT_FALSE(both.store_mode());
  EXPECT_TRUE(both.decision_log_on()) << "entities from files, the log in the store";
}

TEST(ServerConfig, StoreSettingsComeFromFlagsAndTheEnvironment) {
  const auto token = std::filesystem::temp_directory_path() / "castellan_entities_token";
  std::ofstream(token) << "w-token\n";
  Env env;
  env.values["CASTELLAN_ENTITIES_TOKEN"] = "from-env";
  env.values["CASTELLAN_DECISION_LOG_QUEUE"] = "77";
  ServerConfig c;
  std::string error;
  ASSERT_TRUE(
      ParseServerConfig({"--data-dir", "/tmp/d", "--seed-entities", "a.yaml,b", "--decision-log",
                         "off", "--decision-log-retention-days", "0", "--max-import-bytes", "100"},
                        env.get(), &c, &error))
      << error;
  EXPECT_EQ(c.StoreUrl(), "sqlite:/tmp/d/castellan.db");
  EXPECT_EQ(c.seed_entities.size(), 2u);
  EXPECT_EQ(c.entities_token, "from-env");
  EXPECT_FALSE(c.decision_log_on());
  EXPECT_EQ(c.decision_log_queue, 77u);
  EXPECT_EQ(c.decision_log_retention_days, 0);
  EXPECT_EQ(c.max_import_bytes, 100u);

  ServerConfig f;
  ASSERT_TRUE(ParseServerConfig({"--entities-token-file", token.string()}, Env{}.get(), &f, &error))
      << error;
  EXPECT_EQ(f.entities_token, "w-token");
  std::filesystem::remove(token);
}

TEST(ServerConfig, ConflictingStoreSettingsAreRefused) {
  struct Case {
    std::vector<std::string> args;
    const char* names;
  } cases[] = {
      {{"--entities", "e.yaml", "--seed-entities", "s.yaml"}, "--seed-entities"},
      {{"--entities", "e.yaml", "--decision-log", "on"}, "--decision-log"},
      {{"--decision-log", "maybe"}, "--decision-log"},
      {{"--decision-log-queue", "0"}, "--decision-log-queue"},
      {{"--store", ""}, "--store"},
  };
  for (const Case& k : cases) {
    ServerConfig c;
    std::string error;
    EXPECT_FALSE(ParseServerConfig(k.args, Env{}.get(), &c, &error)) << k.names;
    EXPECT_NE(error.find(k.names), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace castellan::server
