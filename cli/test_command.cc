#include <fstream>
#include <iostream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "engine/policy_set.h"
#include "fixtures/junit.h"
#include "fixtures/runner.h"
#include "fixtures/suite.h"

namespace castellan::cli {
namespace {

constexpr const char* kTestHelp = R"(Usage: castellan test [--junit FILE] [--filter TEXT] DIR

Loads the policies below DIR and runs every decision fixture below it
(*_test.yaml; see docs/fixtures.md). Each case names a principal and a
resource and the expected effect per action; every declared action a case
does not list is expected to be denied. Prints each failing case with the
reasons the engine gave, the rules no case exercised, and finally the line
"N passed, M failed".

Options:
  --junit FILE    also write the results as JUnit XML to FILE
  --filter TEXT   run only cases whose "suite / case" name contains TEXT
  -h, --help      show this help

Exit status: 0 when every case passed, 1 when any failed or the policies,
suites or entity files have errors, 2 on usage errors.
)";

}  // namespace

int TestCommand(const std::vector<std::string>& args) {
  Arguments parsed;
  std::string error;
  if (!ParseArguments("test", args, {"--junit", "--filter"}, "directory", &parsed, &error)) {
    std::cerr << error << "\n\n" << kTestHelp;
    return kExitUsage;
  }
  if (parsed.help) {
    std::cout << kTestHelp;
    return kExitOk;
  }
  const std::string dir = parsed.operand, junit = parsed.Get("--junit"),
                    filter = parsed.Get("--filter");
  if (dir.empty()) {
    std::cerr << "castellan test: missing DIR\n\n" << kTestHelp;
    return kExitUsage;
  }
  if (!std::filesystem::is_directory(dir)) {
    std::cerr << "castellan test: '" << dir << "' is not a directory\n";
    return kExitUsage;
  }

  engine::PolicySetLoad loaded = engine::LoadPolicySet(dir);
  if (!loaded.set) {
    std::cout << loaded.formatted << dir << ": the policy set has errors; no case ran\n";
    return kExitFailure;
  }
  std::vector<fixtures::Suite> suites;
  dsl::Diagnostics errors;
  for (const auto& path : fixtures::FindSuites(dir)) {
    fixtures::SuiteLoadResult s = fixtures::LoadSuite(path);
    for (auto& d : s.diagnostics) errors.push_back(std::move(d));
    if (s.suite) suites.push_back(std::move(*s.suite));
  }
  if (suites.empty() && errors.empty()) {
    std::cout << dir << ": no *_test.yaml suites found\n";
    return kExitFailure;
  }

  fixtures::RunReport report = fixtures::RunSuites(*loaded.set, suites, filter);
  for (auto& d : report.errors) errors.push_back(std::move(d));
  for (const auto& d : errors) std::cout << dsl::FormatDiagnostic(d, nullptr);

  for (const auto& c : report.cases) {
    if (c.passed()) continue;
    std::cout << "FAIL " << c.suite->path << ":" << c.test_case->line << ": " << c.test_case->name
              << " (" << c.test_case->principal_label << " on " << c.test_case->resource_label
              << ")\n";
    for (const auto& m : c.mismatches) std::cout << fixtures::FormatMismatch(m, "  ");
  }
  if (filter.empty()) {
    std::cout << "rule coverage: " << (report.rule_count - report.unexercised.size()) << " of "
              << report.rule_count << " rules exercised\n";
    for (const auto* rule : report.unexercised) {
      std::cout << "  not exercised: " << rule->policy << "/" << rule->decl->name << " ("
                << engine::RuleLocation(*rule) << ")\n";
    }
  }
  if (!junit.empty()) {
    std::ofstream out(junit);
    fixtures::WriteJUnit(report, out);
    if (!out) {
      std::cerr << "castellan test: cannot write '" << junit << "'\n";
      return kExitFailure;
    }
  }
  std::cout << report.passed << " passed, " << report.failed << " failed\n";
  return report.failed == 0 && errors.empty() ? kExitOk : kExitFailure;
}

}  // namespace castellan::cli
