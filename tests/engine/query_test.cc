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

class QueryPackTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QueryPackTest, AllowedResourcesEqualsDecidingEachEntity) {
  const Pack pack = LoadPack(GetParam());
  ASSERT_TRUE(pack.snapshot);
  const std::vector<const EntityRecord*> all = pack.snapshot->All();
  size_t allowed_total = 0, answers = 0;
  for (const EntityRecord* user : pack.snapshot->OfKind("user")) {
    const Value principal = Map({{"id", user->id}});
    for (const std::string& kind : Kinds(*pack.snapshot)) {
      for (const CompiledAction& action : pack.policies->actions()) {
        const std::string& name = action.name.string_value();
        std::vector<std::string> expected;
        for (const EntityRecord* r : all) {
          if (r->kind == kind &&
              Allowed(pack, principal, Map({{"kind", kind}, {"id", r->id}}), name)) {
            expected.push_back(r->id);
          }
        }
        const QueryResult got = AllowedResources(*pack.snapshot, principal, kind, name,
                                                 pack.context, QueryPage{"", 100000});
        EXPECT_EQ(got.ids, expected) << user->id << " " << kind << " " << name;
        EXPECT_TRUE(got.next_after_id.empty());
        allowed_total += expected.size();
        ++answers;
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
  // The packs allow something and deny something: the comparison is not vacuous.
  EXPECT_GT(allowed_total, 0u);
  EXPECT_GT(answers, allowed_total);
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

INSTANTIATE_TEST_SUITE_P(Packs, QueryPackTest, ::testing::Values("elements", "redapp"));

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

}  // namespace
}  // namespace castellan::engine
