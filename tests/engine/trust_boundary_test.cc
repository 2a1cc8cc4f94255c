// The trust boundary (docs/decisions.md, "Trust boundary"): what a request may
// say about its entities and parameters. One test per case of the contract;
// EntityKind declarations are built by hand and added to the loaded source.
#include "engine/trust_boundary.h"

#include <gtest/gtest.h>

#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"

namespace castellan::engine {
namespace {

constexpr const char* kPolicies = R"(
kind: Permissions
permissions:
  manage_users: {}
actions:
  user.disable: {requires: [manage_users]}
  user.role.assign: {requires: [manage_users]}
  todo.read: {}
  report.view: {}
---
kind: Role
name: owner
level: partner
rank: 4
grants: [manage_users]
---
kind: Role
name: viewer
level: partner
rank: 1
---
kind: Policy
name: p
rules:
  - name: beneath
    effect: deny
    actions: [user.disable, user.role.assign]
    unless: role.maxRank(principal.roles) > role.maxRank(resource.roles)
  - name: managers
    effect: allow
    actions: [user.disable, user.role.assign]
    when: principal.status == "active"
  - name: own-todos
    effect: allow
    actions: [todo.read]
    when: resource.ownerID == principal.id
  - name: reports-with-context
    effect: allow
    actions: [report.view]
    when: "!has(context.now) && params.size() == 0"
)";

dsl::AttributeDecl Attr(std::string name, dsl::Type type,
                        dsl::AttributeSource from = dsl::AttributeSource::kStore,
                        bool optional = false, std::vector<std::string> values = {}) {
  dsl::AttributeDecl a;
  a.name = std::move(name);
  a.type = std::move(type);
  a.from = from;
  a.optional = optional;
  a.values = std::move(values);
  return a;
}

Value Json(const char* text) {
  return api::FromJson(nlohmann::json::parse(text));
}

class TrustBoundaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Value error;
    auto map = [&](const char* json) { return Json(json); };
    store_.AddOrganization("acme", map(R"({"id": "acme"})"));
    store_.AddUser("u-nina", map(R"({"id": "u-nina", "org": "acme", "status": "active",
                                     "roles": ["viewer"]})"));
    store_.AddUser("u-olga", map(R"({"id": "u-olga", "org": "acme", "status": "active",
                                     "roles": ["owner"]})"));
    store_.AddUser("u-peer", map(R"({"id": "u-peer", "org": "acme", "status": "active",
                                     "roles": ["viewer"]})"));
  }

  // Compiles kPolicies with `kinds` and, for user.role.assign, `params`.
  void Compile(std::vector<dsl::EntityKindDecl> kinds = {},
               std::vector<dsl::AttributeDecl> params = {}) {
    dsl::LoadResult loaded = dsl::LoadPolicyFiles({{"p.yaml", kPolicies}}, PolicyEnvironments());
    ASSERT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
    loaded.source->entity_kinds = std::move(kinds);
    for (auto& a : loaded.source->actions) {
      if (a.name == "user.role.assign") a.params = params;
    }
    auto compiled = PolicySet::Compile(std::move(*loaded.source));
    ASSERT_TRUE(compiled.set);
    set_ = compiled.set;
  }

  Decision Run(const char* principal, const char* resource, std::vector<std::string> actions,
               const char* params = "null", const char* context = "null") {
    if (!set_) Compile();
    DecisionRequest r{Json(principal), Json(resource), Json(context), std::move(actions),
                      Json(params)};
    return Decide(*set_, store_, r);
  }

  static bool HasReason(const ActionDecision& d, ReasonCode code) {
    for (const auto& r : d.reasons) {
      if (r.code == code) return true;
    }
    return false;
  }

  // Refused with `code` naming `attribute` (among any other refusals), and
  // every action denied.
  static void ExpectRefused(const Decision& d, RefusalCode code, const std::string& attribute) {
    ASSERT_FALSE(d.refusals.empty());
    const Refusal* found = nullptr;
    for (const Refusal& r : d.refusals) {
      if (r.attribute == attribute) found = &r;
    }
    ASSERT_NE(found, nullptr) << d.refusals[0].message;
    EXPECT_EQ(found->code, code) << found->message;
    EXPECT_NE(found->message.find("'" + attribute + "'"), std::string::npos);
    for (const auto& r : d.results) {
      EXPECT_FALSE(r.allowed) << r.action;
      EXPECT_TRUE(HasReason(r, ReasonCode::kInvalidRequest)) << r.action;
    }
  }

  std::shared_ptr<const PolicySet> set_;
  InMemoryEntityStore store_;
};

