// Queries (engine/query.h): over the elements and redapp sample packs, every
// allowed-resources and allowed-subjects answer equals deciding every stored
// entity one by one, and pages concatenate to the one-shot answer.
#include "engine/query.h"

#include <gtest/gtest.h>

#include <set>

#include "api/entity_file.h"
#include "api/json_value.h"
#include "dsl/policy_loader.h"
#include "engine/catalogue.h"
#include "engine/decision.h"
#include "engine/policy_set.h"

namespace castellan::engine {
namespace {

struct Pack {
  std::shared_ptr<const PolicySet> policies;
  std::shared_ptr<const EntitySnapshot> snapshot;
  Value context;  // the pack's fixtures' context: a fixed time, so rules on time run
};

// The packs' own fixture contexts (samples/*/tests).
Value ContextOf(const std::string& name) {
  if (name == "redapp") {
    return api::FromJson(
        nlohmann::json::parse(R"({"now": "2026-11-02T07:00:00Z", "mfa_verified": true})"));
  }
  return api::FromJson(nlohmann::json::parse(R"({"now": "2026-11-02T12:00:00Z"})"));
}

Pack LoadPack(const std::string& name) {
  const std::string dir = std::string(CASTELLAN_SOURCE_DIR) + "/samples/" + name;
  dsl::LoadResult loaded = dsl::LoadPolicyDirectory(dir, PolicyEnvironments());
  EXPECT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
  Pack pack;
  pack.context = ContextOf(name);
  if (!loaded.source) return pack;
  pack.policies = PolicySet::Compile(std::move(*loaded.source)).set;
  api::EntityLoadResult entities =
      api::LoadEntityFiles({dir + "/entities.yaml"}, pack.policies.get());
  EXPECT_TRUE(entities.snapshot);
  pack.snapshot = entities.snapshot;
  return pack;
}

Value Map(std::vector<std::pair<std::string, std::string>> fields) {
  std::vector<MapValue::Entry> entries;
  for (auto& [k, v] : fields) entries.emplace_back(Value::String(k), Value::String(v));
  Value error;
  return Value::Map(MapValue::Make(std::move(entries), &error));
}

bool Allowed(const Pack& pack, const Value& principal, const Value& resource,
             const std::string& action) {
  DecisionRequest request;
  request.principal = principal;
  request.resource = resource;
  request.actions = {action};
  request.context = pack.context;
  const Decision d = Decide(*pack.policies, *pack.snapshot, request);
  return d.refusals.empty() && d.results.at(0).allowed;
}

std::set<std::string> Kinds(const EntitySnapshot& snapshot) {
  std::set<std::string> kinds;
  for (const EntityRecord* r : snapshot.All()) kinds.insert(r->kind);
  return kinds;
}

// Every page of `limit`, concatenated.
template <typename Query>
std::vector<std::string> Paged(size_t limit, Query query) {
  std::vector<std::string> all;
  QueryPage page{"", limit};
  for (int guard = 0; guard < 10000; ++guard) {
    QueryResult r = query(page);
    EXPECT_LE(r.ids.size(), limit);
    if (!r.next_after_id.empty()) {
      EXPECT_EQ(r.ids.size(), limit) << "a page ended early";
    }
    all.insert(all.end(), r.ids.begin(), r.ids.end());
    if (r.next_after_id.empty()) break;
    page.after_id = r.next_after_id;
  }
  return all;
}

// Every allowed-resources answer for `users` (every kind, every action)
// equals deciding each stored entity of the kind, one-shot and paged. Adds
// the allowed ids to `*allowed_total` and the decisions made to `*decisions`.
void ExpectAllowedResourcesEqualDeciding(const Pack& pack, const std::vector<std::string>& users,
                                         size_t* allowed_total, size_t* decisions) {
  const std::vector<const EntityRecord*> all = pack.snapshot->All();
  for (const std::string& user : users) {
    const Value principal = Map({{"id", user}});
    for (const std::string& kind : Kinds(*pack.snapshot)) {
      for (const CompiledAction& action : pack.policies->actions()) {
        const std::string& name = action.name.string_value();
        std::vector<std::string> expected;
        for (const EntityRecord* r : all) {
          *decisions += r->kind == kind;
          if (r->kind == kind &&
              Allowed(pack, principal, Map({{"kind", kind}, {"id", r->id}}), name)) {
            expected.push_back(r->id);
          }
        }
        const QueryResult got = AllowedResources(*pack.snapshot, principal, kind, name,
                                                 pack.context, QueryPage{"", 100000});
        EXPECT_EQ(got.ids, expected) << user << " " << kind << " " << name;
        EXPECT_TRUE(got.next_after_id.empty());
        *allowed_total += expected.size();
        if (!expected.empty()) {
          auto page = [&](const QueryPage& p) {
            return AllowedResources(*pack.snapshot, principal, kind, name, pack.context, p);
          };
          EXPECT_EQ(Paged(1, page), expected);
          EXPECT_EQ(Paged(2, page), expected);
        }
      }
    }
  }
}

std::vector<std::string> Ids(const std::vector<const EntityRecord*>& records) {
  std::vector<std::string> ids;
  for (const EntityRecord* r : records) ids.push_back(r->id);
  return ids;
}

class QueryPackTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QueryPackTest, AllowedResourcesEqualsDecidingEachEntity) {
  const Pack pack = LoadPack(GetParam());
  ASSERT_TRUE(pack.snapshot);
  size_t allowed_total = 0, decisions = 0;
  ExpectAllowedResourcesEqualDeciding(pack, Ids(pack.snapshot->OfKind("user")), &allowed_total,
                                      &decisions);
  // The packs allow something and deny something: the comparison is not vacuous.
  EXPECT_GT(allowed_total, 0u);
  EXPECT_GT(decisions, allowed_total);
}

TEST_P(QueryPackTest, AllowedSubjectsEqualsDecidingEachUser) {
  const Pack pack = LoadPack(GetParam());
  ASSERT_TRUE(pack.snapshot);
  const auto& users = pack.snapshot->OfKind("user");
  size_t allowed_total = 0;
  for (const EntityRecord* r : pack.snapshot->All()) {
    const Value resource = Map({{"kind", r->kind}, {"id", r->id}});
    for (const CompiledAction& action : pack.policies->actions()) {
      const std::string& name = action.name.string_value();
      std::vector<std::string> expected;
      for (const EntityRecord* user : users) {
        if (Allowed(pack, Map({{"id", user->id}}), resource, name)) {
          expected.push_back(user->id);
        }
      }
      const QueryResult got =
          AllowedSubjects(*pack.snapshot, resource, name, pack.context, QueryPage{"", 100000});
      EXPECT_EQ(got.ids, expected) << r->kind << "/" << r->id << " " << name;
      allowed_total += expected.size();
      if (!expected.empty()) {
        auto page = [&](const QueryPage& p) {
          return AllowedSubjects(*pack.snapshot, resource, name, pack.context, p);
        };
        EXPECT_EQ(Paged(1, page), expected);
      }
    }
  }
  EXPECT_GT(allowed_total, 0u);
}

INSTANTIATE_TEST_SUITE_P(Packs, QueryPackTest,
                         ::testing::Values("elements", "redapp", "recast", "ninjaone",
                                           "timextender", "authzen-todo", "authzen-search"));

// The narrowing is by index: a principal of one partner examines none of
// another partner's organizations.
TEST(QueryTest, OrganizationsAreNarrowedToThePrincipalsPartner) {
  const Pack pack = LoadPack("elements");
  ASSERT_TRUE(pack.snapshot);
  const size_t orgs = pack.snapshot->OfKind("organization").size();
  const QueryResult r = AllowedResources(
      *pack.snapshot, Map({{"id", "tom@avepoint-msp.example"}}), "organization",
      pack.policies->actions().front().name.string_value(), pack.context, QueryPage{});
  EXPECT_LT(r.examined, orgs);
  EXPECT_GT(r.examined, 0u);
}

// ---- Narrowing by the principal's bindings ------------------------------------------
// The elements policies over a partner `msp` with 40 customers (every third
// in EU-West with m365, so in the dynamic group `eu`), a static group `key`
// of two, stored custom roles, tenants under every customer, and a rival
// partner with 5 customers of its own.

EntityRecord Record(const std::string& kind, const nlohmann::json& j) {
  return {kind, j["id"].get<std::string>(), api::FromJson(j)};
}

std::string Customer(int i) {
  return "c" + std::string(i < 10 ? "0" : "") + std::to_string(i);
}

Pack Scaled() {
  Pack pack = LoadPack("elements");
  std::vector<EntityRecord> records;
  records.push_back(Record("organization", {{"id", "msp"}, {"type", "partner"}}));
  records.push_back(Record("organization", {{"id", "rival"}, {"type", "partner"}}));
  for (int i = 0; i < 40; ++i) {
    const bool eu = i % 3 == 0;
    records.push_back(Record("organization", {{"id", Customer(i)},
                                              {"type", "customer"},
                                              {"parent", "msp"},
                                              {"data_center", eu ? "EU-West" : "US-East"},
                                              {"services", {"m365"}},
                                              {"tags", nlohmann::json::array()}}));
    records.push_back(
        Record("m365_tenant",
               {{"id", Customer(i) + "-t"}, {"kind", "m365_tenant"}, {"org", Customer(i)}}));
  }
  for (int i = 0; i < 5; ++i) {
    records.push_back(
        Record("organization",
               {{"id", "r" + std::to_string(i)}, {"type", "customer"}, {"parent", "rival"}}));
  }
  records.push_back(Record("customer_group", {{"id", "eu"},
                                              {"kind", "customer_group"},
                                              {"org", "msp"},
                                              {"type", "dynamic"},
                                              {"match", "customer.data_center == \"EU-West\""}}));
  records.push_back(Record("customer_group", {{"id", "key"},
                                              {"kind", "customer_group"},
                                              {"org", "msp"},
                                              {"type", "static"},
                                              {"members", {Customer(5), Customer(6)}}}));
  records.push_back(Record("role", {{"id", "viewer"},
                                    {"kind", "role"},
                                    {"org", "msp"},
                                    {"builtin", false},
                                    {"level", "partner"},
                                    {"permissions", {"view_customers"}}}));
  records.push_back(Record("role", {{"id", "viewer-of-nine"},
                                    {"kind", "role"},
                                    {"org", "msp"},
                                    {"builtin", false},
                                    {"level", "partner"},
                                    {"permissions", {"view_customers"}},
                                    {"access", {{"customers", {Customer(9)}}}}}));
  auto user = [&](const std::string& id, const std::string& org, nlohmann::json roles,
                  nlohmann::json access) {
    nlohmann::json u = {{"id", id}, {"org", org}, {"status", "active"}, {"roles", roles}};
    if (!access.is_null()) u["customer_access"] = access;
    records.push_back(Record("user", u));
  };
  user("all@msp", "msp", {"partner.admin"}, {{"all", true}});
  // Lists a rival's customer too: not a customer of msp, so denied.
  user("listed@msp", "msp", {"partner.admin"}, {{"customers", {Customer(3), Customer(17), "r1"}}});
  user("static@msp", "msp",
       {"partner.user", {{"role", "viewer"}, {"access", {{"groups", {"key"}}}}}}, nullptr);
  user("dynamic@msp", "msp", {{{"role", "viewer"}, {"access", {{"groups", {"eu"}}}}}}, nullptr);
  user("nine@msp", "msp", {"viewer-of-nine"}, nullptr);
  user("plain@msp", "msp", {"partner.user"}, nullptr);
  user("company@c04", Customer(4), {"customer.backup_operator"}, nullptr);
  user("rival@rival", "rival", {"partner.admin"}, {{"all", true}});
  auto built = EntitySnapshot::Build(std::move(records), pack.policies, 1);
  for (const EntityProblem& p : built.problems)
    ADD_FAILURE() << p.id << p.path << ": " << p.message;
  pack.snapshot = built.snapshot;
  return pack;
}

// `examined` for company.view over organizations.
size_t ExaminedOrganizations(const Pack& pack, const std::string& user) {
  return AllowedResources(*pack.snapshot, Map({{"id", user}}), "organization", "company.view",
                          pack.context, QueryPage{"", 1000})
      .examined;
}

TEST(QueryNarrowing, AnswersEqualDecidingEachEntity) {
  const Pack pack = Scaled();
  ASSERT_TRUE(pack.snapshot);
  size_t allowed_total = 0, decisions = 0;
  ExpectAllowedResourcesEqualDeciding(pack, Ids(pack.snapshot->OfKind("user")), &allowed_total,
                                      &decisions);
  EXPECT_GT(allowed_total, 0u);
}

// Explicit lists: the principal's own organization and the listed customers
// are decided, nothing else of the 47 organizations.
TEST(QueryNarrowing, ExplicitCustomerListIsDecidedAlone) {
  const Pack pack = Scaled();
  ASSERT_TRUE(pack.snapshot);
  EXPECT_EQ(ExaminedOrganizations(pack, "listed@msp"), 4u);  // msp, c03, c17, r1
  const QueryResult r = AllowedResources(*pack.snapshot, Map({{"id", "listed@msp"}}),
                                         "organization", "company.view", pack.context, QueryPage{});
  EXPECT_EQ(r.ids, (std::vector<std::string>{"c03", "c17", "msp"}));
}

TEST(QueryNarrowing, StaticGroupAndCustomRoleAccessAreLists) {
  const Pack pack = Scaled();
  ASSERT_TRUE(pack.snapshot);
  EXPECT_EQ(ExaminedOrganizations(pack, "static@msp"), 3u);  // msp, c05, c06
  EXPECT_EQ(ExaminedOrganizations(pack, "nine@msp"), 2u);    // msp, c09 (the role's own access)
  EXPECT_EQ(ExaminedOrganizations(pack, "plain@msp"), 1u);   // own only
  EXPECT_EQ(ExaminedOrganizations(pack, "company@c04"), 1u);
}

// A dynamic group, `all` or the `customers` term: every customer of the
// partner (its match decides), never another partner's.
TEST(QueryNarrowing, DynamicGroupAndAllCoverThePartnersCustomers) {
  const Pack pack = Scaled();
  ASSERT_TRUE(pack.snapshot);
  EXPECT_EQ(ExaminedOrganizations(pack, "dynamic@msp"), 41u);
  EXPECT_EQ(ExaminedOrganizations(pack, "all@msp"), 41u);
  EXPECT_EQ(ExaminedOrganizations(pack, "rival@rival"), 6u);
}

// Other kinds have no index by organization: a scan of the kind keeps those
// whose `org` may be in scope, and only they are decided.
TEST(QueryNarrowing, OtherKindsAreFilteredByOrganization) {
  const Pack pack = Scaled();
  ASSERT_TRUE(pack.snapshot);
  const std::string action = "m365_tenant.backup";
  ASSERT_TRUE(pack.policies->FindAction(action));
  const QueryResult r = AllowedResources(*pack.snapshot, Map({{"id", "listed@msp"}}), "m365_tenant",
                                         action, pack.context, QueryPage{});
  EXPECT_EQ(r.examined, 2u);  // c03-t, c17-t
}

// An action of scope none is decided for every stored entity of the kind.
TEST(QueryNarrowing, UnscopedActionIsNotNarrowed) {
  const Pack pack = LoadPack("authzen-todo");
  ASSERT_TRUE(pack.snapshot);
  const auto& users = pack.snapshot->OfKind("user");
  ASSERT_FALSE(users.empty());
  const QueryResult r = AllowedResources(*pack.snapshot, Map({{"id", users.front()->id}}), "user",
                                         "can_read_user", pack.context, QueryPage{"", 1000});
  EXPECT_EQ(r.examined, users.size());
}

// A role of scope `any` (recast's platform role) covers every organization:
// nothing is narrowed, and another partner's customer is allowed.
TEST(QueryNarrowing, ScopeAnyIsNotNarrowed) {
  const Pack pack = LoadPack("recast");
  ASSERT_TRUE(pack.snapshot);
  const size_t orgs = pack.snapshot->OfKind("organization").size();
  const QueryResult r =
      AllowedResources(*pack.snapshot, Map({{"id", "vera@recast.example"}}), "organization",
                       "client.create", pack.context, QueryPage{"", 1000});
  EXPECT_EQ(r.examined, orgs);
}

// A request the trust boundary refuses is refused even when narrowing leaves
// no candidate (plain@msp covers no tenant).
TEST(QueryNarrowing, RefusedPrincipalIsRefusedWithoutCandidates) {
  const Pack pack = Scaled();
  ASSERT_TRUE(pack.snapshot);
  const Value forged = Map({{"id", "plain@msp"}, {"status", "suspended"}});
  const QueryResult r = AllowedResources(*pack.snapshot, forged, "m365_tenant",
                                         "m365_tenant.backup", pack.context, QueryPage{});
  EXPECT_FALSE(r.refusals.empty());
  EXPECT_TRUE(r.ids.empty());
}

}  // namespace
}  // namespace castellan::engine
