// Helpers for the function families that read a policy set: role.*,
// permission.*, org(), user(), lookup() and group.contains() (declared in
// engine/catalogue.h, documented from it in docs/policy-language.md).
//
// Their signatures are fixed; their implementations are built per compiled
// PolicySet (Catalogue::Registry(&set)), because they read that set's
// declarations. An unknown role, permission or group name is an error value,
// so a rule that uses one never allows (and a literal one is rejected when
// policies load). All tables are immutable and the functions are safe to
// call from many threads.
#pragma once

#include <memory>
#include <string>

#include "engine/catalogue.h"
#include "engine/function_registry.h"

namespace castellan::engine::internal {

// A policy function of one string argument that finds it in `table`
// (declared names of `what`, e.g. "role") and returns get(entry); an
// unknown name is an error. `make_table(set)` builds the table once per set.
template <typename MakeTable, typename Get>
PolicyFunctionImpl NamedLookup(std::string name, const char* what, MakeTable make_table, Get get) {
  return [name, what, make_table, get](const PolicySet& set) -> ContextFunctionImpl {
    auto table = make_table(set);
    return [name, what, table, get](std::span<const Value> args, const Activation&) -> Value {
      if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
        return NoMatchingOverload(name, args);
      }
      auto it = table->find(args[0].string_value());
      if (it == table->end()) {
        return Value::Error(ErrorKind::kInvalidArgument,
                            std::string("unknown ") + what + " '" + args[0].string_value() + "'");
      }
      return get(it->second);
    };
  };
}

}  // namespace castellan::engine::internal
