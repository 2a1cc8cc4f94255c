#include <iostream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "engine/policy_set.h"

namespace castellan::cli {
namespace {

constexpr const char* kValidateHelp = R"(Usage: castellan validate DIR

Loads every policy file below DIR (*.yaml and *.yml, except *_test.yaml
fixtures), checks them, and prints either every problem found, each as
file:line:column with the source line, or a one-line summary.

Exit status: 0 when the policies are valid, 1 when they have errors,
2 on usage errors.
)";

}  // namespace

int ValidateCommand(const std::vector<std::string>& args) {
  Arguments parsed;
  std::string error;
  if (!ParseArguments("validate", args, {}, "directory", &parsed, &error)) {
    std::cerr << error << "\n\n" << kValidateHelp;
    return kExitUsage;
  }
  if (parsed.help) {
    std::cout << kValidateHelp;
    return kExitOk;
  }
  const std::string dir = parsed.operand;
  if (dir.empty()) {
    std::cerr << "castellan validate: missing DIR\n\n" << kValidateHelp;
    return kExitUsage;
  }
  engine::PolicySetLoad result = engine::LoadPolicySet(dir);
  if (!result.set) {
    std::cout << result.formatted;
    std::cout << dir << ": " << result.diagnostics.size()
              << (result.diagnostics.size() == 1 ? " error" : " errors")
              << "; the policy set is rejected\n";
    return kExitFailure;
  }
  std::cout << dir << ": valid: " << result.set->source().Summary() << "; revision "
            << result.set->revision() << "\n";
  return kExitOk;
}

}  // namespace castellan::cli
