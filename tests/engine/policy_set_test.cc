#include "engine/policy_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dsl/policy_loader.h"
#include "engine/catalogue.h"

namespace castellan::engine {
namespace {

// The rules an action lists must be those whose patterns name it, in file
// order, however they name it (exactly, `*`, `prefix.*`, minus `except`).
constexpr const char* kPolicies = R"(kind: Permissions
actions:
  report.read: {}
  report.write: {}
  user.read: {}
---
kind: Policy
name: p
rules:
  - name: exact-write
    effect: allow
    actions: [report.write]
  - name: everything
    effect: allow
    actions: ["*"]
    except: [user.read]
  - name: reports
    effect: deny
    actions: [report.*]
  - name: exact-read-twice
    effect: allow
    actions: [report.read, report.read, user.read]
)";

std::vector<std::string> Names(const std::vector<const CompiledRule*>& rules) {
  std::vector<std::string> out;
  for (const CompiledRule* r : rules) out.push_back(r->decl->name);
  return out;
}

TEST(PolicySetTest, AnActionListsTheRulesNamingItInFileOrder) {
  dsl::LoadResult loaded = dsl::LoadPolicyFiles({{"p.yaml", kPolicies}}, PolicyEnvironments());
  ASSERT_TRUE(loaded.source) << loaded.FormattedDiagnostics();
  auto set = PolicySet::Compile(std::move(*loaded.source)).set;
  ASSERT_TRUE(set);
  const CompiledAction* read = set->FindAction("report.read");
  const CompiledAction* write = set->FindAction("report.write");
  const CompiledAction* user = set->FindAction("user.read");
  ASSERT_TRUE(read && write && user);
  EXPECT_EQ(Names(read->allow_rules), (std::vector<std::string>{"everything", "exact-read-twice"}));
  EXPECT_EQ(Names(read->deny_rules), (std::vector<std::string>{"reports"}));
  EXPECT_EQ(Names(write->allow_rules), (std::vector<std::string>{"exact-write", "everything"}));
  EXPECT_EQ(Names(user->allow_rules), (std::vector<std::string>{"exact-read-twice"}));
  EXPECT_TRUE(user->deny_rules.empty());
}

}  // namespace
}  // namespace castellan::engine
