// EntityColumns: one entity as the store's rows hold it. The attributes, as
// JSON text, are the truth: Get and LoadAll give them back. The typed
// columns (an organization's parent, a user's org and status, a resource's
// org), a user's aliases and role bindings are derived from them on every
// write, for filters, lookups and the alias uniqueness rule.
//
// No database here: storage/sql_store.cc binds these values as parameters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/entity_record.h"

namespace castellan::storage {

enum class EntityTable { kOrganizations, kUsers, kResources };

// "organization", "user", else a resource kind.
EntityTable TableOf(std::string_view kind);

struct RoleBindingRow {
  std::string role;
  std::string access;  // JSON text; "null" when the binding names none
};

struct EntityRow {
  EntityTable table = EntityTable::kResources;
  std::string kind, id;
  std::string org;                   // organizations: the parent; others: the org ("" when absent)
  std::string status;                // users only
  std::string attributes;            // JSON text
  std::vector<std::string> aliases;  // users: without repeats, without the user's own id
  std::vector<RoleBindingRow> bindings;  // users: in the order written
};

// False with `error` when the record cannot be stored as written: a string
// that is not UTF-8 (JSON text must be), or a key (kind, id, org, alias,
// role) that is not UTF-8 or holds a NUL byte (PostgreSQL text cannot).
bool ToRow(const engine::EntityRecord& record, EntityRow* row, std::string* error);

// The record back from its columns; false with `error` when the stored JSON
// does not parse (the database was changed behind the store's back).
bool FromRow(std::string kind, std::string id, const std::string& attributes,
             engine::EntityRecord* record, std::string* error);

// True when `text` is UTF-8 without a NUL byte: what a key column holds.
bool IsKeyText(std::string_view text);

// `text` made storable in a text column on either backend: each byte that
// is not part of valid UTF-8, and each NUL, becomes U+FFFD. For the decision
// log, whose strings come from requests.
std::string StorableText(std::string_view text);

}  // namespace castellan::storage
