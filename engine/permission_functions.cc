#include <map>
#include <memory>

#include "engine/policy_functions.h"
#include "engine/policy_set.h"

namespace castellan::engine {
namespace {

struct PermissionEntry {
  Value requires_;  // list of permission names
  bool company_level;
  Value levels;  // list of level names
  Value tags;    // list of strings
};

using PermissionTable = std::map<std::string, PermissionEntry, std::less<>>;

ValueList Strings(const std::vector<std::string>& names) {
  ValueList out;
  for (const auto& n : names) out.push_back(Value::String(n));
  return out;
}

std::shared_ptr<const PermissionTable> PermissionTableOf(const PolicySet& set) {
  auto table = std::make_shared<PermissionTable>();
  for (const auto& p : set.source().permissions) {
    std::vector<std::string> requires_;
    for (const auto& r : p.requires_) requires_.push_back(r.name);
    (*table)[p.name] = {Value::List(Strings(requires_)), p.company_level,
                        Value::List(Strings(p.levels)), Value::List(Strings(p.tags))};
  }
  return table;
}

}  // namespace

void AddPermissionFunctions(Catalogue& c) {
  using dsl::NameKind;
  c.BeginFamily("Permission helpers",
                "The declared permissions of the policy set. A literal permission name nothing "
                "declares is reported when policies load.");
  auto lookup = [](const char* name, auto get) {
    return internal::NamedLookup(name, "permission", PermissionTableOf, get);
  };
  c.AddFunction("permission.requires", {"permission.requires(string) -> list(string)"},
                lookup("permission.requires", [](const PermissionEntry& e) { return e.requires_; }),
                {"The permissions the named one directly requires.",
                 "permission.requires('write') == ['read']"});
  c.NameArguments("permission.requires", {NameKind::kPermission}, NameKind::kPermission);
  c.AddFunction("permission.companyLevel", {"permission.companyLevel(string) -> bool"},
                lookup("permission.companyLevel",
                       [](const PermissionEntry& e) { return Value::Bool(e.company_level); }),
                {"Whether the permission is held only where the organization enables it.",
                 "!permission.companyLevel('read')"});
  c.NameArguments("permission.companyLevel", {NameKind::kPermission});
  c.AddFunction("permission.levels", {"permission.levels(string) -> list(string)"},
                lookup("permission.levels", [](const PermissionEntry& e) { return e.levels; }),
                {"The role levels that may hold the permission; empty for any.",
                 "permission.levels('read') == []"});
  c.NameArguments("permission.levels", {NameKind::kPermission});
  c.AddFunction(
      "permission.tags", {"permission.tags(string) -> list(string)"},
      lookup("permission.tags", [](const PermissionEntry& e) { return e.tags; }),
      {"The permission's `tags`: free metadata.", "'vendor_only' in permission.tags('write')"});
  c.NameArguments("permission.tags", {NameKind::kPermission});
}

}  // namespace castellan::engine
