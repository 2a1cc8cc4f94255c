// castellan: the command-line entry point. Dispatches to one subcommand.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

#ifndef CASTELLAN_VERSION
#define CASTELLAN_VERSION "0.0.0"
#endif

namespace {

constexpr const char* kHelp = R"(Usage: castellan COMMAND [ARGS...]

Castellan answers "may this principal do this action on this resource?"
from policy files written in YAML with CEL conditions.

Commands:
  validate DIR   check the policy files below DIR and report every error
  check [FILE]   decide one JSON request (from FILE or stdin) and print the decision
  test DIR       run the decision fixtures (*_test.yaml) below DIR
  serve          serve decisions over HTTP (castellan serve --help)
  functions      print the functions and variables expressions may use (Markdown)
  import PATH... check entity files against the policies and write them to the store
  export         print the store's entities in the entity-file format
  migrate        bring the store's schema up to date
  version        print the version

Options:
  -h, --help     show this help (also: castellan COMMAND --help)
  --version      print the version
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace castellan::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kHelp;
    return kExitUsage;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kHelp;
    return kExitOk;
  }
  if (command == "--version" || command == "version") {
    std::cout << "castellan " << CASTELLAN_VERSION << "\n";
    return kExitOk;
  }
  if (command == "validate") return ValidateCommand(rest);
  if (command == "check") return CheckCommand(rest);
  if (command == "test") return TestCommand(rest);
  if (command == "serve") return ServeCommand(rest);
  if (command == "functions") return FunctionsCommand(rest);
  if (command == "import") return ImportCommand(rest);
  if (command == "export") return ExportCommand(rest);
  if (command == "migrate") return MigrateCommand(rest);
  std::cerr << "castellan: unknown command '" << command << "'\n\n" << kHelp;
  return kExitUsage;
}