const char* kPeer = R"({"kind": "user", "id": "u-peer"})";

TEST_F(TrustBoundaryTest, StoredEntitiesDecideWhenNamedByIdOnly) {
  Decision d = Run(R"({"id": "u-olga"})", kPeer, {"user.disable"});
  EXPECT_TRUE(d.refusals.empty());
  EXPECT_TRUE(d.results.at(0).allowed);
  // The stored viewer may not touch a peer of the same rank.
  EXPECT_FALSE(Run(R"({"id": "u-nina"})", kPeer, {"user.disable"}).results.at(0).allowed);
}

// The issue's escalation: request attributes that contradict the store.
TEST_F(TrustBoundaryTest, WithoutAnEntityKindAStoredValueCannotBeOverridden) {
  Decision d = Run(R"({"id": "u-nina", "roles": ["owner"], "permissions": ["manage_users"]})",
                   kPeer, {"user.disable"});
  ExpectRefused(d, RefusalCode::kAttributeNotOverridable, "roles");
  EXPECT_EQ(d.refusals[0].entity, "principal 'u-nina'");
  // The resource side alike: a peer cannot be made to look junior.
  d = Run(R"({"id": "u-olga"})", R"({"kind": "user", "id": "u-peer", "org": "globex"})",
          {"user.disable"});
  ExpectRefused(d, RefusalCode::kAttributeNotOverridable, "org");
  EXPECT_EQ(d.refusals[0].entity, "resource user/'u-peer'");
}

TEST_F(TrustBoundaryTest, WithoutAnEntityKindEqualValuesAreAccepted) {
  Decision d = Run(R"({"id": "u-olga", "org": "acme"})", kPeer, {"user.disable"});
  EXPECT_TRUE(d.refusals.empty()) << d.refusals[0].message;
  EXPECT_TRUE(d.results.at(0).allowed);
  // A resource may carry attributes the store lacks (a form's proposed values).
  d = Run(R"({"id": "u-olga"})", R"({"kind": "user", "id": "u-peer", "department": "it"})",
          {"user.disable"});
  EXPECT_TRUE(d.refusals.empty()) << d.refusals[0].message;
  EXPECT_TRUE(d.results.at(0).allowed);
}

// A stored principal that has no customised permission set cannot be given
// one (nor roles or access it lacks): a principal's grants come from the store.
TEST_F(TrustBoundaryTest, WithoutAnEntityKindAPrincipalCannotGainAttributes) {
  Decision d = Run(R"({"id": "u-nina", "permissions": ["manage_users"]})", kPeer, {"user.disable"});
  ExpectRefused(d, RefusalCode::kAttributeNotOverridable, "permissions");
  EXPECT_FALSE(d.results.at(0).allowed);
  d = Run(R"({"id": "u-olga", "department": "it"})", kPeer, {"user.disable"});
  ExpectRefused(d, RefusalCode::kAttributeNotOverridable, "department");
}

