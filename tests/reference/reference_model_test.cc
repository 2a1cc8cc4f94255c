// Known answers for the reference model, straight from docs/decisions.md, so
// that the model is checked against the documentation and not only against
// the engine it is compared with; each case also asks the engine.
#include "tests/reference/reference_model.h"

#include <gtest/gtest.h>

#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/policy_set.h"

namespace castellan::reference {
namespace {

using engine::Value;

Value S(const std::string& s) {
  return Value::String(s);
}

Value Map(std::vector<std::pair<std::string, Value>> entries) {
  std::vector<engine::MapValue::Entry> out;
  for (auto& [k, v] : entries) out.emplace_back(S(k), std::move(v));
  Value error;
  return Value::Map(engine::MapValue::Make(std::move(out), &error));
}

Value List(std::vector<std::string> items) {
  engine::ValueList out;
  for (auto& s : items) out.push_back(S(s));
  return Value::List(std::move(out));
}

class ReferenceModelTest : public ::testing::Test {
 protected:
  void Load(const std::string& yaml) {
    auto loaded = dsl::LoadPolicyFiles({{"p.yaml", yaml}}, engine::PolicyEnvironments());
    ASSERT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
    set_ = engine::PolicySet::Compile(std::move(*loaded.source)).set;
    ASSERT_TRUE(set_);
  }

  // The reference's answer for one action, after checking that the engine
  // gives the same. A principal described with attributes is stored as
  // described and named by id, as requests must name stored users.
  RefActionDecision Decide(Value principal, Value resource, const std::string& action,
                           Value context = Value::Null()) {
    engine::InMemoryEntityStore store;
    store.AddOrganization("P1", Map({{"id", S("P1")}, {"enabled_permissions", List({"b"})}}));
    store.AddOrganization("C1", Map({{"id", S("C1")}, {"parent", S("P1")}}));
    const Value* id = principal.map_value().FindString("id");
    if (id && principal.map_value().size() > 1) {
      store.AddUser(id->string_value(), principal);
      principal = Map({{"id", *id}});
    }
    engine::DecisionRequest request{
        std::move(principal), std::move(resource), std::move(context), {action}};
    auto reference = ReferenceDecide(set_->source(), store, request);
    auto engine = Reduce(engine::Decide(*set_, store, request));
    EXPECT_EQ(engine, reference) << "engine:\n"
                                 << ToString(engine) << "reference:\n"
                                 << ToString(reference);
    return reference.at(0);
  }

  std::shared_ptr<const engine::PolicySet> set_;
};

constexpr const char* kPolicies = R"(kind: Permissions
permissions:
  a: {requires: [c]}
  b: {company_level: true}
  c: {}
  d: {levels: [company]}
actions:
  x.do: {requires: [a, c]}
  x.step: {step_up: true}
  x.level: {requires: [d]}
  x.company: {requires: [b]}
---
kind: Role
name: admin
level: partner
rank: 2
scope: [own, customers]
grants: [a, b, d]
---
kind: Policy
name: pol
rules:
  - name: allow-all
    effect: allow
    actions: ['*']
  - name: deny-missing
    effect: deny
    actions: [x.step]
    when: principal.nope == 1
)";

TEST_F(ReferenceModelTest, ClosureNamesTheNearestRequirer) {
  Load(kPolicies);
  auto d = Decide(Map({{"id", S("u")}, {"org", S("P1")}, {"roles", List({"admin"})}}),
                  Map({{"kind", S("organization")}, {"id", S("C1")}}), "x.do");
  EXPECT_FALSE(d.allowed);
  // c is required by the action itself and by a: the action, listed first, wins.
  ASSERT_EQ(d.reasons.size(), 1u);
  EXPECT_EQ(d.reasons[0].code, "missing_permission");
  EXPECT_EQ(d.reasons[0].permission, "c");
  EXPECT_EQ(d.reasons[0].required_by, "x.do");
}

TEST_F(ReferenceModelTest, LevelsAndCompanyLevelFilterGrants) {
  Load(kPolicies);
  Value adam = Map({{"id", S("u")}, {"org", S("P1")}, {"roles", List({"admin"})}});
  Value p1 = Map({{"kind", S("organization")}, {"id", S("P1")}});
  EXPECT_EQ(Decide(adam, p1, "x.level").reasons.at(0).permission,
            "d");                                      // a company-level role only
  EXPECT_TRUE(Decide(adam, p1, "x.company").allowed);  // P1 enables b
  Value other = Map({{"id", S("u")}, {"org", S("C1")}, {"roles", List({"admin"})}});
  EXPECT_EQ(Decide(other, Map({{"kind", S("organization")}, {"id", S("C1")}}), "x.company")
                .reasons.at(0)
                .code,
            "missing_permission");  // C1 does not enable b
}

TEST_F(ReferenceModelTest, ADenyThatErrorsAppliesAfterStepUp) {
  Load(kPolicies);
  auto d = Decide(Map({{"id", S("u")}, {"org", S("P1")}}),
                  Map({{"kind", S("organization")}, {"id", S("P1")}}), "x.step");
  ASSERT_EQ(d.reasons.size(), 2u);
  EXPECT_EQ(d.reasons[0].code, "step_up_required");
  EXPECT_EQ(d.reasons[1].code, "evaluation_error");
  EXPECT_EQ(d.reasons[1].condition, "principal.nope == 1");
  EXPECT_EQ(d.rule, "pol/deny-missing");
}

TEST_F(ReferenceModelTest, AnIdAloneMustBeKnownAndRequestErrorsDenyEverything) {
  Load(kPolicies);
  auto d = Decide(Map({{"id", S("ghost")}}), Map({{"kind", S("organization")}, {"id", S("C9")}}),
                  "nope", S("not a map"));
  ASSERT_EQ(d.reasons.size(), 3u);
  EXPECT_EQ(d.reasons[0].code, "unknown_principal");
  EXPECT_EQ(d.reasons[1].code, "unknown_resource");
  EXPECT_EQ(d.reasons[2].code, "invalid_request");
}

}  // namespace
}  // namespace castellan::reference
