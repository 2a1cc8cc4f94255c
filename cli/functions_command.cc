#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "engine/catalogue.h"
#include "engine/function_reference.h"

namespace castellan::cli {
namespace {

constexpr const char* kFunctionsHelp = R"(Usage: castellan functions [--write FILE]

Prints the variables and functions policy expressions may use, with their
signatures, meaning and an example, as Markdown (the function reference of
docs/policy-language.md). With --write FILE, rewrites the reference between
the marker comments of FILE instead:

  castellan functions --write docs/policy-language.md

Exit status: 0 on success, 1 when FILE cannot be read or written or lacks the
markers, 2 on usage errors.
)";

}  // namespace

int FunctionsCommand(const std::vector<std::string>& args) {
  Arguments parsed;
  std::string error;
  if (!ParseArguments("functions", args, {"--write"}, "nothing", &parsed, &error) ||
      !parsed.operand.empty()) {
    std::cerr << (error.empty() ? "castellan functions: takes no operand" : error) << "\n\n"
              << kFunctionsHelp;
    return kExitUsage;
  }
  if (parsed.help) {
    std::cout << kFunctionsHelp;
    return kExitOk;
  }
  const engine::Catalogue& catalogue = engine::Catalogue::Default();
  const std::string file = parsed.Get("--write");
  if (file.empty()) {
    std::cout << engine::FunctionReferenceMarkdown(catalogue);
    return kExitOk;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "castellan functions: cannot read " << file << "\n";
    return kExitFailure;
  }
  std::optional<std::string> updated = engine::WithFunctionReference(text.str(), catalogue);
  if (!updated) {
    std::cerr << "castellan functions: " << file << " lacks the marker lines:\n  "
              << engine::kFunctionReferenceBegin << "\n  " << engine::kFunctionReferenceEnd << "\n";
    return kExitFailure;
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << *updated;
  if (!out) {
    std::cerr << "castellan functions: cannot write " << file << "\n";
    return kExitFailure;
  }
  std::cout << file << ": function reference written (" << catalogue.functions().size()
            << " functions)\n";
  return kExitOk;
}

}  // namespace castellan::cli
