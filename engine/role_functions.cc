#include "engine/role_functions.h"

#include <map>
#include <memory>

namespace castellan::engine {

void RegisterRoleFunctions(FunctionRegistry& registry, const std::vector<dsl::RoleDecl>& roles) {
  struct Entry {
    int64_t rank;
    std::string level;
  };
  auto table = std::make_shared<std::map<std::string, Entry, std::less<>>>();
  for (const auto& r : roles) (*table)[r.name] = {r.rank, r.level};

  auto lookup = [table](const char* fn, std::span<const Value> args, auto&& get) -> Value {
    if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
      return NoMatchingOverload(fn, args);
    }
    auto it = table->find(args[0].string_value());
    if (it == table->end()) {
      return Value::Error(ErrorKind::kInvalidArgument,
                          "unknown role '" + args[0].string_value() + "'");
    }
    return get(it->second);
  };
  registry.Add("role.rank", [lookup](std::span<const Value> args) {
    return lookup("role.rank", args, [](const Entry& e) { return Value::Int(e.rank); });
  });
  registry.Add("role.level", [lookup](std::span<const Value> args) {
    return lookup("role.level", args, [](const Entry& e) { return Value::String(e.level); });
  });
}

}  // namespace castellan::engine
