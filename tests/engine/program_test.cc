#include "engine/program.h"

#include <gtest/gtest.h>

#include "dsl/parser.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/policy_set.h"

namespace castellan::engine {
namespace {

Value Eval(std::string_view text, const Activation& activation = MapActivation()) {
  dsl::ParseResult parsed = dsl::ParseExpression(text);
  EXPECT_TRUE(parsed.expr) << text;
  if (!parsed.expr) return Value::Error(ErrorKind::kInvalidArgument, "parse");
  return Program::Compile(*parsed.expr)->Evaluate(activation);
}

// The planner binds names as the checker resolved them: with `a.b` declared,
// `a.b.c` is the variable "a.b" and its field c; unchecked, the longest
// dotted prefix the activation binds wins at run time.
TEST(Program, CompilesNamesAsTheCheckerResolvedThem) {
  dsl::CheckEnvironment env = Catalogue::Default().Environment(Scope::kRule);
  env.DeclareVariable("a.b", dsl::Type::Dyn());
  auto parsed = dsl::ParseExpression("a.b.c == 1 && email.domain('x@Y.io') == 'y.io'");
  ASSERT_TRUE(parsed.expr);
  dsl::CheckResult checked = dsl::Check(*parsed.expr, env, "<expr>");
  ASSERT_TRUE(checked.diagnostics.empty()) << checked.diagnostics[0].message;
  MapActivation activation;
  activation.Bind("a.b",
                  Value::Map(MapValue::Make({{Value::String("c"), Value::Int(1)}}, nullptr)));
  ProgramOptions options;
  options.resolutions = &checked.resolutions;
  EXPECT_EQ(Program::Compile(*parsed.expr, options)->Evaluate(activation).DebugString(), "true");
  // Unchecked: the same answer, found at run time.
  EXPECT_EQ(Program::Compile(*parsed.expr)->Evaluate(activation).DebugString(), "true");
}

TEST(Program, IntegerOverflowIsAnError) {
  Value v = Eval("9223372036854775807 + 1");
  ASSERT_TRUE(v.is_error());
  EXPECT_EQ(v.error_value().kind, ErrorKind::kOverflow);
}

TEST(Program, AndAbsorbsErrorsWhenTheOtherSideIsFalse) {
  EXPECT_EQ(Eval("1/0 == 1 && false").DebugString(), "false");
  EXPECT_EQ(Eval("false && 1/0 == 1").DebugString(), "false");
  EXPECT_TRUE(Eval("true && 1/0 == 1").is_error());
}

TEST(Program, OrAbsorbsErrorsWhenTheOtherSideIsTrue) {
  EXPECT_EQ(Eval("1/0 == 1 || true").DebugString(), "true");
  EXPECT_TRUE(Eval("false || 1/0 == 1").is_error());
}

TEST(Program, MissingAttributeIsAnError) {
  MapActivation act;
  auto map = MapValue::Make({{Value::String("role"), Value::String("admin")}}, nullptr);
  act.Bind("principal", Value::Map(map));
  EXPECT_EQ(Eval("principal.role", act).DebugString(), "\"admin\"");
  Value missing = Eval("principal.status == 'active'", act);
  ASSERT_TRUE(missing.is_error());
  EXPECT_EQ(missing.error_value().kind, ErrorKind::kNoSuchKey);
  EXPECT_EQ(Eval("has(principal.status)", act).DebugString(), "false");
}

TEST(Program, NoImplicitIntDoubleArithmetic) {
  Value v = Eval("1 + 1.0");
  ASSERT_TRUE(v.is_error());
  EXPECT_EQ(v.error_value().kind, ErrorKind::kNoMatchingOverload);
}

TEST(Program, MatchesUsesRe2) {
  EXPECT_EQ(Eval("'abc'.matches('^a.c$')").DebugString(), "true");
  // A pattern that backtracks exponentially elsewhere is linear in RE2.
  EXPECT_EQ(Eval("'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'.matches('^(a+)+$')").DebugString(),
            "false");
  EXPECT_TRUE(Eval("'a'.matches('(')").is_error());
}

TEST(Program, TimestampsCompareAsInstantsAcrossOffsets) {
  EXPECT_EQ(Eval("timestamp('2026-01-01T01:00:00+01:00') == timestamp('2026-01-01T00:00:00Z')")
                .DebugString(),
            "true");
  EXPECT_EQ(Eval("timestamp('2026-01-01T00:00:00Z') + duration('48h') > "
                 "timestamp('2026-01-03T00:00:00Z')")
                .DebugString(),
            "false");
}

TEST(Program, StringSizeCountsCodePoints) {
  EXPECT_EQ(Eval("size('πέντε')").DebugString(), "5");
}

TEST(Program, EmailHelpers) {
  EXPECT_EQ(Eval("email.domain('Alice+x@Partner.COM')").DebugString(), "\"partner.com\"");
  EXPECT_EQ(Eval("email.normalize('Alice+x@Partner.COM')").DebugString(), "\"alice@partner.com\"");
  EXPECT_EQ(Eval("email.isPlusAddressed('a+b@x.io')").DebugString(), "true");
  EXPECT_EQ(Eval("email.domainIn('a@partner.com.evil.io', ['partner.com'])").DebugString(),
            "false");
  EXPECT_EQ(Eval("email.domainIn('a@evil-partner.com', ['partner.com'])").DebugString(), "false");
  EXPECT_EQ(Eval("email.domainIn('a@eu.partner.com', ['*.partner.com'])").DebugString(), "true");
  EXPECT_EQ(Eval("email.domainIn('a@partner.com', ['*.partner.com'])").DebugString(), "false");
  EXPECT_EQ(Eval("email.isValid('a@b')").DebugString(), "false");
  EXPECT_EQ(Eval("email.isValid('a@b.co.')").DebugString(), "false");
  EXPECT_EQ(Eval("email.isValid('a b@b.co')").DebugString(), "false");
  EXPECT_EQ(Eval("email.isValid('a@b.co')").DebugString(), "true");
  EXPECT_TRUE(Eval("email.domain('nobody')").is_error());
}

TEST(Program, ComprehensionsBindTheirVariables) {
  EXPECT_EQ(Eval("[1, 2, 3].filter(x, x > 1).map(x, x * 10)").DebugString(), "[20, 30]");
  EXPECT_EQ(Eval("{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2)").DebugString(), "true");
  EXPECT_EQ(Eval("[[1], [2, 3]].all(l, l.all(x, x > 0))").DebugString(), "true");
}

// Domains compare case-insensitively on both sides, without lower-casing copies.
TEST(Program, DomainInIgnoresCaseOnBothSides) {
  EXPECT_EQ(Eval("email.domainIn('a@EU.Partner.com', ['*.partner.COM'])").DebugString(), "true");
  EXPECT_EQ(Eval("email.domainIn('a@Partner.com', ['other.io', 'PARTNER.com'])").DebugString(),
            "true");
  EXPECT_EQ(Eval("email.domainIn('a@Partner.com', ['partner.co', 'partner.comm'])").DebugString(),
            "false");
}

// Arguments are read in place (variables, their fields, locals); a local
// stays what it was while a nested comprehension in the same call runs.
TEST(Program, CallsReadVariablesFieldsAndLocalsInPlace) {
  MapActivation activation;
  Value error;
  activation.Bind("principal", Value::Map(MapValue::Make(
                                   {{Value::String("tags"), Value::List({Value::String("a")})},
                                    {Value::String("name"), Value::String("ann")}},
                                   &error)));
  EXPECT_EQ(Eval("principal.name + principal.name", activation).DebugString(), "\"annann\"");
  EXPECT_EQ(
      Eval("[1, 2].all(x, x + size([3, 4].filter(x, x > 3)) == x + 1)", activation).DebugString(),
      "true");
  EXPECT_EQ(Eval("[1, 2].map(x, [x, [5].map(y, y + x)[0]])", activation).DebugString(),
            "[[1, 6], [2, 7]]");
  EXPECT_EQ(Eval("{'k': principal}.k.name", activation).DebugString(), "\"ann\"");
  EXPECT_TRUE(Eval("principal.missing", activation).is_error());
  EXPECT_EQ(Eval("has(principal.tags) && !has(principal.missing)", activation).DebugString(),
            "true");
  // A copy of an activation finds its variables by number in its own table.
  MapActivation copy = activation;
  activation.Bind("principal", Value::Null());
  EXPECT_EQ(Eval("principal.name", copy).DebugString(), "\"ann\"");
  EXPECT_EQ(Eval("principal", activation).DebugString(), "null");
}

}  // namespace
}  // namespace castellan::engine