TEST_F(TrustBoundaryTest, WithAnEntityKindOnlyRequestAttributesMayBeGiven) {
  dsl::EntityKindDecl user;
  user.name = "user";
  user.attributes = {Attr("org", dsl::Type::String()),
                     Attr("roles", dsl::Type::List(dsl::Type::String())),
                     Attr("mfa", dsl::Type::Bool(), dsl::AttributeSource::kRequest, true),
                     Attr("ip", dsl::Type::String(), dsl::AttributeSource::kBoth, true)};
  Compile({user});
  // Even a value equal to the stored one: the store alone gives it.
  ExpectRefused(Run(R"({"id": "u-olga", "org": "acme"})", kPeer, {"user.disable"}),
                RefusalCode::kAttributeNotOverridable, "org");
  ExpectRefused(Run(R"({"id": "u-olga", "department": "it"})", kPeer, {"user.disable"}),
                RefusalCode::kAttributeNotOverridable, "department");
  Decision d = Run(R"({"id": "u-olga", "kind": "user", "mfa": true, "ip": "10.0.0.1"})", kPeer,
                   {"user.disable"});
  EXPECT_TRUE(d.refusals.empty()) << d.refusals[0].message;
  EXPECT_TRUE(d.results.at(0).allowed);
  // A request attribute still has its declared type.
  ExpectRefused(Run(R"({"id": "u-olga", "mfa": "yes"})", kPeer, {"user.disable"}),
                RefusalCode::kInvalidRequest, "mfa");
}

TEST_F(TrustBoundaryTest, AnUnknownPrincipalIsUnknownWhateverItCarries) {
  Decision d = Run(R"({"id": "u-made-up", "org": "acme", "status": "active",
                       "roles": ["owner"]})",
                   kPeer, {"user.disable"});
  EXPECT_TRUE(d.refusals.empty());
  EXPECT_FALSE(d.results.at(0).allowed);
  EXPECT_TRUE(HasReason(d.results.at(0), ReasonCode::kUnknownPrincipal));
}

TEST_F(TrustBoundaryTest, ARequestOnlyUserKindTakesThePrincipalInlineAndValidatesIt) {
  dsl::EntityKindDecl user;
  user.name = "user";
  user.source = dsl::EntitySource::kRequest;
  user.attributes = {Attr("id", dsl::Type::String()), Attr("org", dsl::Type::String()),
                     Attr("status", dsl::Type::String(), dsl::AttributeSource::kStore, false,
                          {"active", "disabled"}),
                     Attr("roles", dsl::Type::List(dsl::Type::String()))};
  Compile({user});
  // Every user is then inline: the resource too.
  const char* peer =
      R"({"kind": "user", "id": "u-y", "org": "acme", "status": "active", "roles": ["viewer"]})";
  Decision d = Run(R"({"id": "u-x", "org": "acme", "status": "active", "roles": ["owner"]})", peer,
                   {"user.disable"});
  EXPECT_TRUE(d.refusals.empty()) << d.refusals[0].message;
  EXPECT_TRUE(d.results.at(0).allowed);
  ExpectRefused(Run(R"({"id": "u-x", "org": "acme", "status": "asleep", "roles": []})", peer,
                    {"user.disable"}),
                RefusalCode::kInvalidRequest, "status");
}

TEST_F(TrustBoundaryTest, AnUnknownResourceIdIsUnknownWhateverItCarries) {
  // The issue's u-ghost: attributes do not make an unknown id known.
  Decision d = Run(R"({"id": "u-olga"})",
                   R"({"kind": "user", "id": "u-ghost", "org": "acme", "roles": ["viewer"]})",
                   {"user.disable"});
  EXPECT_TRUE(d.refusals.empty());
  EXPECT_FALSE(d.results.at(0).allowed);
  EXPECT_TRUE(HasReason(d.results.at(0), ReasonCode::kUnknownResource));
}

