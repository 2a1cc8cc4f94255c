#include "api/entity_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "api/json_value.h"
#include "api/strict_json.h"
#include "api/yaml_value.h"
#include "dsl/yaml_documents.h"

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
  explicit Loader(dsl::Diagnostics& d) : d_(d) {}

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

  std::shared_ptr<const engine::InMemoryEntityStore> Finish() {
    return d_.empty() ? std::move(store_) : nullptr;
  }

 private:
  void Error(const std::string& file, int line, int column, std::string message) {
    d_.push_back({file, line, column, std::move(message), "entities"});
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
        bool added = false;
        if (name == "organizations") {
          added = store_->AddOrganization(id, entity);
        } else if (name == "users") {
          added = store_->AddUser(id, entity);
        } else {
          const std::string kind(StringField(entity, "kind"));
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
  std::shared_ptr<engine::InMemoryEntityStore> store_ =
      std::make_shared<engine::InMemoryEntityStore>();
};

}  // namespace

EntityLoadResult LoadEntityFiles(const std::vector<fs::path>& paths) {
  EntityLoadResult result;
  Loader loader(result.diagnostics);
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
  result.store = loader.Finish();
  return result;
}

}  // namespace castellan::api
