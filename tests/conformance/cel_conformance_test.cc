// Runs google/cel-spec's simple conformance cases (converted to JSON and
// vendored in conformance/testdata) against Castellan's parser, checker and
// evaluator, and compares the outcome with a checked-in list of known gaps.
//
// Each case is a pass, a fail, or unsupported (the parser or checker said the
// feature is outside the language's subset; never a wrong value). The test
// fails when a case that is not a known gap fails, or when a known gap starts
// passing, so the list can only shrink. Set CASTELLAN_WRITE_KNOWN_GAPS=1 to
// rewrite the list from the current results.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "conformance/conformance_case.h"

namespace castellan::conformance {
namespace {

// cel-spec's core files, then those of the extension libraries and the
// checker's type deduction.
const char* const kFiles[] = {
    "basic",          "logic",      "comparisons", "conversions", "fields",       "fp_math",
    "integer_math",   "lists",      "macros",      "macros2",     "parse",        "string",
    "timestamps",     "string_ext", "math_ext",    "optionals",   "bindings_ext", "encoders_ext",
    "type_deduction", "namespace",  "plumbing"};

std::set<std::string> ReadKnownGaps() {
  std::set<std::string> gaps;
  std::ifstream in(CASTELLAN_KNOWN_GAPS_FILE);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    gaps.insert(line.substr(0, line.find(' ')));
  }
  return gaps;
}

TEST(CelConformance, SupportedSubsetPassesExceptKnownGaps) {
  const std::set<std::string> known_gaps = ReadKnownGaps();
  std::map<std::string, std::array<int, 3>> table;            // file -> pass, fail, unsupported
  std::vector<std::pair<std::string, std::string>> failures;  // id, detail
  std::vector<std::string> now_passing;
  std::vector<std::string> all_failures;  // "id detail", for rewriting the list
  int total = 0;

  for (const char* file : kFiles) {
    const std::string path = std::string(CASTELLAN_CEL_CONFORMANCE_DIR) + "/" + file + ".json";
    std::ifstream in(path);
    ASSERT_TRUE(in) << "cannot read " << path
                    << " (the vendored corpus is tests/conformance/testdata)";
    nlohmann::json doc = nlohmann::json::parse(in);
    auto& row = table[file];
    for (const auto& test : doc.at("tests")) {
      if (test.at("needs_proto").get<bool>()) continue;
      ++total;
      const std::string id = std::string(file) + "/" + test.at("section").get<std::string>() + "/" +
                             test.at("name").get<std::string>();
      CaseResult result = RunCase(test);
      const bool gap = known_gaps.count(id) > 0;
      switch (result.outcome) {
        case Outcome::kPass:
          ++row[0];
          if (gap) now_passing.push_back(id);
          break;
        case Outcome::kFail:
          ++row[1];
          if (!gap) failures.emplace_back(id, result.detail);
          break;
        case Outcome::kUnsupported:
          ++row[2];
          break;
      }
      if (result.outcome == Outcome::kFail) all_failures.push_back(id + " " + result.detail);
    }
  }

  int pass = 0, fail = 0, unsupported = 0;
  std::cout << "| file | pass | fail | unsupported |\n|---|---:|---:|---:|\n";
  for (const char* file : kFiles) {
    const auto& r = table[file];
    std::cout << "| " << file << " | " << r[0] << " | " << r[1] << " | " << r[2] << " |\n";
    pass += r[0];
    fail += r[1];
    unsupported += r[2];
  }
  std::cout << "| **total** | " << pass << " | " << fail << " | " << unsupported << " |\n";
  std::cout << pass << " passed, " << fail << " failed, " << unsupported << " unsupported\n";
  EXPECT_EQ(total, 1636) << "the corpus changed size";

  if (std::getenv("CASTELLAN_WRITE_KNOWN_GAPS")) {
    std::ofstream out(CASTELLAN_KNOWN_GAPS_FILE);
    out << "# CEL conformance cases Castellan fails today (file/section/name, then why).\n"
        << "# Written by CASTELLAN_WRITE_KNOWN_GAPS=1; the list may only shrink.\n";
    for (const auto& line : all_failures) out << line << "\n";
    return;
  }
  for (const auto& [id, detail] : failures) {
    ADD_FAILURE() << "unexpected failure " << id << ": " << detail;
  }
  for (const auto& id : now_passing) {
    ADD_FAILURE() << "known gap now passes; remove it from known_gaps.txt: " << id;
  }
}

}  // namespace
}  // namespace castellan::conformance
