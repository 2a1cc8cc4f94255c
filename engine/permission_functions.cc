#include <map>
#include <memory>

#include "engine/policy_functions.h"

namespace castellan::engine {
namespace {

struct PermissionEntry {
  Value requires_;  // list of permission names
  bool company_level;
  Value levels;  // list of level names
};

using PermissionTable = std::map<std::string, PermissionEntry, std::less<>>;

ValueList Strings(const std::vector<std::string>& names) {
  ValueList out;
  for (const auto& n : names) out.push_back(Value::String(n));
  return out;
}

}  // namespace

void RegisterPermissionFunctions(FunctionRegistry& registry,
                                 const std::vector<dsl::PermissionDecl>& permissions) {
  auto table = std::make_shared<PermissionTable>();
  for (const auto& p : permissions) {
    std::vector<std::string> requires_;
    for (const auto& r : p.requires_) requires_.push_back(r.name);
    (*table)[p.name] = {Value::List(Strings(requires_)), p.company_level,
                        Value::List(Strings(p.levels))};
  }
  std::shared_ptr<const PermissionTable> permissions_by_name = table;
  auto add = [&](const char* name, auto get) {
    internal::AddNamedLookup(registry, name, "permission", permissions_by_name, get);
  };
  add("permission.requires", [](const PermissionEntry& e) { return e.requires_; });
  add("permission.companyLevel",
      [](const PermissionEntry& e) { return Value::Bool(e.company_level); });
  add("permission.levels", [](const PermissionEntry& e) { return e.levels; });
}

}  // namespace castellan::engine
