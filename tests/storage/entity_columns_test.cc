#include "storage/entity_columns.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/json_value.h"

namespace castellan::storage {
namespace {

engine::EntityRecord Record(const std::string& kind, const nlohmann::json& attributes) {
  return {kind, attributes.value("id", ""), api::FromJson(attributes)};
}

TEST(EntityColumns, UserColumnsComeFromItsAttributes) {
  EntityRow row;
  std::string error;
  ASSERT_TRUE(ToRow(
      Record(
          "user",
          {{"id", "u1"},
           {"org", "acme"},
           {"status", "active"},
           {"aliases", {"pid-1", "pid-1", "u1", "mail@x"}},
           {"roles", {"partner.admin", {{"role", "helpdesk"}, {"access", {{"groups", {"eu"}}}}}}}}),
      &row, &error))
      << error;
  EXPECT_EQ(row.table, EntityTable::kUsers);
  EXPECT_EQ(row.org, "acme");
  EXPECT_EQ(row.status, "active");
  EXPECT_EQ(row.aliases, (std::vector<std::string>{"pid-1", "mail@x"}));
  ASSERT_EQ(row.bindings.size(), 2u);
  EXPECT_EQ(row.bindings[0].role, "partner.admin");
  EXPECT_EQ(row.bindings[0].access, "null");
  EXPECT_EQ(row.bindings[1].role, "helpdesk");
  EXPECT_EQ(row.bindings[1].access, R"({"groups":["eu"]})");
}

TEST(EntityColumns, AnOrganizationsOrgColumnIsItsParent) {
  EntityRow row;
  std::string error;
  ASSERT_TRUE(
      ToRow(Record("organization", {{"id", "c"}, {"parent", "p"}, {"org", "x"}}), &row, &error));
  EXPECT_EQ(row.table, EntityTable::kOrganizations);
  EXPECT_EQ(row.org, "p");
}

TEST(EntityColumns, RefusesWhatAColumnCannotHold) {
  EntityRow row;
  std::string error;
  EXPECT_FALSE(ToRow(Record("product", {{"id", std::string("a\0b", 3)}}), &row, &error));
  EXPECT_NE(error.find("id"), std::string::npos);
  EXPECT_FALSE(ToRow(Record("product", {{"id", "p"}, {"note", "bad \xC3("}}), &row, &error));
  EXPECT_NE(error.find("UTF-8"), std::string::npos);
  // NUL inside an attribute (not a key) is fine: JSON text escapes it.
  EXPECT_TRUE(
      ToRow(Record("product", {{"id", "p"}, {"note", std::string("a\0b", 3)}}), &row, &error));
}

TEST(EntityColumns, StorableTextReplacesOnlyWhatTextColumnsCannotHold) {
  EXPECT_EQ(StorableText("plain é 日本"), "plain é 日本");
  EXPECT_EQ(StorableText(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(StorableText("x\xC3("), "x\xEF\xBF\xBD(");
  EXPECT_TRUE(IsKeyText("'; DROP TABLE x; --"));
  EXPECT_FALSE(IsKeyText("\xED\xA0\x80"));  // a surrogate
}

}  // namespace
}  // namespace castellan::storage
