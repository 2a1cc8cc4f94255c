// Runs one CEL conformance case (JSON, see testdata/README.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace castellan::conformance {

enum class Outcome { kPass, kFail, kUnsupported };

struct CaseResult {
  Outcome outcome;
  std::string detail;  // why it failed or is unsupported
};

CaseResult RunCase(const nlohmann::json& test);

}  // namespace castellan::conformance
