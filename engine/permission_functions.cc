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

ValueList Strings(const std::vector<std::string>& names) {
  ValueList out;
  for (const auto& n : names) out.push_back(Value::String(n));
  return out;
}

}  // namespace

void RegisterPermissionFunctions(FunctionRegistry& registry,
                                 const std::vector<dsl::PermissionDecl>& permissions) {
  auto table = std::make_shared<std::map<std::string, PermissionEntry, std::less<>>>();
  for (const auto& p : permissions) {
    std::vector<std::string> requires_;
    for (const auto& r : p.requires_) requires_.push_back(r.name);
    (*table)[p.name] = {Value::List(Strings(requires_)), p.company_level,
                        Value::List(Strings(p.levels))};
  }
  auto lookup = [table](const char* fn, std::span<const Value> args, auto&& get) -> Value {
    if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
      return NoMatchingOverload(fn, args);
    }
    auto it = table->find(args[0].string_value());
    if (it == table->end()) {
      return Value::Error(ErrorKind::kInvalidArgument,
                          "unknown permission '" + args[0].string_value() + "'");
    }
    return get(it->second);
  };
  registry.Add("permission.requires", [lookup](std::span<const Value> args) {
    return lookup("permission.requires", args,
                  [](const PermissionEntry& e) { return e.requires_; });
  });
  registry.Add("permission.companyLevel", [lookup](std::span<const Value> args) {
    return lookup("permission.companyLevel", args,
                  [](const PermissionEntry& e) { return Value::Bool(e.company_level); });
  });
  registry.Add("permission.levels", [lookup](std::span<const Value> args) {
    return lookup("permission.levels", args, [](const PermissionEntry& e) { return e.levels; });
  });
}

}  // namespace castellan::engine