namespace castellan::engine {
namespace {

TEST(MergeMaps, OverWinsAndNothingNewSharesTheBase) {
  Value error;
  auto map = [&](std::vector<MapValue::Entry> e) { return Value::Map(MapValue::Make(e, &error)); };
  const Value base =
      map({{Value::String("id"), Value::String("a")}, {Value::String("n"), Value::Int(1)}});
  const Value same = MergeMaps(base, map({{Value::String("id"), Value::String("a")}}));
  EXPECT_EQ(&same.map_value(), &base.map_value());  // shared, not copied
  EXPECT_EQ(MergeMaps(base, map({{Value::String("n"), Value::Int(2)},
                                 {Value::String("x"), Value::Bool(true)}}))
                .DebugString(),
            "{\"id\": \"a\", \"n\": 2, \"x\": true}");
  EXPECT_EQ(MergeMaps(Value(), base).DebugString(), base.DebugString());
  EXPECT_EQ(MergeMaps(base, Value()).DebugString(), base.DebugString());
}

TEST(RoleFunctions, RankTieIsNotBeneath) {
  dsl::LoadResult loaded = dsl::LoadPolicyFiles({{"roles.yaml", R"(kind: Role
name: partner.owner
level: partner
rank: 4
---
kind: Role
name: partner.admin
level: partner
rank: 2
---
kind: Role
name: partner.support
level: partner
rank: 1
)"}},
                                                PolicyEnvironments());
  ASSERT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
  auto set = PolicySet::Compile(std::move(*loaded.source)).set;
  ASSERT_TRUE(set);
  ProgramOptions options;
  options.functions = &set->functions();
  auto eval = [&](std::string_view text) {
    auto parsed = dsl::ParseExpression(text);
    return Program::Compile(*parsed.expr, options)->Evaluate(MapActivation());
  };
  EXPECT_EQ(eval("role.rank('partner.owner') > role.rank('partner.admin')").DebugString(), "true");
  EXPECT_EQ(eval("role.rank('partner.admin') > role.rank('partner.admin')").DebugString(), "false");
  EXPECT_EQ(eval("role.level('partner.support')").DebugString(), "\"partner\"");
  EXPECT_TRUE(eval("role.rank('partner.nobody') < 3").is_error());
}

}  // namespace
}  // namespace castellan::engine
