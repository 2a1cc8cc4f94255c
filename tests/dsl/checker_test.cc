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

// What the checker resolved the root of `text` to, as "kind name [fields] overloads".
std::string RootResolution(std::string_view text) {
  ParseResult parsed = ParseExpression(text);
  if (!parsed.expr) return "parse error";
  CheckResult r = Check(*parsed.expr, engine::PolicyEnvironments().rule, "<expr>");
  if (!r.diagnostics.empty()) return r.diagnostics[0].message;
  const Resolution* res = r.resolutions.Find(parsed.expr->id);
  if (res == nullptr) return "none";
  static const char* const kKinds[] = {"variable", "local", "function", "type", "undeclared"};
  std::string out = std::string(kKinds[static_cast<int>(res->kind)]) + " " + res->name;
  for (const auto& f : res->fields) out += " ." + f;
  if (res->kind == Resolution::Kind::kFunction) {
    out += res->receiver ? " receiver" : " global";
    out += " overloads=" + std::to_string(res->overloads.size());
  }
  return out;
}

TEST(Checker, RecordsWhatEachNameResolvesTo) {
  EXPECT_EQ(RootResolution("principal.org.id"), "variable principal .org .id");
  EXPECT_EQ(RootResolution("email.domain(principal.email)"),
            "function email.domain global overloads=1");
  EXPECT_EQ(RootResolution("'abc'.size()"), "function size receiver overloads=1");
  EXPECT_EQ(RootResolution("size(principal.roles)"), "function size global overloads=4");
  EXPECT_EQ(RootResolution("google.protobuf.Timestamp"), "type google.protobuf.Timestamp");
  EXPECT_EQ(RootResolution("1 + 2"), "function _+_ global overloads=1");
  EXPECT_EQ(RootResolution("[1]"), "none");
}

TEST(Checker, RecordsLocalsInsideComprehensions) {
  ParseResult parsed = ParseExpression("[{'a': 1}].all(x, x.a > 0)");
  ASSERT_TRUE(parsed.expr);
  CheckResult r = Check(*parsed.expr, engine::PolicyEnvironments().rule, "<expr>");
  ASSERT_TRUE(r.diagnostics.empty());
  bool found = false;
  VisitExpr(*parsed.expr, [&](const Expr& e) {
    const Resolution* res = r.resolutions.Find(e.id);
    if (res && res->kind == Resolution::Kind::kLocal) {
      found = true;
      EXPECT_EQ(res->name, "x");
      EXPECT_EQ(res->fields, std::vector<std::string>{"a"});
    }
  });
  EXPECT_TRUE(found);
}

TEST(Checker, RejectsConstantPatternsTheRegexEngineRejects) {
  EXPECT_EQ(
      Checked("principal.email.matches('[a-z')").rfind("invalid regular expression '[a-z'", 0), 0u);
  EXPECT_EQ(Checked("principal.email.matches('^[a-z]+$')"), "bool");
}

TEST(Checker, RejectsComprehensionsNestedPastTheEvaluationLimit) {
  std::string nested = "true";
  for (int i = 0; i < 16; ++i) nested = "[1].all(x" + std::to_string(i) + ", " + nested + ")";
  EXPECT_EQ(Checked(nested), "bool");
  EXPECT_EQ(Checked("[1].all(y, " + nested + ")").rfind("comprehensions are nested too deeply", 0),
            0u);
}

}  // namespace
}  // namespace castellan::dsl
