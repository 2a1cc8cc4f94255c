#include "dsl/checker.h"

#include <gtest/gtest.h>

#include "dsl/parser.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"

namespace castellan::dsl {
namespace {

// The checker's verdict on `text` in the rule environment: its type, or the
// first diagnostic.
std::string Checked(std::string_view text) {
  ParseResult parsed = ParseExpression(text);
  if (!parsed.expr) return "parse error";
  CheckResult r = Check(*parsed.expr, engine::PolicyEnvironments().rule, "<expr>");
  if (!r.diagnostics.empty()) return r.diagnostics[0].message;
  return r.type.ToString();
}

TEST(Checker, InfersLiteralAndOperatorTypes) {
  EXPECT_EQ(Checked("1 + 2"), "int");
  EXPECT_EQ(Checked("[1, 2]"), "list(int)");
  EXPECT_EQ(Checked("[1, 'a']"), "list(dyn)");
  EXPECT_EQ(Checked("{'a': 1}"), "map(string, int)");
  EXPECT_EQ(Checked("now + duration('1h')"), "google.protobuf.Timestamp");
  EXPECT_EQ(Checked("[1, 2].map(x, x * 2)"), "list(int)");
}

TEST(Checker, AttributesOfEntitiesAreDyn) {
  EXPECT_EQ(Checked("principal.roles.exists(r, r == 'admin')"), "bool");
  EXPECT_EQ(Checked("resource.org"), "dyn");
}

TEST(Checker, NoImplicitIntDoubleMixing) {
  EXPECT_EQ(Checked("1 + 1.0"), "no matching overload for '+' applied to (int, double)");
}

TEST(Checker, UndeclaredNamesAndUnknownFunctions) {
  EXPECT_EQ(Checked("subject.id == 'a'").rfind("undeclared reference to 'subject.id'", 0), 0u);
  EXPECT_EQ(Checked("frobnicate(1)"), "unknown function 'frobnicate'");
  EXPECT_EQ(Checked("email.domain(principal.email)"), "string");
}

TEST(Checker, ComprehensionVariablesAreScoped) {
  EXPECT_EQ(Checked("[1].all(x, x > 0) && x > 0").rfind("undeclared reference to 'x'", 0), 0u);
}

TEST(Checker, ConditionsMustBeBool) {
  EXPECT_EQ(Checked("1 && true"), "&& needs a bool, but this is int");
}

}  // namespace
}  // namespace castellan::dsl
