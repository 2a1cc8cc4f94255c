// The compiled engine against the reference model over generated cases
// (differential.h says what must agree). A bounded run from a fixed seed;
// CASTELLAN_DIFF_SEED, CASTELLAN_DIFF_FIRST and CASTELLAN_DIFF_CASES override
// it (a reported disagreement prints the settings that replay it alone), and
// castellan_differential (differential_main.cc) runs the long version.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine/reason_code.h"
#include "tests/reference/differential.h"

namespace castellan::reference {
namespace {

constexpr uint64_t kDefaultSeed = 20261128;
constexpr uint64_t kDefaultCases = 50000;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST(Differential, EngineAgreesWithReference) {
  const uint64_t seed = EnvOr("CASTELLAN_DIFF_SEED", kDefaultSeed);
  const uint64_t first = EnvOr("CASTELLAN_DIFF_FIRST", 0);
  const uint64_t cases = EnvOr("CASTELLAN_DIFF_CASES", kDefaultCases);
  std::string report;
  DifferentialStats stats = RunDifferential(seed, first, cases, &report);
  std::printf("seed %llu, cases %llu..%llu: %llu actions decided, %llu allowed\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(first + cases - 1),
              static_cast<unsigned long long>(stats.actions),
              static_cast<unsigned long long>(stats.allowed));
  EXPECT_EQ(stats.cases, cases);
  EXPECT_EQ(stats.load_failures, 0u) << report;
  EXPECT_EQ(stats.disagreements, 0u) << report;

  // A differential that never reaches an outcome proves nothing about it: a
  // long enough run must see every reason the engine can give.
  if (cases >= 5000) {
    EXPECT_GT(stats.allowed, cases / 20);
    // Every built-in code but the budget's (generated conditions stay far
    // below it; tests/engine/evaluation_budget_test.cc covers it), and the
    // generated deny rules' own reasons.
    std::vector<std::string> codes = {"blocked", "not_owner", "risky"};
    for (const auto& info : engine::AllReasonCodes()) {
      if (info.code != engine::ReasonCode::kEvaluationBudgetExceeded) {
        codes.emplace_back(info.name);
      }
    }
    for (const std::string& code : codes) {
      EXPECT_GT(stats.reason_codes[code], 0u) << code << " never given";
    }
  }
}

}  // namespace
}  // namespace castellan::reference
