// Evaluation budgets: expressions that would pin a CPU or blow up memory on
// inputs a request chooses stop with evaluation_budget_exceeded instead, and
// the decision fails closed. No timings here (bench/ has those): each case
// asserts the reason code, and the inputs are the sizes that used to take
// seconds or hundreds of megabytes.
#include "engine/evaluation_budget.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dsl/parser.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"
#include "engine/program.h"

namespace castellan::engine {
namespace {

constexpr const char* kOutOfBudget = "evaluation_budget_exceeded";

Value Strings(size_t n, const std::string& s) {
  return Value::List(ValueList(n, Value::String(s)));
}

Value Ints(int64_t from, int64_t to) {
  ValueList out;
  for (int64_t i = from; i < to; ++i) out.push_back(Value::Int(i));
  return Value::List(std::move(out));
}

Value Map(std::vector<MapValue::Entry> entries) {
  Value error;
  auto map = MapValue::Make(std::move(entries), &error);
  EXPECT_TRUE(map) << error.DebugString();
  return Value::Map(std::move(map));
}

// User u (a reader of organization o) and document d of o, stored: requests name them by id.
void StoreReaderAndDoc(InMemoryEntityStore& store) {
  store.AddOrganization("o", Map({{Value::String("id"), Value::String("o")}}));
  store.AddUser("u", Map({{Value::String("id"), Value::String("u")},
                          {Value::String("org"), Value::String("o")},
                          {Value::String("roles"), Strings(1, "reader")}}));
  store.AddResource("doc", "d",
                    Map({{Value::String("kind"), Value::String("doc")},
                         {Value::String("id"), Value::String("d")},
                         {Value::String("org"), Value::String("o")}}));
}

bool HasReason(const ActionDecision& d, const std::string& code) {
  for (const auto& r : d.reasons) {
    if (r.Code() == code) return true;
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<const PolicySet> Load(const std::string& name, const std::string& text) {
  dsl::LoadResult loaded = dsl::LoadPolicyFiles({{name, text}}, PolicyEnvironments());
  EXPECT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
  if (!loaded.source) return nullptr;
  auto compiled = PolicySet::Compile(std::move(*loaded.source));
  EXPECT_TRUE(compiled.set);
  return compiled.set;
}

// ---- Expressions ---------------------------------------------------------------------------

class ProgramBudgetTest : public ::testing::Test {
 protected:
  Value Eval(const std::string& text, EvaluationBudget& budget) {
    auto parsed = dsl::ParseExpression(text);
    EXPECT_TRUE(parsed.expr) << text;
    return Program::Compile(*parsed.expr)->Evaluate(activation_, budget);
  }
  Value Eval(const std::string& text, const EvaluationLimits& limits = {}) {
    EvaluationBudget budget(limits);
    return Eval(text, budget);
  }
  static bool OutOfBudget(const Value& v) {
    return v.is_error() && v.error_value().kind == ErrorKind::kBudgetExceeded;
  }

  MapActivation activation_;
};

TEST_F(ProgramBudgetTest, ThreeNestedExistsOver600IntegersRunOutInsteadOfPinningACpu) {
  activation_.Bind("xs", Ints(100, 700));
  Value v = Eval("xs.exists(a, xs.exists(b, xs.exists(c, a + b + c == -1)))");
  ASSERT_TRUE(OutOfBudget(v)) << v.DebugString();
}

TEST_F(ProgramBudgetTest, MapOfConcatenationsOfA500KBStringRunsOutInsteadOfBuilding300MB) {
  activation_.Bind("items", Ints(0, 300));
  activation_.Bind("s", Value::String(std::string(500'000, 'x')));
  EXPECT_TRUE(OutOfBudget(Eval("size(items.map(x, s + s)) == 0")));
  // With no cost limit to speak of, the bytes built are what stops it.
  EvaluationLimits bytes_only;
  bytes_only.evaluation_cost = bytes_only.request_cost = int64_t{1} << 40;
  Value v = Eval("size(items.map(x, s + s)) == 0", bytes_only);
  ASSERT_TRUE(OutOfBudget(v));
  EXPECT_NE(v.error_value().message.find("builds too much data"), std::string::npos);
}

TEST_F(ProgramBudgetTest, CallsCostInProportionToTheirArguments) {
  activation_.Bind("big", Ints(0, 10'000));
  EvaluationBudget budget;
  ASSERT_EQ(Eval("9999 in big", budget).DebugString(), "true");
  // One unit per node (3) plus one per element searched.
  EXPECT_EQ(budget.spent(), 3 + 10'000);

  EvaluationLimits tight;
  tight.evaluation_cost = 5'000;
  EXPECT_TRUE(OutOfBudget(Eval("9999 in big", tight)));
  // size() does not look at the elements.
  EXPECT_EQ(Eval("size(big)", tight).DebugString(), "10000");
}

TEST_F(ProgramBudgetTest, EqualityCostsWhatItWalksHoweverDeeplyNested) {
  // One element each, but 30,000 within: shallow sizes would call this cheap.
  activation_.Bind("d1", Value::List({Ints(0, 30'000)}));
  activation_.Bind("d2", Value::List({Ints(0, 30'000)}));
  activation_.Bind("xs", Ints(0, 1'000));
  EvaluationBudget budget;
  ASSERT_EQ(Eval("d1 == d2", budget).DebugString(), "true");
  EXPECT_EQ(budget.spent(), 3 + 2 * (1 + 30'000));
  EXPECT_TRUE(OutOfBudget(Eval("xs.exists(x, d1 != d2)")));
  EXPECT_TRUE(OutOfBudget(Eval("xs.exists(x, [x] in d1)")));
}

TEST_F(ProgramBudgetTest, IterationsCostTheirPredicate) {
  activation_.Bind("xs", Ints(0, 100));
  EvaluationBudget budget;
  ASSERT_EQ(Eval("xs.all(x, x >= 0)", budget).DebugString(), "true");
  // Every node once (5), then the predicate's 3 nodes once per element.
  EXPECT_EQ(budget.spent(), 5 + 100 * 3);
}

TEST_F(ProgramBudgetTest, ShortCircuitsAndAbsorbedErrorsDoNotHideARunOut) {
  activation_.Bind("xs", Ints(0, 600));
  EvaluationLimits limits;
  limits.evaluation_cost = 10'000;
  // `true` would decide these in CEL; having run out decides them here.
  EXPECT_TRUE(OutOfBudget(Eval("xs.all(a, xs.all(b, a + b >= 0)) || true", limits)));
  EXPECT_TRUE(OutOfBudget(Eval("xs.exists(a, xs.all(b, a + b >= 0) && a < 0) && false", limits)));
  // exists() absorbs errors when a later element satisfies it (a == 599); not this one.
  EXPECT_TRUE(OutOfBudget(
      Eval("xs.exists(a, (a > 0 && xs.all(b, a + b >= 0) && a < 0) || a == 599)", limits)));
  // A short circuit that skips the expensive side costs nothing.
  EXPECT_EQ(Eval("true || xs.all(a, xs.all(b, a + b >= 0))", limits).DebugString(), "true");
}

TEST_F(ProgramBudgetTest, DeepExpressionsAreRefused) {
  EvaluationLimits limits;
  limits.depth = 5;
  EXPECT_EQ(Eval("1 + 2 == 3", limits).DebugString(), "true");
  EXPECT_TRUE(OutOfBudget(Eval("((((((1 + 2)))))) + (3 + (4 + (5 + (6 + 7)))) == 28", limits)));
}

TEST_F(ProgramBudgetTest, HugeMapsAreHashedSoLookupsStayCheap) {
  std::vector<MapValue::Entry> entries;
  for (int i = 0; i < 60'000; ++i) {
    entries.emplace_back(Value::String("k" + std::to_string(i)), Value::Int(i));
  }
  activation_.Bind("m", Map(std::move(entries)));
  activation_.Bind("xs", Ints(0, 2'000));
  EvaluationBudget budget;
  EXPECT_EQ(Eval("xs.all(x, m.k59999 > x && 'k7' in m && m['k9'] == 9)", budget).DebugString(),
            "true");
  EXPECT_LT(budget.spent(), 50'000);
  // A list, though, is searched element by element, and costs so.
  activation_.Bind("l", Ints(0, 60'000));
  EXPECT_TRUE(OutOfBudget(Eval("xs.all(x, 59999 in l)")));
}

// The hashed index of large maps keeps CEL's key semantics.
TEST(MapValueIndex, LargeMapsFindKeysAsSmallOnesDo) {
  std::vector<MapValue::Entry> entries;
  // More entries than MapValue indexes above (32).
  for (int64_t i = -20; i < 20; ++i) entries.emplace_back(Value::Int(i), Value::Int(i * 2));
  entries.emplace_back(Value::Bool(true), Value::String("yes"));
  entries.emplace_back(Value::String("s"), Value::String("str"));
  entries.emplace_back(Value::Uint(1ull << 63), Value::String("big"));
  Value error;
  auto map = MapValue::Make(entries, &error);
  ASSERT_TRUE(map) << error.DebugString();
  EXPECT_EQ(map->Find(Value::Uint(3))->int_value(), 6);
  EXPECT_EQ(map->Find(Value::Double(3.0))->int_value(), 6);
  EXPECT_EQ(map->Find(Value::Double(-4.0))->int_value(), -8);
  EXPECT_EQ(map->Find(Value::Double(3.5)), nullptr);
  EXPECT_EQ(map->Find(Value::Int(20)), nullptr);
  EXPECT_EQ(map->Find(Value::Bool(true))->string_value(), "yes");
  EXPECT_EQ(map->Find(Value::Bool(false)), nullptr);
  EXPECT_EQ(map->FindString("s")->string_value(), "str");
  EXPECT_EQ(map->Find(Value::Double(9223372036854775808.0))->string_value(), "big");

  entries.emplace_back(Value::Uint(5), Value::Null());  // the same key as int 5
  EXPECT_FALSE(MapValue::Make(entries, &error));
  EXPECT_NE(error.error_value().message.find("repeated key"), std::string::npos);
}

TEST_F(ProgramBudgetTest, TheRequestBudgetCapsEachEvaluation) {
  activation_.Bind("xs", Ints(0, 500));
  EvaluationLimits limits;
  limits.request_cost = 2'500;
  EvaluationBudget budget(limits);
  EXPECT_EQ(Eval("xs.all(x, x >= 0)", budget).DebugString(), "true");  // 1,502 units
  EXPECT_FALSE(budget.exhausted());
  EXPECT_TRUE(OutOfBudget(Eval("xs.all(x, x >= 0)", budget)));  // only 998 were left
  EXPECT_TRUE(budget.exhausted());
  EXPECT_TRUE(OutOfBudget(Eval("1 == 1", budget)));
}

// ---- Decisions -----------------------------------------------------------------------------

class DecisionBudgetTest : public ::testing::Test {
 protected:
  static constexpr const char* kPolicies = R"(
kind: Permissions
permissions:
  read: {}
actions:
  doc.read: {requires: [read]}
  doc.write: {requires: [read]}
  doc.view: {requires: [read]}
---
kind: Role
name: reader
level: partner
rank: 1
grants: [read]
scope: [own]
---
kind: Policy
name: p
rules:
  - name: expensive-deny
    effect: deny
    actions: [doc.write]
    when: context.xs.exists(a, context.xs.exists(b, context.xs.exists(c, a + b + c == -1)))
    reason: never_meant_to_apply
  - name: expensive-allow
    effect: allow
    actions: [doc.read]
    when: context.xs.exists(a, context.xs.exists(b, context.xs.exists(c, a + b + c == -1))) || true
  - name: cheap-allow
    effect: allow
    actions: [doc.write, doc.view]
    when: principal.id == "u"
)";

  void SetUp() override {
    set_ = Load("p.yaml", kPolicies);
    ASSERT_TRUE(set_);
    StoreReaderAndDoc(store_);
  }

  DecisionRequest Request(std::vector<std::string> actions, int64_t n = 600) {
    return DecisionRequest{Map({{Value::String("id"), Value::String("u")}}),
                           Map({{Value::String("kind"), Value::String("doc")},
                                {Value::String("id"), Value::String("d")}}),
                           Map({{Value::String("now"), Value::String("2026-11-02T12:00:00Z")},
                                {Value::String("xs"), Ints(100, 100 + n)}}),
                           std::move(actions)};
  }

  std::shared_ptr<const PolicySet> set_;
  InMemoryEntityStore store_;
};

TEST_F(DecisionBudgetTest, ADenyRuleWhoseConditionRunsOutApplies) {
  Decision d = Decide(*set_, store_, Request({"doc.write"}));
  const ActionDecision& write = d.results.at(0);
  EXPECT_FALSE(write.allowed);
  ASSERT_NE(write.rule, nullptr);
  EXPECT_EQ(write.rule->decl->name, "expensive-deny");
  EXPECT_TRUE(HasReason(write, kOutOfBudget));
  // With a small list the same rule evaluates, does not apply, and cheap-allow allows.
  EXPECT_TRUE(Decide(*set_, store_, Request({"doc.write"}, 10)).results.at(0).allowed);
}

TEST_F(DecisionBudgetTest, AnAllowRuleWhoseConditionRunsOutDoesNotMatch) {
  Decision d = Decide(*set_, store_, Request({"doc.read"}));
  const ActionDecision& read = d.results.at(0);
  EXPECT_FALSE(read.allowed);
  EXPECT_EQ(read.rule, nullptr);
  EXPECT_TRUE(HasReason(read, kOutOfBudget));
  EXPECT_TRUE(Decide(*set_, store_, Request({"doc.read"}, 10)).results.at(0).allowed);
}

TEST_F(DecisionBudgetTest, ASpentRequestBudgetDeniesTheRemainingDecisions) {
  EvaluationLimits limits;
  limits.request_cost = 150'000;  // one expensive condition, and a half
  EvaluationBudget budget(limits);
  Decision first = Decide(*set_, store_, Request({"doc.view", "doc.read"}), budget);
  EXPECT_TRUE(first.results.at(0).allowed);
  EXPECT_TRUE(HasReason(first.results.at(1), kOutOfBudget));
  EXPECT_FALSE(budget.exhausted());

  // The second check of the "batch" spends the rest...
  Decision second = Decide(*set_, store_, Request({"doc.read", "doc.view"}), budget);
  EXPECT_TRUE(HasReason(second.results.at(0), kOutOfBudget));
  EXPECT_TRUE(budget.exhausted());
  EXPECT_FALSE(second.results.at(1).allowed);
  EXPECT_TRUE(HasReason(second.results.at(1), kOutOfBudget));

  // ...and every later one denies even what is cheap, without evaluating it.
  const int64_t remaining = budget.remaining();
  for (int i = 0; i < 1'000; ++i) {
    Decision later = Decide(*set_, store_, Request({"doc.view"}), budget);
    ASSERT_FALSE(later.results.at(0).allowed);
    ASSERT_TRUE(HasReason(later.results.at(0), kOutOfBudget));
  }
  EXPECT_EQ(budget.remaining(), remaining);
}

TEST_F(DecisionBudgetTest, EachRequestGetsAFreshDefaultBudget) {
  for (int i = 0; i < 50; ++i) {
    Decision d = Decide(*set_, store_, Request({"doc.view", "doc.write"}, 10));
    ASSERT_TRUE(d.results.at(0).allowed);
    ASSERT_TRUE(d.results.at(1).allowed);
  }
}

// A group's match runs inside group.contains: its work counts against the
// request too, or a loop of cheap-looking calls could hide any amount of it.
TEST(GroupBudgetTest, GroupMatchesSpendTheRequestsBudget) {
  auto set = Load("g.yaml", R"(
kind: Permissions
permissions:
  read: {}
actions:
  doc.read: {requires: [read]}
---
kind: Role
name: reader
level: partner
rank: 1
grants: [read]
scope: [own]
---
kind: CustomerGroup
name: tagged
match: customer.tags.exists(t, t == "eu")
---
kind: Policy
name: p
rules:
  - name: in-group
    effect: allow
    actions: [doc.read]
    when: context.xs.all(x, group.contains("tagged", "big"))
)");
  ASSERT_TRUE(set);
  InMemoryEntityStore store;
  store.AddOrganization("o", Map({{Value::String("id"), Value::String("o")}}));
  store.AddOrganization("big", Map({{Value::String("id"), Value::String("big")},
                                    {Value::String("tags"), Strings(50'000, "us")}}));
  StoreReaderAndDoc(store);
  DecisionRequest request{Map({{Value::String("id"), Value::String("u")}}),
                          Map({{Value::String("kind"), Value::String("doc")},
                               {Value::String("id"), Value::String("d")}}),
                          Map({{Value::String("xs"), Ints(0, 1'000)}}),
                          {"doc.read"}};
  EvaluationBudget budget;
  Decision d = Decide(*set, store, request, budget);
  EXPECT_FALSE(d.results.at(0).allowed);
  EXPECT_TRUE(HasReason(d.results.at(0), kOutOfBudget));
  EXPECT_TRUE(budget.exhausted());
}

// The shipped ninjaone sample's assign-only-beneath-own-role rule over 33,000
// roles (a 1 MB entity): quadratic, and it used to take seconds. The request
// repeats the stored attributes, which the trust boundary accepts.
TEST(NinjaoneBudgetTest, AssigningRolesBeneathOwnWith33kRolesRunsOut) {
  auto set = Load(CASTELLAN_SOURCE_DIR "/samples/ninjaone/policies.yaml",
                  ReadFile(CASTELLAN_SOURCE_DIR "/samples/ninjaone/policies.yaml"));
  ASSERT_TRUE(set);
  ValueList roles(33'000, Value::String("partner.user"));
  roles.insert(roles.begin(), Value::String("partner.super_admin"));
  DecisionRequest request{Map({{Value::String("id"), Value::String("sam@ninja-msp.example")},
                               {Value::String("org"), Value::String("ninja-msp")},
                               {Value::String("status"), Value::String("active")},
                               {Value::String("roles"), Value::List(std::move(roles))}}),
                          Map({{Value::String("kind"), Value::String("user")},
                               {Value::String("id"), Value::String("uli@ninja-msp.example")},
                               {Value::String("org"), Value::String("ninja-msp")},
                               {Value::String("roles"), Strings(1, "partner.user")}}),
                          Map({{Value::String("now"), Value::String("2026-11-02T12:00:00Z")},
                               {Value::String("new_roles"), Strings(33'000, "partner.user")}}),
                          {"user.role.assign"}};
  InMemoryEntityStore store;
  store.AddUser("sam@ninja-msp.example", request.principal);
  store.AddUser("uli@ninja-msp.example", request.resource);
  Decision d = Decide(*set, store, request);
  EXPECT_TRUE(d.refusals.empty());
  const ActionDecision& assign = d.results.at(0);
  EXPECT_FALSE(assign.allowed);
  ASSERT_NE(assign.rule, nullptr);
  EXPECT_EQ(assign.rule->decl->name, "assign-only-beneath-own-role");
  EXPECT_TRUE(HasReason(assign, kOutOfBudget));
}

}  // namespace
}  // namespace castellan::engine
