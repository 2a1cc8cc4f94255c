#include "storage/entity_columns.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/json_value.h"

namespace castellan::storage {
namespace {

// The length of the valid UTF-8 sequence starting at `i`, or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t length = 0;
  unsigned min = 0;
  unsigned code = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2, code = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3, code = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4, code = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

std::string StringAttribute(const nlohmann::ordered_json& attributes, const char* name) {
  if (!attributes.is_object()) return "";
  const auto it = attributes.find(name);
  return it != attributes.end() && it->is_string() ? it->get<std::string>() : "";
}

bool CheckKey(std::string_view what, std::string_view text, std::string* error) {
  if (IsKeyText(text)) return true;
  *error = std::string(what) + " must be UTF-8 without NUL bytes";
  return false;
}

}  // namespace

EntityTable TableOf(std::string_view kind) {
  if (kind == "organization") return EntityTable::kOrganizations;
  if (kind == "user") return EntityTable::kUsers;
  return EntityTable::kResources;
}

bool IsKeyText(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8Length(text, i);
    if (length == 0 || text[i] == '\0') return false;
    i += length;
  }
  return true;
}

std::string StorableText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8Length(text, i);
    if (length == 0 || text[i] == '\0') {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

bool ToRow(const engine::EntityRecord& record, EntityRow* row, std::string* error) {
  *row = EntityRow{};
  row->table = TableOf(record.kind);
  row->kind = record.kind;
  row->id = record.id;
  if (!CheckKey("the kind", record.kind, error) || !CheckKey("the id", record.id, error)) {
    return false;
  }
  const nlohmann::ordered_json attributes = api::ToJson(record.attributes);
  try {
    // Strict: a string that is not UTF-8 is refused, never changed.
    row->attributes = attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    *error = "the attributes hold a string that is not UTF-8";
    return false;
  }
  row->org =
      StringAttribute(attributes, row->table == EntityTable::kOrganizations ? "parent" : "org");
  if (!CheckKey("org", row->org, error)) return false;
  if (row->table != EntityTable::kUsers) return true;

  row->status = StringAttribute(attributes, "status");
  if (const auto aliases = attributes.find("aliases");
      aliases != attributes.end() && aliases->is_array()) {
    for (const auto& alias : *aliases) {
      if (!alias.is_string()) continue;
      std::string text = alias.get<std::string>();
      if (!CheckKey("an alias", text, error)) return false;
      if (text == record.id ||
          std::find(row->aliases.begin(), row->aliases.end(), text) != row->aliases.end()) {
        continue;
      }
      row->aliases.push_back(std::move(text));
    }
  }
  if (const auto roles = attributes.find("roles"); roles != attributes.end() && roles->is_array()) {
    for (const auto& binding : *roles) {
      RoleBindingRow out{"", "null"};
      if (binding.is_string()) {
        out.role = binding.get<std::string>();
      } else if (binding.is_object()) {
        out.role = StringAttribute(binding, "role");
        if (const auto access = binding.find("access"); access != binding.end()) {
          out.access = access->dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
        }
      } else {
        continue;
      }
      if (!CheckKey("a role", out.role, error)) return false;
      row->bindings.push_back(std::move(out));
    }
  }
  return true;
}

bool FromRow(std::string kind, std::string id, const std::string& attributes,
             engine::EntityRecord* record, std::string* error) {
  try {
    record->attributes = api::FromJson(nlohmann::json::parse(attributes));
  } catch (const nlohmann::json::exception& e) {
    *error = "stored attributes of " + kind + "/" + id + " are not JSON: " + e.what();
    return false;
  }
  record->kind = std::move(kind);
  record->id = std::move(id);
  return true;
}

}  // namespace castellan::storage
