#include "api/entity_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "api/json_value.h"
#include "api/strict_json.h"
#include "api/yaml_value.h"
#include "dsl/yaml_documents.h"
#include "engine/policy_set.h"

namespace castellan::api {
namespace {

namespace fs = std::filesystem;
using engine::Value;

bool IsEntityFile(const fs::path& p) {
  const std::string ext = p.extension().string();
  const std::string stem = p.stem().string();
  return (ext == ".yaml" || ext == ".yml" || ext == ".json") && stem.size() >= 8 &&
         stem.compare(stem.size() - 8, 8, "entities") == 0;
}

std::string_view StringField(const Value& map, std::string_view key) {
  const Value* v = map.kind() == Value::Kind::kMap ? map.map_value().FindString(key) : nullptr;
  return v && v->kind() == Value::Kind::kString ? std::string_view(v->string_value())
                                                : std::string_view();
}

class Loader {
 public:
  Loader(dsl::Diagnostics& d, dsl::Diagnostics& warnings, const engine::PolicySet* policies)
      : d_(d), warnings_(warnings), policies_(policies) {}

  void LoadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      Error(path.string(), 0, 0, "cannot read entity file");
      return;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    if (path.extension() == ".json") {
      // Strict as the server's request bodies: a duplicate id key is an error, not last-wins.
      nlohmann::json json;
      JsonParseError error;
      if (!ParseStrictJson(text, &json, &error)) {
        Error(path.string(), error.line, error.column, "invalid JSON: " + error.message);
        return;
      }
      ReadDocument(path.string(), FromJson(json), {});
      return;
    }
    try {
      for (const YAML::Node& doc : dsl::LoadAllDocuments(text)) {
        if (!doc.IsDefined() || doc.IsNull()) continue;
        ReadDocument(path.string(), FromYaml(doc), doc);
      }
    } catch (const YAML::Exception& e) {
      Error(path.string(), e.mark.line + 1, e.mark.column + 1, "invalid YAML: " + e.msg);
    }
  }

  std::vector<engine::EntityRecord>& records() { return records_; }
  std::vector<RecordPosition>& positions() { return positions_; }

  std::shared_ptr<const engine::InMemoryEntityStore> Finish() {
    // Aliases last, so one may collide with a user declared after it.
    for (const PendingAlias& a : aliases_) {
      if (!store_->AddUserAlias(a.alias, a.user)) {
        Error(a.file, a.line, a.column,
              "alias '" + a.alias + "' of user '" + a.user +
                  "' is already another user's id or alias");
      }
    }
    return d_.empty() ? std::move(store_) : nullptr;
  }

 private:
  void Error(const std::string& file, int line, int column, std::string message) {
    d_.push_back({file, line, column, std::move(message), "entities"});
  }

  struct PendingAlias {
    std::string alias, user, file;
    int line, column;
  };

  // A user's `aliases`: a list of strings, registered once every user is known.
  void ReadAliases(const std::string& file, int line, int column, const std::string& id,
                   const Value& user) {
    const Value* aliases = user.map_value().FindString("aliases");
    if (!aliases) return;
    if (aliases->kind() != Value::Kind::kList) {
      Error(file, line, column, "'aliases' of user '" + id + "' must be a list of strings");
      return;
    }
    for (const Value& a : aliases->list_value()) {
      if (a.kind() != Value::Kind::kString || a.string_value().empty()) {
        Error(file, line, column, "'aliases' of user '" + id + "' must be a list of strings");
        continue;
      }
      aliases_.push_back({a.string_value(), id, file, line, column});
    }
  }

  // A principal-level `permissions` list replaces the grants of every binding
  // without its own list, within the role's ceiling: warn where that leaves a
  // binding nothing.
  void WarnEmptiedBindings(const std::string& file, int line, int column, const std::string& id,
                           const Value& user) {
    const Value* chosen = user.map_value().FindString("permissions");
    const Value* roles = user.map_value().FindString("roles");
    if (!policies_ || !chosen || chosen->kind() != Value::Kind::kList || !roles ||
        roles->kind() != Value::Kind::kList) {
      return;
    }
    engine::PermissionSet named;
    for (const Value& name : chosen->list_value()) {
      engine::PermissionId pid;
      if (name.kind() == Value::Kind::kString &&
          policies_->FindPermission(name.string_value(), &pid))
        named.Add(pid);
    }
    for (const Value& entry : roles->list_value()) {
      const Value* role_name = entry.kind() == Value::Kind::kString ? &entry : nullptr;
      if (entry.kind() == Value::Kind::kMap) {
        if (entry.map_value().FindString("permissions")) continue;  // its own list
        role_name = entry.map_value().FindString("role");
      }
      if (!role_name || role_name->kind() != Value::Kind::kString) continue;
      const engine::CompiledRole* role = policies_->FindRole(role_name->string_value());
      if (!role) continue;
      engine::PermissionSet held = named;
      held.KeepOnly(role->ceiling);
      held.KeepOnly(role->level_allowed);
      if (!held.empty()) continue;
      warnings_.push_back({file, line, column,
                           "user '" + id +
                               "': its principal-level 'permissions' replace the grants "
                               "of role '" +
                               role_name->string_value() +
                               "' and leave it no permission (give the binding its own "
                               "'permissions', or list some of the role's)",
                           "entities"});
    }
  }

