#include <fstream>
#include <iostream>
#include <sstream>

#include "api/decision_json.h"
#include "api/entity_file.h"
#include "api/strict_json.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "engine/policy_set.h"

namespace castellan::cli {
namespace {

constexpr const char* kCheckHelp =
    R"(Usage: castellan check [--policies DIR] [--entities PATH]... [FILE|-]

Decides one request and prints the decision as JSON. The request is a JSON
object read from FILE, or from standard input when FILE is "-" or absent:

  {"principal": {"id": "alice@acme.example"},
   "resource":  {"kind": "organization", "id": "contoso"},
   "actions":   ["backup_set.add"],
   "context":   {"now": "2026-11-01T12:00:00Z", "otp_fresh": true}}

Entities may carry their attributes inline or be named by id and read from
entity files. Without "actions", every declared action is decided. The JSON
is read as the server reads it: a key twice in one object, a NUL byte or
nesting deeper than 64 is a malformed request.

Options:
  --policies DIR    the policy directory (default: policies)
  --entities PATH   an entity file, or a directory searched for *entities.yaml,
                    *entities.yml and *entities.json (repeatable)
  -h, --help        show this help

Exit status: 0 when every action is allowed, 1 when any is denied or the
policies or entities have errors, 2 on usage errors or a malformed request.
)";

}  // namespace

int CheckCommand(const std::vector<std::string>& args) {
  Arguments parsed;
  std::string error;
  if (!ParseArguments("check", args, {"--policies", "--entities"}, "request file", &parsed,
                      &error)) {
    std::cerr << error << "\n\n" << kCheckHelp;
    return kExitUsage;
  }
  if (parsed.help) {
    std::cout << kCheckHelp;
    return kExitOk;
  }
  const std::string policies = parsed.Get("--policies", "policies"), input = parsed.operand;
  std::vector<std::filesystem::path> entity_paths;
  if (parsed.options.count("--entities")) {
    for (const auto& e : parsed.options.at("--entities")) entity_paths.emplace_back(e);
  }

  std::string text;
  if (input.empty() || input == "-") {
    std::stringstream buffer;
    buffer << std::cin.rdbuf();
    text = buffer.str();
  } else {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
      std::cerr << "castellan check: cannot read '" << input << "'\n";
      return kExitUsage;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  nlohmann::json body;
  api::JsonParseError parse_error;
  if (!api::ParseStrictJson(text, &body, &parse_error)) {
    // The same strict reading as the server's: a duplicate key is refused, not last-wins.
    std::cerr << "castellan check: " << (input.empty() || input == "-" ? "<stdin>" : input) << ":"
              << parse_error.line << ":" << parse_error.column << ": " << parse_error.message
              << " (" << parse_error.code << ")\n";
    return kExitUsage;
  }
  engine::DecisionRequest request;
  if (!api::ParseDecisionRequest(body, false, &request, &error)) {
    std::cerr << "castellan check: " << error << "\n";
    return kExitUsage;
  }

  engine::PolicySetLoad loaded = engine::LoadPolicySet(policies);
  if (!loaded.set) {
    std::cerr << loaded.formatted << policies << ": the policy set has errors\n";
    return kExitFailure;
  }
  api::EntityLoadResult entities = api::LoadEntityFiles(entity_paths, loaded.set.get());
  std::cerr << api::FormatWarnings(entities.warnings);
  if (!entities.store) {
    for (const auto& d : entities.diagnostics) std::cerr << dsl::FormatDiagnostic(d, nullptr);
    return kExitFailure;
  }
  engine::Decision decision = engine::Decide(*loaded.set, *entities.store, request);
  std::cout << api::DecisionToJson(decision).dump(2) << "\n";
  for (const auto& r : decision.results) {
    if (!r.allowed) return kExitFailure;
  }
  return kExitOk;
}

}  // namespace castellan::cli
