#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_run.h"

namespace {

using castellan::testing::Castellan;

const std::string kPolicies =
    "--policies " CASTELLAN_SOURCE_DIR "/policies --entities " CASTELLAN_SOURCE_DIR
    "/policies/entities.yaml";

// Request files live in one temporary directory, removed when the tests end.
struct RequestFiles {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("castellan_check_" + std::to_string(::getpid()));
  int next = 0;
  RequestFiles() { std::filesystem::create_directories(dir); }
  ~RequestFiles() { std::filesystem::remove_all(dir); }
};

// Feeds `json` on standard input through a file.
std::string Stdin(const std::string& json) {
  static RequestFiles files;
  const auto path = files.dir / std::to_string(files.next++);
  std::ofstream(path) << json;
  return " < " + path.string();
}

TEST(CheckCommand, AllowedRequestPrintsTheDecisionAndExitsZero) {
  auto r = Castellan("check " + kPolicies + " -" + Stdin(R"({
      "principal": {"id": "adam@acme.example"},
      "resource": {"kind": "organization", "id": "contoso"},
      "actions": ["company.view"], "context": {"now": "2026-11-02T12:00:00Z"}})"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["results"]["company.view"]["effect"], "allow");
  EXPECT_EQ(j["results"]["company.view"]["rule"]["name"], "holders-act-in-scope");
  EXPECT_EQ(j["policy_version"].get<std::string>().size(), 16u);
}

TEST(CheckCommand, DeniedRequestNamesTheMissingPermissionAndExitsOne) {
  auto r = Castellan("check " + kPolicies + Stdin(R"({
      "principal": {"id": "uma@acme.example"},
      "resource": {"kind": "organization", "id": "contoso"},
      "actions": ["backup_set.add"], "context": {"now": "2026-11-02T12:00:00Z"}})"));
  ASSERT_EQ(r.exit_code, 1) << r.output;
  auto reasons = nlohmann::json::parse(r.output)["results"]["backup_set.add"]["reasons"];
  ASSERT_EQ(reasons.size(), 2u) << r.output;
  EXPECT_EQ(reasons[0]["code"], "missing_permission");
  EXPECT_EQ(reasons[0]["permission"], "collections");
  EXPECT_EQ(reasons[0]["required_by"], "backup_set.add");
}

TEST(CheckCommand, WithoutActionsEveryDeclaredActionIsDecided) {
  auto r = Castellan("check " + kPolicies + Stdin(R"({
      "principal": {"id": "olivia@acme.example"},
      "resource": {"kind": "organization", "id": "contoso"}})"));
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["results"].size(), 11u) << r.output;
}

TEST(CheckCommand, MalformedRequestsAreUsageErrors) {
  for (const std::string body : {"{", "[]", R"({"principal": "x", "resource": {}})",
                                 R"({"principal": {}, "resource": {}, "actions": [1]})",
                                 R"({"principal": {}, "resource": {}, "surprise": 1})"}) {
    auto r = Castellan("check " + kPolicies + Stdin(body));
    EXPECT_EQ(r.exit_code, 2) << body << "\n" << r.output;
    EXPECT_NE(r.output.find("castellan check: "), std::string::npos) << r.output;
  }
}

TEST(CheckCommand, ADuplicateKeyIsAMalformedRequestNotLastOneWins) {
  // Read last-wins this would decide for adam, who may view contoso.
  auto r = Castellan("check " + kPolicies + Stdin(R"({
      "principal": {"id": "uma@acme.example", "id": "adam@acme.example"},
      "resource": {"kind": "organization", "id": "contoso"}, "actions": ["company.view"]})"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(R"(castellan check: <stdin>:2:47: duplicate key "id" in /principal)"),
            std::string::npos)
      << r.output;
}

TEST(CheckCommand, AnIdThatIsNotAStringIsAMalformedRequest) {
  auto r = Castellan("check " + kPolicies + Stdin(R"({"principal": {"id": 7},
      "resource": {"kind": "organization", "id": "contoso"}, "actions": ["company.view"]})"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("'principal.id' must be a string, not a number"), std::string::npos)
      << r.output;
}

TEST(CheckCommand, UnknownIdsAreDeniedWithAReason) {
  auto r = Castellan("check " + kPolicies + Stdin(R"({
      "principal": {"id": "ghost@acme.example"},
      "resource": {"kind": "organization", "id": "contoso"}, "actions": ["company.view"]})"));
  EXPECT_EQ(r.exit_code, 1);
  auto reasons = nlohmann::json::parse(r.output)["results"]["company.view"]["reasons"];
  EXPECT_EQ(reasons[0]["code"], "unknown_principal") << r.output;
}

}  // namespace
