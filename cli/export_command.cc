#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/json_value.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/store_url.h"
#include "storage/migrations.h"
#include "storage/store.h"

namespace castellan::cli {
namespace {

constexpr const char* kExportHelp =
    R"(Usage: castellan export [--store URL | --data-dir DIR] [--format yaml|json] [-o FILE]

Writes every entity in the store in the entity-file format the packs use
(organizations, users, resources; each by id, resources by kind then id), so
that `castellan import` reads it back: export, import, export again gives the
same bytes. YAML writes every string double-quoted, so no string is read back
as a number, a boolean or null.

Options:
  --store URL      sqlite:PATH (or a bare PATH) or postgresql://user@host:port/db
  --data-dir DIR   the SQLite store DIR/castellan.db (default castellan-data)
  --format F       yaml (default) or json
  -o FILE          write to FILE instead of standard output

Exit status: 0 on success, 2 on usage errors or when the store cannot be read
(missing, not migrated, or newer than this castellan).
)";

// A YAML double-quoted scalar: JSON's escapes, which YAML shares, plus the
// characters YAML may not hold unescaped (DEL, C1 controls, the BOM).
std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    char buffer[8];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      std::snprintf(buffer, sizeof buffer, "\\x%02X", c);
      out += buffer;
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      std::snprintf(buffer, sizeof buffer, "\\x%02X", static_cast<unsigned char>(text[++i]));
      out += buffer;
    } else if (text.compare(i, 3, "\xEF\xBB\xBF") == 0) {
      out += "\\uFEFF";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A key stays plain when YAML cannot read it as anything but that string.
std::string Key(const std::string& key) {
  static const char* const kSpecial[] = {"true", "false", "null", "yes",   "no",   "on",   "off",
                                         "y",    "n",     "True", "False", "Null", "TRUE", "FALSE",
                                         "NULL", "Yes",   "No",   "On",    "Off",  "YES",  "NO",
                                         "ON",   "OFF",   "Y",    "N"};
  bool plain = !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_');
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      plain = false;
    }
  }
  for (const char* special : kSpecial) {
    if (key == special) plain = false;
  }
  return plain ? key : Quoted(key);
}

bool Inline(const nlohmann::ordered_json& value) {
  return !value.is_structured() || value.empty();
}

std::string Scalar(const nlohmann::ordered_json& value) {
  if (value.is_string()) return Quoted(value.get<std::string>());
  return value.dump();  // numbers, booleans, null, [] and {}: the same in YAML
}

void Block(const nlohmann::ordered_json& value, int indent, std::ostream& out);

// The rest of a line that holds `value` after "key:" or "-".
void After(const nlohmann::ordered_json& value, int indent, std::ostream& out) {
  if (Inline(value)) {
    out << ' ' << Scalar(value) << '\n';
  } else {
    out << '\n';
    Block(value, indent, out);
  }
}

void Block(const nlohmann::ordered_json& value, int indent, std::ostream& out) {
  const std::string pad(indent, ' ');
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      out << pad << Key(key) << ':';
      After(item, indent + 2, out);
    }
    return;
  }
  for (const auto& item : value) {
    out << pad << '-';
    if (item.is_object() && !item.empty()) {
      // The first key on the dash's line, the others under it.
      bool first = true;
      for (const auto& [key, member] : item.items()) {
        out << (first ? " " : pad + "  ") << Key(key) << ':';
        After(member, indent + 4, out);
        first = false;
      }
    } else {
      After(item, indent + 2, out);
    }
  }
}

}  // namespace

int ExportCommand(const std::vector<std::string>& args) {
  Arguments parsed;
  std::string error;
  if (!ParseArguments("export", args, {"--store", "--data-dir", "--format", "-o"}, "argument",
                      &parsed, &error)) {
    std::cerr << error << "\n\n" << kExportHelp;
    return kExitUsage;
  }
  if (parsed.help) {
    std::cout << kExportHelp;
    return kExitOk;
  }
  const std::string format = parsed.Get("--format", "yaml");
  if (!parsed.operand.empty() || (format != "yaml" && format != "json")) {
    std::cerr << "castellan export: "
              << (parsed.operand.empty() ? "--format must be yaml or json"
                                         : "unexpected argument '" + parsed.operand + "'")
              << "\n\n"
              << kExportHelp;
    return kExitUsage;
  }
  std::string url;
  if (!ResolveStoreUrl(parsed, /*create=*/false, &url, &error)) {
    std::cerr << "castellan export: " << error << "\n";
    return kExitUsage;
  }
  storage::Status status = storage::Status::Ok();
  auto store = storage::Store::Open(url, &status);
  int version = 0;
  if (store) status = store->SchemaVersion(&version);
  if (status.ok() && version != storage::LatestSchemaVersion()) {
    status = storage::Status::Error(
        "the store's schema is version " + std::to_string(version) + ", this castellan reads " +
        std::to_string(storage::LatestSchemaVersion()) + " (castellan migrate)");
  }
  std::vector<storage::StoredEntity> entities;
  uint64_t data_version = 0;
  if (status.ok()) status = store->LoadAll(&entities, &data_version);
  if (!status.ok()) {
    std::cerr << "castellan export: " << status.message() << "\n";
    return kExitUsage;
  }

  nlohmann::ordered_json file = {{"organizations", nlohmann::ordered_json::array()},
                                 {"users", nlohmann::ordered_json::array()},
                                 {"resources", nlohmann::ordered_json::array()}};
  for (const storage::StoredEntity& entity : entities) {
    const char* section = entity.record.kind == "organization" ? "organizations"
                          : entity.record.kind == "user"       ? "users"
                                                               : "resources";
    file[section].push_back(api::ToJson(entity.record.attributes));
  }
  std::ostringstream text;
  if (format == "json") {
    text << file.dump(2) << '\n';
  } else {
    Block(file, 0, text);
  }

  if (parsed.options.count("-o")) {
    const std::string path = parsed.Get("-o");
    std::ofstream out(path, std::ios::binary);
    out << text.str();
    if (!out.flush()) {
      std::cerr << "castellan export: cannot write '" << path << "'\n";
      return kExitUsage;
    }
    std::cerr << "castellan export: " << entities.size() << " entities at data version "
              << data_version << " to " << path << "\n";
  } else {
    std::cout << text.str();
  }
  return kExitOk;
}

}  // namespace castellan::cli
