// Castellan on the peers' shared scenario (../shared/bench-peers): "RBAC with
// tenants" for a partner portal, 200 companies, 2,000 users, 40 permissions,
// 100,000 requests with their expected answers.
//
// The scenario's rules as a Castellan pack, built in memory: one permission
// per resource:action pair, one action needing it, five roles whose bindings
// apply in the companies a user is assigned to (`assigned_customers`), and a
// single allow rule. Each user's assignments become role bindings with their
// own access list. Every answer is checked against the `expected` column,
// then requests are decided in a loop for --seconds on --threads threads
// (one by default, like the peers; each its own slice of the requests and
// its own Decision buffer, reused). Prints one JSON line in the peers' format, so
// summarize.js lists it beside them, with the heap allocations the verify
// pass made per allowed and per denied decision (a counting operator new).
//
// --extra-rules N declares N more actions, each with an allow rule of its
// own (every other one with a condition), that no request asks about: the
// per-decision cost should not grow with them.
//
// The abac variant is the peers' email whitelist: a user may restore a mailbox
// when the domain of the mailbox's address is on the user's whitelist,
// written with email.domainIn over the address itself (Cedar needs the domain
// precomputed as an attribute).
//
//   peer_scenario SCENARIO_DIR [--seconds 5] [--variant rbac|abac] [--threads 1]
//                 [--extra-rules 0]
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <new>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"

// GCC sees the replaced operator delete call free() on what operator new
// returned through malloc() and mistakes it for a mismatch.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Every heap allocation of the process, counted (relaxed: only the verify
// pass reads it, on one thread).
namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  return operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return operator new(n, t);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

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
  size_t threads = 1, extra_rules = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (a == "--variant" && i + 1 < argc) {
      variant = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--extra-rules" && i + 1 < argc) {
      extra_rules = std::max(0, std::atoi(argv[++i]));
    } else {
      dir = a;
    }
  }
  std::ifstream scenario_file(dir + "/scenario.json");
  const bool abac = variant == "abac";
  std::ifstream requests_file(dir + (abac ? "/abac-requests.csv" : "/requests.csv"));
  if (dir.empty() || !scenario_file || !requests_file) {
    std::cerr << "usage: peer_scenario SCENARIO_DIR [--seconds S] [--variant rbac|abac] "
                 "[--threads N] [--extra-rules N]\n";
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
  if (extra_rules > 0) {
    // Actions no request names, each with its own allow rule; every other
    // rule has a condition (that would hold, were it ever evaluated).
    yaml << "---\nkind: Permissions\nactions:\n";
    for (size_t i = 0; i < extra_rules; ++i) yaml << "  extra.a" << i << ": {}\n";
    yaml << "---\nkind: Policy\nname: extra\nrules:\n";
    for (size_t i = 0; i < extra_rules; ++i) {
      yaml << "  - name: extra-" << i << "\n    effect: allow\n    actions: [extra.a" << i << "]\n";
      if (i % 2) yaml << "    when: principal.id != 'x" << i << "'\n";
    }
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
  size_t companies = 0;
  const std::string partner = scenario["partner"];
  store.AddOrganization(partner, castellan::api::FromJson({{"id", partner}}));
  for (const auto& c : scenario["companies"]) {
    store.AddOrganization(c, castellan::api::FromJson({{"id", c}, {"parent", partner}}));
    ++companies;
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
  const double pack_load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start)
          .count();

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
      // The user's own mailbox, in its organization, known by its address only: the
      // store holds no mailboxes, so the request proposes it ("new": true).
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

  // Verify every answer, counting the heap allocations of each decision
  // (one Decision buffer reused, as a server thread would).
  namespace engine = castellan::engine;
  const engine::DecideOptions options;
  size_t mismatches = 0, allowed = 0;
  uint64_t allocs_allowed = 0, allocs_denied = 0;
  {
    engine::Decision d;
    for (const auto& item : items) {
      const uint64_t before = g_allocations.load(std::memory_order_relaxed);
      engine::EvaluationBudget budget;
      engine::DecideInto(*policies, store, item.request, budget, options, d);
      const uint64_t allocs = g_allocations.load(std::memory_order_relaxed) - before;
      const bool got = !d.results.empty() && d.results[0].allowed;
      (got ? allocs_allowed : allocs_denied) += allocs;
      mismatches += got != item.expected;
      allowed += got;
    }
  }
  const size_t denied = items.size() - allowed;

  // Each thread decides its own slice of the requests, round and round, for `seconds`.
  std::vector<size_t> decided_by(threads, 0);
  std::vector<double> elapsed_by(threads, 0);
  std::atomic<bool> failed{false};
  auto run = [&](size_t t) {
    const size_t begin = items.size() * t / threads, end = items.size() * (t + 1) / threads;
    if (begin == end) return;
    engine::Decision d;
    size_t decided = 0, next = begin;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      for (size_t i = 0; i < 1000; ++i, ++decided) {
        engine::EvaluationBudget budget;
        engine::DecideInto(*policies, store, items[next].request, budget, options, d);
        if (d.results.empty()) failed = true;  // keeps the call from being optimised away
        if (++next == end) next = begin;
      }
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    decided_by[t] = decided;
    elapsed_by[t] = elapsed;
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (auto& th : pool) th.join();
  if (failed) return 1;
  size_t decided = 0;
  double elapsed = 0, rate = 0;
  for (size_t t = 0; t < threads; ++t) {
    decided += decided_by[t];
    elapsed = std::max(elapsed, elapsed_by[t]);
    if (elapsed_by[t] > 0) rate += decided_by[t] / elapsed_by[t];
  }
  auto mean = [](uint64_t total, size_t n) {
    return n == 0 ? 0.0 : std::round(100.0 * static_cast<double>(total) / n) / 100;
  };

  json out = {{"peer", "castellan"},
              {"version", "0.1.0"},
              {"variant", abac ? "abac" : "rbac-domains"},
              {"loadMs", std::round(load_ms * 10) / 10},
              {"mismatches", mismatches},
              {"verified", items.size()},
              {"allowRatio", items.empty() ? 0.0 : static_cast<double>(allowed) / items.size()},
              {"timedDecisions", decided},
              {"timedSec", std::round(elapsed * 100) / 100},
              {"decisionsPerSec", static_cast<long>(rate)},
              {"peakRssMiB", std::round(PeakRssMiB() * 10) / 10},
              {"threads", threads},
              {"extraRules", extra_rules},
              {"users", scenario["users"].size()},
              {"companies", companies},
              {"packLoadMs", std::round(pack_load_ms * 10) / 10},
              {"allocsPerAllowed", mean(allocs_allowed, allowed)},
              {"allocsPerDenied", mean(allocs_denied, denied)}};
  std::cout << out.dump() << "\n";
  return mismatches == 0 ? 0 : 1;
}