  // `yaml` is the document's node when it came from YAML (for positions).
  void ReadDocument(const std::string& file, const Value& doc, const YAML::Node& yaml) {
    auto at = [&](const YAML::Node& n) -> std::pair<int, int> {
      if (!n.IsDefined()) return {1, 1};
      return {n.Mark().line + 1, n.Mark().column + 1};
    };
    if (doc.kind() != Value::Kind::kMap) {
      auto [l, c] = at(yaml);
      Error(file, l, c, "an entity file maps organizations/users/resources to lists");
      return;
    }
    for (const auto& [key, list] : doc.map_value().entries()) {
      const std::string name = key.kind() == Value::Kind::kString ? key.string_value() : "";
      const YAML::Node node = yaml.IsDefined() ? yaml[name] : YAML::Node();
      if (name != "organizations" && name != "users" && name != "resources") {
        auto [l, c] = at(node);
        Error(file, l, c,
              "unknown key '" + name + "' (expected organizations, users or resources)");
        continue;
      }
      if (list.kind() != Value::Kind::kList) {
        auto [l, c] = at(node);
        Error(file, l, c, "'" + name + "' must be a list");
        continue;
      }
      for (size_t i = 0; i < list.list_value().size(); ++i) {
        const Value& entity = list.list_value()[i];
        auto [l, c] = at(node.IsDefined() && node.IsSequence() ? node[i] : node);
        const std::string id(StringField(entity, "id"));
        if (entity.kind() != Value::Kind::kMap || id.empty()) {
          Error(file, l, c, "each of '" + name + "' needs an 'id' (a string)");
          continue;
        }
        const std::string kind = name == "organizations" ? "organization"
                                 : name == "users"       ? "user"
                                                         : std::string(StringField(entity, "kind"));
        records_.push_back({kind, id, entity});
        positions_.push_back({file, l, c});
        bool added = false;
        if (name == "organizations") {
          added = store_->AddOrganization(id, entity);
        } else if (name == "users") {
          added = store_->AddUser(id, entity);
          ReadAliases(file, l, c, id, entity);
          WarnEmptiedBindings(file, l, c, id, entity);
        } else {
          if (kind.empty()) {
            Error(file, l, c, "resource '" + id + "' needs a 'kind'");
            continue;
          }
          added = store_->AddResource(kind, id, entity);
        }
        if (!added) Error(file, l, c, "duplicate id '" + id + "' in " + name);
      }
    }
  }

  dsl::Diagnostics& d_;
  dsl::Diagnostics& warnings_;
  const engine::PolicySet* policies_;
  std::vector<PendingAlias> aliases_;
  std::vector<engine::EntityRecord> records_;
  std::vector<RecordPosition> positions_;
  std::shared_ptr<engine::InMemoryEntityStore> store_ =
      std::make_shared<engine::InMemoryEntityStore>();
};

}  // namespace

EntityLoadResult LoadEntityFiles(const std::vector<fs::path>& paths,
                                 const engine::PolicySet* policies) {
  EntityLoadResult result;
  Loader loader(result.diagnostics, result.warnings, policies);
  for (const fs::path& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && IsEntityFile(entry.path())) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) loader.LoadFile(f);
    } else if (fs::exists(path, ec)) {
      loader.LoadFile(path);
    } else {
      result.diagnostics.push_back({path.string(), 0, 0, "no such file or directory", "entities"});
    }
  }
  std::shared_ptr<const engine::InMemoryEntityStore> store = loader.Finish();
  result.records = std::move(loader.records());
  result.positions = std::move(loader.positions());
  if (!store || !policies) {
    result.store = std::move(store);
    return result;
  }
  // Checked and compiled as the store would: the snapshot shares the caller's
  // policy set without owning it (REQUIRES in the header).
  std::shared_ptr<const engine::PolicySet> unowned(std::shared_ptr<const engine::PolicySet>(),
                                                   policies);
  engine::EntitySnapshot::Result built =
      engine::EntitySnapshot::Build(result.records, unowned, /*version=*/0);
  auto position_of = [&](const engine::EntityProblem& p) {
    for (size_t i = 0; i < result.records.size(); ++i) {
      if (result.records[i].kind == p.kind && result.records[i].id == p.id) {
        return result.positions[i];
      }
    }
    return RecordPosition{};
  };
  for (const auto& p : built.problems) {
    result.diagnostics.push_back(ProblemDiagnostic(p, position_of(p)));
  }
  for (const auto& w : built.warnings) {
    result.warnings.push_back(ProblemDiagnostic(w, position_of(w)));
  }
  result.snapshot = std::move(built.snapshot);
  result.store = result.snapshot;
  return result;
}

dsl::Diagnostic ProblemDiagnostic(const engine::EntityProblem& problem, const RecordPosition& at) {
  std::string message = problem.kind + " '" + problem.id + "'";
  if (!problem.path.empty()) message += " " + problem.path;
  message += ": " + problem.message + " (" + problem.code + ")";
  return {at.file, at.line, at.column, std::move(message), "entities"};
}

}  // namespace castellan::api

namespace castellan::api {

std::string FormatWarnings(const dsl::Diagnostics& warnings) {
  std::string out;
  for (const auto& w : warnings) {
    out += w.file + ":" + std::to_string(w.line) + ":" + std::to_string(w.column) +
           ": warning: " + w.message + "\n";
  }
  return out;
}

}  // namespace castellan::api
