// docs/policy.schema.json against the policy packs and the loader's syntax:
// every policy document of the repository's packs validates, every construct
// of docs/policy-language.md validates, and a wrong key does not. The
// conversion and validation are tests/docs/validate_policy_schema.py's
// (Debian's python3-yaml and python3-jsonschema).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace {

struct Validation {
  int status = -1;
  std::string output;
};

// Runs the validator over `paths` (space-separated, relative to the source tree or absolute).
Validation Validate(const std::string& paths) {
  const std::string command = std::string("cd '") + CASTELLAN_SOURCE_DIR +
                              "' && python3 tests/docs/validate_policy_schema.py "
                              "docs/policy.schema.json " +
                              paths + " 2>&1";
  Validation run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  run.status = pclose(pipe);
  return run;
}

// Writes `text` to a fresh file under the test's temporary directory.
std::string Write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(PolicySchema, EveryPackOfTheRepositoryValidates) {
  Validation run = Validate("policies samples");
  EXPECT_EQ(run.status, 0) << run.output;
  // Not vacuous: the default pack and the five samples hold dozens of documents.
  EXPECT_EQ(run.output.find("validated 0 documents"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(": 0 errors"), std::string::npos) << run.output;
}

// Every construct of issue 11 as docs/policy-language.md writes it.
TEST(PolicySchema, AcceptsEveryKindAndKey) {
  const std::string path = Write("all_kinds.yaml", R"(kind: Definitions
constants:
  admin_roles: '["partner.owner", "partner.admin"]'
  all_backup_permissions: [products, collections]
functions:
  manages(actor, target): actor.org == target.parent || actor.org == target.org
  administrator(a): a.role in admin_roles
  always(): true
---
kind: EntityKind
name: todo
source: request
scope: none
attributes:
  id: {type: string}
  ownerID: {type: string, from: request}
  title: {type: string, optional: true, from: request}
  status: {type: string, values: [open, done], from: both}
  tags: {type: list(string)}
  labels: {type: 'map(string, int)'}
  anything:
---
kind: Permissions
permissions:
  manage_users: {tags: [vendor_only], company_level: true}
actions:
  user.role.assign:
    requires: [manage_users]
    requires_any: [partner_admin, company_admin]
    scope: none
    on: [user]
    params:
      new_role: {type: string, values: [viewer, editor]}
      note: {type: string, optional: true}
---
kind: Role
name: editor
level: partner
inherits: [viewer]
tags: [builtin]
---
kind: Roles
level: partner
scope: [own, assigned_customers]
roles:
  partner.owner: {rank: 4, inherits: [partner.super_admin]}
  partner.admin:
    rank: 2
    grants: [manage_users, products]
    customisable: [folders]
  partner.support: {rank: 1, grants: [products], scope: [own], tags: [t], description: d}
  partner.finance:
  company.user: {level: company}
---
kind: CustomerGroup
name: eu
owner: p-acme
match: customer.region == "EU"
---
kind: Policy
name: p
rules:
  - name: r
    effect: allow
    actions: ["*"]
    except: [invite.accept]
)");
  Validation run = Validate(path);
  EXPECT_EQ(run.status, 0) << run.output;
}

struct Wrong {
  const char* name;
  const char* yaml;
  const char* mentions;  // what the validator's message must name
};

class PolicySchemaRejects : public ::testing::TestWithParam<Wrong> {};

TEST_P(PolicySchemaRejects, AWrongKeyOrValue) {
  const Wrong& w = GetParam();
  Validation run = Validate(Write(std::string(w.name) + ".yaml", w.yaml));
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_NE(run.output.find(w.mentions), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PolicySchemaRejects,
    ::testing::Values(
        Wrong{"role_key", "kind: Role\nname: r\nlevel: partner\ngrnts: [a]\n", "'grnts'"},
        Wrong{"roles_entry_key", "kind: Roles\nlevel: partner\nroles:\n  r: {grnts: [a]}\n",
              "'grnts'"},
        Wrong{"roles_document_key", "kind: Roles\nlevel: partner\nrank: 1\nroles: {}\n", "'rank'"},
        Wrong{"roles_level", "kind: Roles\nroles:\n  r: {rank: 1}\n", "'level'"},
        Wrong{"rule_key",
              "kind: Policy\nname: p\nrules:\n  - {name: r, effect: allow, actions: [a], "
              "exept: [b]}\n",
              "'exept'"},
        Wrong{"unknown_kind", "kind: EntityKinds\nname: todo\n", "EntityKinds"},
        Wrong{"entity_key", "kind: EntityKind\nname: todo\nsorce: request\n", "'sorce'"},
        Wrong{"attribute_from",
              "kind: EntityKind\nname: todo\nattributes:\n  a: {type: string, from: client}\n",
              "'client'"},
        Wrong{"attribute_type", "kind: EntityKind\nname: todo\nattributes:\n  a: {type: strng}\n",
              "'strng'"},
        Wrong{"param_from",
              "kind: Permissions\nactions:\n  a:\n    params:\n      p: {type: string, from: "
              "request}\n",
              "'from'"},
        Wrong{"action_scope", "kind: Permissions\nactions:\n  a: {scope: global}\n", "'global'"},
        Wrong{"function_name", "kind: Definitions\nfunctions:\n  'manages(a, ': a\n",
              "manages(a, "},
        Wrong{"constant_value", "kind: Definitions\nconstants:\n  n: {a: 1}\n", "/constants/n"},
        Wrong{"definitions_key", "kind: Definitions\nfunction:\n  f(a): a\n", "'function'"}),
    [](const ::testing::TestParamInfo<Wrong>& info) { return std::string(info.param.name); });

}  // namespace
