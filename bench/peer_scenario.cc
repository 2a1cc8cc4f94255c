// Castellan on the peers' shared scenario (../shared/bench-peers): "RBAC with
// tenants" for a partner portal, 200 companies, 2,000 users, 40 permissions,
// 100,000 requests with their expected answers.
//
// The scenario's rules as a Castellan pack, built in memory: one permission
// per resource:action pair, one action needing it, five roles whose bindings
// apply in the companies a user is assigned to (`assigned_customers`), and a
// single allow rule. Each user's assignments become role bindings with their
// own access list. Every answer is checked against the `expected` column,
// then requests are decided in a loop, single-threaded like the peers, for
// --seconds. Prints one JSON line in the peers' format, so summarize.js
// lists it beside them.
//
// The abac variant is the peers' email whitelist: a user may restore a mailbox
// when the domain of the mailbox's address is on the user's whitelist,
// written with email.domainIn over the address itself (Cedar needs the domain
// precomputed as an attribute).
//
//   peer_scenario SCENARIO_DIR [--seconds 5] [--variant rbac|abac]
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"

namespace {

using castellan::engine::Value;
using json = nlohmann::json;

std::string Underscored(std::string s) {
  for (char& c : s) {
    if (c == ':') c = '_';
  }
  return s;
}

std::string Dotted(std::string s) {
  for (char& c : s) {
    if (c == ':') c = '.';
  }
  return s;
}

double PeakRssMiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, variant = "rbac";
  double seconds = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (a == "--variant" && i + 1 < argc) {
      variant = argv[++i];
    } else {
      dir = a;
    }
  }
  std::ifstream scenario_file(dir + "/scenario.json");
  const bool abac = variant == "abac";
  std::ifstream requests_file(dir + (abac ? "/abac-requests.csv" : "/requests.csv"));
  if (dir.empty() || !scenario_file || !requests_file) {
    std::cerr << "usage: peer_scenario SCENARIO_DIR [--seconds S]\n";
    return 2;
  }
  const auto load_start = std::chrono::steady_clock::now();
  const json scenario = json::parse(scenario_file);

  // The policy pack.
  std::ostringstream yaml;
  if (abac) {
    yaml << "kind: Permissions\nactions:\n  mailbox.restore: {on: [mailbox]}\n---\n"
            "kind: Policy\nname: abac\nrules:\n  - name: mailbox-restore-whitelist\n"
            "    effect: allow\n    actions: [mailbox.restore]\n"
            "    when: email.domainIn(resource.email, principal.domain_whitelist)\n";
  } else {
    yaml << "kind: Permissions\npermissions:\n";
    for (const auto& p : scenario["permissions"]) yaml << "  " << Underscored(p) << ": {}\n";
    yaml << "actions:\n";
    for (const auto& p : scenario["permissions"]) {
      yaml << "  " << Dotted(p) << ": {requires: [" << Underscored(p) << "]}\n";
    }
    for (const auto& [role, perms] : scenario["rolePerms"].items()) {
      yaml << "---\nkind: Role\nname: " << role
           << "\nlevel: tenant\nrank: 1\nscope: [assigned_customers]\ngrants: [";
      for (size_t i = 0; i < perms.size(); ++i) {
        yaml << (i ? ", " : "") << Underscored(perms[i]);
      }
      yaml << "]\n";
    }
    yaml << "---\nkind: Policy\nname: rbac\nrules:\n  - name: holders\n    effect: allow\n"
            "    actions: [\"*\"]\n";
  }
  auto loaded = castellan::dsl::LoadPolicyFiles({{"scenario.yaml", yaml.str()}},
                                                castellan::engine::PolicyEnvironments());
  if (!loaded.source) {
    std::cerr << loaded.FormattedDiagnostics();
    return 1;
  }
  auto policies = castellan::engine::PolicySet::Compile(std::move(*loaded.source)).set;

  // The entities: the partner, its companies, and users with one binding per assignment.
  castellan::engine::InMemoryEntityStore store;
  const std::string partner = scenario["partner"];
  store.AddOrganization(partner, castellan::api::FromJson({{"id", partner}}));
  for (const auto& c : scenario["companies"]) {
    store.AddOrganization(c, castellan::api::FromJson({{"id", c}, {"parent", partner}}));
  }
  std::map<std::string, std::string> org_of;
  for (const auto& u : scenario["users"]) {
    org_of[u["id"]] = u["org"];
    json roles = json::array();
    for (const auto& a : u["assignments"]) {
      roles.push_back({{"role", a["role"]}, {"access", {{"customers", {a["domain"]}}}}});
    }
    json user = {{"id", u["id"]}, {"org", u["org"]}};
    if (abac) {
      user["domain_whitelist"] = scenario["whitelist"][u["id"].get<std::string>()];
    } else {
      user["roles"] = roles;
    }
    store.AddUser(u["id"], castellan::api::FromJson(user));
  }

  // The requests.
  struct Item {
    castellan::engine::DecisionRequest request;
    bool expected;
  };
  std::vector<Item> items;
  std::string line;
  while (std::getline(requests_file, line)) {
    std::stringstream fields(line);
    std::string user, domain, obj, act, expected;
    std::getline(fields, user, ',');
    std::getline(fields, domain, ',');  // abac: the mailbox
    std::getline(fields, obj, ',');     // abac: the mailbox's email domain
    if (!abac) std::getline(fields, act, ',');
    std::getline(fields, expected, ',');
    if (expected != "0" && expected != "1") continue;  // a header, if any
    castellan::engine::DecisionRequest r;
    r.principal = castellan::api::FromJson({{"id", user}});
    r.context = castellan::api::FromJson({{"now", "2026-11-02T12:00:00Z"}});
    if (abac) {
      // The user's own mailbox, in its organization, known by its address only.
      r.resource = castellan::api::FromJson({{"kind", "mailbox"},
                                             {"id", domain},
                                             {"new", true},
                                             {"org", org_of[user]},
                                             {"email", "owner@" + obj}});
      r.actions = {"mailbox.restore"};
    } else {
      r.resource = castellan::api::FromJson({{"kind", "organization"}, {"id", domain}});
      r.actions = {obj + "." + act};
    }
    items.push_back({std::move(r), expected == "1"});
  }
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start)
          .count();

  size_t mismatches = 0, allowed = 0;
  for (const auto& item : items) {
    const bool got = castellan::engine::Decide(*policies, store, item.request).results[0].allowed;
    mismatches += got != item.expected;
    allowed += got;
  }

  size_t decided = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (size_t i = 0; i < 1000; ++i, ++decided) {
      const auto& item = items[decided % items.size()];
      auto d = castellan::engine::Decide(*policies, store, item.request);
      if (d.results.empty()) return 1;  // keeps the call from being optimised away
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  json out = {{"peer", "castellan"},
              {"version", "0.1.0"},
              {"variant", abac ? "abac" : "rbac-domains"},
              {"loadMs", std::round(load_ms * 10) / 10},
              {"mismatches", mismatches},
              {"verified", items.size()},
              {"allowRatio", items.empty() ? 0.0 : static_cast<double>(allowed) / items.size()},
              {"timedDecisions", decided},
              {"timedSec", std::round(elapsed * 100) / 100},
              {"decisionsPerSec", static_cast<long>(decided / elapsed)},
              {"peakRssMiB", std::round(PeakRssMiB() * 10) / 10}};
  std::cout << out.dump() << "\n";
  return mismatches == 0 ? 0 : 1;
}
