#include "engine/customer_group.h"
#include "engine/entity_store.h"
#include "engine/policy_functions.h"
#include "engine/policy_set.h"

namespace castellan::engine {
namespace {

Value Lookup(const char* fn, std::span<const Value> args, const Activation& activation,
             const Value* (EntityStore::*find)(std::string_view) const) {
  if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
    return NoMatchingOverload(fn, args);
  }
  const EntityStore* store = activation.entities();
  const Value* found = store ? (store->*find)(args[0].string_value()) : nullptr;
  if (found == nullptr) {
    return Value::Error(ErrorKind::kNoSuchAttribute,
                        std::string(fn) + ": unknown id '" + args[0].string_value() + "'");
  }
  return *found;
}

Value GroupContainsCall(std::span<const Value> args, const Activation& a, const PolicySet& set) {
  if (args.size() != 2 || args[0].kind() != Value::Kind::kString ||
      args[1].kind() != Value::Kind::kString) {
    return NoMatchingOverload("group.contains", args);
  }
  const EntityStore* store = a.entities();
  const CompiledGroup* group = set.FindGroup(args[0].string_value());
  if (group == nullptr && store) {
    // A group stored as data holds only its owner's customers: look in the
    // customer's partner's groups.
    const Value* org = store->FindOrganization(args[1].string_value());
    const Value* parent =
        org && org->kind() == Value::Kind::kMap ? org->map_value().FindString("parent") : nullptr;
    if (parent && parent->kind() == Value::Kind::kString) {
      group = store->FindCustomerGroup(parent->string_value(), args[0].string_value());
    }
  }
  if (group == nullptr) {
    return Value::Error(ErrorKind::kInvalidArgument,
                        "unknown customer group '" + args[0].string_value() + "'");
  }
  const Value* now = a.Find("now");
  // G5: a match that needs an attribute the customer lacks means "not a member".
  Value member = GroupContains(*group, args[1].string_value(), store ? *store : EmptyEntityStore(),
                               now ? *now : Value(), a.budget());
  // Running out of budget is no answer about membership: it must reach the rule.
  if (member.is_error() && member.error_value().kind == ErrorKind::kBudgetExceeded) {
    return member;
  }
  return member.is_bool() ? member : Value::Bool(false);
}

}  // namespace

void AddEntityFunctions(Catalogue& c) {
  c.BeginFamily("Entity helpers",
                "Entities the request's entity store holds, and the policy set's customer groups.");
  c.AddFunction(
      "org", {"org(string) -> dyn"},
      ContextFunctionImpl([](std::span<const Value> args, const Activation& a) {
        return Lookup("org", args, a, &EntityStore::FindOrganization);
      }),
      {"The stored organization (a map); an error when unknown.", "org('acme').name == 'Acme'"});
  c.AddFunction("user", {"user(string) -> dyn"},
                ContextFunctionImpl([](std::span<const Value> args, const Activation& a) {
                  return Lookup("user", args, a, &EntityStore::FindUser);
                }),
                {"The stored user (a map); an error when unknown.", "user('ann').org == 'acme'"});
  // lookup(kind, id): any stored entity; organizations and users by their kinds.
  c.AddFunction("lookup", {"lookup(string, string) -> dyn"},
                ContextFunctionImpl([](std::span<const Value> args, const Activation& a) {
                  if (args.size() != 2 || args[0].kind() != Value::Kind::kString ||
                      args[1].kind() != Value::Kind::kString) {
                    return NoMatchingOverload("lookup", args);
                  }
                  const std::string& kind = args[0].string_value();
                  const std::string& id = args[1].string_value();
                  const EntityStore* store = a.entities();
                  const Value* found = !store                   ? nullptr
                                       : kind == "organization" ? store->FindOrganization(id)
                                       : kind == "user"         ? store->FindUser(id)
                                                                : store->FindResource(kind, id);
                  if (found == nullptr) {
                    return Value::Error(ErrorKind::kNoSuchAttribute,
                                        "lookup: no " + kind + " '" + id + "' is known");
                  }
                  return *found;
                }),
                {"Any stored entity by kind and id, e.g. `lookup('customer_role', r)`.",
                 "lookup('organization', 'acme').name == 'Acme'"});
  c.AddFunction("group.contains", {"group.contains(string, string) -> bool"},
                PolicyFunctionImpl([](const PolicySet& set) -> ContextFunctionImpl {
                  return [&set](std::span<const Value> args, const Activation& a) {
                    return GroupContainsCall(args, a, set);
                  };
                }),
                {"Whether the organization is in the customer group; a dynamic match that needs "
                 "a missing attribute means \"not a member\".",
                 "group.contains('vip', 'acme')"});
  c.NameArguments("group.contains", {dsl::NameKind::kGroup});
}

}  // namespace castellan::engine