// Leaving the id out is no way around that: a resource that names no id is
// refused unless it says it is proposed.
TEST_F(TrustBoundaryTest, AResourceWithoutAnIdMustBeProposed) {
  const char* described = R"({"kind": "user", "org": "acme", "roles": ["viewer"]})";
  Decision d = Run(R"({"id": "u-olga"})", described, {"user.disable"});
  EXPECT_FALSE(d.results.at(0).allowed);
  EXPECT_TRUE(HasReason(d.results.at(0), ReasonCode::kInvalidRequest));
  d = Run(R"({"id": "u-olga"})", R"({"kind": "user", "new": true, "org": "acme",
                                     "roles": ["viewer"]})",
          {"user.disable"});
  EXPECT_TRUE(d.results.at(0).allowed);
}

TEST_F(TrustBoundaryTest, AProposedResourceIsTakenInline) {
  Decision d =
      Run(R"({"id": "u-olga"})",
          R"({"kind": "user", "id": "u-new", "org": "acme", "roles": ["viewer"], "new": true})",
          {"user.role.assign"});
  EXPECT_TRUE(d.refusals.empty()) << d.refusals[0].message;
  EXPECT_TRUE(d.results.at(0).allowed);
  // "new" must be a bool: "yes" is not a proposal.
  d = Run(R"({"id": "u-olga"})", R"({"kind": "user", "id": "u-new", "org": "acme", "new": "yes"})",
          {"user.role.assign"});
  ExpectRefused(d, RefusalCode::kInvalidRequest, "new");
}

TEST_F(TrustBoundaryTest, AProposedResourceIsValidatedAgainstItsEntityKind) {
  dsl::EntityKindDecl user;
  user.name = "user";
  user.attributes = {Attr("org", dsl::Type::String()),
                     Attr("roles", dsl::Type::List(dsl::Type::String()))};
  Compile({user});
  ExpectRefused(
      Run(R"({"id": "u-olga", "kind": "user"})",
          R"({"kind": "user", "id": "u-new", "org": "acme", "new": true})", {"user.role.assign"}),
      RefusalCode::kInvalidRequest, "roles");
}

class RequestOnlyKindTest : public TrustBoundaryTest {
 protected:
  void SetUp() override {
    TrustBoundaryTest::SetUp();
    dsl::EntityKindDecl todo;
    todo.name = "todo";
    todo.source = dsl::EntitySource::kRequest;
    todo.scope = dsl::ScopeMode::kNone;
    todo.attributes = {
        Attr("id", dsl::Type::String()),
        Attr("ownerID", dsl::Type::String(), dsl::AttributeSource::kRequest),
        Attr("title", dsl::Type::String(), dsl::AttributeSource::kRequest, true),
        Attr("status", dsl::Type::String(), dsl::AttributeSource::kBoth, false, {"open", "done"}),
        Attr("org", dsl::Type::String(), dsl::AttributeSource::kRequest, true)};
    Compile({todo});
  }
};

TEST_F(RequestOnlyKindTest, ARequestOnlyKindIsTakenInlineWithoutBeingStored) {
  const char* todo = R"({"kind": "todo", "id": "7", "ownerID": "u-nina", "status": "open",
                         "org": "acme"})";
  Decision d = Run(R"({"id": "u-nina"})", todo, {"todo.read"});
  EXPECT_TRUE(d.refusals.empty()) << d.refusals[0].message;
  EXPECT_TRUE(d.results.at(0).allowed);
  EXPECT_FALSE(Run(R"({"id": "u-peer"})", todo, {"todo.read"}).results.at(0).allowed);
}

TEST_F(RequestOnlyKindTest, UnknownWrongTypeOutsideValuesAndMissingAreRefused) {
  ExpectRefused(Run(R"({"id": "u-nina"})",
                    R"({"kind": "todo", "id": "7", "ownerID": "u-nina", "status": "open",
                        "colour": "red"})",
                    {"todo.read"}),
                RefusalCode::kInvalidRequest, "colour");
  ExpectRefused(
      Run(R"({"id": "u-nina"})", R"({"kind": "todo", "id": "7", "ownerID": 7, "status": "open"})",
          {"todo.read"}),
      RefusalCode::kInvalidRequest, "ownerID");
  ExpectRefused(
      Run(R"({"id": "u-nina"})",
          R"({"kind": "todo", "id": "7", "ownerID": "u-nina", "status": "lost"})", {"todo.read"}),
      RefusalCode::kInvalidRequest, "status");
  ExpectRefused(
      Run(R"({"id": "u-nina"})", R"({"kind": "todo", "id": "7", "status": "open"})", {"todo.read"}),
      RefusalCode::kInvalidRequest, "ownerID");
}

