#include "dsl/parser.h"

#include <gtest/gtest.h>
#include <tao/pegtl/contrib/analyze.hpp>

#include "dsl/internal/grammar.h"

namespace castellan::dsl {
namespace {

std::string Parsed(std::string_view text) {
  ParseResult r = ParseExpression(text);
  if (!r.expr) return "error: " + r.diagnostics.at(0).ToString();
  return r.expr->DebugString();
}

TEST(Grammar, HasNoLeftRecursionOrEmptyLoops) {
  EXPECT_EQ(tao::pegtl::analyze<grammar::expression>(), 0u);
}

TEST(Parser, BinaryOperatorsFollowCelPrecedence) {
  EXPECT_EQ(Parsed("1 + 2 * 3"), "_+_(1, _*_(2, 3))");
  EXPECT_EQ(Parsed("a || b && c"), "_||_(a, _&&_(b, c))");
  EXPECT_EQ(Parsed("a < b == c"), "_==_(_<_(a, b), c)");
  EXPECT_EQ(Parsed("x in [1] && !y"), "_&&_(@in(x, [1]), !_(y))");
  EXPECT_EQ(Parsed("a ? b : c ? d : e"), "_?_:_(a, b, _?_:_(c, d, e))");
}

TEST(Parser, LeftAssociativeSubtraction) {
  EXPECT_EQ(Parsed("10 - 3 - 2"), "_-_(_-_(10, 3), 2)");
}

TEST(Parser, NegativeIntLiteralReachesInt64Minimum) {
  EXPECT_EQ(Parsed("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(Parsed("--19"), "-_(-19)");
}

TEST(Parser, MemberAccessCallsAndIndexes) {
  EXPECT_EQ(Parsed("a.b.c(1)[2]"), "_[_](a.b.c(1), 2)");
  EXPECT_EQ(Parsed("{'k': [1, 2u, 3.5]}"), "{\"k\": [1, 2u, 3.5]}");
}

TEST(Parser, ExpandsMacros) {
  EXPECT_EQ(Parsed("has(a.b)"), "has(a.b)");
  EXPECT_EQ(Parsed("xs.all(x, x > 0)"), "xs.all(x, _>_(x, 0))");
  EXPECT_EQ(Parsed("m.exists(k, v, v == 1)"), "m.exists(k, v, _==_(v, 1))");
  EXPECT_EQ(Parsed("xs.map(x, x > 1, x * 2)"), "xs.map(x, _>_(x, 1), _*_(x, 2))");
}

TEST(Parser, DecodesStringEscapes) {
  EXPECT_EQ(Parsed(R"("a\tb\u00e9")"), "\"a\\tb\xc3\xa9\"");
  EXPECT_EQ(Parsed(R"(r"a\tb")"), R"("a\\tb")");
  EXPECT_EQ(Parsed(R"(b"\xff")"), "b\"\xff\"");
}

TEST(Parser, ReportsErrorsWithPositions) {
  EXPECT_EQ(Parsed("1 +"), "error: <expr>:1:4: error: expected an expression");
  EXPECT_EQ(Parsed("(1 + 2"), "error: <expr>:1:7: error: expected ')'");
  EXPECT_EQ(Parsed("a.\n"), "error: <expr>:2:1: error: expected a field or method name after '.'");
  EXPECT_EQ(Parsed("'abc"), "error: <expr>:1:2: error: unterminated string literal");
  EXPECT_EQ(Parsed("1 2"),
            "error: <expr>:1:3: error: expected an operator or the end of the expression");
  EXPECT_EQ(Parsed("9223372036854775808"),
            "error: <expr>:1:1: error: integer literal is out of range for int (add 'u' for uint)");
}

TEST(Parser, PositionsFollowTheSourceMap) {
  // An expression that starts on line 7, column 11 of a YAML file.
  SourceMap map = SourceMap::Contiguous("a &&", {7, 11});
  ParseResult r = ParseExpression("a &&", "policy.yaml", map);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].ToString(), "policy.yaml:7:15: error: expected an expression");
}

TEST(Parser, RejectsHostileNesting) {
  std::string deep(500, '(');
  ParseResult r = ParseExpression(deep + "1" + std::string(500, ')'));
  ASSERT_FALSE(r.expr);
  EXPECT_NE(r.diagnostics[0].message.find("nested too deeply"), std::string::npos);
}

TEST(Parser, OptionalSyntaxBecomesCalls) {
  EXPECT_EQ(Parsed("resource.?deleted.orValue(false)"),
            "_?._(resource, \"deleted\").orValue(false)");
  EXPECT_EQ(Parsed("m[?k]"), "_[?_](m, k)");
  EXPECT_EQ(Parsed("[1, ?x]"),
            "[optional.of(1), x].transformList(@i, @v, @v.hasValue(), @v.value())");
  EXPECT_EQ(Parsed("{?'k': v}"), "{\"k\": v}.transformMap(@k, @v, @v.hasValue(), @v.value())");
}

TEST(Parser, ExpandsExtensionMacros) {
  EXPECT_EQ(Parsed("cel.bind(x, 1, x + x)"), "_[_]([1].map(x, _+_(x, x)), 0)");
  EXPECT_EQ(Parsed("math.greatest(1, 2.0)"), "math.greatest([1, 2.0])");
  EXPECT_EQ(Parsed("math.least(xs)"), "math.least(xs)");
  EXPECT_EQ(Parsed("o.optMap(v, v + 1)"),
            "_?_:_(o.hasValue(), optional.of(_[_]([o.value()].map(v, _+_(v, 1)), 0)), "
            "optional.none())");
  EXPECT_EQ(Parsed("cel.bind(1, 2, 3)"),
            "error: <expr>:1:5: error: cel.bind() needs a variable name as argument 1");
}

TEST(Parser, ReportsUnsupportedCelFeaturesAsUnsupported) {
  for (const char* text : {"Msg{f: 1}"}) {
    ParseResult r = ParseExpression(text);
    ASSERT_FALSE(r.diagnostics.empty()) << text;
    EXPECT_EQ(r.diagnostics[0].code, "unsupported") << text;
  }
}

}  // namespace
}  // namespace castellan::dsl
