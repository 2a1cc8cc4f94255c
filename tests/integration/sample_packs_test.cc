// Every sample pack (and the default pack) over HTTP on the store: a fresh
// `castellan serve` in store mode, the pack's entities imported through
// `POST /v1/entities:import`, then every case of the pack's fixture suites
// sent to /v1/check naming stored principals and resources by id only. Each
// action's effect (and a deny's expected reason) must be what the suite says,
// as `castellan test` checks it in process.
#include <gtest/gtest.h>
#include <algorithm>

#include <memory>
#include <set>

#include "api/entity_file.h"
#include "pack_integration.h"

namespace castellan::testing {
namespace {

const fs::path kSource = CASTELLAN_SOURCE_DIR;

class SamplePackOverHttp : public ::testing::TestWithParam<std::string> {};

// Every action the policies declare, from /v1/allowed-actions for `request`.
json DeclaredActions(Server& server, json request) {
  request.erase("actions");
  const Reply r = server.Post("/v1/allowed-actions", request);
  const json body = r.Json();
  json actions = json::array();
  if (r.status != 200 || !body.is_object()) return actions;
  for (const auto& a : body["allowed"]) actions.push_back(a);
  for (const auto& [name, reasons] : body["denied"].items()) actions.push_back(name);
  return actions;
}

// Why one answered action disagrees with the case, or "".
std::string Disagreement(const std::string& action, const json& got,
                         const fixtures::Expectation* want) {
  const bool want_allow = want && want->allow;
  const std::string effect = got.value("effect", "");
  std::string codes;
  bool reason_found = false;
  for (const auto& r : got.value("reasons", json::array())) {
    codes += " " + r.value("code", "");
    reason_found = reason_found || (want && r.value("code", "") == want->reason);
  }
  if (effect != (want_allow ? "allow" : "deny")) {
    return action + ": expected " + (want_allow ? "allow" : "deny") +
           (want ? "" : " (not listed)") + ", got " + effect + " by " +
           got.value("rule", json()).dump() + ";" + codes;
  }
  if (want && !want->reason.empty() && !reason_found) {
    return action + ": expected reason " + want->reason + ", got" + codes;
  }
  return "";
}

TEST_P(SamplePackOverHttp, FixturesPassWithEntitiesImportedAndNamedById) {
  const fs::path pack = kSource / GetParam();
  const std::vector<fs::path> suite_files = fixtures::FindSuites(pack);
  ASSERT_FALSE(suite_files.empty()) << "no fixture suites in " << pack;

  Server server(pack, {"--max-actions", "1000", "--max-decisions", "100000"}, EmptyStore());
  ASSERT_NE(server.port(), 0) << "castellan serve did not start on " << pack << ":\n"
                              << server.Log();

  // The files the suites decide over, loaded here only to tell which of a
  // case's entities are stored; the server gets them through the import.
  std::set<fs::path> entity_files;
  std::vector<fixtures::Suite> suites;
  for (const fs::path& file : suite_files) {
    fixtures::SuiteLoadResult loaded = fixtures::LoadSuite(file);
    ASSERT_TRUE(loaded.suite) << file << ": " << loaded.diagnostics.size() << " problems";
    for (const auto& e : loaded.suite->entity_files) entity_files.insert(fs::weakly_canonical(e));
    suites.push_back(std::move(*loaded.suite));
  }
  ASSERT_EQ(entity_files.size(), 1u) << "every suite of a pack decides over the same entities";
  const fs::path entities = *entity_files.begin();
  const api::EntityLoadResult files = api::LoadEntityFiles({entities});
  ASSERT_TRUE(files.store) << entities;

  const json import = EntityFileJson(entities);
  ASSERT_FALSE(import.contains("unreadable")) << import.dump();
  uint64_t version = 0;
  {
    const Reply imported = server.Call("POST", "/v1/entities:import", import.dump(), kEntityWriter);
    ASSERT_EQ(imported.status, 200) << imported.body;
    EXPECT_EQ(imported.Json().value("imported", size_t{0}), EntityCount(import)) << imported.body;
    version = EntityVersion(imported);
    EXPECT_GE(version, 1u) << imported.body;
  }

  int ignored = 0;
  const json actions =
      DeclaredActions(server, CheckRequest(suites[0].cases[0], *files.store, {}, &ignored));
  ASSERT_FALSE(actions.empty()) << "no declared actions from /v1/allowed-actions";

  int cases = 0, failed = 0, inlined = 0, by_id = 0;
  for (const fixtures::Suite& suite : suites) {
    for (const fixtures::Case& c : suite.cases) {
      json wanted = actions;
      for (const auto& [action, e] : c.expect) {
        if (std::find(actions.begin(), actions.end(), action) == actions.end()) {
          wanted.push_back(action);
        }
      }
      const json request = CheckRequest(c, *files.store, wanted, &inlined);
      by_id += (request["principal"].size() == 1) + (request["resource"].size() == 2);
      const Reply r = server.Post("/v1/check", request);
      const json body = r.Json();
      ++cases;
      const std::string where = suite.path + ":" + std::to_string(c.line) + " '" + c.name + "'";
      // The engine denies every action of a request it cannot decide (a
      // numeric id, say); over HTTP the same request is a 400, which the
      // caller must treat as a deny. Either way nothing is allowed.
      const std::string refusal =
          body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
      const bool all_denied =
          std::all_of(c.expect.begin(), c.expect.end(), [&](const auto& expected) {
            return !expected.second.allow &&
                   (expected.second.reason.empty() || expected.second.reason == refusal);
          });
      if (r.status == 400 && !refusal.empty() && all_denied && !c.expect.empty()) continue;
      if (r.status != 200 || !body.is_object() || !body.contains("results")) {
        ADD_FAILURE() << where << ": HTTP " << r.status << " " << r.body << "\nrequest "
                      << request.dump();
        ++failed;
        continue;
      }
      EXPECT_EQ(body.value("entity_version", uint64_t{0}), version) << where << ": " << r.body;
      std::string problems;
      for (const auto& [action, got] : body["results"].items()) {
        auto it = c.expect.find(action);
        const std::string d =
            Disagreement(action, got, it == c.expect.end() ? nullptr : &it->second);
        if (!d.empty()) problems += "\n  " + d;
      }
      if (!problems.empty()) {
        ADD_FAILURE() << where << problems << "\nrequest " << request.dump();
        ++failed;
      }
    }
  }
  std::cout << GetParam() << ": " << cases << " cases over HTTP, " << failed << " failed; " << by_id
            << " entities named by id only, " << inlined
            << " stored entities whose fixture attributes were left out\n";
  EXPECT_GT(by_id, 0);
}

// The default pack and every sample pack there is, so a new pack is covered
// without another list to keep in step.
std::vector<std::string> Packs() {
  std::vector<std::string> packs = {"policies"};
  for (const auto& entry : fs::directory_iterator(fs::path(CASTELLAN_SOURCE_DIR) / "samples")) {
    if (entry.is_directory() && fs::exists(entry.path() / "entities.yaml")) {
      packs.push_back("samples/" + entry.path().filename().string());
    }
  }
  std::sort(packs.begin() + 1, packs.end());
  return packs;
}

INSTANTIATE_TEST_SUITE_P(Packs, SamplePackOverHttp, ::testing::ValuesIn(Packs()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(info.param.rfind('/') + 1);
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace castellan::testing