TEST_F(TrustBoundaryTest, UndeclaredParamsAreRefusedByName) {
  Compile({}, {Attr("new_role", dsl::Type::String())});
  Decision d = Run(R"({"id": "u-olga"})", kPeer, {"user.role.assign"},
                   R"({"new_role": "viewer", "new_rol": "owner"})");
  ExpectRefused(d, RefusalCode::kInvalidRequest, "new_rol");
  // A param of another requested action is not this one's concern.
  d = Run(R"({"id": "u-olga"})", kPeer, {"user.disable", "user.role.assign"},
          R"({"new_role": "viewer"})");
  EXPECT_TRUE(d.refusals.empty());
  EXPECT_TRUE(d.results.at(0).allowed);
  EXPECT_TRUE(d.results.at(1).allowed);
}

TEST_F(TrustBoundaryTest, AMissingOrMistypedParamDeniesItsAction) {
  Compile({}, {Attr("new_role", dsl::Type::String()),
               Attr("note", dsl::Type::String(), dsl::AttributeSource::kStore, true)});
  Decision d = Run(R"({"id": "u-olga"})", kPeer, {"user.role.assign", "user.disable"});
  EXPECT_TRUE(d.refusals.empty());
  EXPECT_FALSE(d.results.at(0).allowed);
  EXPECT_TRUE(HasReason(d.results.at(0), ReasonCode::kInvalidRequest));
  EXPECT_NE(d.results.at(0).reasons.at(0).message.find("new_role"), std::string::npos);
  EXPECT_TRUE(d.results.at(1).allowed);  // declares none
  d = Run(R"({"id": "u-olga"})", kPeer, {"user.role.assign"}, R"({"new_role": 3})");
  EXPECT_TRUE(HasReason(d.results.at(0), ReasonCode::kInvalidRequest));
  d = Run(R"({"id": "u-olga"})", kPeer, {"user.role.assign"}, R"({"new_role": "viewer"})");
  EXPECT_TRUE(d.results.at(0).allowed);
}

TEST_F(TrustBoundaryTest, OmittedContextAndParamsAreEmptyMaps) {
  // `!has(context.now) && params.size() == 0`: an error if either were null.
  Decision d = Run(R"({"id": "u-olga"})", kPeer, {"report.view"});
  EXPECT_TRUE(d.results.at(0).allowed) << d.results.at(0).reasons.at(0).message;
}

TEST(TrustBoundaryValues, JsonFormsCountForTheirTypes) {
  EXPECT_EQ(ValueProblem(Value::String("2026-01-01T00:00:00Z"), Attr("t", dsl::Type::Timestamp())),
            "");
  EXPECT_NE(ValueProblem(Value::String("yesterday"), Attr("t", dsl::Type::Timestamp())), "");
  EXPECT_EQ(ValueProblem(Value::String("90m"), Attr("d", dsl::Type::Duration())), "");
  EXPECT_EQ(ValueProblem(Value::Int(3), Attr("x", dsl::Type::Double())), "");
  EXPECT_NE(ValueProblem(Value::Int(-3), Attr("x", dsl::Type::Uint())), "");
  EXPECT_NE(ValueProblem(Json(R"([1, "a"])"), Attr("l", dsl::Type::List(dsl::Type::Int()))), "");
  EXPECT_EQ(ValueProblem(Json(R"({"a": 1})"), Attr("m", dsl::Type::Dyn())), "");
}

}  // namespace
}  // namespace castellan::engine
