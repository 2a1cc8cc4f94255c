#include "engine/reason_code.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace castellan::engine {
namespace {

TEST(ReasonCode, EveryNameIsDistinctAndParsesBack) {
  std::set<std::string_view> names;
  for (const auto& info : AllReasonCodes()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name << " twice";
    EXPECT_EQ(ReasonCodeName(info.code), info.name);
    EXPECT_EQ(ParseReasonCode(info.name), info.code) << info.name;
    EXPECT_FALSE(info.summary.empty()) << info.name;
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(ReasonCode::kNoRuleMatched) + 1);
  EXPECT_EQ(ParseReasonCode("role_not_beneath"), std::nullopt);  // a deny rule's own
}

// The wire names are an interface: callers match on them.
TEST(ReasonCode, WireNamesStayAsPublished) {
  EXPECT_EQ(ReasonCodeName(ReasonCode::kUnknownPrincipal), "unknown_principal");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kMissingPermission), "missing_permission");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kEvaluationBudgetExceeded), "evaluation_budget_exceeded");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kNoRuleMatched), "no_rule_matched");
}

// docs/decisions.md is what callers read to handle a code: its table of
// reason codes must name every one (as `code` in the table's first column).
TEST(ReasonCode, DecisionsDocListsEveryCode) {
  std::ifstream in(std::string(CASTELLAN_SOURCE_DIR) + "/docs/decisions.md");
  ASSERT_TRUE(in) << "docs/decisions.md not found under " << CASTELLAN_SOURCE_DIR;
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& info : AllReasonCodes()) {
    const std::string row = "| `" + std::string(info.name) + "` |";
    EXPECT_NE(text.str().find(row), std::string::npos)
        << "docs/decisions.md has no table row " << row;
  }
}

}  // namespace
}  // namespace castellan::engine
